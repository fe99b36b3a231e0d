package io.muxflow.job.control;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.jobgraph.JobGraph;

/** What the savepoint realizer needs from a Flink cluster. */
public interface ClusterAccess {
    /** Stops the job with a savepoint under {@code dir} (no drain); returns the savepoint path. */
    String stopWithSavepoint(JobID job, String dir) throws Exception;

    JobID submit(JobGraph graph) throws Exception;

    /** Waits until every task of the job runs (state restored, operators opened); false on timeout or failure. */
    boolean awaitRunning(JobID job, long timeoutMs) throws Exception;

    void cancel(JobID job) throws Exception;

    /** The largest value of a stage metric named {@code metric} over the job's subtasks, NaN if none. */
    double maxStageMetric(JobID job, String metric) throws Exception;
}
