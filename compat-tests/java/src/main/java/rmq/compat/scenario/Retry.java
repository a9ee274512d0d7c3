package rmq.compat.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import rmq.compat.Driver;

/**
 * RECONSUME_LATER, retry topic and dead letter queue (CONSUMER_SEND_MSG_BACK).
 *
 * <p>{@code run <topic> <n>}: a push consumer with {@code setMaxReconsumeTimes(2)} answers
 * RECONSUME_LATER to everything. For n "later" messages it leaves the delay to the broker on
 * the first failure (level 3 + reconsumeTimes = 10 s) and asks for level 1 (1 s) afterwards,
 * so each is delivered with reconsumeTimes 0, 1, 2 (through %RETRY%group) and then lands in
 * %DLQ%group with reconsumeTimes 3. For 2 "direct" messages it asks for delay level -1,
 * which sends them to the DLQ at once. The DLQ is then read with a DefaultMQPullConsumer.
 *
 * <p>RESULT keys: {@code deliveries extra_deliveries reconsume_seq_ok first_retry_early
 * retry_topic_restored retry_prop msgid_stable direct_deliveries dlq_queues dlq_count
 * dlq_later dlq_later_reconsume3 dlq_direct dlq_direct_reconsume1 dlq_origin_id
 * dlq_retry_topic dlq_body_ok dlq_topic_ok}.
 */
public final class Retry {
    private Retry() {
    }

