package io.muxflow.job.local;

import io.muxflow.job.KafkaClients;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM, its data in a
 * work directory deleted on close. Used by {@code bin/muxflow local} and the integration tests.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** The SASL broker's super user, over PLAIN: the broker's own connections and {@link #admin()}. */
    public static final String SUPER_USER = JaasUtils.KAFKA_PLAIN_ADMIN;

    private final KafkaClusterTestKit cluster;
    private final Properties adminProperties;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Properties adminProperties) {
        this.cluster = cluster;
        this.adminProperties = adminProperties;
    }

    public static EmbeddedKafka start(Path workDir) throws Exception {
        return start(workDir, false);
    }

    /**
     * A broker that authenticates every client with SASL and authorizes every request with KRaft's
     * StandardAuthorizer (nothing is allowed that no ACL allows). Clients log in with SCRAM-SHA-256
     * as users {@link #addScramUser} creates; the broker itself and {@link #admin()} use PLAIN as the
     * super user {@value #SUPER_USER} (SCRAM users live in the cluster's metadata, so someone must
     * be able to log in before the first one exists).
     */
    public static EmbeddedKafka startWithSasl(Path workDir) throws Exception {
        return start(workDir, true);
    }

    private static EmbeddedKafka start(Path workDir, boolean sasl) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        TestKitNodes.Builder nodeBuilder = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).setBaseDirectory(workDir);
        if (sasl) {
            nodeBuilder.setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT);
        }
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodeBuilder.build());
        if (sasl) {
            // the kit adds StandardAuthorizer, no access without an ACL, the super user and its JAAS file
            builder.setConfigProp("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256");
        }
        KafkaClusterTestKit kit = builder
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
        Properties admin = new Properties();
        if (sasl) {
            admin.putAll(saslClient("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule", SUPER_USER,
                    JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD));
        }
        return new EmbeddedKafka(kit, admin);
    }

    /** Client properties that log in as {@code user} with SCRAM-SHA-256 (as a deployment's clients would). */
    public static Properties scramClient(String user, String password) {
        return saslClient("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule", user, password);
    }

    private static Properties saslClient(String mechanism, String module, String user, String password) {
        Properties p = new Properties();
        p.put("security.protocol", "SASL_PLAINTEXT");
        p.put("sasl.mechanism", mechanism);
        p.put("sasl.jaas.config", module + " required username=\"" + user + "\" password=\"" + password + "\";");
        return p;
    }

    /** Creates (or replaces) a SCRAM-SHA-256 user; the broker must have been started with SASL. */
    public void addScramUser(String user, String password) throws Exception {
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), password))).all().get();
        }
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

    /** Client properties of the super user on a SASL broker (none on a plain one). */
    public Properties superUserProperties() {
        Properties p = new Properties();
        p.putAll(adminProperties);
        return p;
    }

    /** An admin client; on a SASL broker it logs in as the super user. */
    public Admin admin() {
        return KafkaClients.admin(bootstrapServers(), adminProperties);
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
