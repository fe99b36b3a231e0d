package io.muxflow.job.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.io.Json;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.sim.SimOptions;
import org.junit.jupiter.api.Test;

public class StageClocksTest {
    public static final String PROFILES = """
            {"models": [{"model": "p", "configs": [
              {"pp": 1, "latency_s": {"1": [0.010]}, "weight_bytes": [1]},
              {"pp": 2, "latency_s": {"1": [0.005, 0.006]}, "weight_bytes": [1, 1]}]}]}
            """;

    /** A plan over the test profiles, predicting with no overheads. */
    public static ServingPlan plan(String groups) {
        return plan(groups, 0);
    }

    public static ServingPlan plan(String groups, double fixedOverheadS) {
        Plan p = Plan.parse(Json.parse("{\"version\": 4, \"groups\": " + groups
                + ", \"model_profiles\": {\"a\": \"p\", \"b\": \"p\", \"c\": \"p\"}}", "plan"), "plan");
        return new ServingPlan(p, new ProfileDatabase(ProfileDatabase.parse(Json.parse(PROFILES, "p"), "p")), "emulated",
                null, SimOptions.defaults().withOverheads(fixedOverheadS, 0.0));
    }

    @Test
    void admitsByTheStageClocksAndRejectsWhatWouldMissTheDeadline() {
        ServingPlan p = plan("[{\"id\": 7, \"devices\": 2, \"pp\": 2, \"models\": [\"a\"]}]", 0.001);
        StageClocks c = new StageClocks(p, 0);
        int a = p.modelIndex("a");
        StageClocks.Decision d1 = c.admit(a, 0, 100_000);
        assertThat(d1.admitted()).isTrue();
        assertThat(d1.predictedEndUs()).containsExactly(5000, 11000);
        // the second request starts stage 0 when it frees and stage 1 when the first leaves it
        StageClocks.Decision d2 = c.admit(a, 0, 100_000);
        assertThat(d2.predictedEndUs()).containsExactly(10000, 17000);
        // 17000 + 6000 = 23000 at stage 1 end, + 1000 overhead > 23500: rejected, clocks unchanged
        StageClocks.Decision d3 = c.admit(a, 0, 23_500);
        assertThat(d3.admitted()).isFalse();
        assertThat(c.clock(0, 1)).isEqualTo(17000);
        assertThat(c.admit(a, 0, 24_000).admitted()).isTrue();
    }

    @Test
    void picksTheGroupWhoseLastStageFreesFirst() {
        ServingPlan p = plan("[{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\", \"b\"]},"
                + "{\"id\": 1, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]}]");
        StageClocks c = new StageClocks(p, 0);
        assertThat(c.admit(p.modelIndex("b"), 0, 1_000_000).group()).isEqualTo(0);
        assertThat(c.admit(p.modelIndex("a"), 0, 1_000_000).group()).isEqualTo(1);
        assertThat(c.admit(p.modelIndex("a"), 0, 1_000_000).group()).isEqualTo(0); // tie at 10 ms: lowest index
    }

    @Test
    void lateCompletionsMoveTheClockOnceAndEarlyOnesMoveItBack() {
        ServingPlan p = plan("[{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\"]}]");
        StageClocks c = new StageClocks(p, 0);
        int a = p.modelIndex("a");
        StageClocks.Decision d1 = c.admit(a, 0, 1_000_000); // predicted end 10 ms
        StageClocks.Decision d2 = c.admit(a, 0, 1_000_000); // predicted end 20 ms
        assertThat(c.report(0, 0, d1.predictedEndUs()[0], d1.shiftUs()[0], 14_000)).isEqualTo(4000);
        assertThat(c.clock(0, 0)).isEqualTo(24_000);
        // d2 really ends 4 ms late too, but that lag was already applied: no second shift
        assertThat(c.report(0, 0, d2.predictedEndUs()[0], d2.shiftUs()[0], 24_000)).isZero();
        assertThat(c.clock(0, 0)).isEqualTo(24_000);
        // an early completion moves the clock back by as much, but not before the completion
        StageClocks.Decision d3 = c.admit(a, 0, 1_000_000); // predicted end 34 ms
        assertThat(c.report(0, 0, d3.predictedEndUs()[0], d3.shiftUs()[0], 30_000)).isEqualTo(-4000);
        assertThat(c.clock(0, 0)).isEqualTo(30_000);
    }

    @Test
    void cellsAreConnectedComponentsAndLayersHoldTheDeepGroups() {
        ServingPlan p = plan("[{\"id\": 0, \"devices\": 1, \"pp\": 1, \"models\": [\"a\", \"b\"]},"
                + "{\"id\": 1, \"devices\": 2, \"pp\": 2, \"models\": [\"b\"]},"
                + "{\"id\": 2, \"devices\": 2, \"pp\": 2, \"models\": [\"c\"]}]");
        assertThat(p.cells()).isEqualTo(2);
        assertThat(p.cellOf(p.modelIndex("a"))).isEqualTo(p.cellOf(p.modelIndex("b")));
        assertThat(p.cellOf(p.modelIndex("c"))).isNotEqualTo(p.cellOf(p.modelIndex("a")));
        assertThat(p.layer(0)).containsExactly(0, 1, 2);
        assertThat(p.layer(1)).containsExactly(1, 2);
        assertThat(p.slot(2, 1)).isEqualTo(1);
        assertThat(p.slot(0, 1)).isEqualTo(-1);
        assertThat(p.latencyUs(1, p.modelIndex("b"))).containsExactly(5000, 6000);
    }
}
