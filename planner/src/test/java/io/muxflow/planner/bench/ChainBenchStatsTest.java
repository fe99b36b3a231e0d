package io.muxflow.planner.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The geo grid's statistics: standard error over seeds and the plotted CDF. */
class ChainBenchStatsTest {
    @Test
    void standardErrorIsTheSampleDeviationOverRootN() {
        assertThat(ChainBench.standardError(new double[] {1, 2, 3, 4, 5})).isCloseTo(Math.sqrt(2.5 / 5), within(1e-12));
        assertThat(ChainBench.standardError(new double[] {7})).isZero();
        assertThat(ChainBench.mean(new double[] {1, 2, 6})).isEqualTo(3.0);
    }

    @Test
    void theCdfEndsAtTheLargestResponseWithEveryJobCounted() {
        double[] sorted = IntStream.rangeClosed(1, 1000).asDoubleStream().toArray();
        Plots.Series s = ChainBench.cdfSeries(sorted);
        assertThat(s.x()).hasSize(200);
        assertThat(s.x()[199]).isEqualTo(1000.0);
        assertThat(s.y()[199]).isEqualTo(1.0);
        assertThat(s.x()[99]).isEqualTo(500.0);
        assertThat(s.y()[99]).isEqualTo(0.5);
        for (int i = 1; i < 200; i++) {
            assertThat(s.x()[i]).isGreaterThan(s.x()[i - 1]);
        }
        assertThat(ChainBench.exponentialSizes(20000, 3)).satisfies(v ->
                assertThat(java.util.Arrays.stream(v).average().orElseThrow()).isCloseTo(1.0, within(0.03)));
    }
}
