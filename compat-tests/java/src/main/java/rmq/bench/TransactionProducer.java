package rmq.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Load tool: transactional sends (half message, then the local transaction's outcome)
 * until killed; one line per report interval, every figure over that interval:
 * <pre>Current Time: ... | Send TPS: N | Max RT(ms): N | AVG RT(ms): X | Send Failed: N | Rollback: N | Unknown: N | Checked: N</pre>
 * Flags: {@code -n -t (BenchmarkTest) -w threads (32) -s size (2048) -i interval (10)},
 * {@code -r} fraction of local transactions rolled back (0), {@code -u} fraction left
 * UNKNOW for the broker's check, which then commits (0).
 */
public final class TransactionProducer {
    private TransactionProducer() {
    }

    static final String USAGE = "rmq.bench.TransactionProducer -n ns -t topic -w threads -s size "
        + "[-r rollbackRate] [-u unknownRate] [-i reportSeconds]";

    public static void main(String[] args) throws Exception {
        Common.useBinaryHeaders();
        Opts o = new Opts(args);
        if (o.help(USAGE)) {
            return;
        }
        final String topic = o.str("t", "BenchmarkTest");
        final int threads = o.integer("w", 32);
        final int size = o.integer("s", 2048);
        final double rollback = o.real("r", 0.0);
        final double unknown = o.real("u", 0.0);
        final int interval = o.integer("i", 10);
        final String ns = o.str("n", System.getenv("NAMESRV_ADDR"));
        o.warnUnused("TransactionProducer");
        System.out.printf("topic: %s threads: %d messageSize: %d rollbackRate: %s unknownRate: %s%n",
            topic, threads, size, rollback, unknown);

        final SendStats stats = new SendStats();
        final LongAdder rolledBack = new LongAdder();
        final LongAdder unknowns = new LongAdder();
        final LongAdder checked = new LongAdder();

        final TransactionMQProducer producer = new TransactionMQProducer("benchmark_transaction_producer");
        if (ns != null) {
            producer.setNamesrvAddr(ns);
        }
        producer.setInstanceName(Common.instanceName());
        producer.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
        producer.setTransactionListener(new TransactionListener() {
            @Override
            public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                double x = ThreadLocalRandom.current().nextDouble();
                if (x < rollback) {
                    rolledBack.increment();
                    return LocalTransactionState.ROLLBACK_MESSAGE;
                }
                if (x < rollback + unknown) {
                    unknowns.increment();
                    return LocalTransactionState.UNKNOW;
                }
                return LocalTransactionState.COMMIT_MESSAGE;
            }

            @Override
            public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                checked.increment();
                return LocalTransactionState.COMMIT_MESSAGE;
            }
        });
        producer.start();

        final byte[] body = Common.body(size);
        final AtomicLong seq = new AtomicLong();
        ScheduledExecutorService timer = Common.timer("report");
        final SendStats.Snap[] last = {stats.snap()};
        final long[] lastExtra = {0, 0, 0};
        Common.every(timer, interval, new Runnable() {
            @Override
            public void run() {
                SendStats.Snap now = stats.snap();
                SendStats.Snap prev = last[0];
                last[0] = now;
                long rb = rolledBack.sum();
                long un = unknowns.sum();
                long ck = checked.sum();
                System.out.printf("Current Time: %s | Send TPS: %d | Max RT(ms): %d | AVG RT(ms): %7.3f"
                        + " | Send Failed: %d | Rollback: %d | Unknown: %d | Checked: %d%n",
                    Common.now(), now.perSecond(now.sends, prev.sends, prev), now.windowMaxRtMs,
                    now.avgRtSince(prev),
                    (now.sendFailed - prev.sendFailed) + (now.responseFailed - prev.responseFailed),
                    rb - lastExtra[0], un - lastExtra[1], ck - lastExtra[2]);
                lastExtra[0] = rb;
                lastExtra[1] = un;
                lastExtra[2] = ck;
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
                        Message msg = new Message(topic, "TagA", body);
                        msg.setKeys("tx-" + seq.incrementAndGet());
                        long t0 = System.currentTimeMillis();
                        try {
                            TransactionSendResult r = producer.sendMessageInTransaction(msg, null);
                            if (r.getSendStatus() == SendStatus.SEND_OK) {
                                stats.ok(System.currentTimeMillis() - t0, 1);
                            } else {
                                stats.responseFailed.increment();
                            }
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
