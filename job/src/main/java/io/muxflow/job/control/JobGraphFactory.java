package io.muxflow.job.control;

import io.muxflow.planner.plan.Plan;
import org.apache.flink.runtime.jobgraph.JobGraph;

/** Builds the serving job for a plan, optionally restored from a savepoint. */
@FunctionalInterface
public interface JobGraphFactory {
    JobGraph create(Plan plan, String savepoint, long measuredDowntimeMs);
}
