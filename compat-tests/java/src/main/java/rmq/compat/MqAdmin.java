package rmq.compat;

import org.apache.rocketmq.tools.command.MQAdminStartup;

/**
 * Runs the 4.9.7 {@code mqadmin} ({@link MQAdminStartup#main}) unchanged, then exits
 * at once. The plain tool lingers ~3 s after its work is done, waiting for non-daemon
 * netty threads to wind down; the harness runs mqadmin a lot, so skip that wait.
 * Output and the exit status (always 0, like the real tool) are the same.
 */
public final class MqAdmin {
    private MqAdmin() {
    }

    public static void main(String[] args) {
        int status = 0;
        try {
            MQAdminStartup.main(args);
        } catch (Throwable t) {
            // the real tool would die with this on the main thread: report it the same way
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }
}
