package rmq.compat.broker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageExt;

import rmq.compat.Driver;

/**
 * Broker scenario driver: every send mode of the Java 4.9.7 producer plus a push consumer,
 * run unchanged against the Java broker and against ours.
 *
 * <p>Modes (first argument):
 * <ul>
 *   <li>{@code all <topic> <n>}: n sync sends, n async sends, n oneway sends and n messages in
 *       batches of 10 to {@code topic}; then a push consumer (new group, CONSUME_FROM_FIRST_OFFSET)
 *       must receive every one of them with the body that was sent. Also checks the broker-added
 *       {@code CLUSTER} property and that a tag subscription ({@code TagA}) on a second topic
 *       receives only TagA messages. RESULT keys: {@code sync_ok async_ok oneway_sent batch_ok
 *       expected received missing bad_body cluster_prop tag_expected tag_received tag_wrong}.</li>
 *   <li>{@code produce <topic> <n> <idfile>}: n sync sends; writes {@code uniqKey body} lines to
 *       idfile. RESULT {@code sync_ok}.</li>
 *   <li>{@code consume <topic> <idfile> [group]}: a push consumer (a new group, or {@code group},
 *       from the first offset when the group has no committed offset) must receive every
 *       message listed in idfile. RESULT {@code expected received unexpected missing
 *       bad_body}; with a known group, {@code unexpected} counts redelivered old messages.</li>
 * </ul>
 */
public final class SendModes {
    private SendModes() {
    }

