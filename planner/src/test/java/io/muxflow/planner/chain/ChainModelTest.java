package io.muxflow.planner.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChainModelTest {
    static ChainInstance oneServer(double memoryGb) {
        return new ChainInstance(new ChainModel("m", 4, 1.0, 0.5),
                List.of(new ServerSpec(0, "s", memoryGb, 0.1, 0.01)));
    }

    @Test
    void blocksFittingFollowsGbpCrFormula() {
        ChainInstance inst = oneServer(10);
        assertThat(inst.blocksFitting(0, 1)).isEqualTo(4); // floor(10 / 1.5) = 6, capped at L = 4
        assertThat(inst.blocksFitting(0, 3)).isEqualTo(4); // floor(10 / 2.5) = 4
        assertThat(inst.blocksFitting(0, 4)).isEqualTo(3); // floor(10 / 3) = 3
        assertThat(inst.blocksFitting(0, 5)).isEqualTo(2); // floor(10 / 3.5) = 2
        assertThat(inst.maxReservation()).isEqualTo(3);
        assertThat(inst.cacheUnits(0, 4)).isEqualTo(12); // (10 - 4) / 0.5
        assertThat(inst.cacheUnits(0, 0)).isZero();
    }

    @Test
    void maxReservationIsZeroWhenTheModelNeverFits() {
        assertThat(oneServer(5).maxReservation()).isZero(); // 5 / 1.5 = 3 blocks < 4
    }

    @Test
    void costModelOfBloomOnTheFastDevice() {
        LlmShape bloom = LlmShape.bloom176b();
        ServerSpec s = ChainCostModel.server(0, "f", ChainDevice.fast(10), bloom, 2000, 20);
        double params = 12.0 * 14336 * 14336;
        double prefill = 2 * params * 2000 / 156e12;
        double decode = Math.max(1.32 / 1.02 / 1e3, 2 * params / 156e12);
        assertThat(s.blockS()).isCloseTo(prefill + 19 * decode, within(1e-12));
        assertThat(s.commS()).isCloseTo(20 * 0.010, within(1e-12));
        ChainModel m = ChainCostModel.model(bloom, 2000, 20);
        assertThat(m.cacheGbPerBlock()).isCloseTo(2.0 * 14336 * 2020 * 2 / 1e9, within(1e-12));
        // the slow device has half the compute and bandwidth: exactly twice the time per block
        ServerSpec slow = ChainCostModel.server(1, "s", ChainDevice.slow(10), bloom, 2000, 20);
        assertThat(slow.blockS()).isCloseTo(2 * s.blockS(), within(1e-12));
    }
}
