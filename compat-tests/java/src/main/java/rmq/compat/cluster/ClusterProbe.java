package rmq.compat.cluster;

import java.nio.ByteBuffer;
import java.util.List;

import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.impl.CommunicationMode;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.impl.consumer.PullResultExt;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.protocol.header.PullMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader;
import org.apache.rocketmq.common.sysflag.PullSysFlag;

import rmq.compat.Driver;

/**
 * Single requests to one broker address through the Java 4.9.7 client's
 * {@code MQClientAPIImpl} (no routing), to see exactly what a broker answers.
 *
 * <ul>
 *   <li>{@code send <addr> <brokerName> <topic>}: SEND_MESSAGE_V2; RESULT {@code send_code}
 *       (0 = a SendResult came back, with {@code send_status}) and {@code send_remark}.</li>
 *   <li>{@code pull <addr> <topic> <group> <queueId> <offset>}: PULL_MESSAGE with subscription
 *       {@code *}; RESULT {@code pull_status}, {@code pull_count}, {@code suggest} (the
 *       response's suggestWhichBrokerId), {@code next}, {@code min}, {@code max}, or
 *       {@code pull_code}/{@code pull_remark} on a broker error.</li>
 * </ul>
 */
public final class ClusterProbe {
    private ClusterProbe() {
    }

    public static void main(String[] args) {
        Driver.run("cluster.ClusterProbe", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 3, "usage: send <addr> <brokerName> <topic> | pull <addr> <topic> <group> <queueId> <offset>");
                DefaultMQProducer p = new DefaultMQProducer(Driver.unique("rmq_compat_probe_pg"));
                p.setNamesrvAddr(Driver.namesrv());
                p.setInstanceName(Driver.unique("probe"));
                p.start();
                try {
                    MQClientAPIImpl api = p.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
                    if ("send".equals(a[0])) {
                        send(api, p.getProducerGroup(), a[1], a[2], a[3]);
                    } else if ("pull".equals(a[0])) {
                        pull(api, a[1], a[2], a[3], Integer.parseInt(a[4]), Long.parseLong(a[5]));
                    } else {
                        throw new IllegalArgumentException("unknown mode " + a[0]);
                    }
                } finally {
                    p.shutdown();
                }
            }
        });
    }

    static void send(MQClientAPIImpl api, String group, String addr, String brokerName, String topic) throws Exception {
        Message m = new Message(topic, "probe", Bodies.body(1));
        SendMessageRequestHeader h = new SendMessageRequestHeader();
        h.setProducerGroup(group);
        h.setTopic(topic);
        h.setDefaultTopic("TBW102");
        h.setDefaultTopicQueueNums(4);
        h.setQueueId(0);
        h.setSysFlag(0);
        h.setBornTimestamp(System.currentTimeMillis());
        h.setFlag(0);
        h.setProperties(MessageDecoder.messageProperties2String(m.getProperties()));
        h.setReconsumeTimes(0);
        h.setUnitMode(false);
        h.setBatch(false);
        try {
            SendResult r = api.sendMessage(addr, brokerName, m, h, 5000, CommunicationMode.SYNC, null, null);
            Driver.result("send_code", 0);
            Driver.result("send_status", r.getSendStatus());
        } catch (MQBrokerException e) {
            Driver.result("send_code", e.getResponseCode());
            Driver.result("send_remark", String.valueOf(e.getErrorMessage()).replace('\n', ' '));
        }
    }

    static void pull(MQClientAPIImpl api, String addr, String topic, String group, int queueId, long offset)
        throws Exception {
        PullMessageRequestHeader h = new PullMessageRequestHeader();
        h.setConsumerGroup(group);
        h.setTopic(topic);
        h.setQueueId(queueId);
        h.setQueueOffset(offset);
        h.setMaxMsgNums(32);
        h.setSysFlag(PullSysFlag.buildSysFlag(false, false, true, false));
        h.setCommitOffset(0L);
        h.setSuspendTimeoutMillis(0L);
        h.setSubscription("*");
        h.setSubVersion(0L);
        h.setExpressionType("TAG");
        try {
            PullResult r = api.pullMessage(addr, h, 5000, CommunicationMode.SYNC, null);
            Driver.result("pull_status", r.getPullStatus());
            Driver.result("next", r.getNextBeginOffset());
            Driver.result("min", r.getMinOffset());
            Driver.result("max", r.getMaxOffset());
            int count = 0;
            if (r instanceof PullResultExt) {
                PullResultExt x = (PullResultExt) r;
                Driver.result("suggest", x.getSuggestWhichBrokerId());
                if (x.getMessageBinary() != null) {
                    List<MessageExt> msgs = MessageDecoder.decodes(ByteBuffer.wrap(x.getMessageBinary()));
                    count = msgs.size();
                }
            }
            Driver.result("pull_count", count);
        } catch (MQBrokerException e) {
            Driver.result("pull_code", e.getResponseCode());
            Driver.result("pull_remark", String.valueOf(e.getErrorMessage()).replace('\n', ' '));
        }
    }
}
