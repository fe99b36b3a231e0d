package io.muxflow.job.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.muxflow.job.loadgen.LoadGenerator;
import io.muxflow.job.loadgen.RequestFactory;
import io.muxflow.job.local.EmbeddedKafka;
import io.muxflow.planner.workload.Workload;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load generator stamps each request with the time it was scheduled, so that time the sending
 * thread lost (here: a burst it cannot send in an instant) counts in the measured latency instead of
 * being hidden by late sends.
 */
class LoadGeneratorIT {
    private static final String TOPIC = "muxflow.requests";

    @Test
    void requestsCarryTheirScheduledTimeEvenWhenSentLate(@TempDir Path dir) throws Exception {
        int burst = 3000;
        double[] arrivals = new double[burst + 20];
        for (int i = burst; i < arrivals.length; i++) {
            arrivals[i] = 0.05 + 0.002 * (i - burst); // then one every 2 ms
        }
        Workload w = Workload.ofModel(List.of("m"), 0, arrivals, 1.0);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
            kafka.createTopics(Map.of(TOPIC, 1));
            try (LoadGenerator g = new LoadGenerator(kafka.bootstrapServers(), TOPIC,
                    new RequestFactory("lg", 4, 100, 1), Encoding.AVRO, new Properties())) {
                g.replay(w);
                double[] lag = g.lastLagMs().toArray();
                assertEquals(arrivals.length, lag.length);
                double burstLag = lag[burst - 1];
                assertTrue(burstLag > 2, "the last request of the burst was sent " + burstLag + " ms after it was due");
            }
            Map<String, Long> stamps = read(kafka.bootstrapServers(), arrivals.length);
            long first = stamps.get("lg-0");
            for (int i = 0; i < arrivals.length; i++) {
                double offsetMs = (stamps.get("lg-" + i) - first) / 1000.0;
                assertEquals(arrivals[i] * 1000, offsetMs, 0.5, "request " + i + " is stamped with its schedule");
            }
        }
    }

    private static Map<String, Long> read(String bootstrap, int n) throws java.io.IOException {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        p.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        Map<String, Long> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = System.nanoTime() + 30_000_000_000L;
            while (out.size() < n && System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    InferenceRequest q = Codecs.REQUEST.decodeBinary(r.value());
                    out.put(q.getRequestId(), q.getClientSendUs());
                }
            }
        }
        assertEquals(n, out.size(), "every request was produced");
        return out;
    }
}
