package rmq.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.Message;

/**
 * Load tool: sends batches ({@code List<Message>}) until killed and prints one line per
 * report interval:
 * <pre>Current Time: ... | Send TPS: N | Send MPS: N | Max RT(ms): N | Average RT(ms): X | Send Failed: N | Response Failed: N</pre>
 * TPS counts batch sends, MPS messages, average RT is per batch send; all three cover the
 * interval. Max RT, Send Failed and Response Failed are totals since start. Flags as for
 * {@link Producer} plus {@code -b batch size (16)}.
 */
public final class BatchProducer {
    private BatchProducer() {
    }

    static final String USAGE = "rmq.bench.BatchProducer -n ns -t topic -w threads -s size -b batchSize "
        + "[-k keyEnable] [-m traceEnable] [-i reportSeconds]";

    public static void main(String[] args) throws Exception {
        Common.useBinaryHeaders();
        Opts o = new Opts(args);
        if (o.help(USAGE)) {
            return;
        }
        final String topic = o.str("t", "BenchmarkTest");
        final int threads = o.integer("w", 64);
        final int size = o.integer("s", 128);
        final int batch = Math.max(1, o.integer("b", 16));
        final boolean keys = o.bool("k", false);
        final boolean trace = o.bool("m", false);
        final int interval = o.integer("i", 10);
        final String ns = o.str("n", System.getenv("NAMESRV_ADDR"));
        o.warnUnused("BatchProducer");
        System.out.printf("topic: %s threads: %d messageSize: %d batchSize: %d keyEnable: %s traceEnable: %s%n",
            topic, threads, size, batch, keys, trace);

        final DefaultMQProducer producer = new DefaultMQProducer("benchmark_batch_producer", trace);
        if (ns != null) {
            producer.setNamesrvAddr(ns);
        }
        producer.setInstanceName(Common.instanceName());
        producer.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
        producer.start();

        final SendStats stats = new SendStats();
        final AtomicLong seq = new AtomicLong();
        final byte[] body = Common.body(size);

        ScheduledExecutorService timer = Common.timer("report");
        final SendStats.Snap[] last = {stats.snap()};
        Common.every(timer, interval, new Runnable() {
            @Override
            public void run() {
                SendStats.Snap now = stats.snap();
                SendStats.Snap prev = last[0];
                last[0] = now;
                System.out.printf("Current Time: %s | Send TPS: %d | Send MPS: %d | Max RT(ms): %d"
                        + " | Average RT(ms): %7.3f | Send Failed: %d | Response Failed: %d%n",
                    Common.now(), now.perSecond(now.sends, prev.sends, prev),
                    now.perSecond(now.messages, prev.messages, prev), stats.maxRtMs.get(),
                    now.avgRtSince(prev), now.sendFailed, now.responseFailed);
            }
        });
        Common.shutdownHook(new Runnable() {
            @Override
            public void run() {
                producer.shutdown();
            }
        });

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int i = 0; i < threads; i++) {
            pool.execute(new Runnable() {
                @Override
                public void run() {
                    while (!Thread.currentThread().isInterrupted()) {
                        List<Message> msgs = new ArrayList<>(batch);
                        for (int j = 0; j < batch; j++) {
                            msgs.add(Producer.message(topic, body, keys, seq));
                        }
                        long t0 = System.currentTimeMillis();
                        try {
                            producer.send(msgs);
                            stats.ok(System.currentTimeMillis() - t0, batch);
                        } catch (MQBrokerException e) {
                            stats.responseFailed.increment();
                            Common.sleepMs(3);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            stats.sendFailed.increment();
                            Common.sleepMs(3);
                        }
                    }
                }
            });
        }
    }
}
