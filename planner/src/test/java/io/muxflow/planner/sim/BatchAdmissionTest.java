package io.muxflow.planner.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ConfigProfile;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link BatchAdmission} driven request by request, as a dispatcher would (the simulator is tested in BatchingSimulatorTest). */
class BatchAdmissionTest {
    /** Batch latencies 1.0 / 1.2 / 1.5 s at sizes 1 / 2 / 4, one stage. */
    private static final ModelProfile P = new ModelProfile("p", List.of(new ConfigProfile(ParallelConfig.of(1, 1),
            Map.of(1, new double[] {1.0}, 2, new double[] {1.2}, 4, new double[] {1.5}), new long[] {1}, Map.of())));

    private record Batch(int group, int model, List<Long> handles, double finish) {
    }

    private static final class Recorder implements BatchAdmission.Decisions {
        final List<Batch> batches = new ArrayList<>();
        final List<long[]> rejected = new ArrayList<>(); // handle, group

        @Override
        public void batch(int group, int model, long[] handles, int count, double[] stageLatency, double[] stageEnds,
                double finish) {
            List<Long> hs = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                hs.add(handles[k]);
            }
            assertThat(stageEnds[0] + 0).isEqualTo(finish); // no fixed overhead in these options
            batches.add(new Batch(group, model, hs, finish));
        }

        @Override
        public void rejected(long handle, int model, int group) {
            rejected.add(new long[] {handle, group});
        }
    }

    private static BatchAdmission admission(int maxBatch, int[]... groups) {
        List<ParallelConfig> cs = new ArrayList<>();
        for (int i = 0; i < groups.length; i++) {
            cs.add(ParallelConfig.of(1, 1));
        }
        LatencyTable t = new LatencyTable(List.of(P, P), new SimOptions(0, 0, false, 0, false, 1).withBatching(maxBatch));
        return new BatchAdmission(new Placement(cs, List.of(groups)), t);
    }

    @Test
    void requestsWaitWhileTheGroupIsBusyAndLeaveAsOneBatchWhenItFrees() {
        BatchAdmission a = admission(4, new int[] {0});
        Recorder r = new Recorder();
        a.arrive(10, 0, 0, 100, r); // idle: served at once, alone
        assertThat(r.batches).containsExactly(new Batch(0, 0, List.of(10L), 1.0));
        assertThat(a.nextFree()).isEqualTo(1.0);
        for (int i = 0; i < 3; i++) {
            a.advance(0.1 * (i + 1), r);
            a.arrive(11 + i, 0, 0.1 * (i + 1), 100, r);
        }
        assertThat(a.waiting(0)).isEqualTo(3);
        assertThat(r.batches).hasSize(1);
        a.advance(1.0, r); // three wait: the largest profiled size that fits is 2
        assertThat(r.batches.get(1)).isEqualTo(new Batch(0, 0, List.of(11L, 12L), 2.2));
        assertThat(a.waiting(0)).isEqualTo(1);
        assertThat(a.nextFree()).isEqualTo(2.2);
        a.advance(Double.POSITIVE_INFINITY, r);
        assertThat(r.batches.get(2)).isEqualTo(new Batch(0, 0, List.of(13L), 3.2));
        assertThat(a.nextFree()).isInfinite();
        assertThat(r.rejected).isEmpty();
    }

    @Test
    void rejectsWhatNoGroupHostsAndHeadsThatCannotMakeItEvenAlone() {
        BatchAdmission a = admission(4, new int[] {0});
        Recorder r = new Recorder();
        a.arrive(1, 1, 0, 100, r); // model 1 is hosted nowhere
        a.arrive(2, 0, 0, 100, r); // runs [0, 1]
        a.arrive(3, 0, 0.5, 1.4, r); // waits; at 1.0 it would finish 2.0 > 1.4
        a.arrive(4, 0, 0.6, 100, r);
        a.advance(1.0, r);
        assertThat(r.rejected).extracting(x -> x[0] + ":" + x[1]).containsExactly("1:-1", "3:0");
        assertThat(r.batches).extracting(Batch::handles).containsExactly(List.of(2L), List.of(4L));
    }

    @Test
    void anArrivalGoesToTheIdleGroupWhoseLastStageFreedFirstAndTheQueueKeepsArrivalOrderPastItsFirstCapacity() {
        BatchAdmission a = admission(1, new int[] {0}, new int[] {0});
        Recorder r = new Recorder();
        a.arrive(0, 0, 0, 1000, r); // both idle, clocks 0: the lower index
        a.arrive(1, 0, 0, 1000, r); // group 0 busy: group 1
        assertThat(r.batches).extracting(Batch::group).containsExactly(0, 1);
        for (long h = 2; h < 42; h++) { // 40 wait (the ring starts at 16)
            a.arrive(h, 0, 0.01 * h, 1000, r);
        }
        a.advance(Double.POSITIVE_INFINITY, r);
        List<Long> served = new ArrayList<>();
        r.batches.forEach(b -> served.addAll(b.handles()));
        List<Long> expected = new ArrayList<>();
        for (long h = 0; h < 42; h++) {
            expected.add(h);
        }
        assertThat(served).isEqualTo(expected);
        assertThat(r.batches.get(r.batches.size() - 1).finish()).isEqualTo(21.0); // two devices, 42 x 1 s
    }

    @Test
    void aLateReportMovesTheFirstStageAndTheInstantTheGroupServesItsQueue() {
        BatchAdmission a = admission(4, new int[] {0});
        Recorder r = new Recorder();
        a.arrive(1, 0, 0, 100, r); // alone, predicted to end at 1.0
        a.advance(0.5, r);
        a.arrive(2, 0, 0.5, 100, r);
        a.arrive(3, 0, 0.5, 100, r);
        assertThat(a.nextFree()).isEqualTo(1.0);
        // the stage ran late: it ended at 1.4, not 1.0
        assertThat(a.report(0, 0, 1.0, a.shift(0, 0), 1.4)).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(a.shift(0, 0)).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(a.nextFree()).isEqualTo(1.4);
        a.advance(1.2, r);
        assertThat(r.batches).hasSize(1); // still busy at 1.2
        a.advance(1.4, r);
        assertThat(r.batches.get(1)).isEqualTo(new Batch(0, 0, List.of(2L, 3L), 1.4 + 1.2));
        // the same report again, or an older one, changes nothing
        assertThat(a.report(0, 0, 1.0, 0, 1.4)).isZero();
        assertThat(a.report(0, 0, 1.0, 0, 1.3)).isZero();
        // an early one moves it back, but never before the reported end
        assertThat(a.report(0, 0, 2.6, a.shift(0, 0), 2.5)).isCloseTo(-0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(a.nextFree()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aReportThatKeepsAnIdleGroupBusyMakesItServeItsQueueWhenFree() {
        BatchAdmission a = admission(4, new int[] {0});
        Recorder r = new Recorder();
        a.arrive(1, 0, 0, 100, r);
        a.advance(1.0, r); // predicted free at 1.0, nothing waits: idle
        assertThat(a.nextFree()).isInfinite();
        a.report(0, 0, 1.0, 0, 1.5); // it is still running at 1.0
        a.arrive(2, 0, 1.1, 100, r); // busy until 1.5: waits
        assertThat(r.batches).hasSize(1);
        assertThat(a.nextFree()).isEqualTo(1.5);
        a.advance(1.5, r);
        assertThat(r.batches.get(1)).isEqualTo(new Batch(0, 0, List.of(2L), 2.5));
    }
}
