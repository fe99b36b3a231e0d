package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Plan;

/** A placement algorithm: a problem in, a plan (groups, their configurations and models) out. */
public interface PlacementPolicy {
    /** The name used on the command line and in the plan's {@code policy} field. */
    String name();

    Plan place(PlacementProblem problem, SearchProgress progress);
}
