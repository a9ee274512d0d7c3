package rmq.golden;

import com.alibaba.fastjson.JSON;
import com.alibaba.fastjson.JSONObject;
import com.alibaba.fastjson.parser.Feature;
import com.alibaba.fastjson.serializer.SerializerFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.common.DataVersion;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.UtilAll;
import org.apache.rocketmq.common.admin.ConsumeStats;
import org.apache.rocketmq.common.admin.OffsetWrapper;
import org.apache.rocketmq.common.admin.TopicOffset;
import org.apache.rocketmq.common.admin.TopicStatsTable;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageAccessor;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.common.protocol.ResponseCode;
import org.apache.rocketmq.common.protocol.body.*;
import org.apache.rocketmq.common.protocol.header.*;
import org.apache.rocketmq.common.protocol.header.filtersrv.*;
import org.apache.rocketmq.common.protocol.header.namesrv.*;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumeType;
import org.apache.rocketmq.common.protocol.heartbeat.ConsumerData;
import org.apache.rocketmq.common.protocol.heartbeat.HeartbeatData;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.common.protocol.heartbeat.ProducerData;
import org.apache.rocketmq.common.protocol.heartbeat.SubscriptionData;
import org.apache.rocketmq.common.protocol.route.BrokerData;
import org.apache.rocketmq.common.protocol.route.QueueData;
import org.apache.rocketmq.common.protocol.route.TopicRouteData;
import org.apache.rocketmq.common.subscription.SubscriptionGroupConfig;
import org.apache.rocketmq.common.sysflag.MessageSysFlag;
import org.apache.rocketmq.remoting.CommandCustomHeader;
import org.apache.rocketmq.remoting.annotation.CFNotNull;
import org.apache.rocketmq.remoting.protocol.LanguageCode;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.RemotingSerializable;
import org.apache.rocketmq.remoting.protocol.SerializeType;

/**
 * Writes golden vectors made by the real RocketMQ 4.9.7 classes into a directory.
 *
 * <p>Usage: {@code GoldenGen <outDir>}. For each vector it writes {@code <name>.bin} (the exact
 * bytes: a whole frame as {@code NettyEncoder} writes it, a stored message, a batch body or a
 * JSON body) and {@code <name>.txt}, {@code key=value} lines describing what the real classes
 * decode from those bytes (see {@link Dump} for the format). Message ids have only a .txt.
 */
public class GoldenGen {
    static File outDir;
    static int opaqueSeq = 1;
    static int headerFrames = 0;
    static int specialFrames = 0;
    static int messages = 0;
    static int bodies = 0;
    static int ids = 0;
    static final Set<String> names = new HashSet<>();

