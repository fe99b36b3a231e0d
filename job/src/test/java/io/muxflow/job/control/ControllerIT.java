package io.muxflow.job.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.adapt.PlanRecord;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.planner.io.TempDir;
import io.muxflow.planner.plan.Plan;
import io.muxflow.schema.DeadLetter;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The controller against a real broker: records of the plans topic it cannot act on (undecodable
 * bytes, a plan naming a path, a plan with a model the running job does not know) are logged and
 * dead-lettered with the reason, and the controller goes on to act on the next good decision.
 */
class ControllerIT {
    static final String CURRENT = "{\"version\": 1, \"groups\": [{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]}]}";

    static PlanRecord redeploy(String candidateJson) {
        PlanRecord r = new PlanRecord();
        r.action = "REDEPLOY";
        r.version = 2;
        r.fromVersion = 1;
        r.planJson = candidateJson;
        r.currentPlanJson = CURRENT;
        r.reason = "test";
        r.timingsJson = "{}";
        return r;
    }

    @Test
    void badPlanRecordsAreDeadLetteredAndTheControllerKeepsRunning() throws Exception {
        Path dir = Files.createTempDirectory("muxflow-controller-it");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.createTopics(Map.of("plans", 1, "dead", 1));
            List<Plan> realized = new CopyOnWriteArrayList<>();
            PlacementRealizer recording = (current, candidate) -> {
                realized.add(candidate);
                return new PlacementRealizer.Outcome(true, "recorded", null, Map.of());
            };
            StringWriter log = new StringWriter();
            try (Controller c = new Controller(kafka.bootstrapServers(), "plans", new Properties(), recording, 1,
                    new PrintWriter(log, true), null, "dead");
                    KafkaProducer<byte[], byte[]> p = io.muxflow.job.KafkaClients.producer(kafka.bootstrapServers(),
                            new Properties())) {
                Thread.sleep(1000); // the controller starts reading at the end of the topic
                p.send(new ProducerRecord<>("plans", null, new byte[] {1, 2, 3}));
                p.send(new ProducerRecord<>("plans", null, Codecs.PLAN.encode(redeploy(
                        "{\"version\": 2, \"groups\": [{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]}],"
                                + " \"model_profiles\": {\"a\": \"../../etc/x\"}}").toAvro(), Encoding.AVRO)));
                p.send(new ProducerRecord<>("plans", null, Codecs.PLAN.encode(redeploy(
                        "{\"version\": 2, \"groups\": [{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\", \"zz\"]}]}")
                        .toAvro(), Encoding.AVRO)));
                p.send(new ProducerRecord<>("plans", null, Codecs.PLAN.encode(redeploy(
                        "{\"version\": 2, \"groups\": [{\"id\": 0, \"devices\": 2, \"pp\": 2, \"models\": [\"a\"]}]}")
                        .toAvro(), Encoding.AVRO)));
                p.flush();
                long end = System.nanoTime() + 30_000_000_000L;
                while (realized.isEmpty() && System.nanoTime() < end) {
                    Thread.sleep(100);
                }
                assertThat(realized).hasSize(1);
                assertThat(realized.get(0).groups().get(0).pp()).isEqualTo(2);
                assertThat(c.runningVersion()).isEqualTo(2);
            }
            Properties cp = new Properties();
            cp.put("bootstrap.servers", kafka.bootstrapServers());
            cp.put("group.id", "t");
            cp.put("auto.offset.reset", "earliest");
            cp.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
            cp.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
            StringBuilder reasons = new StringBuilder();
            try (KafkaConsumer<byte[], byte[]> d = new KafkaConsumer<>(cp)) {
                d.subscribe(List.of("dead"));
                long end = System.nanoTime() + 20_000_000_000L;
                int n = 0;
                while (n < 3 && System.nanoTime() < end) {
                    for (ConsumerRecord<byte[], byte[]> r : d.poll(Duration.ofMillis(200))) {
                        DeadLetter l = Codecs.DEAD_LETTER.decodeBinary(r.value());
                        assertThat(l.getTopic()).isEqualTo("plans");
                        reasons.append(l.getReason()).append('\n');
                        n++;
                    }
                }
                assertThat(n).isEqualTo(3);
            }
            assertThat(reasons.toString()).contains("undecodable plans record").contains("is not a name")
                    .contains("does not know: [zz]");
            assertThat(log.toString()).contains("sent to dead");
        } finally {
            TempDir.deleteRecursively(dir);
        }
    }
}
