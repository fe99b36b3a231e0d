package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.sim.Score;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * AlpaServe's Algorithm 1, simulator-guided greedy replica placement: starting from groups with
 * fixed parallel configurations, repeatedly add the (group, model) replica that most improves the
 * simulated score (attainment, then lower mean latency, then more replicas), serving first the
 * models with the most unserved requests; stop when no addition improves the score.
 *
 * <p>How it departs from the paper's pseudo-code: rather than simulating every (group, model) pair,
 * each step tries the {@code candidateModels} models with the most unserved requests on their
 * {@code candidateGroups} least-loaded groups, skipping groups identical to one already tried (same
 * configuration and models: interchangeable). With {@code beamWidth > 1} it keeps the best
 * {@code beamWidth} placements of each step (beam search) and returns the best seen.
 */
public final class SimulatorGuidedGreedy {
    private SimulatorGuidedGreedy() {
    }

    private record Scored(Placement placement, Score score) {
    }

    public static Placement place(PlacementProblem problem, Placement init) {
        SearchOptions o = problem.search();
        List<Scored> beam = List.of(new Scored(init, problem.score(init)));
        Scored best = beam.get(0);
        Set<Placement> seen = new HashSet<>();
        while (true) {
            List<Placement> cands = new ArrayList<>();
            for (Scored s : beam) {
                for (Placement cand : candidates(problem, s, o)) {
                    if (seen.add(cand.normalized())) {
                        cands.add(cand);
                    }
                }
            }
            // the step's candidates are independent simulations: scored in parallel inside the search's pool
            Score[] scores = new Score[cands.size()];
            List<Runnable> tasks = new ArrayList<>();
            for (int i = 0; i < scores.length; i++) {
                final int fi = i;
                tasks.add(() -> scores[fi] = problem.score(cands.get(fi)));
            }
            AlpaServeSearch.runAll(tasks);
            List<Scored> next = new ArrayList<>();
            for (int i = 0; i < scores.length; i++) {
                next.add(new Scored(cands.get(i), scores[i]));
            }
            if (next.isEmpty()) {
                return best.placement();
            }
            next.sort((a, b) -> Double.compare(b.score().value(), a.score().value()));
            if (next.get(0).score().value() <= best.score().value()) {
                return best.placement();
            }
            best = next.get(0);
            beam = next.subList(0, Math.min(o.beamWidth(), next.size()));
        }
    }

    private static List<Placement> candidates(PlacementProblem problem, Scored s, SearchOptions o) {
        Placement p = s.placement();
        Score score = s.score();
        int numModels = problem.numModels();
        Integer[] models = new Integer[numModels];
        for (int m = 0; m < numModels; m++) {
            models[m] = m;
        }
        Arrays.sort(models, (a, b) -> Integer.compare(score.unserved(b), score.unserved(a)));
        Integer[] groups = new Integer[p.numGroups()];
        for (int g = 0; g < groups.length; g++) {
            groups[g] = g;
        }
        // least loaded per device first
        Arrays.sort(groups, (a, b) -> Double.compare((double) score.groupRequests()[a] / p.config(a).devices(),
                (double) score.groupRequests()[b] / p.config(b).devices()));
        long[] mem = new long[p.numGroups()];
        for (int g = 0; g < mem.length; g++) {
            mem[g] = problem.groupMemory(p, g);
        }
        List<Placement> out = new ArrayList<>();
        int modelsTried = 0;
        for (int mi = 0; mi < numModels && modelsTried < o.candidateModels(); mi++) {
            int m = models[mi];
            if (score.unserved(m) == 0) {
                break;
            }
            Set<String> signatures = new HashSet<>();
            int groupsTried = 0;
            for (int g : groups) {
                if (groupsTried >= o.candidateGroups()) {
                    break;
                }
                if (!problem.fits(p, g, m, mem[g])) {
                    continue;
                }
                String sig = p.config(g) + Arrays.toString(p.modelsOf(g));
                if (!signatures.add(sig)) {
                    continue;
                }
                out.add(p.addModel(g, m));
                groupsTried++;
            }
            if (groupsTried > 0) {
                modelsTried++;
            }
        }
        return out;
    }
}
