package rmq.compat.scenario;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.PullStatus;
import org.apache.rocketmq.client.consumer.store.RemoteBrokerOffsetStore;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

import rmq.compat.Driver;

/**
 * The pull-style consumers against the broker.
 *
 * <ul>
 *   <li>{@code pull <topic> <n>}: {@code DefaultMQPullConsumer}. n messages are sent (tags
 *   TagA/TagB alternating) in two halves separated by a pause; every queue is pulled from 0 in
 *   batches of 8 until NO_NEW_MSG; a TagA pull returns only TagA; min/max offsets;
 *   searchOffset (nearest store time) at the pause hits the first message of the second half
 *   in every queue;
 *   an offset written to the broker reads back. RESULT {@code queues received missing
 *   final_no_new_msg next_is_max tag_received tag_wrong min_zero max_sum search_ok
 *   offset_roundtrip fresh_offset}.</li>
 *   <li>{@code lite <topic> <n>}: {@code DefaultLitePullConsumer} with assign / seek / poll /
 *   commitSync, a re-seek inside one queue, a rejected seek past the end, and a second
 *   consumer of the group that starts at the committed offsets. RESULT {@code received
 *   missing committed_ok reseek_received reseek_other bad_seek_rejected b_old b_new}.</li>
 * </ul>
 */
public final class Pulls {
    private Pulls() {
    }

