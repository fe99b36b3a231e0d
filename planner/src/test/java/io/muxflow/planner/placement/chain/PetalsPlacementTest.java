package io.muxflow.planner.placement.chain;

import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ChainModel;
import io.muxflow.planner.chain.ServerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PetalsPlacementTest {
    @Test
    void joiningServerPicksTheLexicographicallyWeakestWindow() {
        // windows of 2 sorted: [1,3], [1,1], [1,2], [2,5]: the smallest is [1,1] at start 1
        assertThat(PetalsPlacement.bestStart(new double[] {3, 1, 1, 2, 5}, 2)).isEqualTo(1);
        // ties go to the first window
        assertThat(PetalsPlacement.bestStart(new double[] {0, 0, 0, 0}, 2)).isZero();
    }

    @Test
    void identicalServersSplitTheModelBetweenThem() {
        ChainInstance inst = new ChainInstance(new ChainModel("m", 6, 1.0, 0.1), List.of(
                new ServerSpec(0, "a", 3.6, 0.1, 0.1), new ServerSpec(1, "b", 3.6, 0.1, 0.1)));
        // one job of cache per block: floor(3.6 / 1.1) = 3 blocks each
        BlockPlacement p = PetalsPlacement.place(inst, 1.0);
        assertThat(p.count(0)).isEqualTo(3);
        assertThat(p.start(0)).isZero();
        assertThat(p.start(1)).isEqualTo(3);
        assertThat(p.coversAllBlocks()).isTrue();
    }

    @Test
    void rebalancingMovesAServerWhenTheMinimumThroughputImprovesEnough() {
        ChainInstance inst = new ChainInstance(new ChainModel("m", 6, 1.0, 0.1), List.of(
                new ServerSpec(0, "fast0", 10, 0.0, 0.1),
                new ServerSpec(1, "fast1", 10, 0.0, 0.1),
                new ServerSpec(2, "slow", 10, 0.0, 3.0)));
        // both fast servers on [0,3), the slow one alone on [3,6): min throughput 1/9 jobs/s
        BlockPlacement skewed = new BlockPlacement(6, new int[] {0, 0, 3}, new int[] {3, 3, 3});
        BlockPlacement balanced = PetalsPlacement.rebalance(inst, skewed);
        assertThat(balanced.start(0) == 3 || balanced.start(1) == 3).isTrue();
        // a placement whose minimum would improve by less than 1 / 0.75 stays as it is
        BlockPlacement even = new BlockPlacement(6, new int[] {0, 3, 0}, new int[] {3, 3, 3});
        assertThat(PetalsPlacement.rebalance(inst, even)).isEqualTo(even);
    }
}
