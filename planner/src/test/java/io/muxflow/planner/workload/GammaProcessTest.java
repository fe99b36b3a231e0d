package io.muxflow.planner.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GammaProcessTest {

    static double[] gaps(double[] a) {
        double[] g = new double[a.length - 1];
        for (int i = 1; i < a.length; i++) {
            g[i - 1] = a[i] - a[i - 1];
        }
        return g;
    }

    static double cv(double[] g) {
        double mean = 0;
        for (double x : g) {
            mean += x;
        }
        mean /= g.length;
        double var = 0;
        for (double x : g) {
            var += (x - mean) * (x - mean);
        }
        return Math.sqrt(var / g.length) / mean;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 1.0, 4.0})
    void hasTheRequestedRateAndCv(double cv) {
        double rate = 50;
        double duration = cv > 2 ? 20000 : 2000;
        double[] a = new GammaProcess(rate, cv).generate(0, duration, 7);
        assertThat(a.length / duration).isCloseTo(rate, org.assertj.core.api.Assertions.withinPercentage(cv > 2 ? 8 : 3));
        assertThat(cv(gaps(a))).isCloseTo(cv, org.assertj.core.api.Assertions.withinPercentage(10));
        for (int i = 1; i < a.length; i++) {
            assertThat(a[i]).isGreaterThanOrEqualTo(a[i - 1]);
        }
        assertThat(a[a.length - 1]).isLessThan(duration);
    }

    @Test
    void sameSeedSameArrivals() {
        GammaProcess p = new GammaProcess(3, 2);
        assertThat(p.generate(5, 100, 42)).containsExactly(p.generate(5, 100, 42));
        assertThat(p.generate(5, 100, 42)).isNotEqualTo(p.generate(5, 100, 43));
        assertThat(p.generate(5, 100, 42)[0]).isGreaterThan(5);
    }

    @Test
    void cvZeroIsAClock() {
        double[] a = new GammaProcess(4, 0).generate(0, 1.01, 1);
        assertThat(a).containsExactly(0.25, 0.5, 0.75, 1.0);
    }

    @Test
    void rejectsBadParameters() {
        assertThatThrownBy(() -> new GammaProcess(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GammaProcess(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void powerLawSplitsTheTotal() {
        double[] r = PowerLaw.split(40, 24, 0.5);
        double sum = 0;
        for (double x : r) {
            sum += x;
        }
        assertThat(sum).isCloseTo(40, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(r[0] / r[3]).isCloseTo(Math.sqrt(4), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(PowerLaw.split(10, 5, 0)).containsOnly(2.0);
    }
}
