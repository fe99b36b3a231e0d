package io.muxflow.planner.placement;

import static io.muxflow.planner.TestProfiles.model;
import static io.muxflow.planner.TestProfiles.pipeline;
import static io.muxflow.planner.TestProfiles.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementPolicyTest {
    private static final long GB = 1L << 30;
    /** Fits one device alone (0.6 of the budget); split in two stages, both models fit one 2-device group. */
    private static final ModelProfile BIG = model("big", single(1.0, 6 * GB / 10),
            pipeline(new double[] {0.5, 0.5}, 3 * GB / 10));

    private static PlacementProblem problem(double rate, double cv, double sloScale, long seed) {
        WorkloadSpec spec = WorkloadSpec.generated(600, seed, List.of(
                new ModelSpec("a", "big", rate, cv, sloScale * 1.0), new ModelSpec("b", "big", rate, cv, sloScale * 1.0)));
        Workload w = spec.generate();
        return new PlacementProblem(List.of(BIG, BIG), w, new Cluster(2, GB, 8), SimOptions.defaults(),
                SearchOptions.defaults().withThreads(1));
    }

    @Test
    void burstyTrafficPutsBothModelsOnOnePipelineGroup() {
        PlacementProblem p = problem(0.6, 3.5, 5, 1);
        Plan alpa = new AlpaServeSearch().place(p, SearchProgress.NONE);
        Plan sr = new SelectiveReplication().place(p, SearchProgress.NONE);
        assertThat(alpa.groups()).hasSize(1);
        Plan.Group g = alpa.groups().get(0);
        assertThat(g.devices()).isEqualTo(2);
        assertThat(g.pp()).isEqualTo(2);
        assertThat(g.models()).containsExactly("a", "b");
        assertThat(sr.groups()).hasSize(2).allSatisfy(x -> assertThat(x.models()).hasSize(1));
        assertThat(alpa.predictedAttainment()).isGreaterThan(sr.predictedAttainment() + 0.02);
    }

    @Test
    void steadyTrafficWithLooseSloIsServedAsWellByReplication() {
        PlacementProblem p = problem(0.2, 1.0, 10, 2);
        Plan alpa = new AlpaServeSearch().place(p, SearchProgress.NONE);
        Plan sr = new SelectiveReplication().place(p, SearchProgress.NONE);
        assertThat(sr.predictedAttainment()).isGreaterThan(0.99);
        assertThat(Math.abs(alpa.predictedAttainment() - sr.predictedAttainment())).isLessThan(0.01);
    }

    /** A model half a GB wide as one stage, in two 0.15-GB stages as a pipeline. */
    private static final ModelProfile SMALL = model("small", single(0.2, 3 * GB / 10),
            pipeline(new double[] {0.11, 0.11}, 15 * GB / 100));

    /** Two big and two or more small models of different rates and CVs, 300 s. */
    private static WorkloadSpec mixed(long seed, ModelSpec... more) {
        List<ModelSpec> models = new java.util.ArrayList<>(List.of(
                new ModelSpec("a", "big", 0.8, 4, 3), new ModelSpec("b", "big", 0.3, 4, 3),
                new ModelSpec("c", "small", 2, 2, 1), new ModelSpec("d", "small", 1, 4, 1.5)));
        models.addAll(List.of(more));
        return WorkloadSpec.generated(300, seed, models);
    }

    @Test
    void plansRespectTheMemoryBudgetAndNeverScoreBelowReplication() {
        for (long seed = 0; seed < 4; seed++) {
            PlacementProblem p = new PlacementProblem(List.of(BIG, BIG, SMALL, SMALL), mixed(seed).generate(),
                    new Cluster(4, GB, 8), SimOptions.defaults(), SearchOptions.defaults().withThreads(2));
            Placement alpa = new AlpaServeSearch().solve(p, SearchProgress.NONE);
            Placement sr = new SelectiveReplication().solve(p);
            for (Placement pl : List.of(alpa, sr)) {
                assertThat(pl.devices()).isLessThanOrEqualTo(4);
                for (int g = 0; g < pl.numGroups(); g++) {
                    assertThat(p.groupMemory(pl, g)).isLessThanOrEqualTo(GB);
                }
            }
            assertThat(p.score(alpa).value()).isGreaterThanOrEqualTo(p.score(sr).value());
        }
    }

    @Test
    void theSearchFindsTheSamePlacementOnOneThreadAndOnThree() {
        // sub-searches, partitions and the guided greedy's candidates run as forked tasks: reduced in a fixed order
        for (long seed = 0; seed < 3; seed++) {
            WorkloadSpec spec = mixed(seed, new ModelSpec("e", "small", 1.5, 3, 1));
            Placement[] found = new Placement[2];
            int[] threads = {1, 3};
            for (int i = 0; i < 2; i++) {
                PlacementProblem p = new PlacementProblem(List.of(BIG, BIG, SMALL, SMALL, SMALL), spec.generate(),
                        new Cluster(8, GB, 8), SimOptions.defaults(), SearchOptions.defaults().withThreads(threads[i]));
                found[i] = new AlpaServeSearch().solve(p, SearchProgress.NONE);
            }
            assertThat(found[1]).isEqualTo(found[0]);
            assertThat(found[0].replicas()).isPositive();
        }
    }

    @Test
    void restrictionsToTheSameModelsShareOneSimulationAndKeepTheirOwnDevices() {
        PlacementProblem p = new PlacementProblem(List.of(BIG, BIG, SMALL, SMALL), mixed(1).generate(),
                new Cluster(4, GB, 8), SimOptions.defaults(), SearchOptions.defaults().withThreads(1));
        PlacementProblem two = p.restrict(new int[] {2, 3}, 2);
        PlacementProblem three = p.restrict(new int[] {2, 3}, 3);
        assertThat(three.simulation()).isSameAs(two.simulation()); // its memo serves every device count
        assertThat(p.restrict(new int[] {0, 1}, 2).simulation()).isNotSameAs(two.simulation());
        assertThat(two.cluster().devices()).isEqualTo(2);
        assertThat(three.cluster().devices()).isEqualTo(3);
        assertThat(two.models()).containsExactly("c", "d");
        assertThat(two.workload().size()).isEqualTo(p.workload().countsPerModel()[2] + p.workload().countsPerModel()[3]);
    }

    @Test
    void clockworkReplansPerWindowAndBeatsStaticReplicationOnAShift() {
        // a is hot in the first half, b in the second: per-window replication follows the shift
        List<String> names = List.of("a", "b");
        Workload first = Workload.merge(names, List.of(
                Workload.ofModel(names, 0, new io.muxflow.planner.workload.GammaProcess(1.6, 1).generate(0, 120, 1), 2.0),
                Workload.ofModel(names, 1, new io.muxflow.planner.workload.GammaProcess(0.1, 1).generate(0, 120, 2), 2.0)));
        Workload second = Workload.merge(names, List.of(
                Workload.ofModel(names, 0, new io.muxflow.planner.workload.GammaProcess(0.1, 1).generate(120, 120, 3), 2.0),
                Workload.ofModel(names, 1, new io.muxflow.planner.workload.GammaProcess(1.6, 1).generate(120, 120, 4), 2.0)));
        Workload w = Workload.merge(names, List.of(first, second));
        ModelProfile half = model("half", single(1.0, 4 * GB / 10));
        PlacementProblem p = new PlacementProblem(List.of(half, half), w, new Cluster(2, GB, 8), SimOptions.defaults(),
                SearchOptions.defaults().withWindow(60).withThreads(1));
        Plan cw = new ClockworkPlusPlus().place(p, SearchProgress.NONE);
        Plan sr = new SelectiveReplication().place(p, SearchProgress.NONE);
        assertThat(cw.segments()).hasSize(4);
        assertThat(cw.segments()).extracting(Plan.Segment::startS).containsExactly(0.0, 60.0, 120.0, 180.0);
        assertThat(cw.predictedAttainment()).isGreaterThanOrEqualTo(sr.predictedAttainment());
    }

    @Test
    void aModelThatFitsNoGroupIsNamed() {
        ModelProfile huge = model("huge", single(1.0, 3 * GB));
        Workload w = Workload.ofModel(List.of("x"), 0, new double[] {1, 2}, 5);
        assertThatThrownBy(() -> new PlacementProblem(List.of(huge), w, new Cluster(2, GB, 8), SimOptions.defaults(),
                SearchOptions.defaults())).isInstanceOf(InvalidInputException.class).hasMessageContaining("'x'")
                .hasMessageContaining("fits no group");
    }

    @Test
    void requestsWithoutSloAndEmptyWorkloadsAreRefused() {
        Workload noSlo = Workload.ofModel(List.of("x"), 0, new double[] {1}, Double.NaN);
        assertThatThrownBy(() -> new PlacementProblem(List.of(BIG), noSlo, new Cluster(1, GB, 8), SimOptions.defaults(),
                SearchOptions.defaults())).hasMessageContaining("no SLO");
        assertThatThrownBy(() -> new PlacementProblem(List.of(BIG), Workload.empty(List.of("x")), new Cluster(1, GB, 8),
                SimOptions.defaults(), SearchOptions.defaults())).hasMessageContaining("empty");
    }

    @Test
    void beamSearchIsAtLeastAsGoodAsGreedyOnItsStart() {
        PlacementProblem p = problem(0.6, 3.5, 5, 3);
        Placement init = GroupPartitions.enumerate(p.cluster(), 8, 4).get(0);
        PlacementProblem beamP = new PlacementProblem(p.profiles(), p.workload(), p.cluster(), SimOptions.defaults(),
                SearchOptions.defaults().withBeam(3));
        double greedy = p.score(SimulatorGuidedGreedy.place(p, init)).value();
        double beam = beamP.score(SimulatorGuidedGreedy.place(beamP, init)).value();
        assertThat(beam).isGreaterThanOrEqualTo(greedy);
    }
}
