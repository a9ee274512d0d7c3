package rmq.compat.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageClientIDSetter;
import org.apache.rocketmq.common.message.MessageExt;

import rmq.compat.Driver;

/**
 * Push consumer of the cluster scenarios (Java 4.9.7 client, unmodified).
 *
 * <p>{@code <topic> <idfile> <group> <timeoutSec> [settleSec] [stopAfter]}: consumes
 * {@code topic} as {@code group} (CONSUME_FROM_FIRST_OFFSET for a new group) until every message
 * the {@link ClusterProducer} id file lists with a msgId has arrived (or {@code stopAfter}
 * distinct expected messages, or the timeout), then keeps listening {@code settleSec} seconds
 * to count redeliveries, and shuts down (persisting its offsets). Every body is checked byte
 * for byte.
 *
 * <p>{@code live <topic> <group> <stopfile> <outfile>}: consumes until {@code stopfile} exists,
 * appending one line per delivery to {@code outfile} (flushed at once):
 * {@code <epochMillis> <uniqKey> <brokerName> <queueId> <queueOffset> <ok|bad>}; RESULT
 * {@code deliveries}.
 *
 * <p>Both modes poll the name server every 5 s ({@code pollNameServerInterval}), so they move
 * to a slave soon after its master died.
 *
 * <p>RESULT keys: {@code expected} (lines with a msgId), {@code expected_ok} (of which SEND_OK),
 * {@code received} (distinct expected messages seen), {@code missing}, {@code missing_ok},
 * {@code deliveries}, {@code dups} (deliveries beyond the first of a message),
 * {@code unexpected} (messages not in the file), {@code bad_body}, {@code missing_sample}.
 */
public final class ClusterConsumer {
    private ClusterConsumer() {
    }

    public static void main(String[] args) {
        Driver.run("cluster.ClusterConsumer", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 4, "usage: <topic> <idfile> <group> <timeoutSec> [settleSec] [stopAfter]");
                if ("live".equals(a[0])) {
                    live(a[1], a[2], a[3], a[4]);
                    return;
                }
                consume(a[0], a[1], a[2], Integer.parseInt(a[3]),
                    a.length > 4 ? Integer.parseInt(a[4]) : 3,
                    a.length > 5 ? Integer.parseInt(a[5]) : -1);
            }
        });
    }

    static void consume(String topic, String idFile, String group, int timeoutSec, int settleSec, int stopAfter)
        throws Exception {
        final Map<String, String> expected = new HashMap<>();
        for (String line : Files.readAllLines(Paths.get(idFile), StandardCharsets.UTF_8)) {
            String[] f = line.trim().split(" ");
            if (f.length >= 3 && !"FAILED".equals(f[1]) && !"-".equals(f[2])) {
                expected.put(f[2], f[1]);
            }
        }
        final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        final AtomicInteger deliveries = new AtomicInteger();
        final AtomicInteger unexpected = new AtomicInteger();
        final AtomicInteger badBody = new AtomicInteger();
        final AtomicInteger distinctExpected = new AtomicInteger();

        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(Driver.namesrv());
        consumer.setInstanceName(Driver.unique("cluster_c"));
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setPollNameServerInterval(5000);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs,
                org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext ctx) {
                for (MessageExt m : msgs) {
                    deliveries.incrementAndGet();
                    String id = MessageClientIDSetter.getUniqID(m);
                    if (id == null) {
                        id = m.getMsgId();
                    }
                    if (!Bodies.check(m.getBody())) {
                        badBody.incrementAndGet();
                    }
                    AtomicInteger c = seen.computeIfAbsent(id, k -> new AtomicInteger());
                    if (c.incrementAndGet() == 1) {
                        if (expected.containsKey(id)) {
                            distinctExpected.incrementAndGet();
                        } else {
                            unexpected.incrementAndGet();
                        }
                    }
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });
        consumer.start();
        int target = stopAfter >= 0 ? Math.min(stopAfter, expected.size()) : expected.size();
        long deadline = System.currentTimeMillis() + timeoutSec * 1000L;
        while (distinctExpected.get() < target && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        Driver.result("reached_target", distinctExpected.get() >= target);
        if (settleSec > 0) {
            Thread.sleep(settleSec * 1000L);
        }
        consumer.shutdown();

        int missing = 0;
        int missingOk = 0;
        int expectedOk = 0;
        List<String> sample = new ArrayList<>();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            boolean ok = "SEND_OK".equals(e.getValue());
            if (ok) {
                expectedOk++;
            }
            if (!seen.containsKey(e.getKey())) {
                missing++;
                if (ok) {
                    missingOk++;
                }
                if (sample.size() < 10) {
                    sample.add(e.getKey() + ":" + e.getValue());
                }
            }
        }
        int dups = 0;
        for (AtomicInteger c : seen.values()) {
            dups += c.get() - 1;
        }
        Driver.result("expected", expected.size());
        Driver.result("expected_ok", expectedOk);
        Driver.result("received", distinctExpected.get());
        Driver.result("missing", missing);
        Driver.result("missing_ok", missingOk);
        Driver.result("deliveries", deliveries.get());
        Driver.result("dups", dups);
        Driver.result("unexpected", unexpected.get());
        Driver.result("bad_body", badBody.get());
        Driver.result("missing_sample", sample);
    }

    static void live(String topic, String group, String stopFile, String outFile) throws Exception {
        final java.io.BufferedWriter w = Files.newBufferedWriter(Paths.get(outFile), StandardCharsets.UTF_8);
        final AtomicInteger deliveries = new AtomicInteger();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(Driver.namesrv());
        consumer.setInstanceName(Driver.unique("cluster_live"));
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setPollNameServerInterval(5000);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs,
                org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext ctx) {
                StringBuilder sb = new StringBuilder();
                for (MessageExt m : msgs) {
                    deliveries.incrementAndGet();
                    String id = MessageClientIDSetter.getUniqID(m);
                    sb.append(System.currentTimeMillis()).append(' ').append(id == null ? m.getMsgId() : id)
                        .append(' ').append(ctx.getMessageQueue().getBrokerName())
                        .append(' ').append(m.getQueueId()).append(' ').append(m.getQueueOffset())
                        .append(' ').append(Bodies.check(m.getBody()) ? "ok" : "bad").append('\n');
                }
                synchronized (w) {
                    try {
                        w.write(sb.toString());
                        w.flush();
                    } catch (java.io.IOException e) {
                        return ConsumeConcurrentlyStatus.RECONSUME_LATER;
                    }
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });
        consumer.start();
        Driver.result("started", true);
        while (!new java.io.File(stopFile).exists()) {
            Thread.sleep(200);
        }
        consumer.shutdown();
        synchronized (w) {
            w.close();
        }
        Driver.result("deliveries", deliveries.get());
    }
}
