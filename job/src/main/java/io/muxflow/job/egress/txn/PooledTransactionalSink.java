package io.muxflow.job.egress.txn;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An exactly-once Kafka sink whose checkpoints do not wait on the broker to start a transaction: a
 * pool of transactional producers per subtask, fenced ahead of time and committed in the background
 * ({@link TransactionPool}). Records become visible to {@code read_committed} consumers when the
 * checkpoint that covers them completes, as with Flink's own {@code KafkaSink}, which the job uses for
 * at-least-once delivery.
 *
 * <p>The committer must run in its writer's task (chained, the default unless chaining is disabled
 * on the sink): it hands each transaction back to the writer's pool, which is how a producer becomes
 * free again. A committer elsewhere still commits (by producer id and epoch), but the pool then grows
 * by one producer per checkpoint until it stops the job with an error that says so.
 */
public final class PooledTransactionalSink<T> implements Sink<T>, SupportsCommitter<TxnCommittable>,
        SupportsWriterState<T, TxnWriterState> {
    private static final long serialVersionUID = 1L;

    private final Properties producerProps;
    private final String transactionalIdPrefix;
    private final int poolSize;
    private final KafkaRecordSerializationSchema<T> serializer;

    /** The most producers a subtask's pool may hold. */
    public static final int MAX_POOL_SIZE = TransactionPool.MAX_SIZE;

    /**
     * @param producerProps Kafka producer settings (bootstrap servers at least); serializers and the
     *     transactional id are set here
     * @param poolSize producers per subtask; two suffice while commits keep up with checkpoints
     */
    public PooledTransactionalSink(Properties producerProps, String transactionalIdPrefix, int poolSize,
            KafkaRecordSerializationSchema<T> serializer) {
        Objects.requireNonNull(producerProps.getProperty("bootstrap.servers"), "bootstrap.servers");
        if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
            throw new IllegalArgumentException("a transactional id prefix is required");
        }
        if (poolSize < 2 || poolSize > TransactionPool.MAX_SIZE) {
            throw new IllegalArgumentException("transaction pool size must be 2.." + TransactionPool.MAX_SIZE
                    + " (one producer writes while another commits), got " + poolSize);
        }
        this.producerProps = new Properties();
        this.producerProps.putAll(producerProps);
        this.producerProps.setProperty("key.serializer", ByteArraySerializer.class.getName());
        this.producerProps.setProperty("value.serializer", ByteArraySerializer.class.getName());
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.poolSize = poolSize;
        this.serializer = serializer;
    }

    @Override
    public PooledTransactionalWriter<T> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public PooledTransactionalWriter<T> restoreWriter(WriterInitContext context,
            Collection<TxnWriterState> restored) throws IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        int parallelism = context.getTaskInfo().getNumberOfParallelSubtasks();
        long generation = context.getRestoredCheckpointId().orElse(0L);
        TransactionPool pool = new TransactionPool(context.getJobInfo().getJobId().toString(), producerProps,
                transactionalIdPrefix, generation, subtask, poolSize, restored);
        KafkaRecordSerializationSchema.KafkaSinkContext sinkContext = sinkContext(subtask, parallelism, pool);
        try {
            serializer.open(context.asSerializationSchemaInitializationContext(), sinkContext);
        } catch (Exception e) {
            pool.close();
            throw new IOException("cannot open the record serializer of sink " + transactionalIdPrefix, e);
        }
        return new PooledTransactionalWriter<>(serializer, sinkContext, pool,
                context.metricGroup().getNumRecordsSendCounter(), context.metricGroup().getNumBytesSendCounter());
    }

    private static KafkaRecordSerializationSchema.KafkaSinkContext sinkContext(int subtask, int parallelism,
            TransactionPool pool) {
        return new KafkaRecordSerializationSchema.KafkaSinkContext() {
            @Override
            public int getParallelInstanceId() {
                return subtask;
            }

            @Override
            public int getNumberOfParallelInstances() {
                return parallelism;
            }

            @Override
            public int[] getPartitionsForTopic(String topic) {
                return pool.partitionsFor(topic);
            }
        };
    }

    @Override
    public Committer<TxnCommittable> createCommitter(CommitterInitContext context) {
        return new PooledTransactionalCommitter(context.getJobInfo().getJobId().toString(), producerProps);
    }

    @Override
    public SimpleVersionedSerializer<TxnCommittable> getCommittableSerializer() {
        return new TxnSerializers.Committables();
    }

    @Override
    public SimpleVersionedSerializer<TxnWriterState> getWriterStateSerializer() {
        return new TxnSerializers.WriterStates();
    }
}
