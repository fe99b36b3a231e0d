package io.muxflow.job.control;

import io.muxflow.job.KafkaClients;
import io.muxflow.job.adapt.PlanRecord;
import io.muxflow.job.model.Clocks;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.schema.codec.Codecs;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Watches the plans topic and realizes REDEPLOY decisions made on the running plan version (stale or
 * duplicate decisions are ignored), then publishes the outcome (DEPLOYED with the savepoint and the
 * timings of the move, or FAILED with the reason) on the same topic. RECOMMEND and KEEP decisions
 * are only passed to the listener.
 */
public final class Controller implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final PlacementRealizer realizer;
    private final AtomicInteger runningVersion;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final Consumer<PlanRecord> listener;
    private final PrintWriter log;
    private final String deadLetterTopic;

    public Controller(String bootstrap, String topic, Properties extra, PlacementRealizer realizer, int runningVersion,
            PrintWriter log, Consumer<PlanRecord> listener) {
        this(bootstrap, topic, extra, realizer, runningVersion, log, listener, "muxflow.dead-letter");
    }

    /** @param deadLetterTopic where records of the plans topic that cannot be acted on go, with the reason */
    public Controller(String bootstrap, String topic, Properties extra, PlacementRealizer realizer, int runningVersion,
            PrintWriter log, Consumer<PlanRecord> listener, String deadLetterTopic) {
        this.deadLetterTopic = deadLetterTopic;
        // join the group and take the current end as the start, before any decision can be missed
        this.consumer = KafkaClients.fromEnd(bootstrap, topic, extra, "muxflow-controller-");
        this.producer = KafkaClients.producer(bootstrap, extra);
        this.topic = topic;
        this.realizer = realizer;
        this.runningVersion = new AtomicInteger(runningVersion);
        this.listener = listener;
        this.log = log;
        this.thread = new Thread(this::loop, "muxflow-controller");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public int runningVersion() {
        return runningVersion.get();
    }

    private void loop() {
        while (running.get()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                PlanRecord rec;
                try {
                    rec = PlanRecord.fromAvro(Codecs.PLAN.decodeBinary(r.value()));
                } catch (Exception e) {
                    deadLetter(r, "undecodable plans record: " + e.getMessage());
                    continue;
                }
                try {
                    if (listener != null) {
                        listener.accept(rec);
                    }
                    if (rec.action.equals("REDEPLOY") && rec.fromVersion == runningVersion.get()
                            && rec.version > runningVersion.get()) {
                        act(rec);
                    }
                } catch (RuntimeException e) {
                    // a record the controller cannot act on must not stop it: said, dead-lettered, next
                    deadLetter(r, "plans record refused: " + e.getMessage());
                }
            }
        }
        consumer.close();
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> r, String reason) {
        log.println("controller: " + reason + " (" + r.topic() + "/" + r.partition() + "@" + r.offset()
                + "; sent to " + deadLetterTopic + ")");
        log.flush();
        producer.send(new ProducerRecord<>(deadLetterTopic, r.key(), Codecs.DEAD_LETTER.encode(
                new io.muxflow.schema.DeadLetter(r.topic(), r.partition(), r.offset(),
                        r.key() == null ? null : java.nio.ByteBuffer.wrap(r.key()),
                        r.value() == null ? null : java.nio.ByteBuffer.wrap(r.value()), reason, Clocks.nowUs()),
                io.muxflow.schema.codec.Encoding.AVRO)));
        producer.flush();
    }

    private void act(PlanRecord decision) {
        Plan current = Plan.parse(Json.parse(decision.currentPlanJson, "current plan"), "current plan");
        Plan candidate = Plan.parse(Json.parse(decision.planJson, "candidate plan"), "candidate plan");
        java.util.Set<String> unknown = new java.util.TreeSet<>(candidate.models());
        unknown.removeAll(current.models());
        if (!unknown.isEmpty()) {
            throw new io.muxflow.planner.InvalidInputException("the candidate plan serves models the running job does "
                    + "not know: " + unknown);
        }
        log.printf("controller: redeploying plan v%d -> v%d (%s)%n", current.version(), candidate.version(),
                decision.reason);
        log.flush();
        PlacementRealizer.Outcome o = realizer.realize(current, candidate);
        PlanRecord out = new PlanRecord();
        out.action = o.deployed() ? "DEPLOYED" : "FAILED";
        out.version = o.deployed() ? candidate.version() : current.version();
        out.fromVersion = current.version();
        out.createdUs = Clocks.nowUs();
        out.planJson = decision.planJson;
        out.currentPlanJson = decision.currentPlanJson;
        out.predictedCurrent = decision.predictedCurrent;
        out.predictedCandidate = decision.predictedCandidate;
        out.reason = o.reason();
        out.savepoint = o.savepoint();
        var t = Json.object();
        o.timingsMs().forEach(t::put);
        out.timingsJson = Json.compact(t);
        if (o.deployed()) {
            runningVersion.set(candidate.version());
        }
        producer.send(new ProducerRecord<>(topic, null, Codecs.PLAN.encode(out.toAvro(),
                io.muxflow.schema.codec.Encoding.AVRO)));
        producer.flush();
        log.printf("controller: %s: %s (phases, ms: %s)%n", out.action, o.reason(), out.timingsJson);
        log.flush();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
        producer.close();
    }
}
