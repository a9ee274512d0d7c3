//! Request dispatch: one line per request code, one small handler each (mirrors
//! `org.apache.rocketmq.namesrv.processor.DefaultRequestProcessor` and
//! `BrokerHousekeepingService`).
//!
//! Handlers return `Result<RemotingCommand, NamesrvError>`; the error becomes a response code
//! and remark in one place, [`NamesrvError::response_code`], applied in `handle`.

use std::collections::HashMap;
use std::sync::Arc;

use protocol::body::properties::parse_properties;
use protocol::body::{
    BodyError, DataVersion, JsonBody, RegisterBrokerBody, TopicConfigSerializeWrapper,
};
use protocol::code::{request as rc, response, version};
use protocol::fastjson::{self, order};
use protocol::header::namesrv::*;
use protocol::net::{Channel, RequestHandler};
use protocol::RemotingCommand;
use serde::Serialize;
use tracing::{debug, info, warn};

use crate::config::UPDATE_FORBIDDEN_KEYS;
use crate::error::NamesrvError;
use crate::javaorder::hash_set_order;
use crate::kv::NAMESPACE_ORDER_TOPIC_CONFIG;
use crate::route::Registration;
use crate::Namesrv;

type Reply = Result<RemotingCommand, NamesrvError>;

fn ok() -> RemotingCommand {
    RemotingCommand::success()
}

impl RequestHandler for Namesrv {
    async fn handle(
        self: Arc<Self>,
        channel: Channel,
        request: RemotingCommand,
    ) -> Option<RemotingCommand> {
        let code = request.code;
        self.track_request(&channel);
        Some(match self.process(&channel, &request) {
            Ok(resp) => resp,
            Err(e) => {
                match &e {
                    NamesrvError::TopicNotExist(_)
                    | NamesrvError::KvNotFound { .. }
                    | NamesrvError::KvNamespaceNotFound(_) => {
                        debug!(code, peer = %channel.peer_addr(), error = %e, "request answered with not-found")
                    }
                    _ => warn!(code, peer = %channel.peer_addr(), error = %e, "request failed"),
                }
                RemotingCommand::response(e.response_code(), Some(e.to_string()))
            }
        })
    }

    fn on_open(&self, channel: &Channel) {
        self.track_open(channel);
    }

    /// `BrokerHousekeepingService.onChannelClose`: a broker's routes go with its connection
    /// (protocol.md T10).
    fn on_close(&self, channel: &Channel) {
        self.track_close(channel);
        self.route.on_channel_destroy(channel);
    }
}

impl Namesrv {
    /// `DefaultRequestProcessor.processRequest`.
    pub(crate) fn process(&self, ch: &Channel, req: &RemotingCommand) -> Reply {
        match req.code {
            rc::PUT_KV_CONFIG => self.put_kv_config(req),
            rc::GET_KV_CONFIG => self.get_kv_config(req),
            rc::DELETE_KV_CONFIG => self.delete_kv_config(req),
            rc::QUERY_DATA_VERSION => self.query_data_version(req),
            rc::REGISTER_BROKER => self.register_broker(ch, req),
            rc::UNREGISTER_BROKER => self.unregister_broker(req),
            rc::GET_ROUTEINFO_BY_TOPIC => self.get_route_info_by_topic(req),
            rc::GET_BROKER_CLUSTER_INFO => self.get_broker_cluster_info(),
            rc::WIPE_WRITE_PERM_OF_BROKER => self.wipe_write_perm_of_broker(ch, req),
            rc::ADD_WRITE_PERM_OF_BROKER => self.add_write_perm_of_broker(ch, req),
            rc::GET_ALL_TOPIC_LIST_FROM_NAMESERVER => topic_list(self.route.all_topics(), None),
            rc::DELETE_TOPIC_IN_NAMESRV => self.delete_topic_in_namesrv(req),
            rc::GET_KVLIST_BY_NAMESPACE => self.get_kv_list_by_namespace(req),
            rc::GET_TOPICS_BY_CLUSTER => self.get_topics_by_cluster(req),
            rc::GET_SYSTEM_TOPIC_LIST_FROM_NS => {
                let (topics, addr) = self.route.system_topics();
                topic_list(topics, addr)
            }
            rc::GET_UNIT_TOPIC_LIST => topic_list(self.route.unit_topics(), None),
            rc::GET_HAS_UNIT_SUB_TOPIC_LIST => topic_list(self.route.has_unit_sub_topics(), None),
            rc::GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST => {
                topic_list(self.route.has_unit_sub_ununit_topics(), None)
            }
            rc::UPDATE_NAMESRV_CONFIG => self.update_config(ch, req),
            rc::GET_NAMESRV_CONFIG => Ok(self.get_config()),
            // Java's namesrv returns null here and sends no reply at all, so the client waits
            // for its timeout (protocol.md T1). We answer like the broker does instead.
            code => Err(NamesrvError::NotSupported(code)),
        }
    }

