package rmq.compat.tx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import rmq.compat.Driver;

/**
 * Transaction scenario driver: an unmodified 4.9.7 {@link TransactionMQProducer} plus a push
 * consumer, run unchanged against the Java broker and against ours. The broker must run with
 * small {@code transactionTimeOut}, {@code transactionCheckInterval}, {@code transactionCheckMax}.
 *
 * <p>Message kinds (the key is {@code <kind>-<i>}; the local transaction answers by kind):
 * <ul>
 *   <li>{@code commit}: COMMIT at send. Must be consumed exactly once, never checked.</li>
 *   <li>{@code rollback}: ROLLBACK at send. Never consumed, never checked.</li>
 *   <li>{@code ucommit}: UNKNOW at send, COMMIT on the first check. Consumed once, after the check.</li>
 *   <li>{@code urollback}: UNKNOW at send, ROLLBACK on the first check. Never consumed.</li>
 *   <li>{@code forever}: UNKNOW at send and on every check. Checked exactly transactionCheckMax
 *       times, never consumed, then moved to TRANS_CHECK_MAX_TIME_TOPIC.</li>
 *   <li>{@code immune}: like ucommit, with CHECK_IMMUNITY_TIME_IN_SECONDS=&lt;immunity&gt;: the first
 *       check must come no earlier than that.</li>
 * </ul>
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code all <topic> <n> <checkMax> <checkIntervalMs> <timeoutMs> <immunitySec>}</li>
 *   <li>{@code prepare <topic> <group> <n> <stateFile>}: sends commit/rollback (settled at once) and
 *       ucommit/urollback halves whose checks are answered UNKNOW, writes the keys, exits.
 *       The broker is then restarted.</li>
 *   <li>{@code resolve <topic> <group> <stateFile> <checkIntervalMs> <timeoutMs>}: a new producer of
 *       the same group answers the checks (ucommit → COMMIT, urollback → ROLLBACK); a push consumer
 *       must see every commit and ucommit message exactly once and nothing else.</li>
 * </ul>
 */
public final class TxDriver {
    private TxDriver() {
    }

    static final String[] KINDS = {"commit", "rollback", "ucommit", "urollback", "forever", "immune"};

    /** Per-key bookkeeping shared by the listener, the consumer and the final report. */
    static final class State {
        final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
        final Map<String, Long> firstCheckAt = new ConcurrentHashMap<>();
        final Map<String, Long> committedAt = new ConcurrentHashMap<>();
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        final Map<String, String> lastCheckTimes = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        final Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        final Map<String, String> bodies = new ConcurrentHashMap<>();
        final AtomicInteger badBody = new AtomicInteger();
        final Set<String> props = Collections.synchronizedSet(new TreeSet<String>());
        volatile boolean resolvePhase = true;
    }

    static String kind(String key) {
        int i = key == null ? -1 : key.lastIndexOf('-');
        return i < 0 ? "" : key.substring(0, i);
    }

