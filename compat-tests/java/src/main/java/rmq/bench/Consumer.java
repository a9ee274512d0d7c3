package rmq.bench;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Load tool: a push consumer that acknowledges everything, printing after start
 * {@code Consumer Started.} and then one line per report interval (all figures over
 * the interval):
 * <pre>Current Time: ... | Consume TPS: N | AVG(B2C) RT(ms): X | AVG(S2C) RT(ms): X | MAX(B2C) RT(ms): N | MAX(S2C) RT(ms): N | Consume Fail: 0</pre>
 * B2C = now - born timestamp (producer clock), S2C = now - store timestamp (broker clock).
 * Flags: {@code -n -t topic (BenchmarkTest) -g group (benchmark_consumer)
 * -e subscription expression (*) -i interval (10)}. A new group starts at the first offset.
 */
public final class Consumer {
    private Consumer() {
    }

    static final String USAGE = "rmq.bench.Consumer -n ns -t topic -g group [-e expression] [-i reportSeconds]";

    public static void main(String[] args) throws Exception {
        Common.useBinaryHeaders();
        Opts o = new Opts(args);
        if (o.help(USAGE)) {
            return;
        }
        final String topic = o.str("t", "BenchmarkTest");
        final String group = o.str("g", "benchmark_consumer");
        final String expr = o.str("e", "*");
        final int interval = o.integer("i", 10);
        final String ns = o.str("n", System.getenv("NAMESRV_ADDR"));
        o.warnUnused("Consumer");
        System.out.printf("topic: %s group: %s expression: %s%n", topic, group, expr);

        final LongAdder count = new LongAdder();
        final LongAdder b2cSum = new LongAdder();
        final LongAdder s2cSum = new LongAdder();
        final AtomicLong b2cMax = new AtomicLong();
        final AtomicLong s2cMax = new AtomicLong();

        final DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        if (ns != null) {
            consumer.setNamesrvAddr(ns);
        }
        consumer.setInstanceName(Common.instanceName());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, expr);
        consumer.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs,
                ConsumeConcurrentlyContext context) {
                long now = System.currentTimeMillis();
                for (MessageExt m : msgs) {
                    long b2c = Math.max(0, now - m.getBornTimestamp());
                    long s2c = Math.max(0, now - m.getStoreTimestamp());
                    b2cSum.add(b2c);
                    s2cSum.add(s2c);
                    Common.updateMax(b2cMax, b2c);
                    Common.updateMax(s2cMax, s2c);
                }
                count.add(msgs.size());
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });

        ScheduledExecutorService timer = Common.timer("report");
        final long[] last = {System.nanoTime(), 0, 0, 0};
        Common.every(timer, interval, new Runnable() {
            @Override
            public void run() {
                long t = System.nanoTime();
                long n = count.sum();
                long b = b2cSum.sum();
                long s = s2cSum.sum();
                long bMax = b2cMax.getAndSet(0);
                long sMax = s2cMax.getAndSet(0);
                long dn = n - last[1];
                double secs = Math.max(1e-9, (t - last[0]) / 1e9);
                System.out.printf("Current Time: %s | Consume TPS: %d | AVG(B2C) RT(ms): %7.3f"
                        + " | AVG(S2C) RT(ms): %7.3f | MAX(B2C) RT(ms): %d | MAX(S2C) RT(ms): %d"
                        + " | Consume Fail: %d%n",
                    Common.now(), Math.round(dn / secs),
                    dn == 0 ? 0.0 : (double) (b - last[2]) / dn,
                    dn == 0 ? 0.0 : (double) (s - last[3]) / dn, bMax, sMax, 0);
                last[0] = t;
                last[1] = n;
                last[2] = b;
                last[3] = s;
            }
        });
        Common.shutdownHook(new Runnable() {
            @Override
            public void run() {
                consumer.shutdown();
            }
        });
        consumer.start();
        System.out.printf("Consumer Started.%n");
    }
}
