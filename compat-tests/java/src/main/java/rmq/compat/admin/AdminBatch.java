package rmq.compat.admin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.apache.rocketmq.tools.command.MQAdminStartup;

/**
 * Runs many 4.9.7 {@code mqadmin} subcommands in one JVM: {@code MQAdminStartup.main} once
 * per line of the command file (arguments separated by tabs). Each command's output is
 * printed after a marker line {@code @@@STEP <n>}, and {@code @@@END} closes the run.
 *
 * <p>A line may start with a directive:
 * <ul>
 *   <li>{@code @until<TAB><substring><TAB><maxMs><TAB>args...}: re-run the command (every
 *       500 ms) until its output contains the substring or maxMs passed; only the last
 *       output is printed (warm-up of the Java broker's stats, offsets being committed).</li>
 *   <li>{@code @sleep<TAB><ms>}: pause (prints nothing, still a step).</li>
 *   <li>{@code @consumerStatus<TAB><group><TAB><topic>}: {@code DefaultMQAdminExt.getConsumeStatus}
 *       (INVOKE_BROKER_TO_GET_CONSUMER_STATUS, which mqadmin has no subcommand for), printed
 *       sorted as {@code clientId queue offset} lines.</li>
 * </ul>
 * A trailing {@code -n<TAB><addr>} pair is the name server (stripped for directives).
 * stderr goes to stdout so stack traces stay with their command. A command that fails with a
 * remoting connect/timeout/send exception (seen when the machine is overloaded) is run again,
 * up to 3 times, and only its last output is printed.
 */
public final class AdminBatch {
    private AdminBatch() {
    }

    /** A network failure of the tool itself (an overloaded machine), not an answer. */
    private static boolean transientFailure(String text) {
        return text.contains("RemotingConnectException") || text.contains("RemotingTimeoutException")
            || text.contains("RemotingSendRequestException");
    }

    /** {@link #captureOnce}, retried (up to 3 runs, 2 s apart) after a transient failure. */
    private static String capture(String[] args) throws InterruptedException {
        String text = captureOnce(args);
        for (int i = 0; i < 2 && transientFailure(text); i++) {
            Thread.sleep(2000);
            text = captureOnce(args);
        }
        return text;
    }

    private static String captureOnce(String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps;
        try {
            ps = new PrintStream(buf, true, "UTF-8");
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException(e);
        }
        System.setOut(ps);
        System.setErr(ps);
        try {
            MQAdminStartup.main(args);
        } catch (Throwable t) {
            t.printStackTrace(ps);
        } finally {
            ps.flush();
            System.setOut(out);
            System.setErr(err);
        }
        return new String(buf.toByteArray(), StandardCharsets.UTF_8);
    }

    private static String consumerStatus(String group, String topic, String namesrv) {
        StringBuilder sb = new StringBuilder();
        DefaultMQAdminExt admin = new DefaultMQAdminExt();
        admin.setNamesrvAddr(namesrv);
        admin.setInstanceName("admin_batch_status_" + System.nanoTime());
        try {
            admin.start();
            Map<String, Map<MessageQueue, Long>> status = admin.getConsumeStatus(topic, group, "");
            for (Map.Entry<String, Map<MessageQueue, Long>> c : new TreeMap<String, Map<MessageQueue, Long>>(status).entrySet()) {
                for (Map.Entry<MessageQueue, Long> q : new TreeMap<MessageQueue, Long>(c.getValue()).entrySet()) {
                    sb.append(c.getKey()).append(' ').append(q.getKey()).append(' ').append(q.getValue()).append('\n');
                }
            }
            sb.append("clients=").append(status.size()).append('\n');
        } catch (Throwable t) {
            sb.append(t).append('\n');
        } finally {
            admin.shutdown();
        }
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        int step = 0;
        for (String line : Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\t");
            System.out.println();
            System.out.println("@@@STEP " + step++);
            if (parts[0].equals("@consumerStatus")) {
                System.out.print(consumerStatus(parts[1], parts[2], parts[parts.length - 1]));
            } else if (parts[0].equals("@sleep")) {
                Thread.sleep(Long.parseLong(parts[1]));
            } else if (parts[0].equals("@until")) {
                String want = parts[1];
                long deadline = System.currentTimeMillis() + Long.parseLong(parts[2]);
                String[] cmd = Arrays.copyOfRange(parts, 3, parts.length);
                String text = capture(cmd);
                while (!text.contains(want) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(500);
                    text = capture(cmd);
                }
                System.out.print(text);
            } else {
                System.out.print(capture(parts));
            }
            System.out.flush();
        }
        System.out.println();
        System.out.println("@@@END");
        System.out.flush();
        System.exit(0);
    }
}
