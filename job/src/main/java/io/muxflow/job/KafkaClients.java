package io.muxflow.job;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Raw-bytes Kafka clients for the tools around the job (controller, {@code muxflow redeploy}, load
 * generator's response reader), with the deployment's extra properties (security settings) applied.
 */
public final class KafkaClients {
    private KafkaClients() {
    }

    /**
     * A consumer in a fresh group, positioned at the topic's current end before it returns, so no
     * record published afterwards can be missed and none published before is read.
     */
    public static KafkaConsumer<byte[], byte[]> fromEnd(String bootstrap, String topic, Properties extra,
            String groupPrefix) {
        Properties c = new Properties();
        c.putAll(extra);
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", groupPrefix + UUID.randomUUID());
        c.put("auto.offset.reset", "latest");
        c.put("key.deserializer", ByteArrayDeserializer.class.getName());
        c.put("value.deserializer", ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> k = new KafkaConsumer<>(c);
        k.subscribe(List.of(topic));
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (k.assignment().isEmpty() && System.nanoTime() < end) {
            k.poll(Duration.ofMillis(100));
        }
        k.assignment().forEach(k::position);
        return k;
    }

    public static KafkaProducer<byte[], byte[]> producer(String bootstrap, Properties extra) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put("bootstrap.servers", bootstrap);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
