package io.muxflow.job.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DoubleSeriesTest {
    @Test
    void nearestRankPercentilesOverGrowth() {
        DoubleSeries s = new DoubleSeries(2);
        for (int i = 1000; i >= 1; i--) {
            s.add(i);
        }
        assertThat(s.size()).isEqualTo(1000);
        assertThat(s.percentile(0.5)).isEqualTo(500.0); // rank ceil(0.5 x 1000) = 500
        assertThat(s.percentile(0.99)).isEqualTo(990.0);
        assertThat(s.percentile(1.0)).isEqualTo(1000.0);
        assertThat(s.percentile(0.0)).isEqualTo(1.0);
        s.add(-5);
        assertThat(s.percentile(0.0)).as("sorting a copy leaves the series open for more").isEqualTo(-5.0);
        double[] a = s.toArray();
        assertThat(a).as("in the order added, percentiles having sorted only copies").hasSize(1001)
                .startsWith(1000.0, 999.0).endsWith(1.0, -5.0);
    }

    @Test
    void emptyHasNoPercentile() {
        assertThat(new DoubleSeries().percentile(0.99)).isNaN();
        assertThat(new DoubleSeries().isEmpty()).isTrue();
    }
}
