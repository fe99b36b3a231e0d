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
 * <p>Two rankings of "most unserved": {@link Ranking#ALPASERVE} is AlpaServe's own, {@code n x (1 -
 * good / (n + 1e-6))} with the placement normalized ({@link Placement#alpaServeNormalized()}) after
 * each addition, so the search can always offer AlpaServe's exact result; {@link Ranking#COUNT} ranks
 * by the integer count {@code n - good} and keeps group positions, which sometimes finds better
 * placements. Tie order follows AlpaServe's numpy calls: models descending with ties to the higher
 * index (a reversed ascending argsort), groups by requests ascending with ties to the lower index.
 */
public final class FastGreedyReplication {
    /** How the greedy ranks models by what they leave unserved. */
    public enum Ranking {
        /** AlpaServe's: {@code n x (1 - good / (n + 1e-6))}, and the placement normalized after each addition. */
        ALPASERVE,
        /** The integer count {@code n - good}; group positions kept. */
        COUNT
    }

    private FastGreedyReplication() {
    }

    public static Placement place(PlacementProblem problem, Placement init) {
        return place(problem, init, Ranking.COUNT);
    }

    public static Placement place(PlacementProblem problem, Placement init, Ranking ranking) {
        Placement sol = init;
        int numModels = problem.numModels();
        while (true) {
            Score s = problem.score(sol);
            Integer[] models = new Integer[numModels];
            for (int m = 0; m < numModels; m++) {
                models[m] = m;
            }
            // ascending by unserved (stable), then reversed: descending with ties to the higher index
            if (ranking == Ranking.ALPASERVE) {
                double[] key = new double[numModels];
                for (int m = 0; m < numModels; m++) {
                    int n = s.modelRequests()[m];
                    key[m] = n * (1 - s.modelGood()[m] / (n + 1e-6));
                }
                java.util.Arrays.sort(models, (a, b) -> Double.compare(key[a], key[b]));
            } else {
                java.util.Arrays.sort(models, (a, b) -> Integer.compare(s.unserved(a), s.unserved(b)));
            }
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
                        if (ranking == Ranking.ALPASERVE) {
                            sol = sol.alpaServeNormalized();
                        }
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
