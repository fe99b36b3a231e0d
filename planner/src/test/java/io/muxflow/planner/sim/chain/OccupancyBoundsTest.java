package io.muxflow.planner.sim.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class OccupancyBoundsTest {
    @Test
    void oneSlotIsAnMm1Queue() {
        OccupancyBounds.Bounds b = OccupancyBounds.of(new double[] {1.0}, 0.5);
        assertThat(b.lowerJobs()).isCloseTo(1.0, within(1e-9)); // rho / (1 - rho)
        assertThat(b.upperJobs()).isCloseTo(1.0, within(1e-9));
        assertThat(b.lowerResponseS()).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void equalSlotsGiveErlangC() {
        int c = 3;
        double mu = 1.0;
        double lambda = 2.4;
        double a = lambda / mu;
        double rho = a / c;
        double sum = 0;
        double term = 1;
        for (int k = 0; k < c; k++) {
            sum += term;
            term *= a / (k + 1);
        }
        double pc = term / (1 - rho);
        double p0 = 1 / (sum + pc);
        double lq = p0 * pc * rho / (1 - rho);
        OccupancyBounds.Bounds b = OccupancyBounds.of(new double[] {mu, mu, mu}, lambda);
        assertThat(b.lowerJobs()).isCloseTo(lq + a, within(1e-9));
        assertThat(b.upperJobs()).isCloseTo(lq + a, within(1e-9));
    }

    @Test
    void unequalSlotsSeparateTheBoundsAndOverloadIsUnstable() {
        OccupancyBounds.Bounds b = OccupancyBounds.of(new double[] {4, 1, 0.25}, 2.0);
        assertThat(b.lowerJobs()).isLessThan(b.upperJobs());
        assertThat(b.stable()).isTrue();
        OccupancyBounds.Bounds over = OccupancyBounds.of(new double[] {1, 1}, 2.0);
        assertThat(over.stable()).isFalse();
        assertThat(over.upperJobs()).isInfinite();
    }

    @Test
    void thousandsOfSlotsNeitherOverflowNorUnderflow() {
        double[] mu = new double[5000];
        java.util.Arrays.fill(mu, 0.1);
        OccupancyBounds.Bounds b = OccupancyBounds.of(mu, 400);
        // far below saturation almost nobody waits: occupancy is about lambda / mu
        assertThat(b.lowerJobs()).isCloseTo(4000, within(1.0));
        assertThat(Double.isFinite(b.upperJobs())).isTrue();
    }
}
