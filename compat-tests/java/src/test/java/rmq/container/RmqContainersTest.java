package rmq.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A RocketMQ 4.9.7 namesrv + broker for tests, from the rmq image (a drop-in for
 * {@code apache/rocketmq:4.9.x}) with Testcontainers' {@link GenericContainer}. This is the
 * example a Java team copies into its own suite; only the image name changes from the official
 * image, the commands ({@code sh mqnamesrv}, {@code sh mqbroker -n ... -c ...}) are the same.
 *
 * <p>Both containers use host networking, so the broker advertises {@code brokerIP1=127.0.0.1}
 * and the clients in this JVM reach it with no port mapping (a broker's route carries its own
 * address, so mapped ports would not work without {@code brokerIP1}/{@code listenPort} tricks).
 * Ports are picked free at random, so suites can run in parallel.
 *
 * <p>Run: {@code mvn -f compat-tests/java/pom.xml -Pcontainers -Dtest=RmqContainersTest
 * compiler:testCompile surefire:test} (image from {@code docker/build.sh}; {@code -Drmq.image}
 * selects another tag). Where no registry is reachable set {@code TESTCONTAINERS_RYUK_DISABLED=true}
 * (the containers are stopped in {@link #stopCluster()} anyway).
 */
class RmqContainersTest {
    static final String IMAGE = System.getProperty("rmq.image", "rmq:4.9.7");
    /** ROCKETMQ_HOME inside the image (same layout as the official image). */
    static final String HOME = "/home/rocketmq/rocketmq-4.9.7";

    static GenericContainer<?> namesrv;
    static GenericContainer<?> broker;
    static String namesrvAddr;
    static int brokerPort;

    @BeforeAll
    static void startCluster() {
        int nsPort = freePort(0);
        brokerPort = freePort(2); // the broker also listens on port-2 (VIP) and port+1 (HA)
        namesrvAddr = "127.0.0.1:" + nsPort;

        namesrv = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withNetworkMode("host")
                .withCopyToContainer(Transferable.of("listenPort=" + nsPort + "\n"),
                        HOME + "/conf/namesrv-it.properties")
                .withCommand("sh", "mqnamesrv", "-c", HOME + "/conf/namesrv-it.properties")
                .waitingFor(Wait.forLogMessage(".*The Name Server boot success.*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(60)));
        namesrv.start();

        String brokerConf = String.join("\n",
                "brokerClusterName=DefaultCluster",
                "brokerName=broker-a",
                "brokerId=0",
                "deleteWhen=04",
                "fileReservedTime=48",
                "brokerRole=ASYNC_MASTER",
                "flushDiskType=ASYNC_FLUSH",
                "listenPort=" + brokerPort,
                "brokerIP1=127.0.0.1",
                "autoCreateTopicEnable=true",
                "");
        broker = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withNetworkMode("host")
                .withEnv("JAVA_OPT_EXT", "-Xms512M -Xmx512M -Xmn128m") // accepted, ignored
                .withCopyToContainer(Transferable.of(brokerConf), HOME + "/conf/broker-it.conf")
                .withCommand("sh", "mqbroker", "-n", namesrvAddr, "-c", HOME + "/conf/broker-it.conf")
                .waitingFor(Wait.forLogMessage(".*The broker\\[.*boot success.*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(90)));
        broker.start();
        log("namesrv " + namesrvAddr + " and broker 127.0.0.1:" + brokerPort + " up (image " + IMAGE + ")");
    }

    @AfterAll
    static void stopCluster() {
        if (broker != null) {
            broker.stop();
        }
        if (namesrv != null) {
            namesrv.stop();
        }
    }

    /** What a team's own test looks like: a producer and a push consumer in the test JVM. */
    @Test
    void producerAndPushConsumerInProcess() throws Exception {
        final String topic = "ContainerIT";
        final int n = 100;
        DefaultMQProducer producer = new DefaultMQProducer("rmq_container_it_pg");
        producer.setNamesrvAddr(namesrvAddr);
        producer.setInstanceName("container-it-" + System.nanoTime());
        producer.setSendMsgTimeout(10_000);
        producer.start();
        Set<String> sent = new HashSet<>();
        try {
            for (int i = 0; i < n; i++) {
                String body = "hello container " + i;
                SendResult r = producer.send(new Message(topic, "TagA", body.getBytes(StandardCharsets.UTF_8)));
                assertEquals(SendStatus.SEND_OK, r.getSendStatus(), r.toString());
                sent.add(body);
            }
        } finally {
            producer.shutdown();
        }

        final Set<String> received = ConcurrentHashMap.newKeySet();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("rmq_container_it_cg");
        consumer.setNamesrvAddr(namesrvAddr);
        consumer.setInstanceName("container-it-" + System.nanoTime());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                received.add(new String(m.getBody(), StandardCharsets.UTF_8));
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!received.containsAll(sent) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            consumer.shutdown();
        }
        assertTrue(received.containsAll(sent), "received " + received.size() + " of " + n);
        log("in-process producer/consumer: " + n + " sent, " + received.size() + " received");
    }

    /**
     * The unmodified official quickstart Producer (1000 sync sends to TopicTest) and Consumer,
     * then the harness's broker.SendModes scenario driver, each in its own JVM.
     */
    @Test
    void officialQuickstartAndScenarioDriver() throws Exception {
        Path work = Files.createTempDirectory("rmq-container-it-");

        Path producerOut = work.resolve("producer.out");
        Process producer = startJava("org.apache.rocketmq.example.quickstart.Producer", work, producerOut);
        assertTrue(producer.waitFor(180, TimeUnit.SECONDS), "quickstart Producer still running after 180 s");
        String produced = read(producerOut);
        int sendOk = count(produced, "sendStatus=SEND_OK");
        assertEquals(1000, sendOk, "SEND_OK count; producer output tail:\n" + tail(produced));

        Path consumerOut = work.resolve("consumer.out");
        Process consumer = startJava("org.apache.rocketmq.example.quickstart.Consumer", work, consumerOut);
        Set<String> msgIds = Collections.emptySet();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                msgIds = distinctMsgIds(read(consumerOut));
                if (msgIds.size() >= 1000 || !consumer.isAlive()) {
                    break;
                }
                Thread.sleep(200);
            }
        } finally {
            consumer.destroyForcibly();
        }
        assertEquals(1000, msgIds.size(), "distinct msgIds received; consumer output tail:\n" + tail(read(consumerOut)));
        log("quickstart: " + sendOk + " SEND_OK, " + msgIds.size() + " distinct messages received");

        Path driverOut = work.resolve("sendmodes.out");
        Process driver = startJava("rmq.compat.broker.SendModes", work, driverOut,
                "-Drmq.compat.timeoutMs=150000", "all", "ContainerSendModesJava", "20");
        assertTrue(driver.waitFor(170, TimeUnit.SECONDS), "SendModes driver still running after 170 s");
        String results = read(driverOut);
        assertEquals(0, driver.exitValue(), "SendModes driver failed:\n" + tail(results));
        for (String want : Arrays.asList("RESULT sync_ok=20", "RESULT async_ok=20", "RESULT batch_ok=20",
                "RESULT expected=80", "RESULT received=80", "RESULT missing=0", "RESULT bad_body=0",
                "RESULT tag_wrong=0")) {
            assertTrue(results.contains(want), "missing `" + want + "` in driver output:\n" + tail(results));
        }
        log("SendModes driver passed");
    }

    // ---------------------------------------------------------------------------------------

    static void log(String s) {
        System.out.println("[rmq-container] " + s);
    }

    /**
     * A free port p (with p-span..p+1 free too when span > 0), from 20000..32000 so it is not an
     * ephemeral port a client connection could take meanwhile.
     */
    static int freePort(int span) {
        Random rnd = new Random();
        for (int attempt = 0; attempt < 2000; attempt++) {
            int p = 20000 + span + rnd.nextInt(12000 - span - 2);
            boolean ok = true;
            for (int q = p - span; q <= p + (span > 0 ? 1 : 0) && ok; q++) {
                ok = isFree(q);
            }
            if (ok) {
                return p;
            }
        }
        throw new IllegalStateException("no free port");
    }

    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code java -cp target/classes:target/lib/* <main> <args>} with the namesrv address set. */
    static Process startJava(String mainClass, Path work, Path out, String... args) throws IOException {
        Path base = Paths.get(System.getProperty("basedir", ".")).toAbsolutePath();
        String cp = base.resolve("target").resolve("classes") + File.pathSeparator
                + base.resolve("target").resolve("lib") + File.separator + "*";
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
                "-Duser.home=" + work,
                "-Drocketmq.client.logRoot=" + work.resolve("logs"),
                "-Drocketmq.namesrv.addr=" + namesrvAddr));
        List<String> mainArgs = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("-D")) {
                cmd.add(a);
            } else {
                mainArgs.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add(mainClass);
        cmd.addAll(mainArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("NAMESRV_ADDR", namesrvAddr);
        return pb.start();
    }

    static String read(Path p) throws IOException {
        return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    private static final Pattern MSG_ID = Pattern.compile("MessageExt \\[[^\\n]*?\\bmsgId=([0-9A-Fa-f]+)");

    /** Distinct {@code msgId=} values of the {@code MessageExt [...]} records the Consumer printed. */
    static Set<String> distinctMsgIds(String text) {
        Set<String> ids = new HashSet<>();
        for (String part : text.split("(?=MessageExt \\[)")) {
            Matcher m = MSG_ID.matcher(part);
            if (m.find()) {
                ids.add(m.group(1));
            }
        }
        return ids;
    }

    static String tail(String text) {
        String[] lines = text.split("\n");
        int from = Math.max(0, lines.length - 40);
        return String.join("\n", Arrays.asList(lines).subList(from, lines.length));
    }
}
