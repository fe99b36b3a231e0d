package io.muxflow.planner.placement.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ChainModel;
import io.muxflow.planner.chain.ServerSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class GreedyBlockPlacementTest {
    /** L = 10, s_m = 1, s_c = 0.1; amortised per-block order at c = 1 is A, B, C, D. */
    static ChainInstance fourServers() {
        return new ChainInstance(new ChainModel("m", 10, 1.0, 0.1), List.of(
                new ServerSpec(0, "D", 10, 1.0, 0.01), // 9 blocks: 1/9 + 0.01 = 0.121 per block
                new ServerSpec(1, "B", 6, 0.1, 0.02),  // 5 blocks: 0.04
                new ServerSpec(2, "A", 6, 0.1, 0.01),  // 5 blocks: 0.03
                new ServerSpec(3, "C", 4, 0.1, 0.01))); // 3 blocks: 0.0433
    }

    @Test
    void fillsChainsInAmortisedOrderAndStopsAtTheRequiredRate() {
        GreedyBlockPlacement.Result r = GreedyBlockPlacement.place(fourServers(), 1, 2.0);
        // chain 1: A [0,5) then B [5,10): 0.1 + 5 x 0.01 + 0.1 + 5 x 0.02 = 0.35 s, rate 2.86 >= 2
        assertThat(r.chains()).isEqualTo(1);
        assertThat(r.rateMet()).isTrue();
        assertThat(r.chainTimesS()[0]).isCloseTo(0.35, within(1e-12));
        assertThat(r.placement().start(2)).isZero();
        assertThat(r.placement().count(2)).isEqualTo(5);
        assertThat(r.placement().start(1)).isEqualTo(5);
        assertThat(r.placement().hosts(0)).isFalse();
        assertThat(r.placement().hosts(3)).isFalse();
    }

    @Test
    void shiftsTheLastServerBackSoItEndsAtBlockL() {
        GreedyBlockPlacement.Result r = GreedyBlockPlacement.place(fourServers(), 1, 5.0);
        // chain 2: C [0,3), then D's 9 blocks cannot start at 3: shifted to [1,10), running 7 blocks
        assertThat(r.chains()).isEqualTo(2);
        assertThat(r.rateMet()).isFalse();
        assertThat(r.placement().start(3)).isZero();
        assertThat(r.placement().start(0)).isEqualTo(1);
        assertThat(r.placement().count(0)).isEqualTo(9);
        assertThat(r.chainTimesS()[1]).isCloseTo(0.1 + 0.03 + 1.0 + 0.07, within(1e-12));
        assertThat(r.serviceRate()).isCloseTo(1 / 0.35 + 1 / 1.2, within(1e-9));
        assertThat(r.slots()).isEqualTo(2);
    }

    @Test
    void largerReservationsHoldFewerBlocks() {
        GreedyBlockPlacement.Result r = GreedyBlockPlacement.place(fourServers(), 10, 100);
        // c = 10: per block 1 + 1 = 2 GB: D 5, A 3, B 3, C 2 blocks: 13 >= 10, one chain
        assertThat(r.placement().count(0)).isEqualTo(5);
        assertThat(r.placement().count(2)).isEqualTo(3);
        assertThat(r.chains()).isEqualTo(1);
    }
}
