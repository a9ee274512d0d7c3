package rmq.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;

/**
 * Load tool: sends messages until killed and prints one line per report interval:
 * <pre>Current Time: ... | Send TPS: N | Max RT(ms): N | Average RT(ms): X | Send Failed: N | Response Failed: N</pre>
 * TPS and average RT cover the interval; Max RT, Send Failed and Response Failed are
 * totals since start. Written for rmq with the command-line flags of the 4.9.7 benchmark
 * Producer:
 * <pre>
 *   -n nameserver   -t topic (BenchmarkTest)   -w threads (64)   -s body size (128)
 *   -k keys on every message (false)           -m message trace (false)
 *   -y async: one thread, at most -f (10000) sends in flight (false)
 *   -i report interval s (10)
 * </pre>
 */
public final class Producer {
    private Producer() {
    }

    static final String USAGE = "rmq.bench.Producer -n ns -t topic -w threads -s size "
        + "[-y async] [-f maxInFlight] [-k keyEnable] [-m traceEnable] [-i reportSeconds]";

    public static void main(String[] args) throws Exception {
        Common.useBinaryHeaders();
        Opts o = new Opts(args);
        if (o.help(USAGE)) {
            return;
        }
        final String topic = o.str("t", "BenchmarkTest");
        final int threads = o.integer("w", 64);
        final int size = o.integer("s", 128);
        final boolean keys = o.bool("k", false);
        final boolean trace = o.bool("m", false);
        final boolean async = o.bool("y", false);
        final int inFlight = o.integer("f", 10000);
        final int interval = o.integer("i", 10);
        final String ns = o.str("n", System.getenv("NAMESRV_ADDR"));
        o.warnUnused("Producer");
        System.out.printf("topic: %s threads: %d messageSize: %d keyEnable: %s traceEnable: %s async: %s%n",
            topic, async ? 1 : threads, size, keys, trace, async);

        final DefaultMQProducer producer = new DefaultMQProducer("benchmark_producer", trace);
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
                System.out.printf("Current Time: %s | Send TPS: %d | Max RT(ms): %d | Average RT(ms): %7.3f"
                        + " | Send Failed: %d | Response Failed: %d%n",
                    Common.now(), now.perSecond(now.sends, prev.sends, prev), stats.maxRtMs.get(),
                    now.avgRtSince(prev), now.sendFailed, now.responseFailed);
            }
        });
        Common.shutdownHook(new Runnable() {
            @Override
            public void run() {
                producer.shutdown();
            }
        });

        if (async) {
            final Semaphore permits = new Semaphore(inFlight);
            while (true) {
                permits.acquire();
                final long t0 = System.currentTimeMillis();
                Message msg = message(topic, body, keys, seq);
                try {
                    producer.send(msg, new SendCallback() {
                        @Override
                        public void onSuccess(SendResult r) {
                            stats.ok(System.currentTimeMillis() - t0, 1);
                            permits.release();
                        }

                        @Override
                        public void onException(Throwable e) {
                            if (e instanceof MQBrokerException) {
                                stats.responseFailed.increment();
                            } else {
                                stats.sendFailed.increment();
                            }
                            permits.release();
                        }
                    });
                } catch (Exception e) {
                    stats.sendFailed.increment();
                    permits.release();
                    Common.sleepMs(3);
                }
            }
        }

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int i = 0; i < threads; i++) {
            pool.execute(new Runnable() {
                @Override
                public void run() {
                    while (!Thread.currentThread().isInterrupted()) {
                        Message msg = message(topic, body, keys, seq);
                        long t0 = System.currentTimeMillis();
                        try {
                            producer.send(msg);
                            stats.ok(System.currentTimeMillis() - t0, 1);
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

    static Message message(String topic, byte[] body, boolean keys, AtomicLong seq) {
        Message msg = new Message(topic, "TagA", body);
        if (keys) {
            msg.setKeys("key-" + seq.incrementAndGet());
        }
        return msg;
    }
}
