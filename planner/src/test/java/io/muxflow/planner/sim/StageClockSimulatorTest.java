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
import java.util.List;
import org.junit.jupiter.api.Test;

class StageClockSimulatorTest {
    private static final SimOptions PLAIN = new SimOptions(0, 0, false, 0, false, 1);

    private static Workload workload(List<String> models, double[] arrivals, int[] ids, double slo) {
        double[] s = new double[arrivals.length];
        java.util.Arrays.fill(s, slo);
        return new Workload(models, arrivals, ids, s);
    }

    private static Placement groups(ParallelConfig c, int[]... models) {
        List<ParallelConfig> cs = new java.util.ArrayList<>();
        for (int i = 0; i < models.length; i++) {
            cs.add(c);
        }
        return new Placement(cs, List.of(models));
    }

    @Test
    void queuesOnOneDeviceAndRejectsWhatWouldMissTheSlo() {
        ModelProfile p = model("p", single(1.0, 1));
        Workload w = workload(List.of("a"), new double[] {0, 0.5, 1.0, 1.2}, new int[] {0, 0, 0, 0}, 2.5);
        Simulation sim = new Simulation(w, List.of(p), PLAIN);
        Outcomes o = sim.outcomes(groups(ParallelConfig.of(1, 1), new int[] {0}));
        // 0 -> [0,1]; 0.5 -> [1,2] latency 1.5; 1.0 -> [2,3] latency 2.0; 1.2 -> would finish 4.0: 2.8 > 2.5 rejected
        assertThat(o.finish()).containsExactly(1.0, 2.0, 3.0, 1.2);
        assertThat(o.good()).containsExactly(true, true, true, false);
        Score s = sim.score(groups(ParallelConfig.of(1, 1), new int[] {0}));
        assertThat(s.attainment()).isEqualTo(0.75);
        assertThat(s.latencyMeanS()).isCloseTo((1.0 + 1.5 + 2.0 + 0) / 4, within(1e-12));
    }

    @Test
    void pipelinesOverlapRequestsAcrossStages() {
        ModelProfile p = model("p", pipeline(new double[] {0.5, 0.5}, 1));
        Workload w = workload(List.of("a"), new double[] {0, 0, 0}, new int[] {0, 0, 0}, 10);
        Outcomes o = new Simulation(w, List.of(p), PLAIN).outcomes(groups(ParallelConfig.of(1, 2), new int[] {0}));
        // stage clocks: r0 [0.5,1.0], r1 [1.0,1.5], r2 [1.5,2.0]
        assertThat(o.finish()).containsExactly(1.0, 1.5, 2.0);
    }

    @Test
    void picksTheGroupWhoseLastStageFreesFirstTiesToTheLowestIndex() {
        ModelProfile p = model("p", single(1.0, 1));
        Workload w = workload(List.of("a"), new double[] {0, 0, 0}, new int[] {0, 0, 0}, 10);
        Outcomes o = new Simulation(w, List.of(p), PLAIN)
                .outcomes(groups(ParallelConfig.of(1, 1), new int[] {0}, new int[] {0}));
        assertThat(o.groupRequests()).containsExactly(2, 1); // g0, then g1 (clock 1 > 0), then g0 (tie 1 = 1)
        assertThat(o.finish()).containsExactly(1.0, 1.0, 2.0);
    }

    @Test
    void choosesTheGroupBeforeTheSloCheckAndNeverRetries() {
        // Model 0 is on g0 (slow, idle) and g1 (fast but busy later). Choice uses last-stage clocks only.
        ModelProfile p = model("p", single(1.0, 1), pipeline(new double[] {0.1, 0.1}, 1));
        Placement pl = new Placement(List.of(ParallelConfig.of(1, 1), ParallelConfig.of(1, 2)),
                List.of(new int[] {0}, new int[] {0}));
        Workload w = workload(List.of("a"), new double[] {0, 0}, new int[] {0, 0}, 0.5);
        Outcomes o = new Simulation(w, List.of(p), PLAIN).outcomes(pl);
        // r0: both clocks 0 -> g0 (lowest index), 1.0 > 0.5 rejected, g1 not tried; r1 same
        assertThat(o.good()).containsExactly(false, false);
        assertThat(o.groupRequests()).containsExactly(2, 0);
    }

