package io.muxflow.job.egress.txn;

import java.util.List;

/**
 * What a writer subtask leaves in a checkpoint: which transactional ids it may have used (its
 * generation, subtask index and pool size), and every transaction it prepared that was not yet known
 * to be committed. On restore the pending ones are committed and then all of those ids are fenced,
 * which aborts whatever was left open on them after the checkpoint.
 */
public record TxnWriterState(long generation, int subtask, int poolSize, List<TxnCommittable> pending) {
    public TxnWriterState {
        pending = List.copyOf(pending);
    }
}
