package rmq.compat.sql;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.store.ReadOffsetType;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.MQClientManager;
import org.apache.rocketmq.client.impl.factory.MQClientInstance;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import rmq.compat.Driver;

/**
 * SQL92 filtering driver, run unchanged against the Java broker and ours.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code select <topic>} (broker with {@code enablePropertyFilter=true}): sends a fixed set of
 *       {@value #N} messages with varied properties (ints, longs, doubles, strings, booleans, odd
 *       values like {@code " 5"}, {@code "5.0"}, {@code "NaN"}, missing ones), then for every
 *       expression of {@link #EXPRESSIONS} reports the ids selected (a) by a push consumer
 *       ({@code MessageSelector.bySql}, filter data registered by the heartbeat) as
 *       {@code RESULT push.<i>=} and (b) by pulls carrying the subscription
 *       ({@code DefaultMQPullConsumer.pull(mq, selector, ...)}) as {@code RESULT pull.<i>=}.</li>
 *   <li>{@code bad <topic>}: for every expression of {@link #BAD}, the error a push consumer gets
 *       from {@code start()} ({@code RESULT bad.<i>.code=}, {@code bad.<i>.msg=}) and what a pull with
 *       that selector returns ({@code bad.<i>.pull=}).</li>
 *   <li>{@code noprop <topic>} (broker without enablePropertyFilter): the same two views of a
 *       valid SQL92 subscription.</li>
 * </ul>
 */
public final class SqlDriver {
    private SqlDriver() {
    }

    static final int N = 48;

    static final String[] EXPRESSIONS = {
        "i = 5",
        "i <> 5",
        "i > 5",
        "i >= 5",
        "i < 3",
        "i <= 3",
        "i BETWEEN 2 AND 5",
        "i NOT BETWEEN 2 AND 5",
        "i BETWEEN 5 AND 5",
        "i BETWEEN -1 AND -5",
        "d > 1.0",
        "d BETWEEN -2.25 AND 1.5",
        "d = 1000",
        "d > 1e2",
        "i = 5.0",
        "l > 5000000000",
        "l < -1",
        "s = 'red'",
        "s <> 'red'",
        "'red' = s",
        "'red' <> s",
        "s IN ('red', 'blue')",
        "s NOT IN ('red', 'blue')",
        "s IS NULL",
        "s IS NOT NULL",
        "i IS NULL",
        "x IS NULL",
        "s = t",
        "i > d",
        "b = TRUE",
        "b = FALSE",
        "b IS NOT NULL AND b <> TRUE",
        "b",
        "TRUE",
        "FALSE",
        "i > 3 OR TRUE",
        "TRUE OR i > 3",
        "FALSE AND i > 3",
        "NOT (x = 'y')",
        "NOT (i > 5)",
        "NOT (s = 'red' OR s = 'blue')",
        "TAGS = 'TagA'",
        "TAGS IN ('TagA', 'TagB') AND i > 2",
        "KEYS = 'k-7'",
        "(i > 2 AND s = 'red') OR (d < 0 AND s IS NOT NULL)",
        "i > 2 AND (s = 'green' OR (d >= 1.5 AND NOT (b = TRUE)))",
        "((i >= 1 AND i <= 9) OR s IS NULL) AND NOT (t IS NULL)",
        "i IN ('1', '2', ' 5')",
        "i = 3 AND i = 3 AND NOT FALSE",
        "i <> 3 OR i IS NULL",
        "d <> d",
        "-i < -3",
        "u = 'caf\u00e9' OR s = 'it''s'",
    };

    static final String[] BAD = {
        "i >",
        "i = ",
        "(i = 1",
        "i == 1",
        "i != 1",
        "i = 'x",
        "i IN (1, 2)",
        "1",
        "i BETWEEN 2 AND 1",
        "i = 99999999999999999999",
        "a = 0.0",
        "NOT i > 1",
        "i @ 1",
        "i LIKE",
        "AND",
        "s > 'a'",
        "a > b AND",
        "a = 1 OR /* unterminated",
        "a = .x",
        "a IN ('x',)",
        "a NOT BETWEEN 1",
        "a IS NOT 1",
        "+",
        "a = 1\n  AND b ==\t2",
    };

    // property values, each array cycled with its own period
    static final String[] I = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", null, " 5", "5.0", "3000000000", "abc", "-3"};
    static final String[] D = {"1.5", "-2.25", "NaN", "1e3", null, "0", "100.5", "2", "-0.5", "1000", "abc"};
    static final String[] S = {"red", "green", "blue", null, "Red", "it's", "a", "zz", "red "};
    static final String[] T = {"red", null, "blue", "x"};
    static final String[] B = {"true", "false", "TRUE", "yes", null, "False"};
    static final String[] L = {"9999999999", "-9999999999", "5000000000", null, "1", "5000000001"};
    static final String[] TAGS = {"TagA", "TagB", null, "TagC"};
    static final String[] U = {"caf\u00e9", null, "cafe"};

