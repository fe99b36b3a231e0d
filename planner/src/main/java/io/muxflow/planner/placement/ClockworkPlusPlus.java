package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.workload.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code clockwork++} baseline (AlpaServe's {@code SelectiveReplicationReplacement}): selective
 * replication re-planned for every window of {@code clockworkWindowS} seconds on that window's own
 * arrivals, and switched at each window start at no cost, from idle devices. It knows the future of
 * each window, so it is an oracle upper bound on replication with re-placement: for each window it
 * keeps whichever of the window's own selective-replication plan, the previous window's plan and the
 * plan for the whole workload serves the window best. A window without arrivals keeps the previous
 * placement.
 */
public final class ClockworkPlusPlus implements PlacementPolicy {
    @Override
    public String name() {
        return "clockwork++";
    }

    @Override
    public Plan place(PlacementProblem problem, SearchProgress progress) {
        Workload w = problem.workload();
        double window = problem.search().clockworkWindowS();
        double first = w.arrival(0);
        double last = w.arrival(w.size() - 1);
        int windows = Math.max(1, (int) Math.ceil((last - Math.min(first, 0)) / window));
        SelectiveReplication sr = new SelectiveReplication();
        Placement global = sr.solve(problem);
        List<Plan.Segment> segments = new ArrayList<>();
        Placement previous = null;
        for (int k = 0; k < windows; k++) {
            double start = k * window;
            double from = k == 0 ? Double.NEGATIVE_INFINITY : start;
            Workload part = w.window(from, k == windows - 1 ? Double.POSITIVE_INFINITY : start + window);
            Placement p;
            if (part.isEmpty()) {
                p = previous != null ? previous : global;
            } else {
                PlacementProblem windowProblem = problem.withWorkload(part);
                p = sr.solve(windowProblem);
                for (Placement other : previous == null ? List.of(global) : List.of(global, previous)) {
                    if (windowProblem.score(other).value() > windowProblem.score(p).value()) {
                        p = other;
                    }
                }
            }
            previous = p;
            segments.add(new Plan.Segment(start, Plan.groupsOf(p, problem.models())));
            progress.report("clockwork++ windows", k + 1, windows);
        }
        Plan plan = new Plan(1, name(), segments.get(0).groups(), segments, Double.NaN, null, null);
        return Plans.withPrediction(plan, problem);
    }
}
