package io.muxflow.planner.placement;

import static io.muxflow.planner.TestProfiles.model;
import static io.muxflow.planner.TestProfiles.pipeline;
import static io.muxflow.planner.TestProfiles.single;
import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.WorkloadSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AlpaServe's fast greedy as a candidate of the search (issue 22, part 5). */
class FastGreedyReplicationTest {
    private static final long GB = 1L << 30;

    @Test
    void alpaServeNormalizationSortsModelListsLikePythonTuples() {
        ParallelConfig one = ParallelConfig.of(1, 1);
        Placement p = new Placement(List.of(one, one, one, one),
                List.of(new int[] {3, 2}, new int[] {0, 5}, new int[0], new int[] {0}));
        Placement n = p.alpaServeNormalized();
        assertThat(n.modelsOf(0)).isEmpty(); // () < (0,) < (0, 5) < (2, 3)
        assertThat(n.modelsOf(1)).containsExactly(0);
        assertThat(n.modelsOf(2)).containsExactly(0, 5);
        assertThat(n.modelsOf(3)).containsExactly(2, 3);
    }

    @Test
    void withUnequalConfigurationsListsAreSortedAmongTheirOwnConfigurationsPositions() {
        ParallelConfig one = ParallelConfig.of(1, 1);
        ParallelConfig two = ParallelConfig.of(1, 2);
        Placement p = new Placement(List.of(two, one, two, one),
                List.of(new int[] {3, 2}, new int[] {0, 5}, new int[0], new int[] {0}));
        Placement n = p.alpaServeNormalized();
        assertThat(n.configs()).containsExactly(two, one, two, one);
        assertThat(n.modelsOf(0)).isEmpty();              // the pp=2 positions 0 and 2: () < (2, 3)
        assertThat(n.modelsOf(2)).containsExactly(2, 3);
        assertThat(n.modelsOf(1)).containsExactly(0);     // the pp=1 positions 1 and 3: (0,) < (0, 5)
        assertThat(n.modelsOf(3)).containsExactly(0, 5);
    }

    /** Two sizes of model on 4 devices: buckets, pipelines and shared groups all in play. */
    private static PlacementProblem mixed(long seed, SearchOptions o) {
        ModelProfile big = model("big", single(1.0, 6 * GB / 10), pipeline(new double[] {0.5, 0.5}, 3 * GB / 10));
        ModelProfile small = model("small", single(0.2, 3 * GB / 10), pipeline(new double[] {0.11, 0.11}, 15 * GB / 100));
        WorkloadSpec spec = WorkloadSpec.generated(300, seed, List.of(
                new ModelSpec("a", "big", 0.8, 4, 3), new ModelSpec("b", "big", 0.3, 4, 3),
                new ModelSpec("c", "small", 2, 2, 1), new ModelSpec("d", "small", 1, 4, 1.5),
                new ModelSpec("e", "small", 3, 3, 1.2)));
        return new PlacementProblem(List.of(big, big, small, small, small), spec.generate(), new Cluster(4, GB, 8),
                SimOptions.defaults(), o);
    }

    @Test
    void theSearchNeverScoresBelowAlpaServesPublishedSearch() {
        for (long seed = 0; seed < 6; seed++) {
            PlacementProblem ours = mixed(seed, SearchOptions.defaults().withThreads(1));
            PlacementProblem theirs = mixed(seed, SearchOptions.defaults().withThreads(1).withGuided(false));
            double a = ours.score(new AlpaServeSearch().solve(ours, SearchProgress.NONE)).value();
            double b = theirs.score(new AlpaServeSearch().solve(theirs, SearchProgress.NONE)).value();
            assertThat(a).as("seed %d", seed).isGreaterThanOrEqualTo(b);
        }
    }

    @Test
    void thePublishedPolicyIsAlpaServesSearchWithoutTheRefinement() {
        int refinedHigher = 0;
        for (long seed = 0; seed < 6; seed++) {
            PlacementProblem p = mixed(seed, SearchOptions.defaults().withThreads(1));
            PlacementProblem unrefined = mixed(seed, SearchOptions.defaults().withThreads(1).withGuided(false));
            var published = Policies.byName("alpaserve-published").place(p, SearchProgress.NONE);
            var expected = new AlpaServeSearch().place(unrefined, SearchProgress.NONE);
            var full = Policies.byName("alpaserve").place(p, SearchProgress.NONE);
            assertThat(published.policy()).isEqualTo("alpaserve-published");
            assertThat(published.groups()).as("seed %d", seed).isEqualTo(expected.groups());
            assertThat(published.predictedAttainment()).isEqualTo(expected.predictedAttainment());
            assertThat(full.predictedAttainment()).as("seed %d", seed)
                    .isGreaterThanOrEqualTo(published.predictedAttainment());
            if (full.predictedAttainment() > published.predictedAttainment()) {
                refinedHigher++;
            }
        }
        assertThat(refinedHigher).as("seeds where the refinement found more (else this test shows nothing)")
                .isPositive();
    }

    @Test
    void bothRankingsFillEveryGroupTheMemoryAllows() {
        PlacementProblem p = mixed(1, SearchOptions.defaults().withThreads(1));
        Placement init = Placement.empty(List.of(ParallelConfig.of(1, 1), ParallelConfig.of(1, 1),
                ParallelConfig.of(1, 2)));
        for (FastGreedyReplication.Ranking r : FastGreedyReplication.Ranking.values()) {
            Placement f = FastGreedyReplication.place(p, init, r);
            for (int g = 0; g < f.numGroups(); g++) {
                long mem = p.groupMemory(f, g);
                assertThat(mem).isLessThanOrEqualTo(GB);
                for (int m = 0; m < p.numModels(); m++) {
                    // greedy stops only when no further model fits this group
                    assertThat(f.hosts(g, m) || !p.fits(f, g, m, mem)).as("%s: group %d, model %d", r, g, m).isTrue();
                }
            }
        }
    }

    @Test
    void scoresOfPlacementsOverDisjointModelsAddUpAsTheSplitSearchAssumes() {
        PlacementProblem p = mixed(2, SearchOptions.defaults().withThreads(1));
        Placement big = new Placement(List.of(ParallelConfig.of(1, 2)), List.of(new int[] {0, 1}));
        Placement small = new Placement(List.of(ParallelConfig.of(1, 1), ParallelConfig.of(1, 1)),
                List.of(new int[] {2, 3}, new int[] {3, 4}));
        double sum = p.score(big).value() + p.score(small).value();
        assertThat(p.score(big.concat(small)).value()).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(p.score(big.concat(small)).attainment()).isCloseTo(
                p.score(big).attainment() + p.score(small).attainment(), org.assertj.core.data.Offset.offset(1e-12));
    }
}
