package rmq.compat.scenario;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyContext;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.impl.FindBrokerResult;
import org.apache.rocketmq.client.impl.consumer.ProcessQueue;
import org.apache.rocketmq.client.impl.factory.MQClientInstance;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.common.protocol.body.LockBatchRequestBody;
import org.apache.rocketmq.common.protocol.body.UnlockBatchRequestBody;

import rmq.compat.Driver;

/**
 * Orderly consumption ({@code MessageListenerOrderly}) with per-queue locks (LOCK_BATCH_MQ /
 * UNLOCK_BATCH_MQ), across a consumer restart.
 *
 * <p>{@code run <topic>}: 4 keys x 8 messages are sent in order, key k to queue k % 4.
 * Consumer A (orderly, new group) consumes them; the 4th message of key 1 is answered
 * SUSPEND_CURRENT_QUEUE_A_MOMENT once, so it is redelivered locally with reconsumeTimes 1
 * before anything after it. A shuts down (unlocking its queues); 4 x 8 more messages are
 * sent and consumer B (same group) consumes them. Per key the successfully consumed sequence
 * must be exactly 0..15. While B runs, raw LOCK_BATCH_MQ / UNLOCK_BATCH_MQ calls check the
 * broker's lock table: another client id gets none of B's queues, an intruder's unlock is
 * ignored, B's own id gets all of them.
 *
 * <p>RESULT keys: {@code a_received b_received b_old order_violations suspend_redelivered
 * suspend_reconsume_times a_locked b_locked intruder_locked intruder_after_unlock owner_relock}.
 *
 * <p>{@code poison <topic>}: an orderly consumer with {@code setMaxReconsumeTimes(1)} always
 * suspends on a "poison" message sent before an "after" message to the same queue. After its
 * second local attempt the client sends it back through its inner producer (SEND_MESSAGE to
 * %RETRY%group with RECONSUME_TIME / MAX_RECONSUME_TIMES), the broker puts it into
 * %DLQ%group, and "after" is consumed next. RESULT {@code poison_attempts after_received
 * dlq_poison dlq_reconsume_times dlq_seen_after_ms dlq_delayed dlq_delay_prop}.
 */
public final class Orderly {
    private Orderly() {
    }

    static final int KEYS = 4;
    static final int PER_PHASE = 8;