    @Test
    void alpaServeModeHoldsLatenciesAndSlosAsFloat32() {
        // 0.099 x 1.009 + 0.011 = 0.110891 in double, but float32(0.110891) < float32(0.099891) + 0.011
        ModelProfile p = model("p", single(0.099, 1));
        Workload w = workload(List.of("a"), new double[] {0}, new int[] {0}, 0.110891);
        Placement pl = groups(ParallelConfig.of(1, 1), new int[] {0});
        assertThat(new Simulation(w, List.of(p), SimOptions.alpaServe()).outcomes(pl).good()).containsExactly(false);
        assertThat(new Simulation(w, List.of(p), SimOptions.defaults()).outcomes(pl).good()).containsExactly(true);
        Outcomes o = new Simulation(w, List.of(p), SimOptions.alpaServe().withWarmup(0))
                .outcomes(groups(ParallelConfig.of(1, 1), new int[] {0}));
        assertThat(o.finish()[0]).isEqualTo(0.0); // rejected: finish = arrival
    }

    @Test
    void alpaServeModeInflatesStagesAndAddsTheFixedOverheadAfterTheLastStage() {
        ModelProfile p = model("p", pipeline(new double[] {0.051, 0.052}, 1));
        Workload w = workload(List.of("a"), new double[] {1, 1}, new int[] {0, 0}, 10);
        Outcomes o = new Simulation(w, List.of(p), SimOptions.alpaServe())
                .outcomes(groups(ParallelConfig.of(1, 2), new int[] {0}));
        double s0 = (double) (float) (0.051 * (1 + 0.009 * 2));
        double s1 = (double) (float) (0.052 * (1 + 0.009 * 2));
        assertThat(o.finish()[0]).isEqualTo(1 + s0 + s1 + 0.011);
        // the overhead holds no device: r1 starts stage 0 at 1 + s0 and stage 1 at max(1 + 2 s0, 1 + s0 + s1)
        assertThat(o.finish()[1]).isEqualTo(Math.max(1 + s0 + s0, 1 + s0 + s1) + s1 + 0.011);
    }

    @Test
    void requestsOfUnplacedModelsAreRejected() {
        ModelProfile p = model("p", single(0.1, 1));
        Workload w = workload(List.of("a", "b"), new double[] {0, 1}, new int[] {0, 1}, 1);
        Score s = new Simulation(w, List.of(p, p), PLAIN).score(groups(ParallelConfig.of(1, 1), new int[] {0}));
        assertThat(s.modelGood()).containsExactly(1, 0);
        assertThat(s.modelRequests()).containsExactly(1, 1);
        assertThat(s.attainment()).isEqualTo(0.5);
    }

    @Test
    void reportsTrimTheWarmupByCountAndTakePercentilesByIndex() {
        ModelProfile p = model("p", single(0.01, 1));
        int n = 100;
        double[] a = new double[n];
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i; // span 99 s
        }
        Workload w = workload(List.of("a"), a, ids, 1);
        assertThat(SimStats.trimCount(w, 10)).isEqualTo((int) (10.0 / 99 * 100));
        SimResult r = new Simulation(w, List.of(p), PLAIN.withWarmup(10)).run(groups(ParallelConfig.of(1, 1), new int[] {0}));
        assertThat(r.requests()).isEqualTo(100 - 2 * 10);
        assertThat(r.attainment()).isEqualTo(1.0);
        assertThat(r.latencyP99S()).isCloseTo(0.01, within(1e-12));
        assertThat(r.groupUtilization()[0]).isCloseTo(100 * 0.01 / 99, within(1e-9));
    }

    @Test
    void segmentsStartFromIdleDevices() {
        ModelProfile p = model("p", single(1.0, 1));
        Workload w = workload(List.of("a"), new double[] {0, 0.1, 0.2}, new int[] {0, 0, 0}, 10);
        Simulation sim = new Simulation(w, List.of(p), PLAIN);
        Placement one = groups(ParallelConfig.of(1, 1), new int[] {0});
        io.muxflow.planner.plan.Plan plan = io.muxflow.planner.plan.Plan.of(one, w.models(), "t", 1)
                .withSegments(List.of(new io.muxflow.planner.plan.Plan.Segment(0, io.muxflow.planner.plan.Plan.groupsOf(one, w.models())),
                        new io.muxflow.planner.plan.Plan.Segment(0.1, io.muxflow.planner.plan.Plan.groupsOf(one, w.models()))));
        Outcomes o = sim.outcomes(plan);
        // segment 0 serves arrivals <= 0.1; segment 1 starts idle at 0.2
        assertThat(o.finish()).containsExactly(1.0, 2.0, 1.2);
    }
}
