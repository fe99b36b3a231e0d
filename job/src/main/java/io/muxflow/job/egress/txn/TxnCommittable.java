package io.muxflow.job.egress.txn;

import java.util.Objects;

/**
 * One prepared Kafka transaction: enough to commit it from any producer with the same transactional
 * id (resume with producer id and epoch, then end it), which is what recovery does.
 */
public record TxnCommittable(String transactionalId, long producerId, short epoch) {
    public TxnCommittable {
        Objects.requireNonNull(transactionalId, "transactionalId");
        if (producerId < 0 || epoch < 0) {
            throw new IllegalArgumentException("transaction " + transactionalId + " has no producer id/epoch ("
                    + producerId + "/" + epoch + ")");
        }
    }
}
