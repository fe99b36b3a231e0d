package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.workload.Workload;
import java.util.List;

/**
 * One workload, its models' profiles and simulator options: simulates placements and plans and
 * reports statistics. Picks the stage-clock or the batching simulator from the options.
 */
public final class Simulation {
    private final Workload workload;
    private final LatencyTable table;
    private final StageClockSimulator stageClock;
    private final BatchingSimulator batching;

    public Simulation(Workload workload, List<ModelProfile> profilesByModel, SimOptions options) {
        this.workload = workload;
        this.table = new LatencyTable(profilesByModel, options);
        this.stageClock = new StageClockSimulator(workload, table);
        this.batching = options.batching() ? new BatchingSimulator(workload, table) : null;
    }

    public Workload workload() {
        return workload;
    }

    public LatencyTable table() {
        return table;
    }

    public SimOptions options() {
        return table.options();
    }

    /**
     * The search's score of {@code p}, by the model the plan will be served with: with batching on,
     * the batching model's outcomes (so a search plans for batches), otherwise the stage-clock one.
     */
    public Score score(Placement p) {
        return batching != null ? Score.of(workload, batching.simulate(p), p.replicas(), table.numModels())
                : stageClock.score(p);
    }

    /** {@link #score} with every request replayed and nothing memoized (benchmarks). */
    public Score scoreUnmemoized(Placement p) {
        return batching != null ? score(p) : stageClock.scoreUnmemoized(p);
    }

    public Outcomes outcomes(Placement p) {
        return batching != null ? batching.simulate(p) : stageClock.simulate(p);
    }

    public SimResult run(Placement p) {
        return SimStats.summarize(workload, outcomes(p), table.options().warmupS());
    }

    public Outcomes outcomes(Plan plan) {
        if (!plan.timeVarying()) {
            return outcomes(plan.placement(workload.models()));
        }
        List<Placement> ps = plan.segmentPlacements(workload.models());
        double[] starts = plan.segmentStarts().stream().mapToDouble(Double::doubleValue).toArray();
        return stageClock.simulateSegments(starts, ps.toArray(new Placement[0]));
    }

    public SimResult run(Plan plan) {
        return SimStats.summarize(workload, outcomes(plan), table.options().warmupS());
    }
}
