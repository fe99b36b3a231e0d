package io.muxflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.job.it.KafkaClients;
import io.muxflow.job.loadgen.RequestFactory;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.job.model.Clocks;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Encoding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's Kafka floor on a real broker: every request answered once, OK, with its send time kept. */
class KafkaRelayIT {
    @Test
    void answersEveryRequestOnceWithItsTimestamps(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.createTopics(Map.of("in", 2, "out", 1));
            KafkaConsumer<byte[], byte[]> out = KafkaClients.consumer(kafka.bootstrapServers(), "out", false);
            Map<String, Long> sent = new HashMap<>();
            try (KafkaRelay relay = new KafkaRelay(kafka.bootstrapServers(), "in", "out");
                    KafkaProducer<byte[], byte[]> p = KafkaClients.producer(kafka.bootstrapServers())) {
                RequestFactory f = new RequestFactory("relay", 4, 100, 1);
                for (int i = 0; i < 40; i++) {
                    InferenceRequest r = f.next("m" + (i % 3), Clocks.nowUs(), 1_000_000);
                    sent.put(r.getRequestId(), r.getClientSendUs());
                    KafkaClients.send(p, "in", r, Encoding.AVRO);
                }
                p.flush();
                var records = KafkaClients.readUntil(out, Duration.ofSeconds(30), l -> l.size() >= sent.size());
                Thread.sleep(300); // a duplicate would arrive by now
                records.addAll(KafkaClients.readUntil(out, Duration.ofMillis(300), l -> false));
                Map<String, Integer> answers = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> rec : records) {
                    InferenceResponse r = KafkaClients.decodeResponse(rec.value());
                    answers.merge(r.getRequestId(), 1, Integer::sum);
                    assertThat(r.getStatus()).isEqualTo(ResponseStatus.OK);
                    assertThat(r.getTimestamps().getClientSendUs()).isEqualTo(sent.get(r.getRequestId()));
                    assertThat(r.getTimestamps().getReceivedUs()).isGreaterThanOrEqualTo(r.getTimestamps().getClientSendUs());
                    assertThat(r.getTimestamps().getFinishedUs()).isGreaterThanOrEqualTo(r.getTimestamps().getReceivedUs());
                }
                assertThat(answers.keySet()).isEqualTo(sent.keySet());
                assertThat(answers.values()).allMatch(n -> n == 1);
                assertThat(relay.relayed()).isEqualTo(sent.size());
            } finally {
                out.close();
            }
        }
    }
}
