package io.muxflow.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.muxflow.job.loadgen.ResponseCollector;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.Timestamps;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator's response reader on a real broker: it starts at the topic's end (history,
 * even of its own run id, is not read) and sees every response of its run produced afterwards, in
 * both wire encodings, and none of another run's; a missing topic is a clear error.
 */
class ResponseCollectorIT {
    private static final String TOPIC = "muxflow.responses";

    static byte[] response(String id, Encoding e) {
        InferenceResponse r = InferenceResponse.newBuilder().setRequestId(id).setModel("m")
                .setStatus(ResponseStatus.OK).setTimestamps(Timestamps.newBuilder().build()).build();
        return Codecs.RESPONSE.encode(r, e);
    }

    @Test
    void readsOnlyItsRunFromTheEndOn(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.createTopics(Map.of(TOPIC, 2));
            try (KafkaProducer<byte[], byte[]> p = KafkaClients.producer(kafka.bootstrapServers())) {
                for (int i = 0; i < 50; i++) {
                    p.send(new ProducerRecord<>(TOPIC, response("run1-old" + i, Encoding.AVRO))).get();
                }
                List<String> seen = new CopyOnWriteArrayList<>();
                try (ResponseCollector c = new ResponseCollector(kafka.bootstrapServers(), TOPIC, "run1", false,
                        new Properties(), r -> seen.add(r.getRequestId()))) {
                    p.send(new ProducerRecord<>(TOPIC, response("run1-a", Encoding.AVRO))).get();
                    p.send(new ProducerRecord<>(TOPIC, response("run2-b", Encoding.AVRO))).get();
                    p.send(new ProducerRecord<>(TOPIC, response("run1-c", Encoding.JSON))).get();
                    long end = System.nanoTime() + 30_000_000_000L;
                    while (seen.size() < 2 && System.nanoTime() < end) {
                        Thread.sleep(20);
                    }
                    Thread.sleep(300); // anything wrongly read would arrive by now
                    assertEquals(List.of("run1-a", "run1-c"), seen.stream().sorted().toList());
                    assertEquals(2, c.total().responses());
                }
            }
        }
    }

    @Test
    void aMissingTopicIsAClearError(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> new ResponseCollector(
                    kafka.bootstrapServers(), "no.such.topic", "run", false, new Properties(), null));
            assertTrue(e.getMessage().contains("no.such.topic") && e.getMessage().contains("does not exist"),
                    e.getMessage());
        }
    }
}
