package io.muxflow.job;

import io.muxflow.job.config.MuxflowOptions;
import io.muxflow.job.egress.Serializers;
import io.muxflow.job.egress.txn.PooledTransactionalSink;
import io.muxflow.job.ingest.RawDeserializer;
import io.muxflow.job.model.DeadLetterRecord;
import io.muxflow.job.model.RawRecord;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.StageReport;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The job's edges on Kafka, configured from {@link MuxflowOptions}. */
public final class KafkaServingIO implements ServingIO {
    private final Configuration conf;

    public KafkaServingIO(Configuration conf) {
        this.conf = conf;
    }

    private Properties props() {
        Properties p = new Properties();
        p.putAll(conf.get(MuxflowOptions.KAFKA_PROPERTIES));
        return p;
    }

    private DeliveryGuarantee delivery() {
        String d = conf.get(MuxflowOptions.DELIVERY);
        return switch (d) {
            case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            default -> throw new io.muxflow.planner.InvalidInputException(MuxflowOptions.DELIVERY.key()
                    + " must be exactly-once or at-least-once, got '" + d + "'");
        };
    }

    private Properties producerProps() {
        Properties p = props();
        // Kafka 4 lingers 5 ms by default; a serving path cannot afford it.
        p.setProperty("linger.ms", "0");
        p.putIfAbsent("transaction.timeout.ms", "600000");
        return p;
    }

    /**
     * For records off the request's critical path (stage reports, statistics, plans): batching them
     * for a few milliseconds cuts the broker's request rate, which on a small machine is CPU the
     * serving path needs.
     */
    private Properties batchedProducerProps() {
        Properties p = producerProps();
        p.setProperty("linger.ms", "5");
        return p;
    }

