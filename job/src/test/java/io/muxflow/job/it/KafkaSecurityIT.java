package io.muxflow.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.adapt.PlanRecord;
import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.control.Controller;
import io.muxflow.job.control.PlacementRealizer;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.schema.DeadLetter;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * muxflow behind Kafka's own security, as a deployment runs it: a broker that authenticates every
 * client with SASL (SCRAM-SHA-256) and authorizes every request with KRaft's StandardAuthorizer
 * (nothing is allowed that no ACL allows), and one principal per role with the ACLs README.md's
 * "Security and failure behaviour" lists. The serving job runs as {@code job}, {@code muxflow loadgen}
 * as {@code loadgen} (with {@code -X}), the controller as {@code controller}, and an operator
 * writes a plan as {@code operator}; each does its work, and the broker refuses what its role does
 * not need: the load generator and the job writing or reading plans, a wrong password.
 */
public class KafkaSecurityIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    static final String PLAN = """
            {"version": 1, "policy": "test",
             "groups": [{"id": 0, "devices": 1, "op": 1, "pp": 1, "models": ["a"]}],
             "model_profiles": {"a": "bert-tiny"}}
            """;

    @Test
    void eachPrincipalDoesItsWorkAndTheBrokerRefusesTheRest(@TempDir Path tmp) throws Exception {
        try (ServingHarness h = new ServingHarness("sec", true)) {
            String bootstrap = h.kafka.bootstrapServers();
            for (String user : List.of("job", "loadgen", "controller", "operator")) {
                h.kafka.addScramUser(user, user + "-secret");
            }
            try (Admin admin = h.kafka.admin()) {
                admin.createAcls(acls(h)).all().get();
            }
            Properties job = EmbeddedKafka.scramClient("job", "job-secret");
            Properties loadgen = EmbeddedKafka.scramClient("loadgen", "loadgen-secret");
            Properties controller = EmbeddedKafka.scramClient("controller", "controller-secret");
            Properties operator = EmbeddedKafka.scramClient("operator", "operator-secret");
            // in the syntax README.md gives for -D: the JAAS entry quoted whole, as it holds quotes and '='
            String jobOption = "security.protocol:SASL_PLAINTEXT,sasl.mechanism:SCRAM-SHA-256,'sasl.jaas.config:"
                    + job.getProperty("sasl.jaas.config") + "'";
            h.conf.addAll(Configuration.fromMap(Map.of(MuxflowOptions.KAFKA_PROPERTIES.key(), jobOption)));
            assertThat(h.conf.get(MuxflowOptions.KAFKA_PROPERTIES)).containsEntry("sasl.jaas.config",
                    job.getProperty("sasl.jaas.config"));

            JobClient serving = h.submit(Plan.parse(Json.parse(PLAN, "plan"), "plan"),
                    ServingHarness.profiles(ServingEndToEndIT.PROFILES));
            try {
                runLoadgen(h, loadgen, tmp);
            } finally {
                // a job that failed (an ACL it lacks) has ended already; the loadgen's assertion says why
                if (!serving.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    serving.cancel().get(60, TimeUnit.SECONDS);
                }
            }

            String plans = h.conf.get(MuxflowOptions.PLANS_TOPIC);
            ProducerRecord<byte[], byte[]> planRecord = new ProducerRecord<>(plans, null,
                    Codecs.PLAN.encode(redeploy().toAvro(), Encoding.AVRO));
            // the job proposes plans (adaptation); the operator redeploys: both may write them
            send(bootstrap, job, planRecord);
            // who may not write plans: the broker refuses them
            assertThat(refusal(() -> send(bootstrap, loadgen, planRecord))).isInstanceOf(AuthorizationException.class);
            assertThat(refusal(() -> send(bootstrap, controller, planRecord))).isInstanceOf(AuthorizationException.class);
            // who may not read plans: everyone but the controller
            assertThat(refusal(() -> read(bootstrap, loadgen, plans))).isInstanceOf(AuthorizationException.class);
            assertThat(refusal(() -> read(bootstrap, job, plans))).isInstanceOf(AuthorizationException.class);
            // the load generator may not write responses (forged answers) nor read requests
            assertThat(refusal(() -> read(bootstrap, loadgen, h.requests()))).isInstanceOf(AuthorizationException.class);
            assertThat(refusal(() -> send(bootstrap, loadgen, new ProducerRecord<>(h.responses(), null, new byte[] {0}))))
                    .isInstanceOf(AuthorizationException.class);
            // a wrong password does not get in at all
            Properties wrong = EmbeddedKafka.scramClient("loadgen", "guess");
            assertThat(refusal(() -> send(bootstrap, wrong, new ProducerRecord<>(h.requests(), null, new byte[] {0}))))
                    .isInstanceOf(SaslAuthenticationException.class);

            controllerActsOnTheOperatorsPlan(h, controller, operator, planRecord);
        }
    }

    /** {@code muxflow loadgen -X ...} as the loadgen principal: every request it sends is answered. */
    private static void runLoadgen(ServingHarness h, Properties loadgen, Path tmp) throws Exception {
        Path w = tmp.resolve("workload.json");
        Files.writeString(w, """
                {"duration_s": 2, "seed": 3, "models": [{"name": "a", "rate": 10, "cv": 1, "slo_s": 5}]}
                """);
        List<String> args = new ArrayList<>(List.of("loadgen", "--bootstrap", h.kafka.bootstrapServers(), "--workload",
                w.toString(), "--requests-topic", h.requests(), "--responses-topic", h.responses(), "--wait-s", "60",
                "--json"));
        loadgen.forEach((k, v) -> args.addAll(List.of("-X", k + "=" + v)));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = io.muxflow.job.cli.Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args.toArray(String[]::new));
        assertThat(code).as(out + "\n" + err).isZero();
        String[] lines = out.toString().strip().split("\n");
        var result = Json.parse(lines[lines.length - 1], "loadgen --json");
        int sent = result.get("sent").asInt();
        assertThat(sent).isPositive();
        assertThat(result.get("responses").asInt()).as(out.toString()).isEqualTo(sent);
        assertThat(result.get("per_model").get("a").get("OK").asInt()).isEqualTo(sent);
    }

    /**
     * The controller, as its principal, reads the plans topic: it dead-letters an undecodable record
     * the operator wrote and acts on the operator's good one.
     */
    private static void controllerActsOnTheOperatorsPlan(ServingHarness h, Properties controller, Properties operator,
            ProducerRecord<byte[], byte[]> planRecord) throws Exception {
        String bootstrap = h.kafka.bootstrapServers();
        String plans = planRecord.topic();
        List<Plan> realized = new CopyOnWriteArrayList<>();
        PlacementRealizer recording = (current, candidate) -> {
            realized.add(candidate);
            return new PlacementRealizer.Outcome(true, "recorded", null, Map.of());
        };
        StringWriter log = new StringWriter();
        try (Controller c = new Controller(bootstrap, plans, controller, recording, 1, new PrintWriter(log, true), null,
                h.deadLetters())) {
            Thread.sleep(1000); // the controller starts reading at the end of the topic
            send(bootstrap, operator, new ProducerRecord<>(plans, null, new byte[] {1, 2, 3}));
            send(bootstrap, operator, planRecord);
            long end = System.nanoTime() + 30_000_000_000L;
            while (realized.isEmpty() && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertThat(realized).as(log.toString()).hasSize(1);
            assertThat(realized.get(0).groups().get(0).pp()).isEqualTo(2);
        }
        // the super user reads the dead letters here; a deployment gives its operators READ on them
        Properties ops = h.kafka.superUserProperties();
        List<String> reasons = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> d = KafkaClients.consumer(bootstrap, h.deadLetters(), false, ops)) {
            for (ConsumerRecord<byte[], byte[]> r : KafkaClients.readUntil(d, Duration.ofSeconds(20), l -> !l.isEmpty())) {
                DeadLetter l = Codecs.DEAD_LETTER.decodeBinary(r.value());
                reasons.add(l.getTopic() + ": " + l.getReason());
            }
        }
        assertThat(reasons).hasSize(1);
        assertThat(reasons.get(0)).startsWith(plans + ": undecodable plans record");
    }

    /** The ACLs of README.md's table, one role per principal. */
    static List<AclBinding> acls(ServingHarness h) {
        String group = h.conf.get(MuxflowOptions.GROUP_ID);
        List<AclBinding> a = new ArrayList<>();
        // the serving job: reads requests and its stage reports, writes what it answers and measures,
        // proposes plans; consumer groups under its group id; transactions under muxflow-
        for (String t : List.of(h.requests(), h.conf.get(MuxflowOptions.REPORTS_TOPIC))) {
            a.add(allow("job", ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.READ));
        }
        for (String t : List.of(h.responses(), h.deadLetters(), h.conf.get(MuxflowOptions.REPORTS_TOPIC),
                h.conf.get(MuxflowOptions.STATS_TOPIC), h.conf.get(MuxflowOptions.PLANS_TOPIC))) {
            a.add(allow("job", ResourceType.TOPIC, t, PatternType.LITERAL, AclOperation.WRITE));
        }
        a.add(allow("job", ResourceType.GROUP, group, PatternType.PREFIXED, AclOperation.READ));
        a.add(allow("job", ResourceType.TRANSACTIONAL_ID, "muxflow-", PatternType.PREFIXED, AclOperation.WRITE));
        // the load generator (and any client team): writes requests, reads responses
        a.add(allow("loadgen", ResourceType.TOPIC, h.requests(), PatternType.LITERAL, AclOperation.WRITE));
        a.add(allow("loadgen", ResourceType.TOPIC, h.responses(), PatternType.LITERAL, AclOperation.READ));
        // the controller alone reads plans; it dead-letters those it cannot act on
        a.add(allow("controller", ResourceType.TOPIC, h.conf.get(MuxflowOptions.PLANS_TOPIC), PatternType.LITERAL,
                AclOperation.READ));
        a.add(allow("controller", ResourceType.TOPIC, h.deadLetters(), PatternType.LITERAL, AclOperation.WRITE));
        // an operator's redeploy writes plans
        a.add(allow("operator", ResourceType.TOPIC, h.conf.get(MuxflowOptions.PLANS_TOPIC), PatternType.LITERAL,
                AclOperation.WRITE));
        return a;
    }

    static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }

    static PlanRecord redeploy() {
        String current = "{\"version\": 1, \"groups\": [{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]}]}";
        PlanRecord r = new PlanRecord();
        r.action = "REDEPLOY";
        r.version = 2;
        r.fromVersion = 1;
        r.planJson = "{\"version\": 2, \"groups\": [{\"id\": 0, \"devices\": 2, \"pp\": 2, \"models\": [\"a\"]}]}";
        r.currentPlanJson = current;
        r.reason = "operator";
        r.timingsJson = "{}";
        return r;
    }

    /** Sends one record and waits for the broker's answer. */
    static Void send(String bootstrap, Properties who, ProducerRecord<byte[], byte[]> r) throws Exception {
        Properties p = new Properties();
        p.putAll(who);
        p.put("max.block.ms", "15000");
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap, p)) {
            producer.send(r).get(20, TimeUnit.SECONDS);
        }
        return null;
    }

    /** Reads a topic from its beginning without a consumer group for up to 5 s. */
    static Void read(String bootstrap, Properties who, String topic) {
        Properties p = new Properties();
        p.putAll(who);
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < end) {
                c.poll(Duration.ofMillis(200));
            }
        }
        return null;
    }

    /** What the call threw, unwrapped to the Kafka error; fails the test when it did not throw. */
    static Throwable refusal(Callable<Void> call) {
        try {
            call.call();
        } catch (Throwable t) {
            Throwable e = t;
            while (!(e instanceof AuthorizationException || e instanceof SaslAuthenticationException)
                    && e.getCause() != null) {
                e = e.getCause();
            }
            return e;
        }
        throw new AssertionError("the broker allowed what it should have refused");
    }
}
