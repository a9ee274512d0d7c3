package rmq.compat;

import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.protocol.route.QueueData;
import org.apache.rocketmq.common.protocol.route.TopicRouteData;

/**
 * Smallest scenario: start a producer against the name server and fetch the route of
 * the auto-create topic TBW102.
 *
 * <p>Prints {@code RESULT brokers=<number of brokers in the route>},
 * {@code RESULT writeQueues=<sum over queue datas>}.
 */
public final class Ping {
    private Ping() {
    }

    public static void main(String[] args) {
        Driver.run("Ping", args, new Driver.Body() {
            @Override
            public void run(String[] a) throws Exception {
                String topic = a.length > 0 ? a[0] : "TBW102";
                DefaultMQProducer producer = new DefaultMQProducer(Driver.unique("rmq_compat_ping"));
                producer.setNamesrvAddr(Driver.namesrv());
                producer.setInstanceName(Driver.unique("ping"));
                producer.start();
                try {
                    TopicRouteData route = producer.getDefaultMQProducerImpl().getmQClientFactory()
                        .getMQClientAPIImpl().getTopicRouteInfoFromNameServer(topic, 3000);
                    int writeQueues = 0;
                    for (QueueData q : route.getQueueDatas()) {
                        writeQueues += q.getWriteQueueNums();
                    }
                    Driver.result("brokers", route.getBrokerDatas().size());
                    Driver.result("writeQueues", writeQueues);
                } finally {
                    producer.shutdown();
                }
            }
        });
    }
}