    @Override
    @SuppressWarnings("deprecation")
    public Source<RawRecord, ?, ?> requests() {
        return KafkaSource.<RawRecord>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setTopics(conf.get(MuxflowOptions.REQUESTS_TOPIC)).setGroupId(conf.get(MuxflowOptions.GROUP_ID))
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new RawDeserializer()).setProperties(props())
                .setProperty("fetch.max.wait.ms", "20").build();
    }

    /**
     * Exactly-once: a sink of our own whose checkpoints do not wait for a transaction to start
     * ({@link PooledTransactionalSink}); at-least-once: Flink's {@link KafkaSink}.
     */
    private <T> Sink<T> deliverySink(KafkaRecordSerializationSchema<T> serializer, String transactionalIdPrefix) {
        if (delivery() == DeliveryGuarantee.EXACTLY_ONCE) {
            Properties p = producerProps();
            p.setProperty("bootstrap.servers", conf.get(MuxflowOptions.BOOTSTRAP));
            int pool = conf.get(MuxflowOptions.TRANSACTION_POOL);
            if (pool < 2) {
                throw new io.muxflow.planner.InvalidInputException(MuxflowOptions.TRANSACTION_POOL.key()
                        + " must be at least 2 (one producer writes while another commits), got " + pool);
            }
            if (pool > PooledTransactionalSink.MAX_POOL_SIZE) {
                throw new io.muxflow.planner.InvalidInputException(MuxflowOptions.TRANSACTION_POOL.key()
                        + " must be at most " + PooledTransactionalSink.MAX_POOL_SIZE + ", got " + pool);
            }
            return new PooledTransactionalSink<>(p, transactionalIdPrefix, pool, serializer);
        }
        return KafkaSink.<T>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setRecordSerializer(serializer).setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setKafkaProducerConfig(producerProps()).build();
    }

    @Override
    public Sink<Reply> responses() {
        return responsesSink("muxflow-responses");
    }

    @Override
    public Sink<Reply> stageResponses(int layer) {
        return responsesSink("muxflow-responses-layer-" + layer);
    }

    private Sink<Reply> responsesSink(String transactionalIdPrefix) {
        return deliverySink(Serializers.replies(conf.get(MuxflowOptions.RESPONSES_TOPIC)), transactionalIdPrefix);
    }

    @Override
    public Sink<DeadLetterRecord> deadLetters() {
        return deliverySink(Serializers.deadLetters(conf.get(MuxflowOptions.DEAD_LETTER_TOPIC)), "muxflow-dead-letter");
    }

    @Override
    public Source<StageReport, ?, ?> reportsIn() {
        // Only fresh reports matter: they correct clocks of devices that are running now.
        return KafkaSource.<StageReport>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setTopics(conf.get(MuxflowOptions.REPORTS_TOPIC)).setGroupId(conf.get(MuxflowOptions.GROUP_ID) + "-reports")
                .setStartingOffsets(OffsetsInitializer.latest()).setDeserializer(new Serializers.ReportDeserializer())
                .setProperties(props()).setProperty("fetch.max.wait.ms", "20").build();
    }

    @Override
    public Sink<StageReport> reportsOut() {
        return KafkaSink.<StageReport>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setRecordSerializer(Serializers.reports(conf.get(MuxflowOptions.REPORTS_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.NONE).setKafkaProducerConfig(batchedProducerProps()).build();
    }

    @Override
    public Sink<io.muxflow.job.adapt.ModelStatsEvent> stats() {
        return KafkaSink.<io.muxflow.job.adapt.ModelStatsEvent>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setRecordSerializer(Serializers.stats(conf.get(MuxflowOptions.STATS_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).setKafkaProducerConfig(batchedProducerProps()).build();
    }

    /**
     * The chain path's internal topics. Read from the latest offset on a fresh start (anything older
     * belongs to a job that no longer runs) and from the checkpoint after a restart; messages of jobs
     * resumed since carry an older attempt and are ignored. Written at once (linger 0), without
     * transactions and without a flush on checkpoints: a hop is a step of a generation in progress;
     * waiting for a checkpoint to commit it would add a checkpoint interval to every token, and a flush
     * would stall the hops at every checkpoint. Nothing is lost by it: after a restart every job in
     * flight resumes from the dispatcher's state under a new attempt, whatever hops died with the old one.
     */
    private org.apache.flink.api.connector.source.Source<io.muxflow.job.chain.ChainHop, ?, ?> chainSource(String topic,
            String group) {
        return KafkaSource.<io.muxflow.job.chain.ChainHop>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setTopics(topic).setGroupId(conf.get(MuxflowOptions.GROUP_ID) + group)
                .setStartingOffsets(OffsetsInitializer.latest()).setDeserializer(new Serializers.ChainHopDeserializer())
                .setProperties(props()).setProperty("fetch.max.wait.ms", "20").build();
    }

    @Override
    public org.apache.flink.api.connector.source.Source<io.muxflow.job.chain.ChainHop, ?, ?> chainHopsIn() {
        return chainSource(conf.get(MuxflowOptions.CHAIN_HOPS_TOPIC), "-chain-hops");
    }

    @Override
    public org.apache.flink.api.connector.source.Source<io.muxflow.job.chain.ChainHop, ?, ?> chainEventsIn() {
        return chainSource(conf.get(MuxflowOptions.CHAIN_EVENTS_TOPIC), "-chain-events");
    }

    @Override
    public Sink<io.muxflow.job.chain.ChainHop> chainHopsOut() {
        return chainSink(Serializers.chainHops(conf.get(MuxflowOptions.CHAIN_HOPS_TOPIC)));
    }

    @Override
    public Sink<io.muxflow.job.chain.ChainHop> chainEventsOut() {
        return chainSink(Serializers.chainEvents(conf.get(MuxflowOptions.CHAIN_EVENTS_TOPIC)));
    }

    /** A chain topic's sink: no delivery guarantee and no linger (see {@link #chainSource}). */
    private Sink<io.muxflow.job.chain.ChainHop> chainSink(
            KafkaRecordSerializationSchema<io.muxflow.job.chain.ChainHop> serializer) {
        return KafkaSink.<io.muxflow.job.chain.ChainHop>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setRecordSerializer(serializer).setDeliveryGuarantee(DeliveryGuarantee.NONE)
                .setKafkaProducerConfig(producerProps()).build();
    }

    /**
     * At least once and at once (linger 0): a streaming client wants each token when it is made, and
     * drops the repeats a restart may send (same request id and step).
     */
    @Override
    public Sink<io.muxflow.job.chain.StreamedToken> tokens() {
        return KafkaSink.<io.muxflow.job.chain.StreamedToken>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setRecordSerializer(Serializers.tokens(conf.get(MuxflowOptions.TOKENS_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).setKafkaProducerConfig(producerProps()).build();
    }

    @Override
    public Sink<io.muxflow.job.adapt.PlanRecord> plans() {
        return KafkaSink.<io.muxflow.job.adapt.PlanRecord>builder().setBootstrapServers(conf.get(MuxflowOptions.BOOTSTRAP))
                .setRecordSerializer(Serializers.plans(conf.get(MuxflowOptions.PLANS_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).setKafkaProducerConfig(batchedProducerProps()).build();
    }
}
