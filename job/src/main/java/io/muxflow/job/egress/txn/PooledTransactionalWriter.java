package io.muxflow.job.egress.txn;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The sink's writer: serializes each element into the current transaction of its {@link TransactionPool}. */
final class PooledTransactionalWriter<T> implements CommittingSinkWriter<T, TxnCommittable>,
        StatefulSinkWriter<T, TxnWriterState> {
    private final KafkaRecordSerializationSchema<T> serializer;
    private final KafkaRecordSerializationSchema.KafkaSinkContext sinkContext;
    private final TransactionPool pool;
    private final Counter records;
    private final Counter bytes;

    PooledTransactionalWriter(KafkaRecordSerializationSchema<T> serializer,
            KafkaRecordSerializationSchema.KafkaSinkContext sinkContext, TransactionPool pool, Counter records,
            Counter bytes) {
        this.serializer = serializer;
        this.sinkContext = sinkContext;
        this.pool = pool;
        this.records = records;
        this.bytes = bytes;
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        ProducerRecord<byte[], byte[]> r = serializer.serialize(element, sinkContext, context.timestamp());
        if (r == null) {
            return;
        }
        pool.send(r);
        records.inc();
        bytes.inc((r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length));
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        pool.flush();
    }

    @Override
    public Collection<TxnCommittable> prepareCommit() throws IOException {
        TxnCommittable c = pool.prepare();
        return c == null ? List.of() : List.of(c);
    }

    @Override
    public List<TxnWriterState> snapshotState(long checkpointId) {
        return List.of(pool.state());
    }

    @Override
    public void close() {
        pool.close();
    }
}
