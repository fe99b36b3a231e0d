package io.muxflow.job;

import io.muxflow.planner.InvalidInputException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
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
     * A consumer of every partition of {@code topic}, positioned at its current end before it
     * returns, so no record published afterwards can be missed and none published before is read.
     * Partitions are assigned, not subscribed: no group to join, nothing committed.
     *
     * @throws InvalidInputException when the topic does not exist or its metadata cannot be read
     *     (the message names the topic and the servers, for the CLI to print)
     */
    public static KafkaConsumer<byte[], byte[]> fromEnd(String bootstrap, String topic, Properties extra,
            String clientPrefix) {
        Properties c = new Properties();
        c.putAll(extra);
        c.put("bootstrap.servers", bootstrap);
        c.put("client.id", clientPrefix + UUID.randomUUID());
        c.put("enable.auto.commit", "false");
        c.putIfAbsent("default.api.timeout.ms", "15000"); // an unreachable Kafka fails in 15 s, not 60
        c.put("key.deserializer", ByteArrayDeserializer.class.getName());
        c.put("value.deserializer", ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> k = new KafkaConsumer<>(c);
        try {
            List<PartitionInfo> parts = k.partitionsFor(topic);
            if (parts == null || parts.isEmpty()) {
                throw new InvalidInputException("topic " + topic + " does not exist on " + bootstrap
                        + " (is the serving job deployed? it creates its topics)");
            }
            List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            k.assign(tps);
            k.seekToEnd(tps);
            tps.forEach(k::position); // resolve the end offsets now, before anything is published
            return k;
        } catch (RuntimeException e) {
            k.close(Duration.ZERO);
            throw e instanceof KafkaException
                    ? new InvalidInputException("cannot read topic " + topic + " on " + bootstrap + ": " + e.getMessage(), e)
                    : e;
        }
    }

    /** An admin client; an unreachable Kafka fails its calls in 15 s unless {@code extra} says otherwise. */
    public static Admin admin(String bootstrap, Properties extra) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put("bootstrap.servers", bootstrap);
        p.putIfAbsent("default.api.timeout.ms", "15000");
        p.putIfAbsent("request.timeout.ms", "10000");
        return Admin.create(p);
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
