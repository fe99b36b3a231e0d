package io.muxflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Splitting a run's requests into those sent around a checkpoint trigger and the rest. */
class CheckpointShareTest {
    /** 1000 requests, one per ms from t = 0; those sent 0-9 ms after the triggers at 100 and 600 ms are slow. */
    private static double[][] run() {
        double[] send = new double[1000];
        double[] ovh = new double[1000];
        for (int i = 0; i < 1000; i++) {
            send[i] = i * 1000.0;
            boolean afterTrigger = (i >= 100 && i < 110) || (i >= 600 && i < 610);
            ovh[i] = afterTrigger ? 20 + i % 10 : 1 + (i % 7) / 10.0;
        }
        return new double[][] {send, ovh};
    }

    @Test
    void slowRequestsAfterTriggersAreAttributedToThem() {
        double[][] r = run();
        CheckpointShare cs = CheckpointShare.of(r[0], r[1], new long[] {600_000, 100_000, 5_000_000}, 20_000, 50_000);
        assertThat(cs.checkpoints()).as("the trigger after the run does not count").isEqualTo(2);
        // windows [80, 150] and [580, 650] ms: 71 requests each
        assertThat(cs.windowShare()).isCloseTo(142 / 1000.0, within(1e-9));
        // p99 is the 990th of 1000: the 10 slowest (>= 25 ms) are all inside a window
        assertThat(cs.slowShare()).isEqualTo(1.0);
        assertThat(cs.p99Outside()).isEqualTo(1.6);
    }

    @Test
    void windowsThatMissTheSlowRequestsAttributeNone() {
        double[][] r = run();
        // windows [280, 330] and [780, 830] ms
        CheckpointShare cs = CheckpointShare.of(r[0], r[1], new long[] {300_000, 800_000}, 20_000, 30_000);
        assertThat(cs.slowShare()).isZero();
        assertThat(cs.p99Outside()).isGreaterThanOrEqualTo(20);
    }

    @Test
    void edgesOfAWindowAreInside() {
        double[] send = {79_999, 80_000, 150_000, 150_001};
        double[] ovh = {1, 2, 3, 4};
        CheckpointShare cs = CheckpointShare.of(send, ovh, new long[] {100_000}, 20_000, 50_000);
        assertThat(cs.windowShare()).isEqualTo(0.5);
        // the slowest (4 ms, the p99 of four) is outside
        assertThat(cs.slowShare()).isZero();
    }

    @Test
    void noRequestsOrMismatchedInputs() {
        assertThat(CheckpointShare.of(new double[0], new double[0], new long[] {1}, 1, 1).slowShare()).isNaN();
        assertThatThrownBy(() -> CheckpointShare.of(new double[2], new double[1], new long[0], 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 vs 1");
    }
}
