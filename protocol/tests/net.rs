//! The remoting channel, server loop and client, over real loopback sockets.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use protocol::code::{request, response};
use protocol::net::{serve, Channel, RemotingClient, RequestHandler, ServerConfig};
use protocol::{RemotingCommand, SerializeType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Echo {
    oneways: AtomicUsize,
}

impl RequestHandler for Echo {
    async fn handle(self: Arc<Self>, ch: Channel, req: RemotingCommand) -> Option<RemotingCommand> {
        if req.is_oneway() {
            self.oneways.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        match req.code {
            // ask the client something back on the same connection, then answer
            request::GET_CONSUMER_RUNNING_INFO => {
                let back = ch
                    .invoke(
                        RemotingCommand::request(request::NOTIFY_CONSUMER_IDS_CHANGED),
                        Duration::from_secs(2),
                    )
                    .await
                    .ok()?;
                Some(RemotingCommand::response(
                    response::SUCCESS,
                    Some(format!("client said {}", back.code)),
                ))
            }
            request::PULL_MESSAGE => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Some(RemotingCommand::success().with_remark("slow"))
            }
            _ => Some(RemotingCommand::success().with_body(req.body.clone().unwrap_or_default())),
        }
    }
}

async fn start() -> (String, Arc<Echo>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let h = Arc::new(Echo::default());
    tokio::spawn(serve(
        listener,
        h.clone(),
        ServerConfig::default(),
        std::future::pending(),
    ));
    (addr, h)
}

#[tokio::test]
async fn request_response_both_codecs_and_body() {
    let (addr, _) = start().await;
    let client = RemotingClient::new();
    for st in [SerializeType::Json, SerializeType::RocketMq] {
        let mut req = RemotingCommand::request(request::HEART_BEAT).with_body(&b"hello"[..]);
        req.serialize_type = st;
        let resp = client
            .invoke(&addr, req, Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(resp.code, 0);
        assert!(resp.is_response());
        assert_eq!(resp.serialize_type, st, "reply uses the request's codec");
        assert_eq!(resp.body.as_deref(), Some(&b"hello"[..]));
    }
}

#[tokio::test]
async fn replies_leave_out_of_order_and_match_by_opaque() {
    let (addr, _) = start().await;
    let client = Arc::new(RemotingClient::new());
    let slow = {
        let c = client.clone();
        let a = addr.clone();
        tokio::spawn(async move {
            c.invoke(
                &a,
                RemotingCommand::request(request::PULL_MESSAGE),
                Duration::from_secs(3),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let fast = client
        .invoke(
            &addr,
            RemotingCommand::request(request::HEART_BEAT),
            Duration::from_secs(3),
        )
        .await
        .unwrap();
    assert_eq!(fast.remark, None);
    let slow = slow.await.unwrap().unwrap();
    assert_eq!(slow.remark.as_deref(), Some("slow"));
}

#[tokio::test]
async fn oneway_gets_no_reply() {
    let (addr, h) = start().await;
    let client = RemotingClient::new();
    client
        .invoke_oneway(
            &addr,
            RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET),
        )
        .await
        .unwrap();
    for _ in 0..100 {
        if h.oneways.load(Ordering::SeqCst) == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("oneway not delivered");
}

#[tokio::test]
async fn server_can_call_the_client_back() {
    let (addr, _) = start().await;
    // the default client answers server-pushed requests with code 3
    let client = RemotingClient::new();
    let resp = client
        .invoke(
            &addr,
            RemotingCommand::request(request::GET_CONSUMER_RUNNING_INFO),
            Duration::from_secs(3),
        )
        .await
        .unwrap();
    assert_eq!(resp.remark.as_deref(), Some("client said 3"));
}

#[tokio::test]
async fn garbage_closes_only_that_connection() {
    let (addr, _) = start().await;
    let mut bad = TcpStream::connect(&addr).await.unwrap();
    bad.write_all(&[0xff, 0xff, 0xff, 0xff, 1, 2, 3])
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    let n = tokio::time::timeout(Duration::from_secs(2), bad.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(
        n, 0,
        "server closes a connection that sent an oversize frame"
    );

    let mut bad2 = TcpStream::connect(&addr).await.unwrap();
    bad2.write_all(&[0, 0, 0, 6, 7, 0, 0, 2, b'{', b'}'])
        .await
        .unwrap(); // serialize type 7
    let n = tokio::time::timeout(Duration::from_secs(2), bad2.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0);

    let client = RemotingClient::new();
    let resp = client
        .invoke(
            &addr,
            RemotingCommand::request(request::HEART_BEAT),
            Duration::from_secs(2),
        )
        .await
        .unwrap();
    assert_eq!(resp.code, 0, "other clients are unaffected");
}

#[tokio::test]
async fn timeout_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // a server that accepts and never answers
    tokio::spawn(async move {
        let (_s, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
    });
    let client = RemotingClient::new();
    let r = client
        .invoke(
            &addr,
            RemotingCommand::request(request::HEART_BEAT),
            Duration::from_millis(200),
        )
        .await;
    assert!(matches!(r, Err(protocol::ProtocolError::Timeout { .. })));
}
