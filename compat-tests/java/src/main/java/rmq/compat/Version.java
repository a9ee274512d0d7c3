package rmq.compat;

/** Trivial class proving the harness compiles our own Java sources. */
public final class Version {
    private Version() {
    }

    public static void main(String[] args) {
        System.out.println("RESULT harness=rmq-compat");
        System.out.println("RESULT rocketmq=" + org.apache.rocketmq.common.MQVersion.getVersionDesc(
            org.apache.rocketmq.common.MQVersion.CURRENT_VERSION));
    }
}