    public static void main(String[] args) {
        Driver.run("scenario.Pulls", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 3, "usage: pull|lite <topic> <n>");
                if ("pull".equals(a[0])) {
                    pull(a[1], Integer.parseInt(a[2]));
                } else if ("lite".equals(a[0])) {
                    lite(a[1], Integer.parseInt(a[2]));
                } else {
                    throw new IllegalArgumentException(a[0]);
                }
            }
        });
    }

    static String key(MessageQueue mq) {
        return mq.getTopic() + "/" + mq.getBrokerName() + "/" + mq.getQueueId();
    }

    static void pull(String topic, int n) throws Exception {
        DefaultMQProducer p = Scn.producer("pull");
        Map<String, String> sent = new HashMap<>(); // uniq id -> tag
        Map<String, Integer> firstHalfPerQueue = new HashMap<>();
        long pauseTs = 0;
        for (int i = 0; i < n; i++) {
            if (i == n / 2) {
                // searchOffset returns the entry nearest in store time: make the first
                // message of the second half the nearest one in every queue.
                Thread.sleep(3000);
                pauseTs = System.currentTimeMillis();
                Thread.sleep(300);
            }
            String tag = i % 2 == 0 ? "TagA" : "TagB";
            SendResult r = Scn.send(p, new Message(topic, tag, Scn.bytes("pull-" + i)));
            sent.put(r.getMsgId(), tag);
            if (i < n / 2) {
                Scn.inc((Map<String, Integer>) firstHalfPerQueue, key(r.getMessageQueue()));
            }
        }
        p.shutdown();

        String group = Driver.unique("rmq_compat_pull_cg");
        DefaultMQPullConsumer c = new DefaultMQPullConsumer(group);
        c.setNamesrvAddr(Driver.namesrv());
        c.setInstanceName(Driver.unique("pull"));
        c.start();
        Set<MessageQueue> mqs = c.fetchSubscribeMessageQueues(topic);
        Set<String> got = new HashSet<>();
        int finalNoNew = 0;
        int nextIsMax = 0;
        int minZero = 0;
        long maxSum = 0;
        int searchOk = 0;
        Map<String, String> search = new TreeMap<>();
        for (MessageQueue mq : mqs) {
            long off = 0;
            while (true) {
                PullResult r = c.pull(mq, "*", off, 8);
                if (r.getPullStatus() == PullStatus.FOUND) {
                    for (MessageExt m : r.getMsgFoundList()) {
                        got.add(m.getMsgId());
                    }
                    off = r.getNextBeginOffset();
                    continue;
                }
                if (r.getPullStatus() == PullStatus.NO_NEW_MSG) {
                    finalNoNew++;
                }
                long max = c.maxOffset(mq);
                if (r.getNextBeginOffset() == max) {
                    nextIsMax++;
                }
                break;
            }
            if (c.minOffset(mq) == 0) {
                minZero++;
            }
            maxSum += c.maxOffset(mq);
            long so = c.searchOffset(mq, pauseTs);
            Integer fh = firstHalfPerQueue.get(key(mq));
            long expect = fh == null ? 0 : fh;
            search.put(key(mq), so + "/" + expect);
            if (so == expect) {
                searchOk++;
            }
        }
        int tagReceived = 0;
        int tagWrong = 0;
        for (MessageQueue mq : mqs) {
            long off = 0;
            while (true) {
                PullResult r = c.pull(mq, "TagA", off, 32);
                if (r.getPullStatus() == PullStatus.FOUND) {
                    for (MessageExt m : r.getMsgFoundList()) {
                        if ("TagA".equals(m.getTags())) {
                            tagReceived++;
                        } else {
                            tagWrong++;
                        }
                    }
                }
                if (r.getPullStatus() == PullStatus.NO_NEW_MSG || r.getNextBeginOffset() <= off) {
                    break;
                }
                off = r.getNextBeginOffset();
            }
        }
        // Offsets: a fresh group reads 0 (in-memory queue), a written offset reads back.
        MessageQueue first = mqs.iterator().next();
        long fresh = c.fetchConsumeOffset(first, true);
        RemoteBrokerOffsetStore os = (RemoteBrokerOffsetStore) c.getDefaultMQPullConsumerImpl().getOffsetStore();
        os.updateConsumeOffsetToBroker(first, 3, false);
        long back = c.fetchConsumeOffset(first, true);
        c.shutdown();

        int missing = 0;
        for (String id : sent.keySet()) {
            if (!got.contains(id)) {
                missing++;
            }
        }
        Driver.result("queues", mqs.size());
        Driver.result("received", got.size());
        Driver.result("missing", missing);
        Driver.result("final_no_new_msg", finalNoNew);
        Driver.result("next_is_max", nextIsMax);
        Driver.result("tag_received", tagReceived);
        Driver.result("tag_wrong", tagWrong);
        Driver.result("min_zero", minZero);
        Driver.result("max_sum", maxSum);
        Driver.result("search", search);
        Driver.result("search_ok", searchOk);
        Driver.result("fresh_offset", fresh);
        Driver.result("offset_roundtrip", back);
    }

    static DefaultLitePullConsumer lite(String group, String instance) throws Exception {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer(group);
        c.setNamesrvAddr(Driver.namesrv());
        c.setInstanceName(Driver.unique(instance));
        c.setAutoCommit(false);
        c.setPollTimeoutMillis(1000);
        c.start();
        return c;
    }

    static void lite(String topic, int n) throws Exception {
        DefaultMQProducer p = Scn.producer("lite");
        Map<String, Integer> perQueue = new HashMap<>();
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < n; i++) {
            SendResult r = Scn.send(p, new Message(topic, "L", Scn.bytes("lite-" + i)));
            sent.add(r.getMsgId());
            Scn.inc(perQueue, key(r.getMessageQueue()));
        }
        String group = Driver.unique("rmq_compat_lite_cg");
        DefaultLitePullConsumer a = lite(group, "liteA");
        Collection<MessageQueue> mqs = a.fetchMessageQueues(topic);
        a.assign(mqs);
        for (MessageQueue mq : mqs) {
            a.seek(mq, 0);
        }
        Set<String> got = new HashSet<>();
        long deadline = System.currentTimeMillis() + 30000;
        while (!got.containsAll(sent) && System.currentTimeMillis() < deadline) {
            for (MessageExt m : a.poll(1000)) {
                got.add(m.getMsgId());
            }
        }
        a.commitSync();
        int committedOk = 0;
        for (MessageQueue mq : mqs) {
            Integer cnt = perQueue.get(key(mq));
            Long com = a.committed(mq);
            if (com != null && com == (cnt == null ? 0 : cnt)) {
                committedOk++;
            }
        }
        // Re-seek inside the fullest queue.
        MessageQueue fullest = null;
        int fullestCnt = -1;
        for (MessageQueue mq : mqs) {
            Integer cnt = perQueue.get(key(mq));
            if (cnt != null && cnt > fullestCnt) {
                fullest = mq;
                fullestCnt = cnt;
            }
        }
        a.seek(fullest, 1);
        int reseek = 0;
        int reseekOther = 0;
        deadline = System.currentTimeMillis() + 15000;
        while (reseek < fullestCnt - 1 && System.currentTimeMillis() < deadline) {
            for (MessageExt m : a.poll(1000)) {
                if (m.getQueueId() == fullest.getQueueId() && m.getQueueOffset() >= 1) {
                    reseek++;
                } else {
                    reseekOther++;
                }
            }
        }
        int badSeek = 0;
        try {
            a.seek(fullest, fullestCnt + 1);
        } catch (Exception e) {
            badSeek = 1;
        }
        a.shutdown();

        DefaultLitePullConsumer b = lite(group, "liteB");
        b.assign(b.fetchMessageQueues(topic));
        int bOld = 0;
        long end = System.currentTimeMillis() + 4000;
        while (System.currentTimeMillis() < end) {
            bOld += b.poll(500).size();
        }
        Set<String> fresh = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            fresh.add(Scn.send(p, new Message(topic, "L", Scn.bytes("lite-new-" + i))).getMsgId());
        }
        Set<String> bGot = new HashSet<>();
        deadline = System.currentTimeMillis() + 20000;
        while (!bGot.containsAll(fresh) && System.currentTimeMillis() < deadline) {
            for (MessageExt m : b.poll(1000)) {
                if (fresh.contains(m.getMsgId())) {
                    bGot.add(m.getMsgId());
                } else {
                    bOld++;
                }
            }
        }
        b.shutdown();
        p.shutdown();
        int missing = 0;
        for (String id : sent) {
            if (!got.contains(id)) {
                missing++;
            }
        }
        Driver.result("queues", mqs.size());
        Driver.result("received", got.size());
        Driver.result("missing", missing);
        Driver.result("committed_ok", committedOk);
        Driver.result("reseek_expected", fullestCnt - 1);
        Driver.result("reseek_received", reseek);
        Driver.result("reseek_other", reseekOther);
        Driver.result("bad_seek_rejected", badSeek);
        Driver.result("b_old", bOld);
        Driver.result("b_new", bGot.size());
    }
}
