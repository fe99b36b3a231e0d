package io.muxflow.job.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.muxflow.planner.workload.GammaProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArrivalWindowTest {
    /**
     * Synthetic Gamma streams: once the window holds enough arrivals, the estimated cv is within 10%
     * of the truth and the rate within 5%, in every window slid across the stream. The count in a
     * window of N arrivals has a relative error of about cv / sqrt(N), so "enough" for 5% at three
     * standard deviations is (3 cv / 0.05)^2: a few thousand arrivals at cv 1, some 60 thousand at cv 4.
     */
    @ParameterizedTest
    @CsvSource({"0.5, 20, 60", "1.0, 20, 180", "4.0, 50, 1500"})
    void estimatesRateAndCvOfGammaStreams(double cv, double rate, double windowS) {
        double duration = windowS * 4;
        double[] a = new GammaProcess(rate, cv).generate(0, duration, 17);
        ArrivalWindow w = new ArrivalWindow((long) (windowS * 1e6));
        int next = 0;
        int checked = 0;
        for (double end = windowS; end <= duration; end += windowS / 2) {
            while (next < a.length && a[next] <= end) {
                w.arrival((long) (a[next++] * 1e6));
            }
            ArrivalWindow.Stats s = w.slide((long) (end * 1e6));
            assertThat(s.rate()).as("rate at %.0f s", end).isCloseTo(rate, withinPercentage(cv > 2 ? 5 : 5));
            assertThat(s.cv()).as("cv at %.0f s", end).isCloseTo(cv, withinPercentage(10));
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(7);
    }

    @ParameterizedTest
    @CsvSource({"3, 2", "10, 7"})
    void tracksObservedAttainment(int responses, int good) {
        ArrivalWindow w = new ArrivalWindow(10_000_000);
        for (int i = 0; i < responses; i++) {
            w.outcome(1_000_000L * i, i < good);
        }
        w.outcome(-50_000_000, false); // long before the window: dropped
        ArrivalWindow.Stats s = w.slide(10_000_000);
        assertThat(s.responses()).isEqualTo(responses);
        assertThat(s.attainment()).isEqualTo((double) good / responses);
    }

    @org.junit.jupiter.api.Test
    void outOfOrderArrivalsCountAsIfTheyHadComeInOrder() {
        long[] sorted = {1_000_000, 1_200_000, 1_900_000, 2_000_000, 2_600_000, 3_700_000, 4_000_000, 4_100_000};
        long[] shuffled = {1_200_000, 1_000_000, 2_600_000, 1_900_000, 2_000_000, 4_100_000, 3_700_000, 4_000_000};
        ArrivalWindow inOrder = new ArrivalWindow(2_500_000);
        ArrivalWindow mixed = new ArrivalWindow(2_500_000);
        for (int i = 0; i < sorted.length; i++) {
            inOrder.arrival(sorted[i]);
            mixed.arrival(shuffled[i]);
        }
        ArrivalWindow.Stats a = inOrder.slide(4_200_000);
        ArrivalWindow.Stats b = mixed.slide(4_200_000);
        assertThat(b).isEqualTo(a);
        assertThat(a.count()).isEqualTo(6); // 1.9 .. 4.1 s: the window starts at 1.7 s
        assertThat(a.cv()).isGreaterThan(0);
    }
}
