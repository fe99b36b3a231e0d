package io.muxflow.job.egress.txn;

import java.util.Collection;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Commits each completed checkpoint's transactions: by handing them to the pool that prepared them
 * (which commits on its background thread and keeps them in its writer state until done), or, for a
 * transaction restored from a checkpoint, by resuming it from producer id and epoch.
 */
final class PooledTransactionalCommitter implements Committer<TxnCommittable> {
    private final String owner;
    private final Properties producerProps;

    /** @param owner the job whose writers' pools this committer hands transactions to */
    PooledTransactionalCommitter(String owner, Properties producerProps) {
        this.owner = owner;
        this.producerProps = producerProps;
    }

    @Override
    public void commit(Collection<CommitRequest<TxnCommittable>> requests) {
        for (CommitRequest<TxnCommittable> r : requests) {
            TxnCommittable c = r.getCommittable();
            if (TransactionPool.commitIfOwned(owner, c)) {
                continue;
            }
            try {
                if (!TransactionRecovery.commit(producerProps, c)) {
                    r.signalAlreadyCommitted();
                }
            } catch (RetriableException e) {
                r.retryLater();
            } catch (RuntimeException e) {
                r.signalFailedWithUnknownReason(e);
            }
        }
    }

    @Override
    public void close() {
    }
}