    /** Every header class of 4.9.7 with the code it travels with (9999 = no code uses it). */
    static final Object[][] HEADERS = {
        {SendMessageRequestHeader.class, RequestCode.SEND_MESSAGE},
        {SendMessageRequestHeaderV2.class, RequestCode.SEND_MESSAGE_V2},
        {SendMessageResponseHeader.class, ResponseCode.SUCCESS},
        {ConsumerSendMsgBackRequestHeader.class, RequestCode.CONSUMER_SEND_MSG_BACK},
        {ReplyMessageRequestHeader.class, RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT},
        {PullMessageRequestHeader.class, RequestCode.PULL_MESSAGE},
        {PullMessageResponseHeader.class, ResponseCode.SUCCESS},
        {QueryConsumerOffsetRequestHeader.class, RequestCode.QUERY_CONSUMER_OFFSET},
        {QueryConsumerOffsetResponseHeader.class, ResponseCode.SUCCESS},
        {UpdateConsumerOffsetRequestHeader.class, RequestCode.UPDATE_CONSUMER_OFFSET},
        {UpdateConsumerOffsetResponseHeader.class, ResponseCode.SUCCESS},
        {GetConsumerListByGroupRequestHeader.class, RequestCode.GET_CONSUMER_LIST_BY_GROUP},
        {GetConsumerListByGroupResponseHeader.class, ResponseCode.SUCCESS},
        {NotifyConsumerIdsChangedRequestHeader.class, RequestCode.NOTIFY_CONSUMER_IDS_CHANGED},
        {UnregisterClientRequestHeader.class, RequestCode.UNREGISTER_CLIENT},
        {UnregisterClientResponseHeader.class, ResponseCode.SUCCESS},
        {GetConsumerRunningInfoRequestHeader.class, RequestCode.GET_CONSUMER_RUNNING_INFO},
        {ConsumeMessageDirectlyResultRequestHeader.class, RequestCode.CONSUME_MESSAGE_DIRECTLY},
        {GetConsumerStatusRequestHeader.class, RequestCode.INVOKE_BROKER_TO_GET_CONSUMER_STATUS},
        {ResetOffsetRequestHeader.class, RequestCode.INVOKE_BROKER_TO_RESET_OFFSET},
        {CreateTopicRequestHeader.class, RequestCode.UPDATE_AND_CREATE_TOPIC},
        {DeleteTopicRequestHeader.class, RequestCode.DELETE_TOPIC_IN_BROKER},
        {GetAllTopicConfigResponseHeader.class, ResponseCode.SUCCESS},
        {GetBrokerConfigResponseHeader.class, ResponseCode.SUCCESS},
        {SearchOffsetRequestHeader.class, RequestCode.SEARCH_OFFSET_BY_TIMESTAMP},
        {SearchOffsetResponseHeader.class, ResponseCode.SUCCESS},
        {GetMaxOffsetRequestHeader.class, RequestCode.GET_MAX_OFFSET},
        {GetMaxOffsetResponseHeader.class, ResponseCode.SUCCESS},
        {GetMinOffsetRequestHeader.class, RequestCode.GET_MIN_OFFSET},
        {GetMinOffsetResponseHeader.class, ResponseCode.SUCCESS},
        {GetEarliestMsgStoretimeRequestHeader.class, RequestCode.GET_EARLIEST_MSG_STORETIME},
        {GetEarliestMsgStoretimeResponseHeader.class, ResponseCode.SUCCESS},
        {QueryMessageRequestHeader.class, RequestCode.QUERY_MESSAGE},
        {QueryMessageResponseHeader.class, ResponseCode.SUCCESS},
        {ViewMessageRequestHeader.class, RequestCode.VIEW_MESSAGE_BY_ID},
        {ViewMessageResponseHeader.class, ResponseCode.SUCCESS},
        {DeleteSubscriptionGroupRequestHeader.class, RequestCode.DELETE_SUBSCRIPTIONGROUP},
        {GetTopicStatsInfoRequestHeader.class, RequestCode.GET_TOPIC_STATS_INFO},
        {GetConsumerConnectionListRequestHeader.class, RequestCode.GET_CONSUMER_CONNECTION_LIST},
        {GetProducerConnectionListRequestHeader.class, RequestCode.GET_PRODUCER_CONNECTION_LIST},
        {GetConsumeStatsRequestHeader.class, RequestCode.GET_CONSUME_STATS},
        {GetAllProducerInfoRequestHeader.class, RequestCode.GET_ALL_PRODUCER_INFO},
        {QueryTopicConsumeByWhoRequestHeader.class, RequestCode.QUERY_TOPIC_CONSUME_BY_WHO},
        {QueryConsumeTimeSpanRequestHeader.class, RequestCode.QUERY_CONSUME_TIME_SPAN},
        {QueryCorrectionOffsetHeader.class, RequestCode.QUERY_CORRECTION_OFFSET},
        {CloneGroupOffsetRequestHeader.class, RequestCode.CLONE_GROUP_OFFSET},
        {ViewBrokerStatsDataRequestHeader.class, RequestCode.VIEW_BROKER_STATS_DATA},
        {GetConsumeStatsInBrokerHeader.class, RequestCode.GET_BROKER_CONSUME_STATS},
        {QueryConsumeQueueRequestHeader.class, RequestCode.QUERY_CONSUME_QUEUE},
        {CreateAccessConfigRequestHeader.class, RequestCode.UPDATE_AND_CREATE_ACL_CONFIG},
        {DeleteAccessConfigRequestHeader.class, RequestCode.DELETE_ACL_CONFIG},
        {UpdateGlobalWhiteAddrsConfigRequestHeader.class, RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG},
        {GetBrokerAclConfigResponseHeader.class, ResponseCode.SUCCESS},
        {GetBrokerClusterAclConfigResponseHeader.class, ResponseCode.SUCCESS},
        {EndTransactionRequestHeader.class, RequestCode.END_TRANSACTION},
        {EndTransactionResponseHeader.class, ResponseCode.SUCCESS},
        {CheckTransactionStateRequestHeader.class, RequestCode.CHECK_TRANSACTION_STATE},
        {CheckTransactionStateResponseHeader.class, ResponseCode.SUCCESS},
        {ResumeCheckHalfMessageRequestHeader.class, RequestCode.RESUME_CHECK_HALF_MESSAGE},
        {PutKVConfigRequestHeader.class, RequestCode.PUT_KV_CONFIG},
        {GetKVConfigRequestHeader.class, RequestCode.GET_KV_CONFIG},
        {GetKVConfigResponseHeader.class, ResponseCode.SUCCESS},
        {DeleteKVConfigRequestHeader.class, RequestCode.DELETE_KV_CONFIG},
        {GetKVListByNamespaceRequestHeader.class, RequestCode.GET_KVLIST_BY_NAMESPACE},
        {RegisterBrokerRequestHeader.class, RequestCode.REGISTER_BROKER},
        {RegisterBrokerResponseHeader.class, ResponseCode.SUCCESS},
        {UnRegisterBrokerRequestHeader.class, RequestCode.UNREGISTER_BROKER},
        {GetRouteInfoRequestHeader.class, RequestCode.GET_ROUTEINFO_BY_TOPIC},
        {WipeWritePermOfBrokerRequestHeader.class, RequestCode.WIPE_WRITE_PERM_OF_BROKER},
        {WipeWritePermOfBrokerResponseHeader.class, ResponseCode.SUCCESS},
        {AddWritePermOfBrokerRequestHeader.class, RequestCode.ADD_WRITE_PERM_OF_BROKER},
        {AddWritePermOfBrokerResponseHeader.class, ResponseCode.SUCCESS},
        {DeleteTopicFromNamesrvRequestHeader.class, RequestCode.DELETE_TOPIC_IN_NAMESRV},
        {QueryDataVersionRequestHeader.class, RequestCode.QUERY_DATA_VERSION},
        {QueryDataVersionResponseHeader.class, ResponseCode.SUCCESS},
        {RegisterOrderTopicRequestHeader.class, 9999},
        {GetTopicsByClusterRequestHeader.class, RequestCode.GET_TOPICS_BY_CLUSTER},
        {RegisterFilterServerRequestHeader.class, RequestCode.REGISTER_FILTER_SERVER},
        {RegisterFilterServerResponseHeader.class, ResponseCode.SUCCESS},
        {RegisterMessageFilterClassRequestHeader.class, RequestCode.REGISTER_MESSAGE_FILTER_CLASS},
    };

    static final String UNICODE = "\u00e9\u4e2d\"\\/\n\t\u0001\u007f\ud83d\ude00 \u2028x";

    public static void main(String[] args) throws Exception {
        System.setProperty("rocketmq.remoting.version", "407");
        if (args.length != 1) {
            System.err.println("usage: GoldenGen <outDir>");
            System.exit(2);
        }
        outDir = new File(args[0]);
        if (!outDir.isDirectory() && !outDir.mkdirs()) {
            throw new IOException("cannot create " + outDir);
        }
        headerVectors();
        specialFrames();
        messageVectors();
        idVectors();
        bodyVectors();
        System.out.println("GOLDEN headerFrames=" + headerFrames + " specialFrames=" + specialFrames
            + " messages=" + messages + " ids=" + ids + " bodies=" + bodies);
    }

    // -----------------------------------------------------------------------------------------
    // output helpers

    static void write(String name, byte[] bin, String txt) throws IOException {
        if (!names.add(name)) {
            throw new IllegalStateException("duplicate vector name " + name);
        }
        if (bin != null) {
            try (FileOutputStream o = new FileOutputStream(new File(outDir, name + ".bin"))) {
                o.write(bin);
            }
        }
        try (Writer w = new OutputStreamWriter(new FileOutputStream(new File(outDir, name + ".txt")),
            StandardCharsets.UTF_8)) {
            w.write(txt);
        }
    }

    /** Exactly what NettyEncoder writes: fastEncodeHeader into a ByteBuf, then the body. */
    static byte[] nettyEncode(RemotingCommand cmd) {
        ByteBuf buf = Unpooled.buffer();
        cmd.fastEncodeHeader(buf);
        if (cmd.getBody() != null) {
            buf.writeBytes(cmd.getBody());
        }
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        buf.release();
        return out;
    }