    /// `PutKVConfigRequestHeader` read by hand: Java checks namespace and key itself
    /// ("namespace or key is null") and stores a missing value.
    fn put_kv_config(&self, req: &RemotingCommand) -> Reply {
        let (Some(ns), Some(key)) = (req.ext("namespace"), req.ext("key")) else {
            return Err(NamesrvError::KvKeyMissing);
        };
        self.kv.put(ns, key, req.ext("value"));
        Ok(ok())
    }

    fn get_kv_config(&self, req: &RemotingCommand) -> Reply {
        let h: GetKVConfigRequestHeader = req.decode_header()?;
        match self.kv.get(&h.namespace, &h.key) {
            Some(value) => Ok(RemotingCommand::response_with(
                response::SUCCESS,
                &GetKVConfigResponseHeader { value: Some(value) },
            )),
            None => Err(NamesrvError::KvNotFound {
                namespace: h.namespace,
                key: h.key,
            }),
        }
    }

    fn delete_kv_config(&self, req: &RemotingCommand) -> Reply {
        let h: DeleteKVConfigRequestHeader = req.decode_header()?;
        self.kv.delete(&h.namespace, &h.key);
        Ok(ok())
    }

    fn get_kv_list_by_namespace(&self, req: &RemotingCommand) -> Reply {
        let h: GetKVListByNamespaceRequestHeader = req.decode_header()?;
        match self.kv.list_body(&h.namespace) {
            Some(json) => Ok(ok().with_body(json)),
            None => Err(NamesrvError::KvNamespaceNotFound(h.namespace)),
        }
    }

    /// `queryBrokerTopicConfig`: has the broker's topic config changed since it registered?
    fn query_data_version(&self, req: &RemotingCommand) -> Reply {
        let h: QueryDataVersionRequestHeader = req.decode_header()?;
        let body = req
            .body
            .as_deref()
            .ok_or(NamesrvError::MissingBody("DataVersion"))?;
        let dv = DataVersion::decode(body).map_err(|e| bad_body("DataVersion", e))?;
        let (changed, registered) = self.route.query_data_version(&h.broker_addr, &dv);
        let mut resp = RemotingCommand::response_with(
            response::SUCCESS,
            &QueryDataVersionResponseHeader { changed },
        );
        if let Some(v) = registered {
            resp = resp.with_body(v.encode());
        }
        Ok(resp)
    }

    /// `registerBrokerWithFilterServer` (brokers >= V3_0_11) and `registerBroker` (older
    /// brokers, whose body is a bare `TopicConfigSerializeWrapper`: protocol.md T5).
    fn register_broker(&self, ch: &Channel, req: &RemotingCommand) -> Reply {
        let h: RegisterBrokerRequestHeader = req.decode_header()?;
        let crc = h.body_crc32.unwrap_or(0);
        if crc != 0 && crc != (crc32fast::hash(req.body_bytes()) & 0x7FFF_FFFF) as i32 {
            warn!(peer = %ch.peer_addr(), broker_addr = %h.broker_addr, "REGISTER_BROKER crc32 not match");
            return Err(NamesrvError::CrcMismatch);
        }
        let (topic_config, filter_server_list) = if req.version >= version::V3_0_11 {
            let body = match req.body.as_deref() {
                Some(b) => RegisterBrokerBody::decode_with(b, h.compressed)
                    .map_err(|e| bad_body("Failed to decode RegisterBrokerBody", e))?,
                None => RegisterBrokerBody {
                    topic_config_serialize_wrapper: empty_topic_config(),
                    filter_server_list: Vec::new(),
                },
            };
            (
                body.topic_config_serialize_wrapper,
                Some(body.filter_server_list),
            )
        } else {
            let wrapper = match req.body.as_deref() {
                Some(b) => TopicConfigSerializeWrapper::decode(b)
                    .map_err(|e| bad_body("TopicConfigSerializeWrapper", e))?,
                None => empty_topic_config(),
            };
            (wrapper, None)
        };
        debug!(
            broker_name = %h.broker_name,
            broker_addr = %h.broker_addr,
            broker_id = h.broker_id,
            topics = topic_config.topic_config_table.len(),
            "REGISTER_BROKER"
        );
        let result = self.route.register_broker(
            Registration {
                cluster_name: h.cluster_name,
                broker_addr: h.broker_addr,
                broker_name: h.broker_name,
                broker_id: h.broker_id,
                ha_server_addr: Some(h.ha_server_addr),
                topic_config,
                filter_server_list,
            },
            Some(ch.clone()),
        );
        let mut resp = RemotingCommand::response_with(
            response::SUCCESS,
            &RegisterBrokerResponseHeader {
                ha_server_addr: result.ha_server_addr,
                master_addr: result.master_addr,
            },
        );
        if let Some(order_conf) = self.kv.list_body(NAMESPACE_ORDER_TOPIC_CONFIG) {
            resp = resp.with_body(order_conf);
        }
        Ok(resp)
    }