    static String at(String[] a, int i) {
        return a[i % a.length];
    }

    static void put(Message m, String k, String v) {
        if (v != null) {
            m.putUserProperty(k, v);
        }
    }

    public static void main(String[] args) {
        Driver.run("sql.SqlDriver", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 2, "usage: select|bad|noprop <topic>");
                if ("select".equals(a[0])) {
                    select(a[1]);
                } else if ("bad".equals(a[0])) {
                    bad(a[1]);
                } else if ("noprop".equals(a[0])) {
                    noprop(a[1]);
                } else {
                    throw new IllegalArgumentException("unknown mode " + a[0]);
                }
            }
        });
    }

    static void produce(String topic) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(Driver.unique("sql_pg"));
        p.setNamesrvAddr(Driver.namesrv());
        p.setInstanceName(Driver.unique("sqlp"));
        p.setSendMsgTimeout(10000);
        p.start();
        try {
            int ok = 0;
            for (int id = 0; id < N; id++) {
                Message m = new Message(topic, ("body-" + id).getBytes(StandardCharsets.UTF_8));
                String tag = at(TAGS, id);
                if (tag != null) {
                    m.setTags(tag);
                }
                m.setKeys("k-" + id);
                put(m, "id", String.valueOf(id));
                put(m, "i", at(I, id));
                put(m, "d", at(D, id));
                put(m, "s", at(S, id));
                put(m, "t", at(T, id));
                put(m, "b", at(B, id));
                put(m, "l", at(L, id));
                put(m, "u", at(U, id));
                Exception last = null;
                boolean sent = false;
                for (int attempt = 0; attempt < 20 && !sent; attempt++) {
                    try {
                        SendResult r = p.send(m);
                        sent = r.getSendStatus() == SendStatus.SEND_OK;
                    } catch (Exception e) {
                        last = e;
                        Thread.sleep(500);
                    }
                }
                Driver.check(sent, "send " + id + " failed: " + last);
                ok++;
            }
            Driver.result("sent", ok);
        } finally {
            p.shutdown();
        }
    }

    static String ids(Set<Integer> s) {
        StringBuilder sb = new StringBuilder();
        for (Integer i : s) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(i);
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }

    static int idOf(MessageExt m) {
        String v = m.getUserProperty("id");
        return v == null ? -1 : Integer.parseInt(v);
    }

    /**
     * A pull consumer that has already sent its heartbeat: the client refuses SQL92 pulls to a
     * broker whose version it has not learnt from a heartbeat response yet.
     */
    static DefaultMQPullConsumer startPull(String topic) throws Exception {
        DefaultMQPullConsumer pc = new DefaultMQPullConsumer(Driver.unique("sql_pull_cg"));
        pc.setNamesrvAddr(Driver.namesrv());
        pc.setInstanceName(Driver.unique("sqlpull"));
        pc.start();
        MQClientInstance f = MQClientManager.getInstance().getOrCreateMQClientInstance(pc);
        f.updateTopicRouteInfoFromNameServer(topic);
        f.sendHeartbeatToAllBrokerWithLock();
        return pc;
    }

    /** Every id a pull with this selector returns, queue by queue to the end. */
    static Set<Integer> pullAll(DefaultMQPullConsumer pc, String topic, String expr) throws Exception {
        Set<Integer> got = new TreeSet<>();
        for (MessageQueue mq : pc.fetchSubscribeMessageQueues(topic)) {
            long max = pc.maxOffset(mq);
            long off = 0;
            int guard = 0;
            while (off < max && guard++ < 1000) {
                PullResult r = pc.pull(mq, MessageSelector.bySql(expr), off, 32);
                if (r.getPullStatus() == PullStatus.FOUND) {
                    for (MessageExt m : r.getMsgFoundList()) {
                        got.add(idOf(m));
                    }
                } else if (r.getPullStatus() == PullStatus.NO_NEW_MSG) {
                    break;
                }
                off = r.getNextBeginOffset();
            }
        }
        return got;
    }

    static void select(String topic) throws Exception {
        produce(topic);
        DefaultMQPullConsumer pc = startPull(topic);
        for (int i = 0; i < EXPRESSIONS.length; i++) {
            Driver.result("expr." + i, EXPRESSIONS[i]);
            Driver.result("pull." + i, ids(pullAll(pc, topic, EXPRESSIONS[i])));
        }
        Map<MessageQueue, Long> max = new ConcurrentHashMap<>();
        for (MessageQueue mq : pc.fetchSubscribeMessageQueues(topic)) {
            max.put(mq, pc.maxOffset(mq));
        }
        pc.shutdown();

        // one client instance hosting one push consumer per expression
        final String instance = Driver.unique("sqlpush");
        List<DefaultMQPushConsumer> consumers = new ArrayList<>();
        final List<Set<Integer>> got = new ArrayList<>();
        for (int i = 0; i < EXPRESSIONS.length; i++) {
            final Set<Integer> s = java.util.Collections.synchronizedSet(new TreeSet<Integer>());
            got.add(s);
            // fixed group names (a fresh broker per run): consumerFilter.json is comparable
            DefaultMQPushConsumer c = new DefaultMQPushConsumer("sql_cg_" + i);
            c.setNamesrvAddr(Driver.namesrv());
            c.setInstanceName(instance);
            c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            c.subscribe(topic, MessageSelector.bySql(EXPRESSIONS[i]));
            c.registerMessageListener(new MessageListenerConcurrently() {
                @Override
                public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs, ConsumeConcurrentlyContext ctx) {
                    for (MessageExt m : msgs) {
                        s.add(idOf(m));
                    }
                    return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                }
            });
            try {
                c.start();
                consumers.add(c);
            } catch (MQClientException e) {
                Driver.result("push_start_failed." + i, e.getResponseCode() + ":" + oneLine(e.getErrorMessage()));
                c.shutdown();
            }
        }
        // done when every consumer's offset reached the end of every queue
        long deadline = System.currentTimeMillis() + 90_000;
        int pending = -1;
        while (System.currentTimeMillis() < deadline) {
            pending = 0;
            for (DefaultMQPushConsumer c : consumers) {
                for (Map.Entry<MessageQueue, Long> e : max.entrySet()) {
                    long off = c.getDefaultMQPushConsumerImpl().getOffsetStore()
                        .readOffset(e.getKey(), ReadOffsetType.READ_FROM_MEMORY);
                    if (off < e.getValue()) {
                        pending++;
                    }
                }
            }
            if (pending == 0) {
                break;
            }
            Thread.sleep(500);
        }
        Driver.result("push_pending_queues", pending);
        for (int i = 0; i < EXPRESSIONS.length; i++) {
            Driver.result("push." + i, ids(got.get(i)));
        }
        for (DefaultMQPushConsumer c : consumers) {
            c.shutdown();
        }
        Driver.result("expressions", EXPRESSIONS.length);
    }

    static String oneLine(String s) {
        return s == null ? "null" : s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n");
    }

    /** Start a push consumer on {@code expr}; report the exception's code and message. */
    static void startReport(String key, String topic, String expr) throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(Driver.unique("sql_bad_cg"));
        c.setNamesrvAddr(Driver.namesrv());
        c.setInstanceName(Driver.unique("sqlbad"));
        c.subscribe(topic, MessageSelector.bySql(expr));
        c.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs, ConsumeConcurrentlyContext ctx) {
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });
        try {
            c.start();
            Driver.result(key + ".code", "started");
        } catch (MQClientException e) {
            Driver.result(key + ".code", e.getResponseCode());
            Driver.result(key + ".msg", oneLine(e.getErrorMessage()));
        } finally {
            c.shutdown();
        }
    }

    /** One pull with {@code expr}: status and id count, or the broker's error. */
    static String pullReport(DefaultMQPullConsumer pc, String topic, String expr) throws Exception {
        try {
            Set<Integer> s = pullAll(pc, topic, expr);
            return "ok:" + s.size();
        } catch (MQBrokerException e) {
            return "error:" + e.getResponseCode() + ":" + oneLine(e.getErrorMessage());
        }
    }

    static void bad(String topic) throws Exception {
        produce(topic);
        DefaultMQPullConsumer pc = startPull(topic);
        for (int i = 0; i < BAD.length; i++) {
            Driver.result("bad." + i + ".expr", BAD[i]);
            startReport("bad." + i, topic, BAD[i]);
            Driver.result("bad." + i + ".pull", pullReport(pc, topic, BAD[i]));
        }
        pc.shutdown();
        Driver.result("bad_count", BAD.length);
    }

    static void noprop(String topic) throws Exception {
        produce(topic);
        startReport("noprop", topic, "i > 3");
        DefaultMQPullConsumer pc = startPull(topic);
        Driver.result("noprop.pull", pullReport(pc, topic, "i > 3"));
        pc.shutdown();
    }
}
