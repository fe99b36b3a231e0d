package io.muxflow.planner.sim.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ChainModel;
import io.muxflow.planner.chain.ServerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PetalsRouterTest {
    /** Two whole-model servers: A fast with cache for 1 job, B slower with cache for 5. */
    static ChainInstance twoReplicas() {
        return new ChainInstance(new ChainModel("m", 2, 1.0, 0.5), List.of(
                new ServerSpec(0, "A", 3.0, 0.0, 0.5),     // 1 s per job, (3 - 2) / 0.5 = 2 units = 1 job
                new ServerSpec(1, "B", 7.0, 0.0, 1.5)));   // 3 s per job, 10 units = 5 jobs
    }

    static final BlockPlacement BOTH_WHOLE = new BlockPlacement(2, new int[] {0, 0}, new int[] {2, 2});

    @Test
    void aServerWithoutCacheIsPenalisedSoTheJobTakesAnotherPath() {
        ChainSimResult r = ChainSimulator.run(new double[] {0, 0.1}, new PetalsRouter(twoReplicas(), BOTH_WHOLE,
                PetalsRouter.DEFAULT_PENALTY_S), ChainSimulator.Service.DETERMINISTIC, 1, 0);
        // job 0 on A (1 s); job 1 finds A full, 10 s penalty: B (3 s) at once
        assertThat(r.meanResponseS()).isCloseTo((1 + 3) / 2.0, within(1e-12));
        assertThat(r.meanWaitS()).isZero();
    }

    @Test
    void withoutPenaltyTheJobWaitsOnItsFixedPath() {
        ChainSimResult r = ChainSimulator.run(new double[] {0, 0.1}, new PetalsRouter(twoReplicas(), BOTH_WHOLE, 0),
                ChainSimulator.Service.DETERMINISTIC, 1, 0);
        // job 1 routes to A anyway and waits for job 0: starts at 1.0, done 2.0
        assertThat(r.meanResponseS()).isCloseTo((1 + 1.9) / 2.0, within(1e-12));
    }
}
