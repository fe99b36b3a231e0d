package io.muxflow.planner.sim;

import static io.muxflow.planner.TestProfiles.model;
import static io.muxflow.planner.TestProfiles.pipeline;
import static io.muxflow.planner.TestProfiles.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ComponentScoresTest {
    private static final List<ParallelConfig> CONFIGS = List.of(ParallelConfig.of(1, 1), ParallelConfig.of(1, 2));

    /** Six models with pp = 1 and pp = 2 profiles of different speeds; tight SLOs so that choices matter. */
    private static Simulation simulation(long seed) {
        Random r = new Random(seed);
        List<ModelProfile> profiles = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int m = 0; m < 6; m++) {
            double l = 0.02 + 0.08 * r.nextDouble();
            profiles.add(model("p" + m, single(l, 1), pipeline(new double[] {0.6 * l, 0.5 * l}, 1)));
            names.add("m" + m);
        }
        int n = 3000;
        double[] a = new double[n];
        int[] ids = new int[n];
        double[] slo = new double[n];
        double t = 0;
        for (int i = 0; i < n; i++) {
            t += r.nextDouble() < 0.1 ? 0 : -Math.log(1 - r.nextDouble()) / 40; // bursts of equal arrival times
            a[i] = t;
            ids[i] = r.nextInt(6);
            slo[i] = 0.1 + 0.2 * r.nextDouble();
        }
        return new Simulation(new Workload(names, a, ids, slo), profiles, SimOptions.defaults());
    }

    private static Placement randomPlacement(Random r) {
        int groups = 1 + r.nextInt(5);
        List<ParallelConfig> cs = new ArrayList<>();
        List<int[]> ms = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            cs.add(CONFIGS.get(r.nextInt(CONFIGS.size())));
            ms.add(r.ints(0, 6).distinct().limit(r.nextInt(4)).toArray());
        }
        return new Placement(cs, ms);
    }

    /** The counts a full replay of every request gives ({@link StageClockSimulator#simulate}). */
    private static void assertSameAsFullReplay(Simulation sim, Placement p, Score s) {
        Outcomes o = sim.outcomes(p);
        int[] good = new int[sim.table().numModels()];
        double latency = 0;
        Workload w = sim.workload();
        for (int i = 0; i < w.size(); i++) {
            if (o.good()[i]) {
                good[w.modelId(i)]++;
                latency += o.finish()[i] - w.arrival(i);
            }
        }
        assertThat(s.modelGood()).as("good per model, %s", p).containsExactly(good);
        assertThat(s.groupRequests()).as("requests per group, %s", p).containsExactly(o.groupRequests());
        assertThat(s.latencyMeanS()).isCloseTo(latency / w.size(), within(1e-9));
        assertThat(s.modelRequests()).containsExactly(w.countsPerModel());
    }

    @Test
    void memoizedScoresEqualAFullReplayAfterAnyHistory() {
        for (long seed = 1; seed <= 4; seed++) {
            Simulation sim = simulation(seed);
            Random r = new Random(seed * 31);
            List<Placement> history = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                // half new placements, half one replica added to an earlier one (what the greedy searches score)
                Placement p = randomPlacement(r);
                if (!history.isEmpty() && r.nextBoolean()) {
                    Placement base = history.get(r.nextInt(history.size()));
                    int g = r.nextInt(base.numGroups());
                    int m = r.nextInt(6);
                    p = base.hosts(g, m) ? base : base.addModel(g, m);
                }
                history.add(p);
                Score memo = sim.score(p);
                assertSameAsFullReplay(sim, p, memo);
                Score fresh = sim.scoreUnmemoized(p);
                assertThat(memo.value()).isEqualTo(fresh.value());
            }
        }
    }

    @Test
    void aComponentsGroupOrderIsPartOfItsIdentityBecauseTiesGoToTheLowestIndex() {
        // One request of model 0, hosted by a slow pp=1 group and a fast pp=2 group, both idle: the
        // tie goes to the lower index, so the two orders of the same groups serve it differently.
        ModelProfile p = model("p", single(1.0, 1), pipeline(new double[] {0.1, 0.1}, 1));
        Workload w = new Workload(List.of("a", "b"), new double[] {0, 0.5}, new int[] {0, 1}, new double[] {10, 10});
        Simulation sim = new Simulation(w, List.of(p, p), new SimOptions(0, 0, false, 0, false, 1));
        Placement slowFirst = new Placement(CONFIGS, List.of(new int[] {0}, new int[] {0}));
        Placement fastFirst = new Placement(List.of(CONFIGS.get(1), CONFIGS.get(0)), List.of(new int[] {0}, new int[] {0}));
        assertThat(sim.score(slowFirst).latencyMeanS()).isCloseTo(1.0 / 2, within(1e-12));
        assertThat(sim.score(fastFirst).latencyMeanS()).isCloseTo(0.2 / 2, within(1e-12));
        // the same component at other group indices (same relative order), beside another component
        Placement shifted = new Placement(List.of(CONFIGS.get(0), CONFIGS.get(1), CONFIGS.get(0)),
                List.of(new int[] {1}, new int[] {0}, new int[] {0}));
        Score s = sim.score(shifted);
        assertThat(s.latencyMeanS()).isCloseTo((0.2 + 1.0) / 2, within(1e-12));
        assertThat(s.groupRequests()).containsExactly(1, 1, 0);
        assertSameAsFullReplay(sim, shifted, s);
    }
}
