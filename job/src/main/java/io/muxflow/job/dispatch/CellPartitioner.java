package io.muxflow.job.dispatch;

import org.apache.flink.api.common.functions.Partitioner;

/** Routes to the subtask whose index is the key (cell or layer slot); out-of-range keys to subtask 0. */
public final class CellPartitioner implements Partitioner<Integer> {
    private static final long serialVersionUID = 1L;

    @Override
    public int partition(Integer key, int numPartitions) {
        return key == null || key < 0 || key >= numPartitions ? 0 : key;
    }
}
