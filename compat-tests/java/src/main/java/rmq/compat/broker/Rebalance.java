package rmq.compat.broker;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

import rmq.compat.Driver;

/**
 * Two push consumers of one group share a topic: consumer A starts alone and takes every
 * queue, then B joins. The broker must push NOTIFY_CONSUMER_IDS_CHANGED so both rebalance at
 * once (the periodic rebalance only runs every 20 s), and the queues A gives up must continue
 * from A's committed offsets.
 *
 * <p>Usage: {@code Rebalance <topic> <n>}. Sends n messages while only A runs, waits for them,
 * starts B, waits 4 s, sends n more. RESULT keys: {@code sent first_half_by_a b_got_second_half
 * a_got_second_half missing duplicates}.
 */
public final class Rebalance {
    private Rebalance() {
    }

    public static void main(String[] args) {
        Driver.run("broker.Rebalance", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                body(a[0], Integer.parseInt(a[1]));
            }
        });
    }

    static DefaultMQPushConsumer consumer(String group, String topic, final Map<String, String> seenBy,
        final String name, final AtomicInteger dups) throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(Driver.namesrv());
        c.setInstanceName(Driver.unique(name));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs, ConsumeConcurrentlyContext ctx) {
                for (MessageExt m : msgs) {
                    if (seenBy.putIfAbsent(m.getMsgId(), name) != null) {
                        dups.incrementAndGet();
                    }
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });
        c.start();
        return c;
    }

    static void waitFor(Map<String, String> seen, Iterable<String> ids, long ms) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline) {
            boolean all = true;
            for (String id : ids) {
                if (!seen.containsKey(id)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return;
            }
            Thread.sleep(100);
        }
    }

    static void body(String topic, int n) throws Exception {
        String group = Driver.unique("rmq_compat_rebalance_cg");
        Map<String, String> seen = new ConcurrentHashMap<>();
        AtomicInteger dups = new AtomicInteger();
        DefaultMQProducer p = new DefaultMQProducer(Driver.unique("rmq_compat_rebalance_pg"));
        p.setNamesrvAddr(Driver.namesrv());
        p.setInstanceName(Driver.unique("rebalance_p"));
        p.setSendMsgTimeout(10000);
        p.start();
        // create the topic (4 queues through TBW102) before the consumers subscribe
        SendResult warm = SendModes.sendSync(p, new Message(topic, "W", "warm".getBytes(StandardCharsets.UTF_8)));
        Driver.check(warm.getSendStatus() == SendStatus.SEND_OK, "warm-up send");
        Map<String, Boolean> first = new ConcurrentHashMap<>();
        first.put(warm.getMsgId(), true);
        DefaultMQPushConsumer a = consumer(group, topic, seen, "A", dups);
        DefaultMQPushConsumer b = null;
        try {
            for (int i = 0; i < n; i++) {
                first.put(SendModes.sendSync(p, new Message(topic, "T", ("first-" + i).getBytes(StandardCharsets.UTF_8))).getMsgId(), true);
            }
            waitFor(seen, first.keySet(), 60_000);
            int byA = 0;
            for (String id : first.keySet()) {
                if ("A".equals(seen.get(id))) {
                    byA++;
                }
            }
            Driver.result("first_half_by_a", byA);
            b = consumer(group, topic, seen, "B", dups);
            Thread.sleep(4000);
            Map<String, Boolean> second = new ConcurrentHashMap<>();
            for (int i = 0; i < n; i++) {
                second.put(SendModes.sendSync(p, new Message(topic, "T", ("second-" + i).getBytes(StandardCharsets.UTF_8))).getMsgId(), true);
            }
            waitFor(seen, second.keySet(), 60_000);
            int bGot = 0;
            int aGot = 0;
            int missing = 0;
            for (String id : second.keySet()) {
                String who = seen.get(id);
                if (who == null) {
                    missing++;
                } else if (who.equals("B")) {
                    bGot++;
                } else {
                    aGot++;
                }
            }
            Driver.result("sent", first.size() + second.size());
            Driver.result("b_got_second_half", bGot);
            Driver.result("a_got_second_half", aGot);
            Driver.result("missing", missing);
            Driver.result("duplicates", dups.get());
        } finally {
            if (b != null) {
                b.shutdown();
            }
            a.shutdown();
            p.shutdown();
        }
    }
}
