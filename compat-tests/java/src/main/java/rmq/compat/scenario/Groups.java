package rmq.compat.scenario;

import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.protocol.heartbeat.MessageModel;

import rmq.compat.Driver;

/**
 * Consumer groups: clustering, broadcasting, and where a new group starts.
 *
 * <ul>
 *   <li>{@code clustering <topic> <n>}: 3 push consumers of one group; once the rebalance has
 *   settled (every consumer owns a queue, all 4 owned), n messages are sent: every message is
 *   consumed exactly once in the group. RESULT {@code distinct duplicates consumers_with_msgs
 *   queues_owned}.</li>
 *   <li>{@code broadcast <topic> <n>}: 3 BROADCASTING consumers; each gets every message once.
 *   RESULT {@code per_consumer_min per_consumer_max duplicates}.</li>
 *   <li>{@code fromwhere <topic> <n>}: n messages are sent before three new groups start with
 *   CONSUME_FROM_FIRST_OFFSET, CONSUME_FROM_LAST_OFFSET and CONSUME_FROM_TIMESTAMP (now);
 *   then 5 more are sent. RESULT {@code first_old last_old ts_old first_new last_new ts_new}.
 *   (A 4.9.7 broker answers QUERY_CONSUMER_OFFSET for a group without an offset with 0 while
 *   the queue's first message is still in memory, so all three start at 0 here.)</li>
 * </ul>
 * Consumers subscribe to tag {@code run}; the topic is created by a {@code warm} message first.
 */
public final class Groups {
    private Groups() {
    }

