package rmq.compat.admin;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.MessageQueueSelector;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import rmq.compat.Driver;

/**
 * The clients behind the broker mqadmin diff test: a producer and a push consumer that stay
 * connected while the harness runs {@code consumerConnection}, {@code producerConnection},
 * {@code consumerProgress}, {@code resetOffsetByTime}, ... against the broker.
 *
 * <p>Usage: {@code AdminClients <topic> <producerGroup> <consumerGroup> <count> <stopFile>}.
 * Sends {@code count} messages (body {@code admin-body-<i>}, key {@code AdminKey-<i>}, tag
 * TagA for even i, TagB for odd i) to queue {@code i % 4}, printing {@code RESULT
 * uniq_<i>=<msgId>} and {@code RESULT offset_<i>=<offsetMsgId>}; then consumes them all
 * from the first offset (offsets committed every second), prints {@code RESULT ready=1},
 * and keeps both clients up, printing {@code CONSUMED <key>} for every delivery (so a
 * reset's redelivery can be seen), until {@code stopFile} exists.
 */
public final class AdminClients {
    private AdminClients() {
    }

    public static void main(String[] args) {
        Driver.run("admin.AdminClients", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                body(a[0], a[1], a[2], Integer.parseInt(a[3]), new File(a[4]));
            }
        });
    }

    static void body(String topic, String pg, String cg, int count, File stop) throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer(pg);
        producer.setNamesrvAddr(Driver.namesrv());
        producer.setInstanceName("adminclients_p");
        producer.setSendMsgTimeout(10000);
        producer.start();
        for (int i = 0; i < count; i++) {
            Message m = new Message(topic, i % 2 == 0 ? "TagA" : "TagB",
                ("admin-body-" + i).getBytes(StandardCharsets.UTF_8));
            m.setKeys("AdminKey-" + i);
            final int qid = i % 4;
            SendResult r = null;
            for (int attempt = 0; attempt < 20 && r == null; attempt++) {
                try {
                    r = producer.send(m, new MessageQueueSelector() {
                        @Override
                        public MessageQueue select(List<MessageQueue> mqs, Message msg, Object arg) {
                            for (MessageQueue q : mqs) {
                                if (q.getQueueId() == qid) {
                                    return q;
                                }
                            }
                            return mqs.get(0);
                        }
                    }, null);
                } catch (Exception e) {
                    Thread.sleep(500);
                }
            }
            Driver.check(r != null, "send " + i);
            Driver.result("uniq_" + i, r.getMsgId());
            Driver.result("offset_" + i, r.getOffsetMsgId());
            Driver.result("queue_" + i, r.getMessageQueue().getQueueId() + "@" + r.getQueueOffset());
        }

        final AtomicInteger consumed = new AtomicInteger();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(cg);
        consumer.setNamesrvAddr(Driver.namesrv());
        consumer.setInstanceName("adminclients_c");
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setPersistConsumerOffsetInterval(1000);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs, ConsumeConcurrentlyContext ctx) {
                for (MessageExt m : msgs) {
                    System.out.println("CONSUMED " + m.getKeys());
                    consumed.incrementAndGet();
                }
                System.out.flush();
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });
        consumer.start();
        Driver.result("client_id", consumer.buildMQClientId());
        long deadline = System.currentTimeMillis() + 90_000;
        while (consumed.get() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Driver.check(consumed.get() >= count, "consumed " + consumed.get() + " of " + count);
        // let the 1 s offset persistence reach the broker
        Thread.sleep(2500);
        Driver.result("ready", 1);
        while (!stop.exists()) {
            Thread.sleep(200);
        }
        consumer.shutdown();
        producer.shutdown();
        Driver.result("consumed_total", consumed.get());
    }
}
