package io.muxflow.bench;

import io.muxflow.job.KafkaClients;
import io.muxflow.job.model.Clocks;
import io.muxflow.schema.InferenceRequest;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.Timestamps;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The floor under the serving overhead: the same two Kafka hops as the job (requests topic in,
 * responses topic out) with nothing between them. One thread reads each request, decodes it and
 * answers it at once with an OK response carrying its timestamps, with the consumer and producer
 * settings the job's source and sink use. Whatever overhead this measures, the job cannot go below.
 */
final class KafkaRelay implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String responses;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong relayed = new AtomicLong();
    private final Thread thread;

    KafkaRelay(String bootstrap, String requests, String responses) {
        Properties c = new Properties();
        c.put("fetch.max.wait.ms", "20"); // as the job's KafkaSource
        this.consumer = KafkaClients.fromEnd(bootstrap, requests, c, "muxflow-relay-");
        Properties p = new Properties();
        p.put("linger.ms", "0"); // as the job's response sink
        this.producer = KafkaClients.producer(bootstrap, p);
        this.producer.partitionsFor(responses);
        this.responses = responses;
        this.thread = new Thread(this::loop, "muxflow-relay");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    long relayed() {
        return relayed.get();
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long received = Clocks.nowUs();
                    InferenceRequest req;
                    try {
                        req = Codecs.REQUEST.decodeBinary(r.value());
                    } catch (IOException e) {
                        continue; // the bench sends only well-formed requests
                    }
                    InferenceResponse resp = answer(req, received);
                    producer.send(new ProducerRecord<>(responses, req.getRequestId().getBytes(StandardCharsets.UTF_8),
                            Codecs.RESPONSE.encode(resp, Encoding.AVRO)));
                    relayed.incrementAndGet();
                }
            }
        } finally {
            consumer.close();
            producer.close(Duration.ofSeconds(5));
        }
    }

    static InferenceResponse answer(InferenceRequest req, long receivedUs) {
        return InferenceResponse.newBuilder().setRequestId(req.getRequestId()).setModel(req.getModel())
                .setStatus(ResponseStatus.OK).setDetail("relayed").setOutput(null).setOutputShape(List.of())
                .setTimestamps(Timestamps.newBuilder().setClientSendUs(req.getClientSendUs()).setDeadlineUs(0)
                        .setReceivedUs(receivedUs).setDispatchedUs(receivedUs).setStages(List.of())
                        .setFinishedUs(Clocks.nowUs()).build())
                .setGroup(null).setPlanVersion(0).setAttributes(Map.of()).build();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