    public static void main(String[] args) {
        Driver.run("scenario.Orderly", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 2, "usage: run|poison <topic>");
                if ("poison".equals(a[0])) {
                    poison(a[1]);
                } else {
                    Orderly.run(a[1]);
                }
            }
        });
    }

    /** key -> successfully consumed sequence numbers, in consumption order. */
    static final Map<Integer, List<Integer>> SEQ = new ConcurrentHashMap<>();
    static final AtomicInteger SUSPENDED = new AtomicInteger();
    static final AtomicInteger SUSPEND_REDELIVERED = new AtomicInteger();
    static volatile int suspendReconsumeTimes = -1;

    static DefaultMQPushConsumer start(String group, String topic, final AtomicInteger received,
        final AtomicInteger old, final int phase) throws Exception {
        DefaultMQPushConsumer c = Scn.pushConsumer(group, "orderly" + phase);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener(new MessageListenerOrderly() {
            @Override
            public ConsumeOrderlyStatus consumeMessage(List<MessageExt> msgs, ConsumeOrderlyContext ctx) {
                for (MessageExt m : msgs) {
                    String[] p = Scn.str(m.getBody()).split("-");
                    int key = Integer.parseInt(p[0]);
                    int seq = Integer.parseInt(p[1]);
                    if (key == 1 && seq == 3) {
                        if (SUSPENDED.getAndIncrement() == 0) {
                            ctx.setSuspendCurrentQueueTimeMillis(300);
                            return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
                        }
                        SUSPEND_REDELIVERED.incrementAndGet();
                        suspendReconsumeTimes = m.getReconsumeTimes();
                    }
                    List<Integer> l = SEQ.get(key);
                    if (l == null) {
                        l = java.util.Collections.synchronizedList(new ArrayList<Integer>());
                        List<Integer> prev = ((ConcurrentHashMap<Integer, List<Integer>>) SEQ).putIfAbsent(key, l);
                        if (prev != null) {
                            l = prev;
                        }
                    }
                    l.add(seq);
                    received.incrementAndGet();
                    if (seq < phase * PER_PHASE) {
                        old.incrementAndGet();
                    }
                }
                return ConsumeOrderlyStatus.SUCCESS;
            }
        });
        c.start();
        return c;
    }

    static void sendPhase(DefaultMQProducer p, String topic, int phase) throws Exception {
        for (int s = phase * PER_PHASE; s < (phase + 1) * PER_PHASE; s++) {
            for (int k = 0; k < KEYS; k++) {
                Message m = new Message(topic, "T" + k, Scn.bytes(k + "-" + s));
                m.setKeys("key" + k);
                Scn.sendOrderly(p, m, k);
            }
        }
    }

    static int lockedQueues(DefaultMQPushConsumer c, String topic) {
        int n = 0;
        for (Map.Entry<MessageQueue, ProcessQueue> e : c.getDefaultMQPushConsumerImpl().getRebalanceImpl()
            .getProcessQueueTable().entrySet()) {
            if (e.getKey().getTopic().equals(topic) && e.getValue().isLocked()) {
                n++;
            }
        }
        return n;
    }

    static void run(String topic) throws Exception {
        String group = Driver.unique("rmq_compat_orderly_cg");
        DefaultMQProducer p = Scn.producer("orderly");
        final int phaseTotal = KEYS * PER_PHASE;
        sendPhase(p, topic, 0);

        final AtomicInteger aReceived = new AtomicInteger();
        final AtomicInteger aOld = new AtomicInteger();
        final DefaultMQPushConsumer a = start(group, topic, aReceived, aOld, 0);
        boolean aDone = Scn.await(60000, () -> aReceived.get() >= phaseTotal);
        Driver.result("a_received", aReceived.get());
        Driver.result("a_locked", lockedQueues(a, topic));
        Driver.check(aDone, "consumer A received " + aReceived.get() + "/" + phaseTotal);
        Thread.sleep(1500);
        a.shutdown();

        sendPhase(p, topic, 1);
        final AtomicInteger bReceived = new AtomicInteger();
        final AtomicInteger bOld = new AtomicInteger();
        final DefaultMQPushConsumer b = start(group, topic, bReceived, bOld, 1);
        boolean bDone = Scn.await(60000, () -> bReceived.get() >= phaseTotal);
        Thread.sleep(1500);
        Driver.result("b_received", bReceived.get());
        Driver.result("b_old", bOld.get());
        Driver.result("b_locked", lockedQueues(b, topic));

        // Raw lock calls against the broker's lock table.
        MQClientInstance f = b.getDefaultMQPushConsumerImpl().getmQClientFactory();
        Set<MessageQueue> mine = new HashSet<>();
        for (MessageQueue mq : b.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().keySet()) {
            if (mq.getTopic().equals(topic)) {
                mine.add(mq);
            }
        }
        String brokerName = mine.isEmpty() ? null : mine.iterator().next().getBrokerName();
        int intruderLocked = -1;
        int intruderAfterUnlock = -1;
        int ownerRelock = -1;
        if (brokerName != null) {
            FindBrokerResult fb = f.findBrokerAddressInSubscribe(brokerName, MixAll.MASTER_ID, true);
            LockBatchRequestBody lb = new LockBatchRequestBody();
            lb.setConsumerGroup(group);
            lb.setClientId("intruder@" + f.getClientId());
            lb.setMqSet(mine);
            intruderLocked = f.getMQClientAPIImpl().lockBatchMQ(fb.getBrokerAddr(), lb, 5000).size();
            UnlockBatchRequestBody ub = new UnlockBatchRequestBody();
            ub.setConsumerGroup(group);
            ub.setClientId("intruder@" + f.getClientId());
            ub.setMqSet(mine);
            f.getMQClientAPIImpl().unlockBatchMQ(fb.getBrokerAddr(), ub, 5000, false);
            intruderAfterUnlock = f.getMQClientAPIImpl().lockBatchMQ(fb.getBrokerAddr(), lb, 5000).size();
            LockBatchRequestBody own = new LockBatchRequestBody();
            own.setConsumerGroup(group);
            own.setClientId(f.getClientId());
            own.setMqSet(mine);
            ownerRelock = f.getMQClientAPIImpl().lockBatchMQ(fb.getBrokerAddr(), own, 5000).size();
        }
        Driver.result("intruder_locked", intruderLocked);
        Driver.result("intruder_after_unlock", intruderAfterUnlock);
        Driver.result("owner_relock", ownerRelock);
        b.shutdown();
        p.shutdown();

        int violations = 0;
        Map<Integer, String> seqs = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            List<Integer> l = SEQ.get(k);
            List<Integer> copy = l == null ? new ArrayList<Integer>() : new ArrayList<>(l);
            seqs.put(k, copy.toString());
            if (copy.size() != 2 * PER_PHASE) {
                violations++;
                continue;
            }
            for (int i = 0; i < copy.size(); i++) {
                if (copy.get(i) != i) {
                    violations++;
                    break;
                }
            }
        }
        Driver.result("sequences", seqs);
        Driver.result("order_violations", violations);
        Driver.result("suspend_redelivered", SUSPEND_REDELIVERED.get());
        Driver.result("suspend_reconsume_times", suspendReconsumeTimes);
        Driver.check(bDone, "consumer B received " + bReceived.get() + "/" + phaseTotal);
    }

    static void poison(String topic) throws Exception {
        String group = Driver.unique("rmq_compat_poison_cg");
        DefaultMQProducer p = Scn.producer("poison");
        Scn.sendOrderly(p, new Message(topic, "warm", Scn.bytes("warm")), 0);
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger after = new AtomicInteger();
        final long[] lastAttempt = {0};
        DefaultMQPushConsumer c = Scn.pushConsumer(group, "poison");
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setMaxReconsumeTimes(1);
        c.setSuspendCurrentQueueTimeMillis(200);
        c.subscribe(topic, "poison || after");
        c.registerMessageListener(new MessageListenerOrderly() {
            @Override
            public ConsumeOrderlyStatus consumeMessage(List<MessageExt> msgs, ConsumeOrderlyContext ctx) {
                for (MessageExt m : msgs) {
                    if ("poison".equals(Scn.str(m.getBody()))) {
                        attempts.incrementAndGet();
                        lastAttempt[0] = System.currentTimeMillis();
                        return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
                    }
                    if (attempts.get() > 0) {
                        after.incrementAndGet();
                    }
                }
                return ConsumeOrderlyStatus.SUCCESS;
            }
        });
        c.start();
        Scn.sendOrderly(p, new Message(topic, "poison", Scn.bytes("poison")), 0);
        Scn.sendOrderly(p, new Message(topic, "after", Scn.bytes("after")), 0);
        boolean done = Scn.await(40000, () -> after.get() >= 1);
        c.shutdown();

        String dlq = MixAll.getDLQTopic(group);
        org.apache.rocketmq.client.consumer.DefaultMQPullConsumer pc =
            new org.apache.rocketmq.client.consumer.DefaultMQPullConsumer(Driver.unique("rmq_compat_poison_reader"));
        pc.setNamesrvAddr(Driver.namesrv());
        pc.setInstanceName(Driver.unique("poisonreader"));
        pc.start();
        int dlqPoison = 0;
        int dlqReconsume = -1;
        long seenAfter = -1;
        String dlqDelayProp = null;
        long deadline = System.currentTimeMillis() + 50000;
        while (dlqPoison == 0 && System.currentTimeMillis() < deadline) {
            try {
                for (MessageQueue mq : pc.fetchSubscribeMessageQueues(dlq)) {
                    org.apache.rocketmq.client.consumer.PullResult r = pc.pull(mq, "*", 0, 32);
                    if (r.getMsgFoundList() != null) {
                        for (MessageExt m : r.getMsgFoundList()) {
                            if ("poison".equals(Scn.str(m.getBody()))) {
                                dlqPoison++;
                                dlqReconsume = m.getReconsumeTimes();
                                seenAfter = System.currentTimeMillis() - lastAttempt[0];
                                dlqDelayProp = m.getProperty("DELAY");
                            }
                        }
                    }
                }
            } catch (Exception e) {
                // route not there yet
            }
            if (dlqPoison == 0) {
                Thread.sleep(500);
            }
        }
        pc.shutdown();
        p.shutdown();
        Driver.result("poison_attempts", attempts.get());
        Driver.result("after_received", after.get());
        Driver.result("dlq_poison", dlqPoison);
        Driver.result("dlq_reconsume_times", dlqReconsume);
        Driver.result("dlq_seen_after_ms", seenAfter);
        // Java's handleRetryAndDLQ sets DELAY=0 on a map that is then replaced by the sent
        // properties, so the client's DELAY (3 + reconsumeTimes = level 4, 30 s) survives and
        // the DLQ copy goes through SCHEDULE_TOPIC_XXXX first.
        Driver.result("dlq_delayed", seenAfter >= 29500 ? 1 : 0);
        Driver.result("dlq_delay_prop", dlqDelayProp);
        Driver.check(done, "the message after the poison one was not consumed");
    }
}