    public static void main(String[] args) {
        Driver.run("broker.SendModes", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 2, "usage: all|produce|consume <topic> ...");
                String mode = a[0];
                String topic = a[1];
                if ("all".equals(mode)) {
                    all(topic, Integer.parseInt(a[2]));
                } else if ("produce".equals(mode)) {
                    produce(topic, Integer.parseInt(a[2]), a[3]);
                } else if ("consume".equals(mode)) {
                    consume(topic, a[2], a.length > 3 ? a[3] : null);
                } else {
                    throw new IllegalArgumentException("unknown mode " + mode);
                }
            }
        });
    }

    static DefaultMQProducer startProducer() throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer(Driver.unique("rmq_compat_sendmodes_pg"));
        producer.setNamesrvAddr(Driver.namesrv());
        producer.setInstanceName(Driver.unique("sendmodes"));
        producer.setSendMsgTimeout(10000);
        producer.setRetryTimesWhenSendFailed(4);
        producer.start();
        return producer;
    }

    static Message msg(String topic, String tag, String body) {
        Message m = new Message(topic, tag, body.getBytes(StandardCharsets.UTF_8));
        m.setKeys("key-" + body.hashCode());
        return m;
    }

    /** Sync send with retries while the new topic's route is propagating. */
    static SendResult sendSync(DefaultMQProducer p, Message m) throws Exception {
        Exception last = null;
        for (int i = 0; i < 10; i++) {
            try {
                return p.send(m);
            } catch (Exception e) {
                last = e;
                Thread.sleep(500);
            }
        }
        throw last;
    }

    static void all(String topic, int n) throws Exception {
        final Map<String, String> expected = new ConcurrentHashMap<>();
        DefaultMQProducer producer = startProducer();
        int syncOk = 0;
        int batchOk = 0;
        final AtomicInteger asyncOk = new AtomicInteger();
        final AtomicInteger asyncFail = new AtomicInteger();
        int onewaySent = 0;
        String tagTopic = topic + "_tags";
        int tagExpected = 0;
        try {
            for (int i = 0; i < n; i++) {
                String body = "sync-" + i;
                Message m = msg(topic, "TagS", body);
                SendResult r = sendSync(producer, m);
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    syncOk++;
                    expected.put(r.getMsgId(), body);
                }
            }
            final CountDownLatch latch = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                final String body = "async-" + i;
                Message m = msg(topic, "TagAs", body);
                producer.send(m, new SendCallback() {
                    @Override
                    public void onSuccess(SendResult r) {
                        if (r.getSendStatus() == SendStatus.SEND_OK) {
                            asyncOk.incrementAndGet();
                            expected.put(r.getMsgId(), body);
                        }
                        latch.countDown();
                    }

                    @Override
                    public void onException(Throwable e) {
                        asyncFail.incrementAndGet();
                        latch.countDown();
                    }
                }, 10000);
            }
            Driver.check(latch.await(60, TimeUnit.SECONDS), "async sends did not complete");
            for (int i = 0; i < n; i++) {
                String body = "oneway-" + i;
                Message m = msg(topic, "TagO", body);
                producer.sendOneway(m);
                String id = MessageClientIDSetter.getUniqID(m);
                expected.put(id, body);
                onewaySent++;
            }
            for (int start = 0; start < n; start += 10) {
                List<Message> batch = new ArrayList<>();
                for (int i = start; i < Math.min(n, start + 10); i++) {
                    batch.add(msg(topic, "TagB", "batch-" + i));
                }
                SendResult r = producer.send(batch);
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    String[] ids = r.getMsgId().split(",");
                    Driver.check(ids.length == batch.size(), "batch msgId count " + ids.length);
                    for (int i = 0; i < ids.length; i++) {
                        expected.put(ids[i], new String(batch.get(i).getBody(), StandardCharsets.UTF_8));
                    }
                    batchOk += ids.length;
                }
            }
            for (int i = 0; i < n; i++) {
                String tag = (i % 2 == 0) ? "TagA" : "TagB";
                sendSync(producer, msg(tagTopic, tag, tag + "-" + i));
                if (i % 2 == 0) {
                    tagExpected++;
                }
            }
        } finally {
            producer.shutdown();
        }
        Driver.result("sync_ok", syncOk);
        Driver.result("async_ok", asyncOk.get());
        Driver.result("async_fail", asyncFail.get());
        Driver.result("oneway_sent", onewaySent);
        Driver.result("batch_ok", batchOk);

        Received got = receive(topic, "*", expected.size(), expected.keySet());
        report(expected, got);

        Received tags = receive(tagTopic, "TagA", tagExpected, null);
        int wrong = 0;
        for (MessageExt m : tags.messages.values()) {
            if (!"TagA".equals(m.getTags())) {
                wrong++;
            }
        }
        Driver.result("tag_expected", tagExpected);
        Driver.result("tag_received", tags.messages.size());
        Driver.result("tag_wrong", wrong);
    }

    static void produce(String topic, int n, String idFile) throws Exception {
        DefaultMQProducer producer = startProducer();
        List<String> lines = new ArrayList<>();
        int ok = 0;
        try {
            for (int i = 0; i < n; i++) {
                String body = "persist-" + i;
                SendResult r = sendSync(producer, msg(topic, "TagP", body));
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    ok++;
                    lines.add(r.getMsgId() + " " + body);
                }
            }
        } finally {
            producer.shutdown();
        }
        Files.write(Paths.get(idFile), lines, StandardCharsets.UTF_8);
        Driver.result("sync_ok", ok);
    }

    static void consume(String topic, String idFile, String group) throws Exception {
        Map<String, String> expected = new HashMap<>();
        for (String line : Files.readAllLines(Paths.get(idFile), StandardCharsets.UTF_8)) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                expected.put(line.substring(0, sp), line.substring(sp + 1));
            }
        }
        Received got = receive(topic, "*", expected.size(), expected.keySet(), group);
        report(expected, got);
    }

    static final class Received {
        final Map<String, MessageExt> messages = new ConcurrentHashMap<>();
    }

    /**
     * Push-consume {@code topic} with a fresh group from the first offset until {@code want}
     * messages arrived (or all of {@code ids}, when given) or 60 s passed.
     */
    static Received receive(String topic, String expression, int want, final Set<String> ids)
        throws Exception {
        return receive(topic, expression, want, ids, null);
    }

    static Received receive(String topic, String expression, int want, final Set<String> ids, String group)
        throws Exception {
        final Received got = new Received();
        final Set<String> pending = ids == null ? null : Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());
        if (pending != null) {
            pending.addAll(ids);
        }
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(
            group != null ? group : Driver.unique("rmq_compat_sendmodes_cg"));
        consumer.setNamesrvAddr(Driver.namesrv());
        consumer.setInstanceName(Driver.unique("sendmodes_c"));
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, expression);
        consumer.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs,
                org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext ctx) {
                for (MessageExt m : msgs) {
                    got.messages.put(m.getMsgId(), m);
                    if (pending != null) {
                        pending.remove(m.getMsgId());
                    }
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });
        consumer.start();
        try {
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                boolean done = pending != null ? pending.isEmpty() : got.messages.size() >= want;
                if (done) {
                    break;
                }
                Thread.sleep(200);
            }
            // linger briefly so duplicates or unexpected extra messages would show up
            Thread.sleep(1000);
        } finally {
            consumer.shutdown();
        }
        return got;
    }

    static void report(Map<String, String> expected, Received got) {
        int missing = 0;
        int badBody = 0;
        int clusterProp = 0;
        for (Map.Entry<String, String> e : expected.entrySet()) {
            MessageExt m = got.messages.get(e.getKey());
            if (m == null) {
                missing++;
                continue;
            }
            String body = new String(m.getBody(), StandardCharsets.UTF_8);
            if (!body.equals(e.getValue())) {
                badBody++;
            }
            if (m.getProperty("CLUSTER") != null) {
                clusterProp++;
            }
        }
        Set<String> unexpected = new HashSet<>(got.messages.keySet());
        unexpected.removeAll(expected.keySet());
        Driver.result("expected", expected.size());
        Driver.result("received", got.messages.size() - unexpected.size());
        Driver.result("unexpected", unexpected.size());
        Driver.result("missing", missing);
        Driver.result("bad_body", badBody);
        Driver.result("cluster_prop", clusterProp);
    }
}
