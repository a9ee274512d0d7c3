package rmq.bench;

import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Helpers shared by the load tools. */
final class Common {
    private Common() {
    }

    /** Same wire format as the 4.9.7 tools: the binary (ROCKETMQ) header codec. */
    static void useBinaryHeaders() {
        if (System.getProperty("rocketmq.serialize.type") == null) {
            System.setProperty("rocketmq.serialize.type", "ROCKETMQ");
        }
    }

    static String now() {
        return new SimpleDateFormat("yyyy-MM-dd HH:mm:ss,SSS").format(new Date());
    }

    static String instanceName() {
        return Long.toString(System.nanoTime());
    }

    /** A printable body of {@code size} bytes. */
    static byte[] body(int size) {
        byte[] b = new byte[Math.max(0, size)];
        Random r = new Random();
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ('a' + r.nextInt(26));
        }
        return b;
    }

    static void updateMax(AtomicLong max, long v) {
        long cur;
        while (v > (cur = max.get())) {
            if (max.compareAndSet(cur, v)) {
                return;
            }
        }
    }

    static ScheduledExecutorService timer(final String name) {
        return Executors.newSingleThreadScheduledExecutor(new ThreadFactory() {
            @Override
            public Thread newThread(Runnable r) {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            }
        });
    }

    /** Run {@code r} every {@code seconds}, first after one full interval. */
    static void every(ScheduledExecutorService t, int seconds, final Runnable r) {
        t.scheduleAtFixedRate(new Runnable() {
            @Override
            public void run() {
                try {
                    r.run();
                    System.out.flush();
                } catch (Throwable e) {
                    e.printStackTrace();
                }
            }
        }, seconds, seconds, TimeUnit.SECONDS);
    }

    static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void shutdownHook(final Runnable r) {
        Runtime.getRuntime().addShutdownHook(new Thread(r, "shutdown"));
    }
}
