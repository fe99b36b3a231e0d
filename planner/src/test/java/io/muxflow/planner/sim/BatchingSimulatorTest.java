package io.muxflow.planner.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.workload.Workload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchingSimulatorTest {
    private static final ModelProfile P = new ModelProfile("p", List.of(new ConfigProfile(ParallelConfig.of(1, 1),
            Map.of(1, new double[] {1.0}, 2, new double[] {1.2}, 4, new double[] {1.5}), new long[] {1}, Map.of())));

    private static Outcomes run(double[] arrivals, double slo, int maxBatch) {
        double[] s = new double[arrivals.length];
        java.util.Arrays.fill(s, slo);
        Workload w = new Workload(List.of("a"), arrivals, new int[arrivals.length], s);
        SimOptions o = new SimOptions(0, 0, false, 0, false, 1).withBatching(maxBatch);
        return new Simulation(w, List.of(P), o).outcomes(new Placement(List.of(ParallelConfig.of(1, 1)),
                List.of(new int[] {0})));
    }

    @Test
    void batchesWhatWaitedWhileTheDeviceWasBusy() {
        // r0 runs alone [0,1]; r1..r4 wait and run as one batch of 4 [1, 2.5]
        Outcomes o = run(new double[] {0, 0.1, 0.2, 0.3, 0.4}, 5, 4);
        assertThat(o.finish()).containsExactly(1.0, 2.5, 2.5, 2.5, 2.5);
        assertThat(o.good()).containsOnly(true);
    }

    @Test
    void growsTheBatchOnlyWhileTheHeadMeetsItsDeadline() {
        // at t=1 the head (arrived 0.1, deadline 2.3) makes it with batch 2 (2.2) but not batch 4 (2.5)
        Outcomes o = run(new double[] {0, 0.1, 0.2, 0.3, 0.4}, 2.2, 4);
        assertThat(o.finish()[1]).isEqualTo(2.2);
        assertThat(o.finish()[2]).isEqualTo(2.2);
        // r3 (deadline 2.5) would finish 3.2 alone at 2.2: rejected; r4 too
        assertThat(o.good()).containsExactly(true, true, true, false, false);
    }

    @Test
    void withBatchingOnTheSearchScoresWithBatches() {
        // five at once, SLO 2.6: one at a time 1, 2, 3, ... serves two; batched, r0 alone then a batch of 4 (2.5)
        double[] arrivals = {0, 0, 0, 0, 0};
        double[] s = new double[5];
        java.util.Arrays.fill(s, 2.6);
        Workload w = new Workload(List.of("a"), arrivals, new int[5], s);
        Placement p = new Placement(List.of(ParallelConfig.of(1, 1)), List.of(new int[] {0}));
        SimOptions plain = new SimOptions(0, 0, false, 0, false, 1);
        Score unbatched = new Simulation(w, List.of(P), plain).score(p);
        Score batched = new Simulation(w, List.of(P), plain.withBatching(4)).score(p);
        assertThat(unbatched.attainment()).isEqualTo(0.4);
        assertThat(batched.attainment()).isEqualTo(1.0);
        assertThat(batched.modelGood()).containsExactly(5);
        assertThat(batched.groupRequests()).containsExactly(5);
        assertThat(batched.latencyMeanS()).isCloseTo((1.0 + 4 * 2.5) / 5, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void maxBatchOneIsPlainQueueing() {
        Outcomes o = run(new double[] {0, 0.1, 0.2}, 10, 1);
        assertThat(o.finish()).containsExactly(1.0, 2.0, 3.0);
    }
}
