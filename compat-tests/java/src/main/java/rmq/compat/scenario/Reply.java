package rmq.compat.scenario;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.RequestCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.utils.MessageUtil;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import rmq.compat.Driver;

/**
 * Request-reply (SEND_REPLY_MESSAGE_V2 and the PUSH_REPLY_MESSAGE_TO_CLIENT push).
 *
 * <p>{@code run <topic> <n>}: a responder (push consumer + producer) answers every request
 * with {@code MessageUtil.createReplyMessage(req, "reply-" + body)}; the requester sends n
 * synchronous {@code request()}s and n with a {@code RequestCallback}. The stored replies in
 * {@code <cluster>_REPLY_TOPIC} are then pulled back.
 *
 * <p>RESULT keys: {@code replies_ok async_replies_ok reply_topic_ok push_time_prop
 * correlation_ok reply_send_ok stored_replies stored_push_time_prop}.
 */
public final class Reply {
    private Reply() {
    }

    public static void main(String[] args) {
        Driver.run("scenario.Reply", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 3 && "run".equals(a[0]), "usage: run <topic> <n>");
                Reply.run(a[1], Integer.parseInt(a[2]));
            }
        });
    }

    static void run(String topic, int n) throws Exception {
        DefaultMQProducer requester = Scn.producer("requester");
        Scn.send(requester, new Message(topic, "warm", Scn.bytes("warm")));

        final DefaultMQProducer responderProducer = Scn.producer("responder");
        final AtomicInteger replySendOk = new AtomicInteger();
        final AtomicInteger replySendFail = new AtomicInteger();
        final Map<String, String> replyTopics = new ConcurrentHashMap<>();
        DefaultMQPushConsumer responder = Scn.pushConsumer(Driver.unique("rmq_compat_reply_cg"), "responder");
        responder.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        responder.subscribe(topic, "req");
        responder.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                try {
                    Message reply = MessageUtil.createReplyMessage(m, Scn.bytes("reply-" + Scn.str(m.getBody())));
                    replyTopics.put(reply.getTopic(), "");
                    SendResult r = responderProducer.send(reply, 10000);
                    if (r.getSendStatus() == SendStatus.SEND_OK) {
                        replySendOk.incrementAndGet();
                    } else {
                        replySendFail.incrementAndGet();
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    replySendFail.incrementAndGet();
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        responder.start();
        Driver.check(Scn.await(30000, () -> Scn.ownedQueues(responder, topic) > 0), "responder got no queues");
        Thread.sleep(1000);

        int ok = 0;
        int pushTime = 0;
        int replyTopicOk = 0;
        int correlationOk = 0;
        String cluster = null;
        for (int i = 0; i < n; i++) {
            Message req = new Message(topic, "req", Scn.bytes("sync-" + i));
            Message r = null;
            for (int attempt = 0; attempt < 3 && r == null; attempt++) {
                try {
                    r = requester.request(req, 10000);
                } catch (Exception e) {
                    Driver.result("request_error_" + i + "_" + attempt, String.valueOf(e).replace('\n', ' '));
                }
            }
            if (r == null) {
                continue;
            }
            if (("reply-sync-" + i).equals(Scn.str(r.getBody()))) {
                ok++;
            }
            if (r.getProperty("PUSH_REPLY_TIME") != null) {
                pushTime++;
            }
            if (r.getTopic() != null && r.getTopic().endsWith("_REPLY_TOPIC")) {
                replyTopicOk++;
                cluster = r.getTopic();
            }
            if (r.getProperty("CORRELATION_ID") != null
                && r.getProperty("CORRELATION_ID").equals(req.getProperty("CORRELATION_ID"))) {
                correlationOk++;
            }
        }
        final CountDownLatch latch = new CountDownLatch(n);
        final AtomicInteger asyncOk = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            final String expect = "reply-async-" + i;
            requester.request(new Message(topic, "req", Scn.bytes("async-" + i)), new RequestCallback() {
                @Override
                public void onSuccess(Message message) {
                    if (expect.equals(Scn.str(message.getBody()))) {
                        asyncOk.incrementAndGet();
                    }
                    latch.countDown();
                }

                @Override
                public void onException(Throwable e) {
                    latch.countDown();
                }
            }, 10000);
        }
        latch.await(30, TimeUnit.SECONDS);
        // The reply reaches the requester before the responder's send returns: let it return.
        final int total = 2 * n;
        Scn.await(15000, () -> replySendOk.get() + replySendFail.get() >= total);
        responder.shutdown();

        // The stored replies.
        int stored = 0;
        int storedPushTime = 0;
        String replyTopic = replyTopics.isEmpty() ? cluster : replyTopics.keySet().iterator().next();
        if (replyTopic != null) {
            DefaultMQPullConsumer pc = new DefaultMQPullConsumer(Driver.unique("rmq_compat_reply_reader"));
            pc.setNamesrvAddr(Driver.namesrv());
            pc.setInstanceName(Driver.unique("replyreader"));
            pc.start();
            Set<MessageQueue> mqs = pc.fetchSubscribeMessageQueues(replyTopic);
            for (MessageQueue mq : mqs) {
                long off = 0;
                while (true) {
                    PullResult r = pc.pull(mq, "*", off, 32);
                    if (r.getPullStatus() != PullStatus.FOUND) {
                        break;
                    }
                    for (MessageExt m : r.getMsgFoundList()) {
                        if (Scn.str(m.getBody()).startsWith("reply-")) {
                            stored++;
                            if (m.getProperty("PUSH_REPLY_TIME") != null) {
                                storedPushTime++;
                            }
                        }
                    }
                    off = r.getNextBeginOffset();
                }
            }
            pc.shutdown();
        }
        responderProducer.shutdown();
        requester.shutdown();
        Driver.result("replies_ok", ok);
        Driver.result("async_replies_ok", asyncOk.get());
        Driver.result("reply_topic_ok", replyTopicOk);
        Driver.result("push_time_prop", pushTime);
        Driver.result("correlation_ok", correlationOk);
        Driver.result("reply_send_ok", replySendOk.get());
        Driver.result("reply_send_fail", replySendFail.get());
        Driver.result("stored_replies", stored);
        Driver.result("stored_push_time_prop", storedPushTime);
    }
}
