package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.Collections;
import java.util.List;

/**
 * The {@code sr} baseline, selective replication (AlpaServe's {@code SelectiveReplicationGreedy}):
 * no model parallelism; every device is its own group, filled by {@link FastGreedyReplication}.
 * Models that need more than one device cannot be served by it.
 */
public final class SelectiveReplication implements PlacementPolicy {
    @Override
    public String name() {
        return "sr";
    }

    public Placement solve(PlacementProblem problem) {
        List<ParallelConfig> configs = Collections.nCopies(problem.cluster().devices(), ParallelConfig.of(1, 1));
        return FastGreedyReplication.place(problem, Placement.empty(configs), FastGreedyReplication.Ranking.ALPASERVE);
    }

    @Override
    public Plan place(PlacementProblem problem, SearchProgress progress) {
        progress.report("sr", 0, 1);
        Placement p = solve(problem);
        progress.report("sr", 1, 1);
        return Plans.withPrediction(Plan.of(p, problem.models(), name(), 1), problem);
    }
}
