package rmq.compat.scenario;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.impl.consumer.ProcessQueue;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.MessageQueueSelector;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageQueue;

import rmq.compat.Driver;

/** Helpers shared by the broker scenario drivers of this package. */
final class Scn {
    private Scn() {
    }

    static DefaultMQProducer producer(String prefix) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(Driver.unique(prefix + "_pg"));
        p.setNamesrvAddr(Driver.namesrv());
        p.setInstanceName(Driver.unique(prefix + "_p"));
        p.setSendMsgTimeout(10000);
        p.setRetryTimesWhenSendFailed(4);
        p.start();
        return p;
    }

    static DefaultMQPushConsumer pushConsumer(String group, String instance) {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(Driver.namesrv());
        c.setInstanceName(Driver.unique(instance));
        c.setPollNameServerInterval(1000);
        c.setHeartbeatBrokerInterval(2000);
        c.setPersistConsumerOffsetInterval(1000);
        return c;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Sync send, retried while a new topic's route is propagating. */
    static SendResult send(DefaultMQProducer p, Message m) throws Exception {
        Exception last = null;
        for (int i = 0; i < 20; i++) {
            try {
                SendResult r = p.send(m);
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    return r;
                }
                last = new IllegalStateException("send status " + r.getSendStatus());
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw last;
    }

    /** Sync send to the queue chosen by {@code key % queues}. */
    static SendResult sendOrderly(DefaultMQProducer p, Message m, int key) throws Exception {
        Exception last = null;
        MessageQueueSelector sel = new MessageQueueSelector() {
            @Override
            public MessageQueue select(List<MessageQueue> mqs, Message msg, Object arg) {
                return mqs.get(((Integer) arg) % mqs.size());
            }
        };
        for (int i = 0; i < 20; i++) {
            try {
                SendResult r = p.send(m, sel, key);
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    return r;
                }
                last = new IllegalStateException("send status " + r.getSendStatus());
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw last;
    }

    /** Poll {@code cond} every 100 ms for up to {@code ms}; its final value. */
    static boolean await(long ms, BooleanSupplier cond) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return cond.getAsBoolean();
    }

    /** The non-retry queues a push consumer currently owns (its rebalance result). */
    static int ownedQueues(DefaultMQPushConsumer c, String topic) {
        Map<MessageQueue, ProcessQueue> t = c.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable();
        int n = 0;
        for (MessageQueue mq : t.keySet()) {
            if (mq.getTopic().equals(topic)) {
                n++;
            }
        }
        return n;
    }

    static Map<String, Integer> counter() {
        return new ConcurrentHashMap<String, Integer>();
    }

    static void inc(Map<String, Integer> m, String k) {
        synchronized (m) {
            m.merge(k, 1, Integer::sum);
        }
    }
}
