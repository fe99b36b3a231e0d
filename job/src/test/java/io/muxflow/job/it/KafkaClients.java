package io.muxflow.job.it;

import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Plain Kafka clients for tests: produce requests, read responses (read_committed by default). */
public final class KafkaClients {
    private KafkaClients() {
    }

    public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return producer(bootstrap, new Properties());
    }

    public static KafkaProducer<byte[], byte[]> producer(String bootstrap, Properties extra) {
        Properties p = new Properties();
        p.put("linger.ms", "0");
        p.putAll(extra);
        return io.muxflow.job.KafkaClients.producer(bootstrap, p);
    }

    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic, boolean committedOnly) {
        return consumer(bootstrap, topic, committedOnly, new Properties());
    }

    /** @param extra client properties (security, a group id) that override the defaults */
    public static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic, boolean committedOnly,
            Properties extra) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", committedOnly ? "read_committed" : "read_uncommitted");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.putAll(extra);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(topic));
        return c;
    }

    public static void send(KafkaProducer<byte[], byte[]> p, String topic, InferenceRequest r, Encoding e) {
        p.send(new ProducerRecord<>(topic, r.getModel().getBytes(), Codecs.REQUEST.encode(r, e)));
    }

    /** Reads records until {@code done} holds for what was read, or the timeout passes. */
    public static List<ConsumerRecord<byte[], byte[]>> readUntil(KafkaConsumer<byte[], byte[]> c, Duration timeout,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end && !done.test(out)) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    /** Reads committed responses until every id is answered (or the timeout passes); returns id -> responses. */
    public static java.util.Map<String, List<InferenceResponse>> awaitResponses(String bootstrap, String topic,
            java.util.Set<String> ids, Duration timeout) {
        return awaitResponses(bootstrap, topic, ids, timeout, new Properties());
    }

    /** As above, with the consumer's extra client properties. */
    public static java.util.Map<String, List<InferenceResponse>> awaitResponses(String bootstrap, String topic,
            java.util.Set<String> ids, Duration timeout, Properties extra) {
        java.util.Map<String, List<InferenceResponse>> got = new java.util.HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, topic, true, extra)) {
            readUntil(c, timeout, l -> {
                // count only these ids; everything else on the topic belongs to other tests
                got.clear();
                for (ConsumerRecord<byte[], byte[]> r : l) {
                    InferenceResponse resp = decodeResponse(r.value());
                    if (ids.contains(resp.getRequestId())) {
                        got.computeIfAbsent(resp.getRequestId(), k -> new ArrayList<>()).add(resp);
                    }
                }
                return got.keySet().containsAll(ids);
            });
        }
        return got;
    }

    public static InferenceResponse decodeResponse(byte[] value) {
        try {
            return Encoding.sniff(value) == Encoding.JSON ? Codecs.RESPONSE.decodeJson(value)
                    : Codecs.RESPONSE.decodeBinary(value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
