package rmq.compat.scenario;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

import rmq.compat.Driver;

/**
 * Committed consumer offsets across a broker restart.
 *
 * <ul>
 *   <li>{@code phase1 <topic> <group> <n> <file>}: n messages are sent and consumed by a push
 *   consumer of {@code group}, which then shuts down (committing its offsets); the bodies go
 *   to {@code file}. RESULT {@code received}.</li>
 *   <li>{@code phase2 <topic> <group> <m> <file>}: (after the broker restarted) m more are
 *   sent; a consumer of the same group must get exactly those, none of {@code file}'s.
 *   RESULT {@code new_received old_redelivered duplicates}.</li>
 * </ul>
 */
public final class Offsets {
    private Offsets() {
    }

    public static void main(String[] args) {
        Driver.run("scenario.Offsets", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 5, "usage: phase1|phase2 <topic> <group> <n> <file>");
                if ("phase1".equals(a[0])) {
                    phase1(a[1], a[2], Integer.parseInt(a[3]), a[4]);
                } else if ("phase2".equals(a[0])) {
                    phase2(a[1], a[2], Integer.parseInt(a[3]), a[4]);
                } else {
                    throw new IllegalArgumentException(a[0]);
                }
            }
        });
    }

    static DefaultMQPushConsumer consumer(String group, String topic, final Map<String, Integer> seen)
        throws Exception {
        DefaultMQPushConsumer c = Scn.pushConsumer(group, "offsets");
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                Scn.inc(seen, Scn.str(m.getBody()));
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    static Set<String> send(String topic, String prefix, int n) throws Exception {
        DefaultMQProducer p = Scn.producer("offsets");
        Set<String> bodies = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String b = prefix + "-" + i;
            Scn.send(p, new Message(topic, "T", Scn.bytes(b)));
            bodies.add(b);
        }
        p.shutdown();
        return bodies;
    }

    static void phase1(String topic, String group, int n, String file) throws Exception {
        final Set<String> bodies = send(topic, "old", n);
        final Map<String, Integer> seen = Scn.counter();
        DefaultMQPushConsumer c = consumer(group, topic, seen);
        boolean all = Scn.await(60000, () -> seen.keySet().containsAll(bodies));
        Thread.sleep(3000); // let the periodic offset persist run too
        c.shutdown();
        Files.write(Paths.get(file), new ArrayList<>(bodies), StandardCharsets.UTF_8);
        Driver.result("received", seen.size());
        Driver.check(all, "phase1 consumer missed messages");
    }

    static void phase2(String topic, String group, int m, String file) throws Exception {
        final Set<String> old = new HashSet<>(Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8));
        final Set<String> fresh = send(topic, "new", m);
        final Map<String, Integer> seen = Scn.counter();
        DefaultMQPushConsumer c = consumer(group, topic, seen);
        boolean all = Scn.await(60000, () -> seen.keySet().containsAll(fresh));
        Thread.sleep(3000);
        c.shutdown();
        int newReceived = 0;
        int oldAgain = 0;
        int dups = 0;
        for (Map.Entry<String, Integer> e : seen.entrySet()) {
            if (fresh.contains(e.getKey())) {
                newReceived++;
            }
            if (old.contains(e.getKey())) {
                oldAgain++;
            }
            dups += e.getValue() - 1;
        }
        Driver.result("new_received", newReceived);
        Driver.result("old_redelivered", oldAgain);
        Driver.result("duplicates", dups);
        Driver.check(all, "phase2 consumer missed new messages");
    }
}
