package io.muxflow.planner.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {
    private static final double[] HUNDRED = IntStream.rangeClosed(1, 100).asDoubleStream().toArray();

    @Test
    void nearestRankIsTheValueAtRankCeilQn() {
        assertThat(Percentiles.nearestRank(HUNDRED, 0.99)).isEqualTo(99); // not the maximum
        assertThat(Percentiles.nearestRank(HUNDRED, 0.5)).isEqualTo(50);
        assertThat(Percentiles.nearestRank(HUNDRED, 0.07)).isEqualTo(7); // 0.07 x 100 is 7.000000000000001
        assertThat(Percentiles.nearestRank(HUNDRED, 0.991)).isEqualTo(100);
        assertThat(Percentiles.nearestRank(HUNDRED, 1.0)).isEqualTo(100);
        assertThat(Percentiles.nearestRank(HUNDRED, 0.0)).isEqualTo(1);
        double[] three = {10, 20, 30};
        assertThat(Percentiles.nearestRank(three, 0.5)).isEqualTo(20);
        assertThat(Percentiles.nearestRank(three, 0.34)).isEqualTo(20);
        assertThat(Percentiles.nearestRank(three, 0.33)).isEqualTo(10);
    }

    @Test
    void emptyIsNaNAndQuantilesOutsideZeroToOneAreRefused() {
        assertThat(Percentiles.nearestRank(new double[0], 0.5)).isNaN();
        assertThatThrownBy(() -> Percentiles.nearestRank(HUNDRED, 99)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Percentiles.nearestRank(HUNDRED, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
