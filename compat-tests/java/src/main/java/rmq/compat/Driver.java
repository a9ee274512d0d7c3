package rmq.compat;

/**
 * Conventions shared by the scenario drivers run from the Rust harness
 * ({@code compat_tests::run_driver}).
 *
 * <ul>
 *   <li>Results are reported on stdout as lines {@code RESULT key=value}
 *       (one pair per line; the value is the rest of the line).</li>
 *   <li>Exit status: 0 = scenario passed, 1 = failed (exception or failed check),
 *       3 = the watchdog fired ({@code -Drmq.compat.timeoutMs}, default 120 s).</li>
 *   <li>The name server address comes from {@code -Drocketmq.namesrv.addr} or
 *       {@code NAMESRV_ADDR} (both set by the harness).</li>
 * </ul>
 */
public final class Driver {
    /** Body of a driver. */
    public interface Body {
        void run(String[] args) throws Exception;
    }

    private Driver() {
    }

    /** Run {@code body}, then exit the JVM with the conventional status. Never returns. */
    public static void run(final String name, String[] args, Body body) {
        final long timeoutMs = Long.getLong("rmq.compat.timeoutMs", 120_000L);
        Thread watchdog = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    Thread.sleep(timeoutMs);
                } catch (InterruptedException e) {
                    return;
                }
                result("error", "watchdog: " + name + " still running after " + timeoutMs + " ms");
                System.out.flush();
                Runtime.getRuntime().halt(3);
            }
        }, "rmq-compat-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        int status;
        try {
            body.run(args);
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace();
            result("error", String.valueOf(t).replace('\n', ' '));
            status = 1;
        }
        System.out.flush();
        System.err.flush();
        // System.exit runs shutdown hooks; if one of them hangs, the watchdog still halts.
        System.exit(status);
    }

    /** Print {@code RESULT key=value}. */
    public static synchronized void result(String key, Object value) {
        System.out.println("RESULT " + key + "=" + value);
        System.out.flush();
    }

    /** The name server address the harness passed in. */
    public static String namesrv() {
        String addr = System.getProperty("rocketmq.namesrv.addr", System.getenv("NAMESRV_ADDR"));
        if (addr == null || addr.isEmpty()) {
            throw new IllegalStateException("no name server: set -Drocketmq.namesrv.addr or NAMESRV_ADDR");
        }
        return addr;
    }

    /** Fail the scenario (exit 1) unless {@code cond}. */
    public static void check(boolean cond, String message) {
        if (!cond) {
            throw new IllegalStateException("check failed: " + message);
        }
    }

    /** A name unique to this JVM, for producer/consumer groups and instance names. */
    public static String unique(String prefix) {
        return prefix + "_" + Long.toHexString(System.nanoTime()) + "_"
            + Integer.toHexString(new java.util.Random().nextInt());
    }
}