    static void frame(String name, RemotingCommand cmd, Class<?> headerClass, String note) throws Exception {
        byte[] bytes = nettyEncode(cmd);
        StringBuilder sb = new StringBuilder();
        sb.append("kind=frame\n");
        if (note != null) {
            sb.append("note=").append(Dump.esc(note)).append('\n');
        }
        Dump.frame(sb, bytes, headerClass);
        write(name, bytes, sb.toString());
    }

    // -----------------------------------------------------------------------------------------
    // header frames: every class x {full, req, edge} x {JSON, ROCKETMQ}

    static List<Field> fields(Class<?> c) {
        List<Field> out = new ArrayList<>();
        for (Class<?> k = c; k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !f.getName().startsWith("this")) {
                    f.setAccessible(true);
                    out.add(f);
                }
            }
        }
        return out;
    }

    static boolean supported(Class<?> t) {
        return t == String.class || t == Integer.class || t == int.class || t == Long.class || t == long.class
            || t == Boolean.class || t == boolean.class;
    }

    /** Fill a header: "full" sets every field, "req" only @CFNotNull ones, "edge" every field with edge values. */
    static void fill(Object h, String variant) throws Exception {
        int i = 0;
        for (Field f : fields(h.getClass())) {
            Class<?> t = f.getType();
            if (!supported(t)) {
                continue;
            }
            boolean required = f.getAnnotation(CFNotNull.class) != null;
            if (variant.equals("req") && !required) {
                continue;
            }
            int k = Math.abs(f.getName().hashCode()) % 1000;
            boolean edge = variant.equals("edge");
            Object v;
            if (!edge && f.getName().equals("commitOrRollback")) {
                v = MessageSysFlag.TRANSACTION_COMMIT_TYPE; // checkFields() accepts 8 (and 0, 12)
            } else if (!edge && f.getName().equals("topicFilterType")) {
                v = "SINGLE_TAG"; // checkFields() runs TopicFilterType.valueOf
            } else if (t == String.class) {
                v = edge ? f.getName() + UNICODE : f.getName() + "-" + k;
            } else if (t == Integer.class || t == int.class) {
                int[] e = {Integer.MIN_VALUE, -1, Integer.MAX_VALUE, 0};
                v = edge ? e[i % e.length] : k + 1;
            } else if (t == Long.class || t == long.class) {
                long[] e = {Long.MIN_VALUE, Long.MAX_VALUE, -1L, 0L};
                v = edge ? e[i % e.length] : 1700000000000L + k;
            } else {
                v = !edge;
            }
            f.set(h, v);
            i++;
        }
    }

    static void headerVectors() throws Exception {
        String[] variants = {"full", "req", "edge"};
        SerializeType[] types = {SerializeType.JSON, SerializeType.ROCKETMQ};
        for (Object[] e : HEADERS) {
            Class<?> c = (Class<?>) e[0];
            int code = (Integer) e[1];
            boolean response = c.getSimpleName().endsWith("ResponseHeader");
            boolean hasFields = false;
            for (Field f : fields(c)) {
                hasFields |= supported(f.getType());
            }
            for (String variant : variants) {
                if (!hasFields && !variant.equals("full")) {
                    continue;
                }
                for (SerializeType st : types) {
                    CommandCustomHeader h = (CommandCustomHeader) c.getDeclaredConstructor().newInstance();
                    fill(h, variant);
                    RemotingCommand cmd;
                    if (response) {
                        String remark = variant.equals("full") ? null : variant.equals("req") ? "" : "remark " + UNICODE;
                        cmd = RemotingCommand.createResponseCommand(code, remark, null);
                        cmd.writeCustomHeader(h);
                    } else {
                        cmd = RemotingCommand.createRequestCommand(code, h);
                        if (variant.equals("edge")) {
                            byte[] body = new byte[256];
                            for (int b = 0; b < 256; b++) {
                                body[b] = (byte) b;
                            }
                            cmd.setBody(body);
                        } else if (variant.equals("req")) {
                            cmd.markOnewayRPC();
                        }
                    }
                    cmd.setOpaque(opaqueSeq++);
                    cmd.setSerializeTypeCurrentRPC(st);
                    String name = "hdr_" + c.getSimpleName() + "_" + variant + "_" + (st == SerializeType.JSON ? "json" : "bin");
                    frame(name, cmd, c, null);
                    headerFrames++;
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // hand-made frames: protocol.md examples and codec edge cases

    static RemotingCommand typed(RemotingCommand cmd, SerializeType st, int opaque) {
        cmd.setSerializeTypeCurrentRPC(st);
        cmd.setOpaque(opaque);
        return cmd;
    }

    static void both(String name, java.util.function.Supplier<RemotingCommand> make, Class<?> hc, String note)
        throws Exception {
        frame(name + "_json", typed(make.get(), SerializeType.JSON, opaqueSeq++), hc, note);
        frame(name + "_bin", typed(make.get(), SerializeType.ROCKETMQ, opaqueSeq++), hc, note);
        specialFrames += 2;
    }

    /** Both codecs with a fixed opaque (the protocol.md examples use 1..4). */
    static void bothAt(String name, int opaque, java.util.function.Supplier<RemotingCommand> make, Class<?> hc,
        String note) throws Exception {
        frame(name + "_json", typed(make.get(), SerializeType.JSON, opaque), hc, note);
        frame(name + "_bin", typed(make.get(), SerializeType.ROCKETMQ, opaque), hc, note);
        specialFrames += 2;
    }

    static SendMessageRequestHeader g5V1() {
        SendMessageRequestHeader v1 = new SendMessageRequestHeader();
        v1.setProducerGroup("PG");
        v1.setTopic("TopicTest");
        v1.setDefaultTopic("TBW102");
        v1.setDefaultTopicQueueNums(4);
        v1.setQueueId(0);
        v1.setSysFlag(0);
        v1.setBornTimestamp(1700000000000L);
        v1.setFlag(0);
        v1.setProperties("UNIQ_KEY\u00017F00000100002A9F0000000000000000\u0002WAIT\u0001true\u0002TAGS\u0001TagA");
        v1.setReconsumeTimes(0);
        v1.setUnitMode(false);
        v1.setBatch(false);
        return v1;
    }

    static PullMessageRequestHeader g7Pull() {
        PullMessageRequestHeader p = new PullMessageRequestHeader();
        p.setConsumerGroup("CG");
        p.setTopic("TopicTest");
        p.setQueueId(1);
        p.setQueueOffset(0L);
        p.setMaxMsgNums(32);
        p.setSysFlag(2);
        p.setCommitOffset(0L);
        p.setSuspendTimeoutMillis(15000L);
        p.setSubscription("*");
        p.setSubVersion(1700000000000L);
        p.setExpressionType("TAG");
        return p;
    }

    static void specialFrames() throws Exception {
        // G1/G2 route request
        bothAt("g1_route", 1, () -> {
            GetRouteInfoRequestHeader h = new GetRouteInfoRequestHeader();
            h.setTopic("TopicTest");
            return RemotingCommand.createRequestCommand(RequestCode.GET_ROUTEINFO_BY_TOPIC, h);
        }, GetRouteInfoRequestHeader.class, "protocol.md G1/G2");
        // G3 success with body {}
        bothAt("g3_success_body", 1, () -> {
            RemotingCommand r = RemotingCommand.createResponseCommand(ResponseCode.SUCCESS, null);
            r.setBody("{}".getBytes(StandardCharsets.UTF_8));
            return r;
        }, null, "protocol.md G3/G3b");
        // G4 not supported
        bothAt("g4_not_supported", 1, () -> RemotingCommand.createResponseCommand(
            ResponseCode.REQUEST_CODE_NOT_SUPPORTED, " request type 9999 not supported"), null, "protocol.md G4");
        // G5 send v2 from v1
        bothAt("g5_send_v2", 2, () -> {
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE_V2,
                SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(g5V1()));
            r.setBody("Hello".getBytes(StandardCharsets.UTF_8));
            return r;
        }, SendMessageRequestHeaderV2.class, "protocol.md G5");
        // 4.9.7 producer with n=broker name, batch, retry times
        both("send_v2_batch_bname", () -> {
            SendMessageRequestHeader v1 = g5V1();
            v1.setBatch(true);
            v1.setBname("broker-a");
            v1.setMaxReconsumeTimes(16);
            v1.setReconsumeTimes(3);
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.SEND_BATCH_MESSAGE,
                SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(v1));
            r.setBody(new byte[] {0, 0, 0, 1});
            return r;
        }, SendMessageRequestHeaderV2.class, "V2 with n, l, m");
        // V1 send with bname
        both("send_v1_bname", () -> {
            SendMessageRequestHeader v1 = g5V1();
            v1.setBname("broker-a");
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE, v1);
            r.setBody("Hello".getBytes(StandardCharsets.UTF_8));
            return r;
        }, SendMessageRequestHeader.class, "V1 with inherited bname");
        // G6b send response with MSG_REGION / TRACE_ON
        bothAt("g6b_send_response", 2, () -> {
            RemotingCommand r = RemotingCommand.createResponseCommand(SendMessageResponseHeader.class);
            SendMessageResponseHeader h = (SendMessageResponseHeader) r.readCustomHeader();
            h.setMsgId("7F00000100002A9F0000000000000000");
            h.setQueueId(0);
            h.setQueueOffset(0L);
            r.addExtField("MSG_REGION", "DefaultRegion");
            r.addExtField("TRACE_ON", "true");
            r.setCode(ResponseCode.SUCCESS);
            r.setRemark(null);
            return r;
        }, SendMessageResponseHeader.class, "protocol.md G6b");
        // G7 pull
        bothAt("g7_pull", 3, () -> RemotingCommand.createRequestCommand(RequestCode.PULL_MESSAGE, g7Pull()),
            PullMessageRequestHeader.class, "protocol.md G7/G7b");
        both("pull_bname_extra_keys", () -> {
            PullMessageRequestHeader p = g7Pull();
            p.setBname("broker-a");
            p.setSubscription(null);
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.PULL_MESSAGE, p);
            r.addExtField("AccessKey", "ak");
            r.addExtField("Signature", "sig=");
            return r;
        }, PullMessageRequestHeader.class, "pull with bname, no subscription, unknown ext keys");
        both("pull_response_found", () -> {
            RemotingCommand r = RemotingCommand.createResponseCommand(PullMessageResponseHeader.class);
            PullMessageResponseHeader h = (PullMessageResponseHeader) r.readCustomHeader();
            h.setSuggestWhichBrokerId(0L);
            h.setNextBeginOffset(1L);
            h.setMinOffset(0L);
            h.setMaxOffset(1L);
            r.setCode(ResponseCode.SUCCESS);
            r.setRemark("FOUND");
            r.setBody(new byte[] {1, 2, 3});
            return r;
        }, PullMessageResponseHeader.class, "pull reply");
        // G8 oneway update offset
        bothAt("g8_update_offset_oneway", 4, () -> {
            UpdateConsumerOffsetRequestHeader h = new UpdateConsumerOffsetRequestHeader();
            h.setConsumerGroup("CG");
            h.setTopic("TopicTest");
            h.setQueueId(0);
            h.setCommitOffset(42L);
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.UPDATE_CONSUMER_OFFSET, h);
            r.markOnewayRPC();
            return r;
        }, UpdateConsumerOffsetRequestHeader.class, "protocol.md G8");
        // heartbeat: no header at all, JSON body
        both("heartbeat_no_header", () -> {
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.HEART_BEAT, null);
            r.setBody(heartbeat().encode());
            return r;
        }, null, "no extFields key");
        // register broker with its JSON body
        both("g9_register_broker", () -> {
            RegisterBrokerRequestHeader h = new RegisterBrokerRequestHeader();
            h.setBrokerName("broker-b");
            h.setBrokerAddr("127.0.0.1:49121");
            h.setClusterName("DefaultCluster");
            h.setHaServerAddr("192.0.2.2:49122");
            h.setBrokerId(0L);
            h.setCompressed(false);
            byte[] body = registerBrokerBody().encode(false);
            h.setBodyCrc32(UtilAll.crc32(body));
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.REGISTER_BROKER, h);
            r.setBody(body);
            return r;
        }, RegisterBrokerRequestHeader.class, "protocol.md G9");
        // query message with the extra _UNIQUE_KEY_QUERY key
        both("query_message_unique_key", () -> {
            QueryMessageRequestHeader h = new QueryMessageRequestHeader();
            h.setTopic("TopicTest");
            h.setKey("key1");
            h.setMaxNum(32);
            h.setBeginTimestamp(0L);
            h.setEndTimestamp(Long.MAX_VALUE);
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.QUERY_MESSAGE, h);
            r.addExtField("_UNIQUE_KEY_QUERY", "true");
            return r;
        }, QueryMessageRequestHeader.class, "extra ext key");
        // empty-class response: JSON writes "extFields":{}
        both("unregister_client_response_empty", () -> {
            RemotingCommand r = RemotingCommand.createResponseCommand(UnregisterClientResponseHeader.class);
            r.setCode(ResponseCode.SUCCESS);
            r.setRemark(null);
            return r;
        }, UnregisterClientResponseHeader.class, "empty header class");
        // T14 remark
        both("create_topic_reply_remark", () -> RemotingCommand.createResponseCommand(CreateTopicRequestHeader.class),
            null, "code 1 'not set any response code' from createResponseCommand(Class)");
        // remarks
        both("remark_empty", () -> RemotingCommand.createResponseCommand(ResponseCode.SYSTEM_ERROR, ""), null,
            "empty remark: JSON keeps \"\", binary reads null");
        both("remark_unicode", () -> RemotingCommand.createResponseCommand(ResponseCode.TOPIC_NOT_EXIST,
            "No topic route info in name server for the topic: T\u00e9\u4e2d\nSee http://rocketmq.apache.org/docs/faq/ "
                + UNICODE), null, "unicode remark");
        both("remark_long", () -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 7000; i++) {
                sb.append("0123456789");
            }
            return RemotingCommand.createResponseCommand(ResponseCode.SYSTEM_ERROR, sb.toString());
        }, null, "70000-byte remark");
        // language, version, opaque and code edges
        both("lang_rust_neg_opaque", () -> {
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, null);
            r.setLanguage(LanguageCode.RUST);
            return r;
        }, null, "RUST language");
        frame("opaque_min_json", typed(RemotingCommand.createRequestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, null),
            SerializeType.JSON, Integer.MIN_VALUE), null, "opaque MIN_VALUE");
        frame("opaque_min_bin", typed(RemotingCommand.createRequestCommand(RequestCode.GET_BROKER_CLUSTER_INFO, null),
            SerializeType.ROCKETMQ, Integer.MIN_VALUE), null, "opaque MIN_VALUE");
        specialFrames += 2;
        both("code_40000_version_70000", () -> {
            RemotingCommand r = RemotingCommand.createResponseCommand(40000, "big code");
            r.setVersion(70000);
            r.setFlag(3);
            r.setLanguage(LanguageCode.GO);
            return r;
        }, null, "binary code/version are signed shorts (T7)");
        both("ext_unicode_key_empty_value", () -> {
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.PUT_KV_CONFIG, null);
            r.addExtField("k\u00e9\u4e2d", "v" + UNICODE);
            r.addExtField("empty", "");
            return r;
        }, null, "unicode key; empty value (binary reads null)");
        both("big_body", () -> {
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE_V2,
                SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(g5V1()));
            byte[] body = new byte[70000];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) (i * 31);
            }
            r.setBody(body);
            return r;
        }, SendMessageRequestHeaderV2.class, "70000-byte body");
        both("end_transaction_oneway_remark", () -> {
            EndTransactionRequestHeader h = new EndTransactionRequestHeader();
            h.setProducerGroup("PG");
            h.setTranStateTableOffset(7L);
            h.setCommitLogOffset(4096L);
            h.setCommitOrRollback(MessageSysFlag.TRANSACTION_COMMIT_TYPE);
            h.setFromTransactionCheck(true);
            h.setMsgId("C0A8000100002A9F0000000000001234");
            h.setTransactionId("tx-1");
            h.setBname("broker-a");
            RemotingCommand r = RemotingCommand.createRequestCommand(RequestCode.END_TRANSACTION, h);
            r.setRemark("executeLocalTransactionBranch exception");
            r.markOnewayRPC();
            return r;
        }, EndTransactionRequestHeader.class, "oneway request with a remark");
    }

    // -----------------------------------------------------------------------------------------
    // messages

    static MessageExt g18() throws Exception {
        MessageExt m = new MessageExt();
        m.setTopic("TopicTest");
        m.setBody("Hello".getBytes(StandardCharsets.UTF_8));
        m.setBodyCRC(UtilAll.crc32(m.getBody()));
        m.setQueueId(1);
        m.setQueueOffset(2);
        m.setCommitLogOffset(0x1234);
        m.setBornTimestamp(1700000000000L);
        m.setBornHost(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 54321));
        m.setStoreTimestamp(1700000000123L);
        m.setStoreHost(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 10911));
        MessageAccessor.putProperty(m, "k", "v");
        m.setTags("TagA");
        return m;
    }

    static void message(String name, MessageExt m, boolean compress, String note) throws Exception {
        byte[] bytes = MessageDecoder.encode(m, compress);
        StringBuilder sb = new StringBuilder("kind=message\n");
        sb.append("note=").append(Dump.esc(note)).append('\n');
        sb.append("compressedInput=").append(compress).append('\n');
        Dump.messages(sb, bytes);
        write(name, bytes, sb.toString());
        messages++;
    }

    static void messageVectors() throws Exception {
        message("msg_g18_ipv4", g18(), false, "protocol.md G18");

        MessageExt v6 = g18();
        v6.setBornHost(new InetSocketAddress(InetAddress.getByName("::1"), 1));
        v6.setStoreHost(new InetSocketAddress(InetAddress.getByName("fe80::1"), 10911));
        v6.setBornHostV6Flag();
        v6.setStoreHostAddressV6Flag();
        message("msg_g18b_ipv6", v6, false, "protocol.md G18b");

        MessageExt mixed = g18();
        mixed.setStoreHost(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 10911));
        mixed.setStoreHostAddressV6Flag();
        mixed.setReconsumeTimes(3);
        mixed.setPreparedTransactionOffset(Long.MAX_VALUE);
        mixed.setSysFlag(mixed.getSysFlag() | MessageSysFlag.TRANSACTION_PREPARED_TYPE);
        mixed.setFlag(-7);
        message("msg_ipv4_born_ipv6_store_tx", mixed, false, "IPv4 born host, IPv6 store host, prepared tx");

        MessageExt z = g18();
        byte[] big = new byte[5000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ("abcdefghij".charAt(i % 10));
        }
        z.setBody(big);
        z.setBodyCRC(UtilAll.crc32(big));
        z.setSysFlag(MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_ZLIB_TYPE);
        message("msg_compressed_zlib", z, true, "zlib level 5 body, sysFlag 0x301");

        MessageExt u = g18();
        u.setTopic("T\u00e9\u4e2d");
        u.setBody("\u4f60\u597d\ud83d\ude00".getBytes(StandardCharsets.UTF_8));
        u.setBodyCRC(UtilAll.crc32(u.getBody()));
        u.setKeys(Arrays.asList("k1", "k\u00e9"));
        MessageAccessor.putProperty(u, "UNIQ_KEY", "FD0000000000000000000000000000024F1B30946E097D54A5C20000");
        MessageAccessor.putProperty(u, "WAIT", "true");
        MessageAccessor.putProperty(u, "uni\u4e2d", "val\u00e9\ud83d\ude00");
        message("msg_unicode_props", u, false, "unicode topic, body and properties");

        MessageExt e = g18();
        e.setBody(new byte[0]);
        e.setBodyCRC(0);
        MessageAccessor.setProperties(e, new HashMap<String, String>());
        e.setQueueOffset(Long.MAX_VALUE);
        e.setCommitLogOffset(Long.MAX_VALUE);
        e.setBornTimestamp(-1L);
        message("msg_empty_body_no_props", e, false, "empty body, no properties, max offsets");

        // a pull body: several records back to back
        byte[] a = MessageDecoder.encode(g18(), false);
        byte[] b = MessageDecoder.encode(v6, false);
        byte[] c = MessageDecoder.encode(u, false);
        byte[] all = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        StringBuilder sb = new StringBuilder("kind=message\nnote=pull body: 3 records\ncompressedInput=false\n");
        Dump.messages(sb, all);
        write("msgs_pull_body_3", all, sb.toString());
        messages++;

        // batch bodies (G20 and a unicode one)
        Message m1 = new Message();
        m1.setBody("A".getBytes(StandardCharsets.UTF_8));
        MessageAccessor.putProperty(m1, "UNIQ_KEY", "U1");
        MessageAccessor.putProperty(m1, "WAIT", "true");
        MessageAccessor.putProperty(m1, "TAGS", "TagA");
        Message m2 = new Message();
        m2.setBody("BC".getBytes(StandardCharsets.UTF_8));
        m2.setFlag(5);
        MessageAccessor.putProperty(m2, "WAIT", "true");
        batch("batch_g20", Arrays.asList(m1, m2), "protocol.md G20");
        Message m3 = new Message();
        m3.setBody("\u4f60\u597d".getBytes(StandardCharsets.UTF_8));
        m3.setFlag(Integer.MIN_VALUE);
        m3.setKeys("k\u00e9 k2");
        Message m4 = new Message();
        m4.setBody(new byte[0]);
        batch("batch_unicode_empty", Arrays.asList(m3, m4, m1), "unicode props, empty body, no props");
    }

    static void batch(String name, List<Message> msgs, String note) throws Exception {
        byte[] bytes = MessageDecoder.encodeMessages(msgs);
        StringBuilder sb = new StringBuilder("kind=batch\n");
        sb.append("note=").append(Dump.esc(note)).append('\n');
        Dump.batch(sb, bytes);
        write(name, bytes, sb.toString());
        messages++;
    }

    static void msgId(String name, String ip, int port, long offset) throws Exception {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName(ip), port);
        String id = MessageDecoder.createMessageId(a, offset);
        StringBuilder sb = new StringBuilder("kind=msgid\n");
        sb.append("ip=").append(Dump.hex(a.getAddress().getAddress())).append('\n');
        sb.append("port=").append(port).append('\n');
        sb.append("offset=").append(offset).append('\n');
        sb.append("msgId=").append(id).append('\n');
        write(name, null, sb.toString());
        ids++;
    }

    static void idVectors() throws Exception {
        msgId("msgid_g19_ipv4", "192.168.0.1", 10911, 0x1234);
        msgId("msgid_ipv6", "fe80::1", 10911, 0x7fffffffffffL);
        msgId("msgid_neg_offset", "10.0.0.255", 65535, -1L);
        String uniq = MessageClientIDSetter.createUniqID();
        StringBuilder sb = new StringBuilder("kind=uniqid\n");
        sb.append("id=").append(uniq).append('\n');
        sb.append("ip=").append(Dump.hex(MessageClientIDSetter.getIPFromID(uniq))).append('\n');
        sb.append("pid=").append(MessageClientIDSetter.getPidFromID(uniq)).append('\n');
        write("uniqid_local", null, sb.toString());
        ids++;
    }

    // -----------------------------------------------------------------------------------------
    // JSON bodies

    static void body(String name, Object obj, byte[] bytes, String note) throws IOException {
        StringBuilder sb = new StringBuilder("kind=body\n");
        sb.append("class=").append(obj.getClass().getSimpleName()).append('\n');
        sb.append("fqcn=").append(obj.getClass().getName()).append('\n');
        sb.append("note=").append(Dump.esc(note)).append('\n');
        write(name, bytes, sb.toString());
        bodies++;
    }

    static MessageQueue mq(int q) {
        return new MessageQueue("TopicTest", "broker-a", q);
    }

    static TopicRouteData route() {
        TopicRouteData r = new TopicRouteData();
        HashMap<Long, String> addrs = new HashMap<>();
        addrs.put(0L, "127.0.0.1:10911");
        addrs.put(1L, "127.0.0.1:10921");
        r.setBrokerDatas(new ArrayList<>(Arrays.asList(new BrokerData("DefaultCluster", "broker-a", addrs))));
        QueueData q = new QueueData();
        q.setBrokerName("broker-a");
        q.setPerm(6);
        q.setReadQueueNums(4);
        q.setWriteQueueNums(4);
        q.setTopicSysFlag(0);
        r.setQueueDatas(new ArrayList<>(Arrays.asList(q)));
        r.setFilterServerTable(new HashMap<String, List<String>>());
        return r;
    }

    static SubscriptionData sub(String topic, String expr) {
        SubscriptionData s = new SubscriptionData();
        s.setTopic(topic);
        s.setSubString(expr);
        s.setSubVersion(1700000000000L);
        if (!expr.equals("*")) {
            for (String t : expr.split("\\|\\|")) {
                s.getTagsSet().add(t.trim());
                s.getCodeSet().add(t.trim().hashCode());
            }
        }
        return s;
    }

    static HeartbeatData heartbeat() {
        HeartbeatData h = new HeartbeatData();
        h.setClientID("127.0.0.1@12345");
        ConsumerData c = new ConsumerData();
        c.setGroupName("CG");
        c.setConsumeType(ConsumeType.CONSUME_PASSIVELY);
        c.setMessageModel(MessageModel.CLUSTERING);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
        c.getSubscriptionDataSet().add(sub("TopicTest", "TagA || TagB"));
        c.setUnitMode(false);
        h.getConsumerDataSet().add(c);
        ProducerData p = new ProducerData();
        p.setGroupName("PG");
        h.getProducerDataSet().add(p);
        return h;
    }

    static TopicConfigSerializeWrapper topicConfigs() {
        TopicConfigSerializeWrapper w = new TopicConfigSerializeWrapper();
        ConcurrentHashMap<String, TopicConfig> table = new ConcurrentHashMap<>();
        table.put("TopicTest", new TopicConfig("TopicTest", 4, 4, 6));
        TopicConfig ordered = new TopicConfig("Ord\u00e9", 8, 2, 7);
        ordered.setOrder(true);
        ordered.setTopicSysFlag(1);
        table.put("Ord\u00e9", ordered);
        w.setTopicConfigTable(table);
        DataVersion dv = new DataVersion();
        dv.setCounter(new java.util.concurrent.atomic.AtomicLong(3));
        dv.setTimestamp(1700000000000L);
        w.setDataVersion(dv);
        return w;
    }

    static RegisterBrokerBody registerBrokerBody() {
        RegisterBrokerBody b = new RegisterBrokerBody();
        b.setTopicConfigSerializeWrapper(topicConfigs());
        b.setFilterServerList(new ArrayList<String>());
        return b;
    }

    static Connection conn(String id) {
        Connection c = new Connection();
        c.setClientAddr("127.0.0.1:50000");
        c.setClientId(id);
        c.setLanguage(LanguageCode.JAVA);
        c.setVersion(407);
        return c;
    }

    static void bodyVectors() throws Exception {
        TopicRouteData r = route();
        body("body_topic_route_data", r, r.encode(), "protocol.md G10a (unquoted Long keys)");
        body("body_topic_route_data_std", r, r.encode(SerializerFeature.BrowserCompatible,
            SerializerFeature.QuoteFieldNames, SerializerFeature.SkipTransientField, SerializerFeature.MapSortField),
            "protocol.md G10b (standard JSON)");
        TopicRouteData ro = route();
        ro.setOrderTopicConf("broker-a:4");
        HashMap<String, List<String>> fst = new HashMap<>();
        fst.put("127.0.0.1:10911", Arrays.asList("127.0.0.1:9999"));
        ro.setFilterServerTable(fst);
        ro.getQueueDatas().get(0).setBrokerName("br\u00e9\u4e2d");
        body("body_topic_route_data_order_std", ro, ro.encode(SerializerFeature.BrowserCompatible,
            SerializerFeature.QuoteFieldNames, SerializerFeature.SkipTransientField, SerializerFeature.MapSortField),
            "orderTopicConf, filter servers, non-ASCII escaped");

        ClusterInfo ci = new ClusterInfo();
        HashMap<String, BrokerData> bat = new HashMap<>();
        bat.put("broker-a", r.getBrokerDatas().get(0));
        ci.setBrokerAddrTable(bat);
        HashMap<String, Set<String>> cat = new HashMap<>();
        cat.put("DefaultCluster", new HashSet<>(Arrays.asList("broker-a")));
        ci.setClusterAddrTable(cat);
        body("body_cluster_info", ci, ci.encode(), "protocol.md G11");

        HeartbeatData hb = heartbeat();
        body("body_heartbeat_data", hb, hb.encode(), "protocol.md G12");

        LockBatchRequestBody lb = new LockBatchRequestBody();
        lb.setClientId("127.0.0.1@12345");
        lb.setConsumerGroup("CG");
        lb.setMqSet(new HashSet<>(Arrays.asList(mq(0))));
        body("body_lock_batch_request", lb, lb.encode(), "protocol.md G13");
        LockBatchResponseBody lr = new LockBatchResponseBody();
        lr.setLockOKMQSet(new HashSet<>(Arrays.asList(mq(0))));
        body("body_lock_batch_response", lr, lr.encode(), "protocol.md G13");
        UnlockBatchRequestBody ub = new UnlockBatchRequestBody();
        ub.setClientId("127.0.0.1@12345");
        ub.setConsumerGroup("CG");
        ub.setMqSet(new HashSet<>(Arrays.asList(mq(0))));
        body("body_unlock_batch_request", ub, ub.encode(), "protocol.md G13");

        ConsumerConnection cc = new ConsumerConnection();
        cc.getConnectionSet().add(conn("127.0.0.1@12345"));
        cc.setConsumeType(ConsumeType.CONSUME_PASSIVELY);
        cc.setMessageModel(MessageModel.CLUSTERING);
        cc.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
        cc.getSubscriptionTable().put("TopicTest", sub("TopicTest", "*"));
        body("body_consumer_connection", cc, cc.encode(), "protocol.md G14");
        ProducerConnection pc = new ProducerConnection();
        pc.getConnectionSet().add(conn("127.0.0.1@23456"));
        body("body_producer_connection", pc, pc.encode(), "protocol.md G14");

        ConsumeStats cs = new ConsumeStats();
        cs.setConsumeTps(1.5);
        OffsetWrapper ow = new OffsetWrapper();
        ow.setBrokerOffset(10);
        ow.setConsumerOffset(7);
        ow.setLastTimestamp(1700000000000L);
        cs.getOffsetTable().put(mq(0), ow);
        body("body_consume_stats", cs, cs.encode(), "protocol.md G15 (bean keys)");
        TopicStatsTable ts = new TopicStatsTable();
        TopicOffset to = new TopicOffset();
        to.setMinOffset(0);
        to.setMaxOffset(10);
        to.setLastUpdateTimestamp(1700000000000L);
        ts.getOffsetTable().put(mq(0), to);
        body("body_topic_stats_table", ts, ts.encode(), "protocol.md G15");
        ResetOffsetBody rb = new ResetOffsetBody();
        HashMap<MessageQueue, Long> ot = new HashMap<>();
        ot.put(mq(0), 5L);
        rb.setOffsetTable(ot);
        body("body_reset_offset", rb, rb.encode(), "protocol.md G15 ResetOffsetBody");

        ConsumerRunningInfo ri = new ConsumerRunningInfo();
        Properties props = new Properties();
        props.setProperty("PROP_CONSUME_TYPE", "CONSUME_PASSIVELY");
        props.setProperty("PROP_CONSUMER_START_TIMESTAMP", "1700000000000");
        ri.setProperties(props);
        ri.getSubscriptionSet().add(sub("TopicTest", "*"));
        ri.getMqTable().put(mq(0), new ProcessQueueInfo());
        ConsumeStatus st = new ConsumeStatus();
        st.setPullRT(1.0);
        st.setPullTPS(2.5);
        ri.getStatusTable().put("TopicTest", st);
        body("body_consumer_running_info", ri, ri.encode(), "protocol.md G16");

        KVTable kv = new KVTable();
        HashMap<String, String> table = new HashMap<>();
        table.put("brokerName", "broker-a");
        table.put("putTps", "0.0 0.0 0.0");
        kv.setTable(table);
        body("body_kv_table", kv, kv.encode(), "protocol.md G17");
        TopicList tl = new TopicList();
        tl.setTopicList(new HashSet<>(Arrays.asList("TopicTest", "TBW102")));
        body("body_topic_list", tl, tl.encode(), "protocol.md G17");
        TopicList tlb = new TopicList();
        tlb.setTopicList(new HashSet<>(Arrays.asList("SCHEDULE_TOPIC_XXXX")));
        tlb.setBrokerAddr("127.0.0.1:10911");
        body("body_topic_list_broker_addr", tlb, tlb.encode(), "protocol.md G17 with brokerAddr");
        GroupList gl = new GroupList();
        gl.setGroupList(new HashSet<>(Arrays.asList("CG")));
        body("body_group_list", gl, gl.encode(), "protocol.md G17");
        GetConsumerListByGroupResponseBody cl = new GetConsumerListByGroupResponseBody();
        cl.setConsumerIdList(Arrays.asList("127.0.0.1@12345", "127.0.0.1@23456"));
        body("body_consumer_list_by_group", cl, cl.encode(), "protocol.md G17");

        TopicConfigSerializeWrapper tw = topicConfigs();
        body("body_topic_config_wrapper", tw, tw.encode(), "protocol.md G17 TopicConfigSerializeWrapper");
        DataVersion dv = tw.getDataVersion();
        body("body_data_version", dv, dv.encode(), "protocol.md G17 DataVersion");
        RegisterBrokerBody rbb = registerBrokerBody();
        body("body_register_broker", rbb, rbb.encode(false), "protocol.md G9a");
        body("body_register_broker_compressed", rbb, rbb.encode(true), "protocol.md G9c (zlib)");

        SubscriptionGroupWrapper sg = new SubscriptionGroupWrapper();
        SubscriptionGroupConfig sgc = new SubscriptionGroupConfig();
        sgc.setGroupName("CG");
        sg.getSubscriptionGroupTable().put("CG", sgc);
        sg.setDataVersion(dv);
        body("body_subscription_group_wrapper", sg, sg.encode(), "protocol.md G17 SubscriptionGroupWrapper");
        body("body_subscription_group_config", sgc, RemotingSerializable.encode(sgc), "code 200 body");

        ConsumerOffsetSerializeWrapper cow = new ConsumerOffsetSerializeWrapper();
        ConcurrentHashMap<Integer, Long> qo = new ConcurrentHashMap<>();
        qo.put(0, 7L);
        qo.put(1, 9L);
        cow.getOffsetTable().put("TopicTest@CG", qo);
        body("body_consumer_offset_wrapper", cow, cow.encode(), "code 43 (Integer keys)");

        CheckClientRequestBody ccr = new CheckClientRequestBody();
        ccr.setClientId("127.0.0.1@12345");
        ccr.setGroup("CG");
        ccr.setSubscriptionData(sub("TopicTest", "TagA"));
        body("body_check_client_request", ccr, ccr.encode(), "code 46");

        QueryConsumeTimeSpanBody qs = new QueryConsumeTimeSpanBody();
        QueueTimeSpan span = new QueueTimeSpan();
        span.setMessageQueue(mq(1));
        span.setMinTimeStamp(1L);
        span.setMaxTimeStamp(2L);
        span.setConsumeTimeStamp(3L);
        span.setDelayTime(4L);
        qs.setConsumeTimeSpanSet(new ArrayList<>(Arrays.asList(span)));
        body("body_query_consume_time_span", qs, qs.encode(), "code 303");

        QueryCorrectionOffsetBody qc = new QueryCorrectionOffsetBody();
        qc.getCorrectionOffsets().put(0, 5L);
        body("body_query_correction_offset", qc, qc.encode(), "code 308");

        ConsumeMessageDirectlyResult cmr = new ConsumeMessageDirectlyResult();
        cmr.setOrder(false);
        cmr.setAutoCommit(true);
        cmr.setConsumeResult(CMResult.CR_SUCCESS);
        cmr.setRemark("ok");
        cmr.setSpentTimeMills(12);
        body("body_consume_message_directly_result", cmr, cmr.encode(), "code 309");

        BrokerStatsData bsd = new BrokerStatsData();
        // three distinct items: fastjson writes a shared instance as {"$ref":"$.statsDay"}
        for (int i = 0; i < 3; i++) {
            BrokerStatsItem item = new BrokerStatsItem();
            item.setSum(10 + i);
            item.setTps(1.25 * (i + 1));
            item.setAvgpt(0.5 / (i + 1));
            if (i == 0) {
                bsd.setStatsMinute(item);
            } else if (i == 1) {
                bsd.setStatsHour(item);
            } else {
                bsd.setStatsDay(item);
            }
        }
        body("body_broker_stats_data", bsd, bsd.encode(), "code 315");

        ProducerTableInfo pti = new ProducerTableInfo(new HashMap<String, List<ProducerInfo>>());
        pti.getData().put("PG", Arrays.asList(new ProducerInfo("127.0.0.1@1", "127.0.0.1:1", LanguageCode.JAVA, 407,
            1700000000000L)));
        body("body_producer_table_info", pti, pti.encode(), "code 328");
    }

    /** Used by tests that only need the ordered key list of a JSON header. */
    static List<String> jsonExtOrder(byte[] header) {
        JSONObject o = JSON.parseObject(new String(header, StandardCharsets.UTF_8), Feature.OrderedField);
        List<String> out = new ArrayList<>();
        JSONObject ext = o.getJSONObject("extFields");
        if (ext != null) {
            out.addAll(ext.keySet());
        }
        return out;
    }

    static Map<String, String> sorted(Map<String, String> m) {
        return new TreeMap<>(m);
    }

    static <T> Set<T> linked(List<T> l) {
        return new LinkedHashSet<>(l);
    }

    static <T extends Comparable<T>> TreeSet<T> treeSet(List<T> l) {
        return new TreeSet<>(l);
    }
}