    public static void main(String[] args) {
        Driver.run("scenario.Retry", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 3 && "run".equals(a[0]), "usage: run <topic> <n>");
                Retry.run(a[1], Integer.parseInt(a[2]));
            }
        });
    }

    /** One delivery: reconsumeTimes, arrival, listener return time, topic, RETRY_TOPIC. */
    static final class Delivery {
        int reconsumeTimes;
        long at;
        long returnedAt;
        String topic;
        String retryTopicProp;
        String msgId;
    }

    static void run(String topic, int n) throws Exception {
        final String group = Driver.unique("rmq_compat_retry_cg");
        final Map<String, List<Delivery>> byBody = new ConcurrentHashMap<>();
        DefaultMQProducer p = Scn.producer("retry");
        Scn.send(p, new Message(topic, "warm", Scn.bytes("warm")));

        DefaultMQPushConsumer c = Scn.pushConsumer(group, "retry");
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setMaxReconsumeTimes(2);
        c.subscribe(topic, "later || direct");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                Delivery d = new Delivery();
                d.at = System.currentTimeMillis();
                d.reconsumeTimes = m.getReconsumeTimes();
                d.topic = m.getTopic();
                d.retryTopicProp = m.getProperty("RETRY_TOPIC");
                d.msgId = m.getMsgId();
                String body = Scn.str(m.getBody());
                List<Delivery> l = byBody.computeIfAbsent(body, k -> Collections.synchronizedList(new ArrayList<>()));
                if (body.startsWith("direct")) {
                    ctx.setDelayLevelWhenNextConsume(-1);
                } else if (m.getReconsumeTimes() > 0) {
                    ctx.setDelayLevelWhenNextConsume(1);
                }
                d.returnedAt = System.currentTimeMillis();
                l.add(d);
            }
            return ConsumeConcurrentlyStatus.RECONSUME_LATER;
        });
        c.start();

        final Map<String, String> ids = new ConcurrentHashMap<>(); // body -> uniq id
        for (int i = 0; i < n; i++) {
            String body = "later-" + i;
            SendResult r = Scn.send(p, new Message(topic, "later", Scn.bytes(body)));
            ids.put(body, r.getMsgId());
        }
        for (int i = 0; i < 2; i++) {
            String body = "direct-" + i;
            SendResult r = Scn.send(p, new Message(topic, "direct", Scn.bytes(body)));
            ids.put(body, r.getMsgId());
        }
        final int nn = n;
        boolean done = Scn.await(70000, () -> {
            int full = 0;
            for (Map.Entry<String, List<Delivery>> e : byBody.entrySet()) {
                if (e.getKey().startsWith("later") && e.getValue().size() >= 3) {
                    full++;
                }
            }
            return full >= nn;
        });
        Thread.sleep(4000); // anything beyond maxReconsumeTimes would show up now
        c.shutdown();

        int deliveries = 0;
        int extra = 0;
        int seqOk = 0;
        int firstRetryEarly = 0;
        int topicRestored = 0;
        int retryProp = 0;
        int msgIdStable = 0;
        int direct = 0;
        for (Map.Entry<String, List<Delivery>> e : byBody.entrySet()) {
            List<Delivery> l = new ArrayList<>(e.getValue());
            if (e.getKey().startsWith("direct")) {
                direct += l.size();
                continue;
            }
            deliveries += l.size();
            StringBuilder seq = new StringBuilder();
            for (Delivery d : l) {
                seq.append(d.reconsumeTimes);
                if (d.reconsumeTimes > 2) {
                    extra++;
                }
                if (d.reconsumeTimes > 0) {
                    if (topic.equals(d.topic)) {
                        topicRestored++;
                    }
                    if (topic.equals(d.retryTopicProp)) {
                        retryProp++;
                    }
                }
                if (d.msgId.equals(ids.get(e.getKey()))) {
                    msgIdStable++;
                }
            }
            if ("012".equals(seq.toString())) {
                seqOk++;
            }
            if (l.size() >= 2 && l.get(1).at - l.get(0).returnedAt < 10000) {
                firstRetryEarly++;
            }
        }
        Driver.result("deliveries", deliveries);
        Driver.result("extra_deliveries", extra);
        Driver.result("reconsume_seq_ok", seqOk);
        Driver.result("first_retry_early", firstRetryEarly);
        Driver.result("retry_topic_restored", topicRestored);
        Driver.result("retry_prop", retryProp);
        Driver.result("msgid_stable", msgIdStable);
        Driver.result("direct_deliveries", direct);

        // The dead letter queue.
        String dlq = MixAll.getDLQTopic(group);
        DefaultMQPullConsumer pc = new DefaultMQPullConsumer(Driver.unique("rmq_compat_dlq_reader"));
        pc.setNamesrvAddr(Driver.namesrv());
        pc.setInstanceName(Driver.unique("dlqreader"));
        pc.start();
        Set<MessageQueue> mqs = null;
        for (int i = 0; i < 40 && (mqs == null || mqs.isEmpty()); i++) {
            try {
                mqs = pc.fetchSubscribeMessageQueues(dlq);
            } catch (Exception e) {
                Thread.sleep(500);
            }
        }
        Driver.check(mqs != null && !mqs.isEmpty(), "no route for " + dlq);
        List<MessageExt> dl = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 20000;
        while (dl.size() < n + 2 && System.currentTimeMillis() < deadline) {
            dl.clear();
            for (MessageQueue mq : mqs) {
                long off = 0;
                while (true) {
                    PullResult r = pc.pull(mq, "*", off, 32);
                    if (r.getPullStatus() != PullStatus.FOUND) {
                        break;
                    }
                    dl.addAll(r.getMsgFoundList());
                    off = r.getNextBeginOffset();
                }
            }
            if (dl.size() < n + 2) {
                Thread.sleep(500);
            }
        }
        pc.shutdown();
        p.shutdown();
        int later = 0;
        int later3 = 0;
        int dir = 0;
        int dir1 = 0;
        int origin = 0;
        int retryTopic = 0;
        int bodyOk = 0;
        int topicOk = 0;
        for (MessageExt m : dl) {
            String body = Scn.str(m.getBody());
            if (ids.containsKey(body)) {
                bodyOk++;
            }
            if (body.startsWith("later")) {
                later++;
                if (m.getReconsumeTimes() == 3) {
                    later3++;
                }
            } else if (body.startsWith("direct")) {
                dir++;
                if (m.getReconsumeTimes() == 1) {
                    dir1++;
                }
            }
            String o = m.getProperty("ORIGIN_MESSAGE_ID");
            if (o != null && !o.isEmpty()) {
                origin++;
            }
            if (topic.equals(m.getProperty("RETRY_TOPIC"))) {
                retryTopic++;
            }
            if (dlq.equals(m.getTopic())) {
                topicOk++;
            }
        }
        Driver.result("dlq_queues", mqs.size());
        Driver.result("dlq_count", dl.size());
        Driver.result("dlq_later", later);
        Driver.result("dlq_later_reconsume3", later3);
        Driver.result("dlq_direct", dir);
        Driver.result("dlq_direct_reconsume1", dir1);
        Driver.result("dlq_origin_id", origin);
        Driver.result("dlq_retry_topic", retryTopic);
        Driver.result("dlq_body_ok", bodyOk);
        Driver.result("dlq_topic_ok", topicOk);
        Driver.check(done, "not every message was redelivered twice");
    }
}
