package io.muxflow.job.egress.txn;

import java.util.Properties;
import org.apache.flink.connector.kafka.sink.internal.FlinkKafkaInternalProducer;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two things a restored sink does to transactions it no longer holds a producer for: commit a
 * prepared one (resume it from producer id and epoch, as Flink's Kafka connector does), and fence a
 * transactional id, which aborts whatever transaction was left open on it.
 */
public final class TransactionRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionRecovery.class);

    private TransactionRecovery() {
    }

    /**
     * Commits {@code c}. A transaction that is no longer open under that epoch was already committed
     * (the pool fences an id again before reusing it only after its commit), so that is logged and
     * counted as done.
     *
     * @return true if this call committed it, false if it had been finished before
     */
    public static boolean commit(Properties producerProps, TxnCommittable c) {
        try (FlinkKafkaInternalProducer<byte[], byte[]> p = new FlinkKafkaInternalProducer<>(producerProps,
                c.transactionalId())) {
            p.resumeTransaction(c.producerId(), c.epoch());
            p.commitTransaction();
            LOG.info("Committed recovered transaction {} (producer id {}, epoch {})", c.transactionalId(),
                    c.producerId(), c.epoch());
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException | InvalidTxnStateException e) {
            LOG.info("Recovered transaction {} (producer id {}, epoch {}) was already finished: {}", c.transactionalId(),
                    c.producerId(), c.epoch(), e.toString());
            return false;
        }
    }

    /** Fences {@code transactionalId}: a transaction still open on it is aborted. */
    public static void fence(Properties producerProps, String transactionalId) {
        try (FlinkKafkaInternalProducer<byte[], byte[]> p = new FlinkKafkaInternalProducer<>(producerProps,
                transactionalId)) {
            p.initTransactions();
        }
    }
}
