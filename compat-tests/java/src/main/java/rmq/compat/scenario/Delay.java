package rmq.compat.scenario;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

import rmq.compat.Driver;

/**
 * Delayed messages (delay levels, SCHEDULE_TOPIC_XXXX, ScheduleMessageService).
 *
 * <ul>
 *   <li>{@code run <topic> <n>}: a push consumer runs; n messages with delay level 2 (5 s) and
 *   n with level 3 (10 s) are sent. Each must arrive on its own topic/queue no earlier than
 *   its delay after the send started, and within delay + 20 s. RESULT {@code expected
 *   received too_early too_late real_topic_prop real_qid_ok delay_prop min_margin_ms
 *   max_late_ms}.</li>
 *   <li>{@code produce <topic> <n> <level> <file>}: n sends with the level; writes
 *   {@code uniqKey sendStartMs} lines. RESULT {@code sent}.</li>
 *   <li>{@code consume <topic> <file> <delayMs>}: every message of the file must arrive, none
 *   before sendStart + delayMs. RESULT {@code expected received too_early missing}.</li>
 * </ul>
 */
public final class Delay {
    private Delay() {
    }

    static final long[] LEVEL_MS = {0, 1000, 5000, 10000, 30000};

    public static void main(String[] args) {
        Driver.run("scenario.Delay", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 2, "usage: run|produce|consume <topic> ...");
                if ("run".equals(a[0])) {
                    Delay.run(a[1], Integer.parseInt(a[2]));
                } else if ("produce".equals(a[0])) {
                    produce(a[1], Integer.parseInt(a[2]), Integer.parseInt(a[3]), a[4]);
                } else if ("consume".equals(a[0])) {
                    consume(a[1], a[2], Long.parseLong(a[3]));
                } else {
                    throw new IllegalArgumentException(a[0]);
                }
            }
        });
    }

    /** uniq key -> arrival time (first arrival only). */
    static final Map<String, Long> ARRIVED = new ConcurrentHashMap<>();
    static final Map<String, MessageExt> MSGS = new ConcurrentHashMap<>();

    static DefaultMQPushConsumer consumer(String topic) throws Exception {
        DefaultMQPushConsumer c = Scn.pushConsumer(Driver.unique("rmq_compat_delay_cg"), "delay");
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            long now = System.currentTimeMillis();
            for (MessageExt m : msgs) {
                ARRIVED.putIfAbsent(m.getMsgId(), now);
                MSGS.putIfAbsent(m.getMsgId(), m);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    static void run(String topic, int n) throws Exception {
        DefaultMQProducer p = Scn.producer("delay");
        // Create the topic (and its route) with a plain message first.
        Scn.send(p, new Message(topic, "warm", Scn.bytes("warm")));
        DefaultMQPushConsumer c = consumer(topic);
        Scn.await(20000, () -> ARRIVED.size() >= 1);
        Map<String, long[]> sent = new ConcurrentHashMap<>(); // id -> {sendStart, sendEnd, level}
        for (int level = 2; level <= 3; level++) {
            for (int i = 0; i < n; i++) {
                Message m = new Message(topic, "L" + level, Scn.bytes("delay-" + level + "-" + i));
                m.setDelayTimeLevel(level);
                long t0 = System.currentTimeMillis();
                SendResult r = Scn.send(p, m);
                sent.put(r.getMsgId(), new long[] {t0, System.currentTimeMillis(), level});
            }
        }
        boolean all = Scn.await(45000, () -> {
            for (String id : sent.keySet()) {
                if (!ARRIVED.containsKey(id)) {
                    return false;
                }
            }
            return true;
        });
        int received = 0;
        int tooEarly = 0;
        int tooLate = 0;
        int realTopic = 0;
        int realQidOk = 0;
        int delayProp = 0;
        long minMargin = Long.MAX_VALUE;
        long maxLate = 0;
        for (Map.Entry<String, long[]> e : sent.entrySet()) {
            Long at = ARRIVED.get(e.getKey());
            if (at == null) {
                continue;
            }
            received++;
            long[] s = e.getValue();
            long delay = LEVEL_MS[(int) s[2]];
            long margin = at - s[0] - delay;
            minMargin = Math.min(minMargin, margin);
            if (margin < 0) {
                tooEarly++;
            }
            long late = at - s[1] - delay;
            maxLate = Math.max(maxLate, late);
            if (late > 20000) {
                tooLate++;
            }
            MessageExt m = MSGS.get(e.getKey());
            if (topic.equals(m.getProperty("REAL_TOPIC")) && topic.equals(m.getTopic())) {
                realTopic++;
            }
            if (String.valueOf(m.getQueueId()).equals(m.getProperty("REAL_QID"))) {
                realQidOk++;
            }
            if (String.valueOf(s[2]).equals(m.getProperty("DELAY"))) {
                delayProp++;
            }
        }
        c.shutdown();
        p.shutdown();
        Driver.result("expected", sent.size());
        Driver.result("received", received);
        Driver.result("too_early", tooEarly);
        Driver.result("too_late", tooLate);
        Driver.result("real_topic_prop", realTopic);
        Driver.result("real_qid_ok", realQidOk);
        Driver.result("delay_prop", delayProp);
        Driver.result("min_margin_ms", minMargin);
        Driver.result("max_late_ms", maxLate);
        Driver.check(all, "not every delayed message arrived");
    }

    static void produce(String topic, int n, int level, String file) throws Exception {
        DefaultMQProducer p = Scn.producer("delayp");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Message m = new Message(topic, "L" + level, Scn.bytes("delayed-" + i));
            m.setDelayTimeLevel(level);
            long t0 = System.currentTimeMillis();
            SendResult r = Scn.send(p, m);
            lines.add(r.getMsgId() + " " + t0);
        }
        Files.write(Paths.get(file), lines, StandardCharsets.UTF_8);
        p.shutdown();
        Driver.result("sent", lines.size());
    }

    static void consume(String topic, String file, long delayMs) throws Exception {
        final Map<String, Long> expected = new ConcurrentHashMap<>();
        for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) {
            String[] p = line.trim().split(" ");
            if (p.length == 2) {
                expected.put(p[0], Long.parseLong(p[1]));
            }
        }
        DefaultMQPushConsumer c = consumer(topic);
        boolean all = Scn.await(75000, () -> ARRIVED.keySet().containsAll(expected.keySet()));
        c.shutdown();
        int received = 0;
        int tooEarly = 0;
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            Long at = ARRIVED.get(e.getKey());
            if (at == null) {
                continue;
            }
            received++;
            if (at - e.getValue() < delayMs) {
                tooEarly++;
            }
        }
        Driver.result("expected", expected.size());
        Driver.result("received", received);
        Driver.result("missing", expected.size() - received);
        Driver.result("too_early", tooEarly);
        Driver.check(all, "not every delayed message arrived after the restart");
    }
}
