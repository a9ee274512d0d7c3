package rmq.compat.broker;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.MessageQueueSelector;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import rmq.compat.Driver;

/**
 * Queue/offset/query operations of the Java client against one broker, printed as RESULT
 * lines so the harness can compare the Java broker's answers with ours key by key:
 * GET_MAX/MIN_OFFSET, GET_EARLIEST_MSG_STORETIME, SEARCH_OFFSET_BY_TIMESTAMP,
 * VIEW_MESSAGE_BY_ID, QUERY_MESSAGE (by key and by unique key), PULL_MESSAGE with a
 * subscription expression (tag filter, offset overflow, empty queue, unknown tag) and
 * UPDATE/QUERY_CONSUMER_OFFSET.
 *
 * <p>Usage: {@code QueryOps <topic>}. Sends 10 messages to queue 0 with keys {@code k-<i>} and
 * tags TagA (even i) / TagB (odd i).
 */
public final class QueryOps {
    private QueryOps() {
    }

    public static void main(String[] args) {
        Driver.run("broker.QueryOps", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                body(a.length > 0 ? a[0] : "QueryOpsTopic");
            }
        });
    }

    static void body(String topic) throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer(Driver.unique("rmq_compat_queryops_pg"));
        producer.setNamesrvAddr(Driver.namesrv());
        producer.setInstanceName(Driver.unique("queryops"));
        producer.setSendMsgTimeout(10000);
        producer.start();
        DefaultMQPullConsumer pull = new DefaultMQPullConsumer(Driver.unique("rmq_compat_queryops_cg"));
        pull.setNamesrvAddr(Driver.namesrv());
        pull.setInstanceName(Driver.unique("queryops_c"));
        pull.start();
        try {
            long t0 = System.currentTimeMillis();
            SendResult first = null;
            SendResult third = null;
            String brokerName = null;
            for (int i = 0; i < 10; i++) {
                Message m = new Message(topic, i % 2 == 0 ? "TagA" : "TagB", ("body-" + i).getBytes(StandardCharsets.UTF_8));
                m.setKeys("k-" + i);
                SendResult r = null;
                for (int attempt = 0; attempt < 10 && r == null; attempt++) {
                    try {
                        r = producer.send(m, new MessageQueueSelector() {
                            @Override
                            public MessageQueue select(List<MessageQueue> mqs, Message msg, Object arg) {
                                for (MessageQueue q : mqs) {
                                    if (q.getQueueId() == 0) {
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
                Driver.result("send_" + i + "_status", r.getSendStatus());
                Driver.result("send_" + i + "_queue", r.getMessageQueue().getQueueId());
                Driver.result("send_" + i + "_offset", r.getQueueOffset());
                brokerName = r.getMessageQueue().getBrokerName();
                if (i == 0) {
                    first = r;
                }
                if (i == 3) {
                    third = r;
                }
            }
            long t1 = System.currentTimeMillis();
            MessageQueue mq = new MessageQueue(topic, brokerName, 0);
            MessageQueue empty = new MessageQueue(topic, brokerName, 3);

            Driver.result("max_offset", producer.maxOffset(mq));
            Driver.result("min_offset", producer.minOffset(mq));
            Driver.result("max_offset_empty_queue", producer.maxOffset(empty));
            long earliest = producer.earliestMsgStoreTime(mq);
            Driver.result("earliest_in_range", earliest >= t0 - 1000 && earliest <= t1 + 1000);
            Driver.result("earliest_empty_queue", producer.earliestMsgStoreTime(empty));
            Driver.result("search_before", producer.searchOffset(mq, t0 - 60_000));
            Driver.result("search_after", producer.searchOffset(mq, t1 + 60_000));

            MessageExt viewed = producer.viewMessage(first.getOffsetMsgId());
            Driver.result("view_body", new String(viewed.getBody(), StandardCharsets.UTF_8));
            Driver.result("view_topic", viewed.getTopic());
            Driver.result("view_keys", viewed.getKeys());
            Driver.result("view_queue_offset", viewed.getQueueOffset());
            Driver.result("view_cluster_prop", viewed.getProperty("CLUSTER") != null);
            Driver.result("view_wait_prop", viewed.getProperty("WAIT"));

            QueryResult q = null;
            for (int i = 0; i < 20; i++) {
                q = producer.queryMessage(topic, "k-3", 32, t0 - 60_000, t1 + 60_000);
                if (!q.getMessageList().isEmpty()) {
                    break;
                }
                Thread.sleep(250);
            }
            Driver.result("query_key_count", q.getMessageList().size());
            Driver.result("query_key_body", new String(q.getMessageList().get(0).getBody(), StandardCharsets.UTF_8));
            MessageExt byUniq = producer.viewMessage(topic, third.getMsgId());
            Driver.result("uniq_body", new String(byUniq.getBody(), StandardCharsets.UTF_8));

            PullResult pa = pull.pull(mq, "TagA", 0, 32);
            Driver.result("pull_taga_status", pa.getPullStatus());
            Driver.result("pull_taga_count", pa.getMsgFoundList() == null ? 0 : pa.getMsgFoundList().size());
            Driver.result("pull_taga_next", pa.getNextBeginOffset());
            Driver.result("pull_taga_max", pa.getMaxOffset());
            PullResult pAll = pull.pull(mq, "*", 2, 3);
            Driver.result("pull_all_status", pAll.getPullStatus());
            Driver.result("pull_all_count", pAll.getMsgFoundList() == null ? 0 : pAll.getMsgFoundList().size());
            Driver.result("pull_all_next", pAll.getNextBeginOffset());
            Driver.result("pull_all_first_body", new String(pAll.getMsgFoundList().get(0).getBody(), StandardCharsets.UTF_8));
            PullResult pEnd = pull.pull(mq, "*", 10, 32);
            Driver.result("pull_end_status", pEnd.getPullStatus());
            Driver.result("pull_end_next", pEnd.getNextBeginOffset());
            PullResult pBad = pull.pull(mq, "*", 50, 32);
            Driver.result("pull_overflow_status", pBad.getPullStatus());
            Driver.result("pull_overflow_next", pBad.getNextBeginOffset());
            PullResult pNone = pull.pull(mq, "TagC", 0, 32);
            Driver.result("pull_nomatch_status", pNone.getPullStatus());
            Driver.result("pull_nomatch_next", pNone.getNextBeginOffset());
            PullResult pEmpty = pull.pull(empty, "*", 0, 32);
            Driver.result("pull_empty_status", pEmpty.getPullStatus());
            Driver.result("pull_empty_next", pEmpty.getNextBeginOffset());
            PullResult pEmptyMoved = pull.pull(empty, "*", 5, 32);
            Driver.result("pull_empty_moved_status", pEmptyMoved.getPullStatus());
            Driver.result("pull_empty_moved_next", pEmptyMoved.getNextBeginOffset());

            Driver.result("offset_before_commit", pull.fetchConsumeOffset(mq, true));
            pull.updateConsumeOffset(mq, 7);
            pull.getOffsetStore().persist(mq);
            Thread.sleep(500);
            Driver.result("offset_after_commit", pull.fetchConsumeOffset(mq, true));
        } finally {
            pull.shutdown();
            producer.shutdown();
        }
    }
}
