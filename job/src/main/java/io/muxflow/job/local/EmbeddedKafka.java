package io.muxflow.job.local;

import io.muxflow.job.KafkaClients;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, its data in a
 * work directory deleted on close. Used by {@code bin/muxflow local} and the integration tests.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start(Path workDir) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBaseDirectory(workDir).build();
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                // one broker: internal topics must not ask for three replicas
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("transaction.max.timeout.ms", "900000")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("num.io.threads", String.valueOf(ioThreads(cores)))
                .setConfigProp("num.network.threads", String.valueOf(networkThreads(cores)))
                .setDeleteOnClose(true).build();
        // the test kit prints its bootstrap metadata on stdout; keep the user's terminal for muxflow
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            kit.format();
        } finally {
            System.setOut(stdout);
        }
        kit.startup();
        kit.waitForReadyBrokers();
        return new EmbeddedKafka(kit);
    }

    /**
     * Request handler threads: Kafka's default of 8 on a machine of 2 cores only adds runnable
     * threads next to the serving path's (docs/BENCHMARKS.md measured 5% less process CPU with 2).
     */
    static int ioThreads(int cores) {
        return Math.max(2, Math.min(8, cores));
    }

    /** Network threads: Kafka's default of 3 where there are 6 cores or more, fewer below. */
    static int networkThreads(int cores) {
        return Math.max(1, Math.min(3, cores / 2));
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Admin admin() {
        return KafkaClients.admin(bootstrapServers(), new Properties());
    }

    /** Creates topics (name -> partitions) that do not exist yet. */
    public void createTopics(Map<String, Integer> topics) throws Exception {
        try (Admin admin = admin()) {
            try {
                admin.createTopics(Topics.newTopics(topics, (short) 1)).all().get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