    public static void main(String[] args) {
        Driver.run("tx.TxDriver", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 2, "usage: all|prepare|resolve <topic> ...");
                if ("all".equals(a[0])) {
                    all(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), Long.parseLong(a[4]),
                        Long.parseLong(a[5]), Integer.parseInt(a[6]));
                } else if ("prepare".equals(a[0])) {
                    prepare(a[1], a[2], Integer.parseInt(a[3]), a[4]);
                } else if ("resolve".equals(a[0])) {
                    resolve(a[1], a[2], a[3], Long.parseLong(a[4]), Long.parseLong(a[5]));
                } else {
                    throw new IllegalArgumentException("unknown mode " + a[0]);
                }
            }
        });
    }

    static TransactionListener listener(final State st) {
        return new TransactionListener() {
            @Override
            public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                String k = kind(msg.getKeys());
                if ("commit".equals(k) || "rcommit".equals(k)) {
                    return LocalTransactionState.COMMIT_MESSAGE;
                }
                if ("rollback".equals(k) || "rrollback".equals(k)) {
                    return LocalTransactionState.ROLLBACK_MESSAGE;
                }
                return LocalTransactionState.UNKNOW;
            }

            @Override
            public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                String key = msg.getKeys();
                long now = System.currentTimeMillis();
                st.checks.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
                st.firstCheckAt.putIfAbsent(key, now);
                String times = msg.getProperty(MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES);
                st.lastCheckTimes.put(key, String.valueOf(times));
                String k = kind(key);
                if (!st.resolvePhase) {
                    return LocalTransactionState.UNKNOW;
                }
                if ("ucommit".equals(k) || "immune".equals(k) || "rucommit".equals(k)) {
                    st.committedAt.putIfAbsent(key, now);
                    return LocalTransactionState.COMMIT_MESSAGE;
                }
                if ("urollback".equals(k) || "rurollback".equals(k)) {
                    return LocalTransactionState.ROLLBACK_MESSAGE;
                }
                if ("forever".equals(k)) {
                    return LocalTransactionState.UNKNOW;
                }
                // a settled transaction should never be checked; answer what it was
                return k.contains("rollback") ? LocalTransactionState.ROLLBACK_MESSAGE
                    : LocalTransactionState.COMMIT_MESSAGE;
            }
        };
    }

    static TransactionMQProducer startProducer(String group, State st) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer(group);
        p.setNamesrvAddr(Driver.namesrv());
        p.setInstanceName(Driver.unique("tx"));
        p.setSendMsgTimeout(10000);
        p.setTransactionListener(listener(st));
        p.start();
        return p;
    }

    /** Make sure the topic exists and is routable (a plain message, key "warmup-0"). */
    static void warmup(String topic) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(Driver.unique("tx_warmup_pg"));
        p.setNamesrvAddr(Driver.namesrv());
        p.setInstanceName(Driver.unique("txw"));
        p.setSendMsgTimeout(10000);
        p.start();
        try {
            Exception last = null;
            for (int i = 0; i < 20; i++) {
                try {
                    Message m = new Message(topic, "warmup", "warmup".getBytes(StandardCharsets.UTF_8));
                    m.setKeys("warmup-0");
                    SendResult r = p.send(m);
                    if (r.getSendStatus() == SendStatus.SEND_OK) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(500);
            }
            throw new IllegalStateException("warm-up send failed", last);
        } finally {
            p.shutdown();
        }
    }

    static DefaultMQPushConsumer startConsumer(String topic, final State st) throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(Driver.unique("tx_cg"));
        c.setNamesrvAddr(Driver.namesrv());
        c.setInstanceName(Driver.unique("txc"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs,
                org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext ctx) {
                long now = System.currentTimeMillis();
                for (MessageExt m : msgs) {
                    String key = m.getKeys();
                    if (key == null || key.startsWith("warmup")) {
                        continue;
                    }
                    st.received.computeIfAbsent(key, x -> new AtomicInteger()).incrementAndGet();
                    st.receivedAt.putIfAbsent(key, now);
                    String body = new String(m.getBody(), StandardCharsets.UTF_8);
                    if (!body.equals("body of " + key)) {
                        st.badBody.incrementAndGet();
                    }
                    if (st.props.isEmpty()) {
                        st.props.addAll(m.getProperties().keySet());
                        st.props.add("sysFlag=" + m.getSysFlag());
                        st.props.add("preparedTxOffsetSet=" + (m.getPreparedTransactionOffset() > 0));
                        st.props.add("TRAN_MSG=" + m.getProperty(MessageConst.PROPERTY_TRANSACTION_PREPARED));
                        st.props.add("REAL_TOPIC=" + m.getProperty(MessageConst.PROPERTY_REAL_TOPIC));
                    }
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });
        c.start();
        return c;
    }

    static Message txMessage(String topic, String key, int immunitySec) {
        Message m = new Message(topic, "TagTx", ("body of " + key).getBytes(StandardCharsets.UTF_8));
        m.setKeys(key);
        if (key.startsWith("immune-")) {
            m.putUserProperty(MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS, String.valueOf(immunitySec));
        }
        return m;
    }

    static int sendAll(TransactionMQProducer p, State st, String topic, List<String> keys, int immunitySec)
        throws Exception {
        int ok = 0;
        for (String key : keys) {
            st.sentAt.put(key, System.currentTimeMillis());
            TransactionSendResult r = p.sendMessageInTransaction(txMessage(topic, key, immunitySec), null);
            if (r.getSendStatus() == SendStatus.SEND_OK) {
                ok++;
            } else {
                Driver.result("send_status." + key, r.getSendStatus());
            }
        }
        return ok;
    }

    static int count(Map<String, AtomicInteger> m, String kind) {
        int n = 0;
        for (Map.Entry<String, AtomicInteger> e : m.entrySet()) {
            if (kind(e.getKey()).equals(kind)) {
                n += e.getValue().get();
            }
        }
        return n;
    }

    static int distinct(Map<String, AtomicInteger> m, String kind) {
        int n = 0;
        for (String k : m.keySet()) {
            if (kind(k).equals(kind)) {
                n++;
            }
        }
        return n;
    }

    /** Keys of {@code kind} whose check count is {@code want}. */
    static int keysChecked(State st, String kind, int want, int n) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            AtomicInteger a = st.checks.get(kind + "-" + i);
            if (a != null && a.get() == want) {
                c++;
            }
        }
        return c;
    }

    static int countInTopic(String topic, String keyPrefix) throws Exception {
        DefaultMQPullConsumer pc = new DefaultMQPullConsumer(Driver.unique("tx_pull_cg"));
        pc.setNamesrvAddr(Driver.namesrv());
        pc.setInstanceName(Driver.unique("txp"));
        pc.start();
        try {
            int n = 0;
            Set<MessageQueue> mqs;
            try {
                mqs = pc.fetchSubscribeMessageQueues(topic);
            } catch (Exception e) {
                return -1;
            }
            for (MessageQueue mq : mqs) {
                long off = 0;
                while (true) {
                    PullResult r = pc.pull(mq, "*", off, 32);
                    if (r.getPullStatus() != PullStatus.FOUND) {
                        break;
                    }
                    for (MessageExt m : r.getMsgFoundList()) {
                        if (m.getKeys() != null && m.getKeys().startsWith(keyPrefix)) {
                            n++;
                        }
                    }
                    off = r.getNextBeginOffset();
                }
            }
            return n;
        } finally {
            pc.shutdown();
        }
    }

    static void all(String topic, int n, int checkMax, long interval, long timeout, int immunitySec)
        throws Exception {
        final State st = new State();
        warmup(topic);
        DefaultMQPushConsumer consumer = startConsumer(topic, st);
        TransactionMQProducer producer = startProducer(Driver.unique("tx_pg"), st);
        List<String> keys = new ArrayList<>();
        for (String k : KINDS) {
            for (int i = 0; i < n; i++) {
                keys.add(k + "-" + i);
            }
        }
        long t0 = System.currentTimeMillis();
        int sentOk = sendAll(producer, st, topic, keys, immunitySec);
        Driver.result("sent_ok", sentOk);

        // Wait for: every commit/ucommit/immune message consumed, every forever half checked
        // checkMax times and discarded into TRANS_CHECK_MAX_TIME_TOPIC.
        long deadline = t0 + timeout + (immunitySec * 1000L) + (checkMax + 4) * interval + 60_000;
        int discarded = -1;
        while (System.currentTimeMillis() < deadline) {
            boolean consumed = distinct(st.received, "commit") == n && distinct(st.received, "ucommit") == n
                && distinct(st.received, "immune") == n;
            boolean maxed = keysChecked(st, "forever", checkMax, n) == n;
            if (consumed && maxed) {
                discarded = countInTopic("TRANS_CHECK_MAX_TIME_TOPIC", "forever-");
                if (discarded >= n) {
                    break;
                }
            }
            Thread.sleep(500);
        }
        // settle: nothing else may arrive or be checked during a few more check rounds
        Thread.sleep(Math.max(4 * interval, 3000));
        if (discarded < n) {
            discarded = countInTopic("TRANS_CHECK_MAX_TIME_TOPIC", "forever-");
        }
        long minImmuneAge = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            String key = "immune-" + i;
            Long at = st.firstCheckAt.get(key);
            if (at != null) {
                minImmuneAge = Math.min(minImmuneAge, at - st.sentAt.get(key));
            }
        }
        int early = 0;
        for (String kk : new String[] {"ucommit", "immune"}) {
            for (int i = 0; i < n; i++) {
                String key = kk + "-" + i;
                Long got = st.receivedAt.get(key);
                Long committed = st.committedAt.get(key);
                if (got != null && (committed == null || got < committed)) {
                    early++;
                }
            }
        }
        int maxForeverChecks = 0;
        for (int i = 0; i < n; i++) {
            AtomicInteger a = st.checks.get("forever-" + i);
            maxForeverChecks = Math.max(maxForeverChecks, a == null ? 0 : a.get());
        }
        Driver.result("commit_received", count(st.received, "commit"));
        Driver.result("commit_distinct", distinct(st.received, "commit"));
        Driver.result("rollback_received", count(st.received, "rollback"));
        Driver.result("ucommit_received", count(st.received, "ucommit"));
        Driver.result("ucommit_distinct", distinct(st.received, "ucommit"));
        Driver.result("ucommit_checked", distinct(st.checks, "ucommit"));
        Driver.result("urollback_received", count(st.received, "urollback"));
        Driver.result("urollback_checked", distinct(st.checks, "urollback"));
        Driver.result("forever_received", count(st.received, "forever"));
        Driver.result("forever_checked_max_times", keysChecked(st, "forever", checkMax, n));
        Driver.result("forever_max_checks", maxForeverChecks);
        Driver.result("forever_discarded", discarded);
        Driver.result("immune_received", count(st.received, "immune"));
        Driver.result("immune_distinct", distinct(st.received, "immune"));
        Driver.result("immune_min_first_check_ms", minImmuneAge == Long.MAX_VALUE ? -1 : minImmuneAge);
        Driver.result("unexpected_checks", count(st.checks, "commit") + count(st.checks, "rollback"));
        Driver.result("early_delivery", early);
        Driver.result("bad_body", st.badBody.get());
        Driver.result("commit_props", String.join(",", new ArrayList<>(st.props)));
        Driver.result("ucommit_check_times", st.lastCheckTimes.get("ucommit-0"));
        Driver.result("forever_check_times", st.lastCheckTimes.get("forever-0"));
        producer.shutdown();
        consumer.shutdown();
    }

    static void prepare(String topic, String group, int n, String stateFile) throws Exception {
        final State st = new State();
        st.resolvePhase = false; // answer UNKNOW to every check before the restart
        warmup(topic);
        TransactionMQProducer producer = startProducer(group, st);
        List<String> keys = new ArrayList<>();
        for (String k : new String[] {"rcommit", "rrollback", "rucommit", "rurollback"}) {
            for (int i = 0; i < n; i++) {
                keys.add(k + "-" + i);
            }
        }
        int ok = sendAll(producer, st, topic, keys, 0);
        Driver.result("sent_ok", ok);
        Files.write(Paths.get(stateFile), String.join("\n", keys).getBytes(StandardCharsets.UTF_8));
        // let the end-transaction oneways reach the broker before the restart
        Thread.sleep(1500);
        Driver.result("prepare_checks", st.checks.size());
        producer.shutdown();
    }

    static void resolve(String topic, String group, String stateFile, long interval, long timeout)
        throws Exception {
        final State st = new State();
        List<String> keys = Files.readAllLines(Paths.get(stateFile), StandardCharsets.UTF_8);
        int n = 0;
        for (String k : keys) {
            if (kind(k).equals("rcommit")) {
                n++;
            }
        }
        TransactionMQProducer producer = startProducer(group, st);
        DefaultMQPushConsumer consumer = startConsumer(topic, st);
        long deadline = System.currentTimeMillis() + timeout + 8 * interval + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (distinct(st.received, "rcommit") == n && distinct(st.received, "rucommit") == n
                && distinct(st.checks, "rurollback") == n) {
                break;
            }
            Thread.sleep(500);
        }
        Thread.sleep(Math.max(4 * interval, 3000));
        Driver.result("rcommit_received", count(st.received, "rcommit"));
        Driver.result("rcommit_distinct", distinct(st.received, "rcommit"));
        Driver.result("rrollback_received", count(st.received, "rrollback"));
        Driver.result("rucommit_received", count(st.received, "rucommit"));
        Driver.result("rucommit_distinct", distinct(st.received, "rucommit"));
        Driver.result("rurollback_received", count(st.received, "rurollback"));
        Driver.result("rucommit_checked", distinct(st.checks, "rucommit"));
        Driver.result("rurollback_checked", distinct(st.checks, "rurollback"));
        Driver.result("unexpected_checks", count(st.checks, "rcommit") + count(st.checks, "rrollback"));
        Driver.result("bad_body", st.badBody.get());
        Driver.result("expected_each", n);
        producer.shutdown();
        consumer.shutdown();
    }
}
