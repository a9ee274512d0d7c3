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
}
