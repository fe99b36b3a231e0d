package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.sim.Score;

/**
 * AlpaServe's fast replica placement heuristic ({@code replica_placement_fast_greedy}): simulate the
 * current placement, then add one replica of the model with the most unserved requests to the group
 * that received the fewest requests and still has memory for it; repeat until no model fits
 * anywhere. One simulation per added replica. Used as is by the {@code sr} baseline and as one of
 * the candidates inside muxflow's {@code alpaserve} search.
 *
 * <p>Tie order follows AlpaServe's numpy calls: models by unserved count descending with ties to
 * the higher index (a reversed ascending argsort), groups by requests ascending with ties to the
 * lower index.
 */
public final class FastGreedyReplication {
    private FastGreedyReplication() {
    }

    public static Placement place(PlacementProblem problem, Placement init) {
        Placement sol = init;
        int numModels = problem.numModels();
        while (true) {
            Score s = problem.score(sol);
            Integer[] models = new Integer[numModels];
            for (int m = 0; m < numModels; m++) {
                models[m] = m;
            }
            // ascending by unserved (stable), then reversed: descending with ties to the higher index
            java.util.Arrays.sort(models, (a, b) -> Integer.compare(s.unserved(a), s.unserved(b)));
            Integer[] groups = new Integer[sol.numGroups()];
            for (int g = 0; g < groups.length; g++) {
                groups[g] = g;
            }
            java.util.Arrays.sort(groups, (a, b) -> Integer.compare(s.groupRequests()[a], s.groupRequests()[b]));
            boolean found = false;
            outer:
            for (int g : groups) {
                long mem = problem.groupMemory(sol, g);
                for (int i = numModels - 1; i >= 0; i--) {
                    int m = models[i];
                    if (problem.fits(sol, g, m, mem)) {
                        sol = sol.addModel(g, m);
                        found = true;
                        break outer;
                    }
                }
            }
            if (!found) {
                return sol;
            }
        }
    }
}
