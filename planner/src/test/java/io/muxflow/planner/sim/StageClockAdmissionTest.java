package io.muxflow.planner.sim;

import static io.muxflow.planner.TestProfiles.model;
import static io.muxflow.planner.TestProfiles.pipeline;
import static io.muxflow.planner.TestProfiles.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admission model's online half: predictions readable after admit, and corrections from reports. */
class StageClockAdmissionTest {
    private static final SimOptions PLAIN = new SimOptions(0.25, 0, false, 0, false, 1);

    @Test
    void predictsStageEndsAndCommitsOnlyWhatFitsTheBudget() {
        LatencyTable t = new LatencyTable(List.of(model("p", pipeline(new double[] {0.5, 0.75}, 1))), PLAIN);
        StageClockAdmission a = new StageClockAdmission(
                new Placement(List.of(ParallelConfig.of(1, 2)), List.of(new int[] {0})), t);
        assertThat(a.admit(0, 0, 1.0, 10)).isTrue();
        assertThat(a.end(0)).isEqualTo(1.5);
        assertThat(a.end(1)).isEqualTo(2.25);
        assertThat(a.finish()).isEqualTo(2.5);
        // the second waits for stage 0 until 1.5 and stage 1 until 2.25: finish 3.25, 2.25 after now
        assertThat(a.admit(0, 0, 1.0, 2.0)).isFalse();
        assertThat(a.finish()).isEqualTo(3.25);
        assertThat(a.clock(0, 1)).isEqualTo(2.25); // the rejection left the clocks alone
        assertThat(a.admit(0, 0, 1.0, 2.25)).isTrue();
        assertThat(a.clock(0, 1)).isEqualTo(3.0);
    }

    @Test
    void lateReportsMoveAClockOnceAndSteerTheGroupChoice() {
        LatencyTable t = new LatencyTable(List.of(model("p", single(1.0, 1))), PLAIN);
        StageClockAdmission a = new StageClockAdmission(new Placement(
                List.of(ParallelConfig.of(1, 1), ParallelConfig.of(1, 1)), List.of(new int[] {0}, new int[] {0})), t);
        assertThat(a.choose(0)).isZero();
        assertThat(a.admit(0, 0, 0, 10)).isTrue(); // g0 free at 1
        double shift1 = a.shift(0, 0);
        assertThat(a.choose(0)).isEqualTo(1);
        assertThat(a.admit(1, 0, 0, 10)).isTrue(); // g1 free at 1
        assertThat(a.choose(0)).isZero(); // tie: lowest index
        assertThat(a.admit(0, 0, 0, 10)).isTrue(); // g0 free at 2
        double shift2 = a.shift(0, 0);
        // the first request really ends at 1.5: g0's clock moves by 0.5, and g1 now frees first
        assertThat(a.report(0, 0, 1.0, shift1, 1.5)).isCloseTo(0.5, within(1e-12));
        assertThat(a.clock(0, 0)).isEqualTo(2.5);
        // the second was predicted at 2 before the shift: ending at 2.5 is on time now, no second move
        assertThat(a.report(0, 0, 2.0, shift2, 2.5)).isZero();
        assertThat(a.clock(0, 0)).isEqualTo(2.5);
        assertThat(a.choose(0)).isEqualTo(1);
        // a stage this placement lacks changes nothing
        assertThat(a.report(7, 0, 1.0, 0, 9)).isZero();
    }

    @Test
    void earlyReportsMoveAClockBackButNeverBeforeTheCompletion() {
        LatencyTable t = new LatencyTable(List.of(model("p", single(1.0, 1))), PLAIN);
        StageClockAdmission a = new StageClockAdmission(new Placement(List.of(ParallelConfig.of(1, 1)),
                List.of(new int[] {0})), t);
        assertThat(a.admit(0, 0, 0, 10)).isTrue(); // ends 1
        double s1 = a.shift(0, 0);
        assertThat(a.admit(0, 0, 0, 10)).isTrue(); // ends 2
        double s2 = a.shift(0, 0);
        // the first ends at 0.75: the second can start then, so the stage frees at 1.75
        assertThat(a.report(0, 0, 1.0, s1, 0.75)).isCloseTo(-0.25, within(1e-12));
        assertThat(a.clock(0, 0)).isEqualTo(1.75);
        // the second ends at 1.5 (on its adjusted prediction, 1.75, early by 0.25): free at 1.5
        assertThat(a.report(0, 0, 2.0, s2, 1.5)).isCloseTo(-0.25, within(1e-12));
        assertThat(a.clock(0, 0)).isEqualTo(1.5);
        // a stale report (an earlier completion arriving after a later one) changes nothing
        assertThat(a.report(0, 0, 1.0, s1, 0.75)).isZero();
        assertThat(a.clock(0, 0)).isEqualTo(1.5);
        // nothing queued, and a completion far ahead of its prediction: the clock stops at the completion
        assertThat(a.admit(0, 0, 5, 10)).isTrue(); // ends 6
        double s3 = a.shift(0, 0);
        assertThat(a.report(0, 0, 6.0, s3, 5.5)).isCloseTo(-0.5, within(1e-12));
        assertThat(a.clock(0, 0)).isEqualTo(5.5);
    }
}