    public static void main(String[] args) {
        Driver.run("scenario.Groups", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 3, "usage: clustering|broadcast|fromwhere <topic> <n>");
                int n = Integer.parseInt(a[2]);
                if ("clustering".equals(a[0])) {
                    clustering(a[1], n);
                } else if ("broadcast".equals(a[0])) {
                    broadcast(a[1], n);
                } else if ("fromwhere".equals(a[0])) {
                    fromWhere(a[1], n);
                } else {
                    throw new IllegalArgumentException(a[0]);
                }
            }
        });
    }

    /** A consumer that counts bodies into {@code seen}. */
    static DefaultMQPushConsumer consumer(String group, String topic, MessageModel model, ConsumeFromWhere from,
        String ts, final Map<String, Integer> seen) throws Exception {
        DefaultMQPushConsumer c = Scn.pushConsumer(group, "grp");
        c.setMessageModel(model);
        c.setConsumeFromWhere(from);
        if (ts != null) {
            c.setConsumeTimestamp(ts);
        }
        c.subscribe(topic, "run");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                Scn.inc(seen, Scn.str(m.getBody()));
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    static Set<String> send(DefaultMQProducer p, String topic, String prefix, int n) throws Exception {
        Set<String> bodies = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String b = prefix + "-" + i;
            Scn.send(p, new Message(topic, "run", Scn.bytes(b)));
            bodies.add(b);
        }
        return bodies;
    }

    static void clustering(String topic, int n) throws Exception {
        DefaultMQProducer p = Scn.producer("clu");
        Scn.send(p, new Message(topic, "warm", Scn.bytes("warm")));
        String group = Driver.unique("rmq_compat_clu_cg");
        final List<Map<String, Integer>> seen = new ArrayList<>();
        final List<DefaultMQPushConsumer> cs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Integer> s = Scn.counter();
            seen.add(s);
            cs.add(consumer(group, topic, MessageModel.CLUSTERING, ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET, null, s));
        }
        // Wait until the allocation is settled for 2 s.
        long stableSince = -1;
        long deadline = System.currentTimeMillis() + 60000;
        int owned = 0;
        while (System.currentTimeMillis() < deadline) {
            owned = 0;
            boolean each = true;
            for (DefaultMQPushConsumer c : cs) {
                int o = Scn.ownedQueues(c, topic);
                owned += o;
                each &= o > 0;
            }
            if (each && owned == 4) {
                if (stableSince < 0) {
                    stableSince = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - stableSince > 2000) {
                    break;
                }
            } else {
                stableSince = -1;
            }
            Thread.sleep(200);
        }
        Driver.result("queues_owned", owned);
        final Set<String> bodies = send(p, topic, "clu", n);
        Scn.await(30000, () -> {
            Set<String> all = new HashSet<>();
            for (Map<String, Integer> s : seen) {
                all.addAll(new HashSet<>(s.keySet()));
            }
            return all.containsAll(bodies);
        });
        Thread.sleep(3000);
        // Judge before shutting down: a consumer leaving makes the others rebalance, which
        // may legitimately redeliver (at-least-once).
        Map<String, Integer> total = new java.util.TreeMap<>();
        int withMsgs = 0;
        for (Map<String, Integer> s : seen) {
            synchronized (s) {
                if (!s.isEmpty()) {
                    withMsgs++;
                }
                for (Map.Entry<String, Integer> e : s.entrySet()) {
                    total.merge(e.getKey(), e.getValue(), Integer::sum);
                }
            }
        }
        for (DefaultMQPushConsumer c : cs) {
            c.shutdown();
        }
        p.shutdown();
        int distinct = 0;
        int dups = 0;
        List<String> dupBodies = new ArrayList<>();
        for (Map.Entry<String, Integer> e : total.entrySet()) {
            if (bodies.contains(e.getKey())) {
                distinct++;
            }
            if (e.getValue() > 1) {
                dups += e.getValue() - 1;
                dupBodies.add(e.getKey() + "x" + e.getValue());
            }
        }
        Driver.result("distinct", distinct);
        Driver.result("duplicates", dups);
        Driver.result("duplicate_bodies", dupBodies);
        Driver.result("consumers_with_msgs", withMsgs);
    }

    static void broadcast(String topic, int n) throws Exception {
        DefaultMQProducer p = Scn.producer("bc");
        Scn.send(p, new Message(topic, "warm", Scn.bytes("warm")));
        String group = Driver.unique("rmq_compat_bc_cg");
        final List<Map<String, Integer>> seen = new ArrayList<>();
        final List<DefaultMQPushConsumer> cs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Integer> s = Scn.counter();
            seen.add(s);
            cs.add(consumer(group, topic, MessageModel.BROADCASTING, ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET, null, s));
        }
        Scn.await(30000, () -> {
            for (DefaultMQPushConsumer c : cs) {
                if (Scn.ownedQueues(c, topic) != 4) {
                    return false;
                }
            }
            return true;
        });
        Thread.sleep(2000);
        final Set<String> bodies = send(p, topic, "bc", n);
        Scn.await(30000, () -> {
            for (Map<String, Integer> s : seen) {
                if (!new HashSet<>(s.keySet()).containsAll(bodies)) {
                    return false;
                }
            }
            return true;
        });
        Thread.sleep(2000);
        for (DefaultMQPushConsumer c : cs) {
            c.shutdown();
        }
        p.shutdown();
        int min = Integer.MAX_VALUE;
        int max = 0;
        int dups = 0;
        for (Map<String, Integer> s : seen) {
            int got = 0;
            synchronized (s) {
                for (String b : bodies) {
                    Integer v = s.get(b);
                    if (v != null) {
                        got++;
                        dups += v - 1;
                    }
                }
            }
            min = Math.min(min, got);
            max = Math.max(max, got);
        }
        Driver.result("per_consumer_min", min);
        Driver.result("per_consumer_max", max);
        Driver.result("duplicates", dups);
    }

    static void fromWhere(String topic, int n) throws Exception {
        DefaultMQProducer p = Scn.producer("fw");
        final Set<String> old = send(p, topic, "old", n);
        Thread.sleep(1500);
        String ts = new SimpleDateFormat("yyyyMMddHHmmss").format(new Date());
        Thread.sleep(1500);
        String[] names = {"first", "last", "ts"};
        ConsumeFromWhere[] wheres = {
            ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET,
            ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
            ConsumeFromWhere.CONSUME_FROM_TIMESTAMP,
        };
        final List<Map<String, Integer>> seen = new ArrayList<>();
        final List<DefaultMQPushConsumer> cs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Integer> s = Scn.counter();
            seen.add(s);
            cs.add(consumer(Driver.unique("rmq_compat_fw_" + names[i]), topic, MessageModel.CLUSTERING, wheres[i],
                i == 2 ? ts : null, s));
        }
        Scn.await(30000, () -> {
            for (DefaultMQPushConsumer c : cs) {
                if (Scn.ownedQueues(c, topic) != 4) {
                    return false;
                }
            }
            return true;
        });
        Thread.sleep(4000);
        final Set<String> fresh = send(p, topic, "new", 5);
        Scn.await(30000, () -> {
            for (Map<String, Integer> s : seen) {
                if (!new HashSet<>(s.keySet()).containsAll(fresh)) {
                    return false;
                }
            }
            return true;
        });
        Thread.sleep(1000);
        for (DefaultMQPushConsumer c : cs) {
            c.shutdown();
        }
        p.shutdown();
        for (int i = 0; i < 3; i++) {
            Set<String> got;
            synchronized (seen.get(i)) {
                got = new HashSet<>(seen.get(i).keySet());
            }
            Set<String> o = new HashSet<>(got);
            o.retainAll(old);
            Set<String> f = new HashSet<>(got);
            f.retainAll(fresh);
            Driver.result(names[i] + "_old", o.size());
            Driver.result(names[i] + "_new", f.size());
        }
    }
}
