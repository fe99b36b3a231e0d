package io.muxflow.job.loadgen;

import io.muxflow.job.KafkaClients;
import io.muxflow.job.model.Clocks;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.codec.Codecs;
import io.muxflow.schema.codec.Encoding;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Reads the responses topic in a background thread and tallies the responses to one run's requests
 * (request ids prefixed by the run id) into {@link ResponseStats}; all-time and per summary window.
 */
public final class ResponseCollector implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String runPrefix;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile ResponseStats total = new ResponseStats();
    private volatile ResponseStats window = new ResponseStats();
    private final Consumer<InferenceResponse> listener;

    public ResponseCollector(String bootstrap, String topic, String runId, boolean committedOnly, Properties extra,
            Consumer<InferenceResponse> listener) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put("isolation.level", committedOnly ? "read_committed" : "read_uncommitted");
        p.put("fetch.max.wait.ms", "20");
        // Responses to this run's requests can only follow requests sent after this returns: start at
        // the end, not at the topic's history (reading it would delay the first responses by seconds).
        this.consumer = KafkaClients.fromEnd(bootstrap, topic, p, "muxflow-loadgen-");
        this.runPrefix = runId + "-";
        this.listener = listener;
        this.thread = new Thread(this::loop, "muxflow-responses");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (running.get()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                long now = Clocks.nowUs();
                InferenceResponse resp;
                try {
                    resp = Encoding.sniff(r.value()) == Encoding.JSON ? Codecs.RESPONSE.decodeJson(r.value())
                            : Codecs.RESPONSE.decodeBinary(r.value());
                } catch (java.io.IOException e) {
                    continue;
                }
                if (!resp.getRequestId().startsWith(runPrefix)) {
                    continue;
                }
                total.add(resp, now);
                window.add(resp, now);
                if (listener != null) {
                    listener.accept(resp);
                }
            }
        }
        consumer.close();
    }

    public ResponseStats total() {
        return total;
    }

    /** The stats since the last call, and a fresh window. */
    public ResponseStats takeWindow() {
        ResponseStats w = window;
        window = new ResponseStats();
        return w;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(5000);
    }
}
