package rmq.compat.cluster;

import java.io.BufferedWriter;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;

import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageClientIDSetter;

import rmq.compat.Driver;

/**
 * Producer of the cluster scenarios (Java 4.9.7 client, unmodified): sync sends of
 * {@link Bodies} to a topic, every outcome logged to an id file, one line per message and
 * flushed at once (the file stays usable if the driver is killed):
 * {@code <index> <SEND_STATUS|FAILED> <msgId|uniqKey|-> <brokerName|-> <queueId|-> <queueOffset|-> [error]}
 * (a FAILED line carries the message's uniq key: it may have been stored all the same).
 * The producer polls the name server every 5 s.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code fixed <topic> <n> <idfile> [retries] [delayLevel]}: n sends (with a delay
 *       level: delayed messages).</li>
 *   <li>{@code loop <topic> <stopfile> <idfile> <max> [retries] [pauseMs]}: send until
 *       {@code stopfile} exists or {@code max} messages were sent, pausing {@code pauseMs}
 *       between sends (the kill -9 scenarios).</li>
 * </ul>
 * RESULT keys: {@code sent}, one count per outcome ({@code SEND_OK}, {@code FLUSH_DISK_TIMEOUT},
 * {@code FLUSH_SLAVE_TIMEOUT}, {@code SLAVE_NOT_AVAILABLE}, {@code FAILED}), {@code statuses}
 * (the outcome sequence, run-length encoded, e.g. {@code SEND_OK*10,SLAVE_NOT_AVAILABLE*2}),
 * {@code brokers} (SEND_OK count per broker name).
 */
public final class ClusterProducer {
    private ClusterProducer() {
    }

    static int delayLevel = 0;

    public static void main(String[] args) {
        Driver.run("cluster.ClusterProducer", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                Driver.check(a.length >= 4, "usage: fixed <topic> <n> <idfile> | loop <topic> <stopfile> <idfile> <max>");
                String topic = a[1];
                if ("fixed".equals(a[0])) {
                    int retries = a.length > 4 ? Integer.parseInt(a[4]) : 2;
                    delayLevel = a.length > 5 ? Integer.parseInt(a[5]) : 0;
                    produce(topic, Long.parseLong(a[2]), null, a[3], retries, 0);
                } else if ("loop".equals(a[0])) {
                    int retries = a.length > 5 ? Integer.parseInt(a[5]) : 2;
                    long pause = a.length > 6 ? Long.parseLong(a[6]) : 0;
                    produce(topic, Long.parseLong(a[4]), a[2], a[3], retries, pause);
                } else {
                    throw new IllegalArgumentException("unknown mode " + a[0]);
                }
            }
        });
    }

    static void produce(String topic, long max, String stopFile, String idFile, int retries, long pauseMs)
        throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer(Driver.unique("rmq_compat_cluster_pg"));
        producer.setNamesrvAddr(Driver.namesrv());
        producer.setInstanceName(Driver.unique("cluster"));
        producer.setSendMsgTimeout(5000);
        producer.setRetryTimesWhenSendFailed(retries);
        producer.setPollNameServerInterval(5000);
        producer.start();
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, Integer> brokers = new TreeMap<>();
        StringBuilder seq = new StringBuilder();
        String runStatus = null;
        int runLen = 0;
        long sent = 0;
        try (BufferedWriter w = Files.newBufferedWriter(Paths.get(idFile), StandardCharsets.UTF_8)) {
            for (long i = 0; i < max; i++) {
                if (stopFile != null && new File(stopFile).exists()) {
                    break;
                }
                Message m = new Message(topic, "T" + (i % 4), Bodies.body(i));
                m.setKeys("k" + i);
                if (delayLevel > 0) {
                    m.setDelayTimeLevel(delayLevel);
                }
                String status;
                String line;
                try {
                    SendResult r = producer.send(m);
                    status = r.getSendStatus().name();
                    line = i + " " + status + " " + r.getMsgId() + " " + r.getMessageQueue().getBrokerName()
                        + " " + r.getMessageQueue().getQueueId() + " " + r.getQueueOffset();
                    if ("SEND_OK".equals(status)) {
                        brokers.merge(r.getMessageQueue().getBrokerName(), 1, Integer::sum);
                    }
                } catch (Exception e) {
                    status = "FAILED";
                    // the uniq key was set before the first attempt: a failed send may still
                    // have been stored (response lost), so keep it to explain such deliveries
                    String uniq = MessageClientIDSetter.getUniqID(m);
                    line = i + " FAILED " + (uniq == null ? "-" : uniq) + " - - - "
                        + String.valueOf(e).replace('\n', ' ');
                    Thread.sleep(100);
                }
                w.write(line);
                w.newLine();
                w.flush();
                sent++;
                counts.merge(status, 1, Integer::sum);
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs);
                }
                if (status.equals(runStatus)) {
                    runLen++;
                } else {
                    if (runStatus != null) {
                        seq.append(seq.length() > 0 ? "," : "").append(runStatus).append('*').append(runLen);
                    }
                    runStatus = status;
                    runLen = 1;
                }
            }
        } finally {
            producer.shutdown();
        }
        if (runStatus != null) {
            seq.append(seq.length() > 0 ? "," : "").append(runStatus).append('*').append(runLen);
        }
        Driver.result("sent", sent);
        for (String s : new String[] {"SEND_OK", "FLUSH_DISK_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "SLAVE_NOT_AVAILABLE", "FAILED"}) {
            Driver.result(s, counts.getOrDefault(s, 0));
        }
        Driver.result("statuses", seq);
        Driver.result("brokers", brokers);
    }
}