    fn unregister_broker(&self, req: &RemotingCommand) -> Reply {
        let h: UnRegisterBrokerRequestHeader = req.decode_header()?;
        self.route
            .unregister_broker(&h.cluster_name, &h.broker_addr, &h.broker_name, h.broker_id);
        Ok(ok())
    }

    fn get_route_info_by_topic(&self, req: &RemotingCommand) -> Reply {
        let h: GetRouteInfoRequestHeader = req.decode_header()?;
        let mut route = self
            .route
            .pickup_topic_route_data(&h.topic)
            .ok_or_else(|| NamesrvError::TopicNotExist(h.topic.clone()))?;
        if self.config.read().namesrv.order_message_enable {
            route.order_topic_conf = self.kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, &h.topic);
        }
        let body = route.encode_for(req.version, h.accept_standard_json_only == Some(true));
        Ok(ok().with_body(body))
    }

    fn get_broker_cluster_info(&self) -> Reply {
        Ok(ok().with_body(self.route.cluster_info().encode()))
    }

    fn wipe_write_perm_of_broker(&self, ch: &Channel, req: &RemotingCommand) -> Reply {
        let h: WipeWritePermOfBrokerRequestHeader = req.decode_header()?;
        let count = self.route.wipe_write_perm_of_broker(&h.broker_name);
        info!(broker_name = %h.broker_name, client = %ch.peer_addr(), topics = count, "wipe write perm of broker");
        Ok(RemotingCommand::response_with(
            response::SUCCESS,
            &WipeWritePermOfBrokerResponseHeader {
                wipe_topic_count: count,
            },
        ))
    }

    fn add_write_perm_of_broker(&self, ch: &Channel, req: &RemotingCommand) -> Reply {
        let h: AddWritePermOfBrokerRequestHeader = req.decode_header()?;
        let count = self.route.add_write_perm_of_broker(&h.broker_name);
        info!(broker_name = %h.broker_name, client = %ch.peer_addr(), topics = count, "add write perm of broker");
        Ok(RemotingCommand::response_with(
            response::SUCCESS,
            &AddWritePermOfBrokerResponseHeader {
                add_topic_count: count,
            },
        ))
    }

    fn delete_topic_in_namesrv(&self, req: &RemotingCommand) -> Reply {
        let h: DeleteTopicFromNamesrvRequestHeader = req.decode_header()?;
        match h.cluster_name.as_deref().filter(|c| !c.is_empty()) {
            Some(cluster) => self.route.delete_topic_in_cluster(&h.topic, cluster),
            None => self.route.delete_topic(&h.topic),
        }
        Ok(ok())
    }

    fn get_topics_by_cluster(&self, req: &RemotingCommand) -> Reply {
        let h: GetTopicsByClusterRequestHeader = req.decode_header()?;
        topic_list(self.route.topics_by_cluster(&h.cluster), None)
    }

    /// `updateConfig`: a properties text body; the two path keys are refused.
    fn update_config(&self, ch: &Channel, req: &RemotingCommand) -> Reply {
        info!(client = %ch.peer_addr(), "updateConfig called");
        let Some(body) = req.body.as_deref() else {
            return Ok(ok());
        };
        let props = parse_properties(&String::from_utf8_lossy(body))
            .map_err(|_| NamesrvError::BadProperties)?;
        if props
            .iter()
            .any(|(k, _)| UPDATE_FORBIDDEN_KEYS.contains(&k.as_str()))
        {
            return Err(NamesrvError::ConfigPathUpdate);
        }
        self.update_and_persist_config(&props);
        Ok(ok())
    }

    fn get_config(&self) -> RemotingCommand {
        let text = self.config_text();
        ok().with_body(text)
    }
}

/// `TopicList`, with the topics in the order Java's `HashSet` would list them after adding
/// `adds` one by one (clients re-read the list into a `HashSet`, so this order decides how
/// collisions print).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JavaTopicList {
    broker_addr: Option<String>,
    #[serde(serialize_with = "order::set")]
    topic_list: Vec<String>,
}

fn topic_list(adds: Vec<String>, broker_addr: Option<String>) -> Reply {
    let body = JavaTopicList {
        broker_addr,
        topic_list: hash_set_order(adds),
    };
    let bytes = fastjson::to_vec(&body).map_err(|e| NamesrvError::Encode(e.to_string()))?;
    Ok(ok().with_body(bytes))
}

/// What Java registers for a REGISTER_BROKER without a body: version (0, 0), no topics.
fn empty_topic_config() -> TopicConfigSerializeWrapper {
    TopicConfigSerializeWrapper {
        topic_config_table: HashMap::new(),
        data_version: DataVersion::new(0, 0),
    }
}

fn bad_body(what: &'static str, e: BodyError) -> NamesrvError {
    NamesrvError::BadBody {
        what,
        reason: e.to_string(),
    }
}
