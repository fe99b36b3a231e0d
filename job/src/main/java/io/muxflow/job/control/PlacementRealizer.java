package io.muxflow.job.control;

import io.muxflow.planner.plan.Plan;
import java.util.Map;

/**
 * Realize (after the autoscaler's ScalingRealizer): move the running deployment from one plan to
 * another. Implementations: {@link SavepointRealizer} (stop with a savepoint, resubmit restored from
 * it, through Flink's REST API) and, in tests, one that records what it was asked.
 */
public interface PlacementRealizer {
    /**
     * @param deployed    whether the candidate now runs
     * @param reason      what happened, for the plans topic
     * @param savepoint   the savepoint the move went through (null when none was taken)
     * @param timingsMs   phases of the move: savepoint, submit, restore, weight_load
     */
    record Outcome(boolean deployed, String reason, String savepoint, Map<String, Double> timingsMs) {
    }

    Outcome realize(Plan current, Plan candidate);
}
