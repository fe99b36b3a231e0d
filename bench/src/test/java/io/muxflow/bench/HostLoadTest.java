package io.muxflow.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading the machine's load around a measured rate from /proc. */
class HostLoadTest {
    @Test
    void parsesTheAggregateCpuLineAndSchedstat() {
        assertThat(HostLoad.parseCpuLine("cpu  600 2 140 446 13 0 20 16 0 0"))
                .containsExactly(600, 2, 140, 446, 13, 0, 20, 16, 0, 0);
        assertThat(HostLoad.parseSchedstat("1200000 340000 17\n")).containsExactly(1_200_000, 340_000, 17);
        assertThatThrownBy(() -> HostLoad.parseCpuLine("cpu0 1 2 3 4 5")).hasMessageContaining("aggregate cpu line");
        assertThatThrownBy(() -> HostLoad.parseSchedstat("12 34")).hasMessageContaining("three fields");
    }

    @Test
    void sharesAndRatesComeFromTheDifferenceOfTwoReadings() {
        // 2 s apart; 1000 ticks in all, of which 100 steal and 300 idle
        HostLoad.Counters a = new HostLoad.Counters(0, new long[] {100, 0, 50, 1000, 0, 0, 10, 40}, 1_000_000_000L,
                500_000_000L, 1000);
        HostLoad.Counters b = new HostLoad.Counters(2_000_000_000L, new long[] {550, 0, 150, 1300, 0, 0, 60, 140},
                3_600_000_000L, 1_500_000_000L, 9000);
        HostLoad l = HostLoad.between(a, b);
        assertThat(l.seconds()).isEqualTo(2.0);
        assertThat(l.stealShare()).isCloseTo(0.1, within(1e-12));
        assertThat(l.idleShare()).isCloseTo(0.3, within(1e-12));
        assertThat(l.processCores()).isCloseTo(1.3, within(1e-12));
        assertThat(l.runQueueWaitCores()).isCloseTo(0.5, within(1e-12));
        assertThat(l.timeslicesPerSecond()).isEqualTo(4000.0);
        assertThat(l.waitPerSliceMs()).isCloseTo(0.125, within(1e-12));
        assertThatThrownBy(() -> HostLoad.between(b, a)).hasMessageContaining("after the first");
    }

    @Test
    void measuresThisProcessWhereProcIsLinuxs() throws Exception {
        Optional<HostLoad.Counters> a = HostLoad.read();
        assumeTrue(a.isPresent(), "no Linux /proc here");
        long end = System.nanoTime() + 200_000_000L;
        double x = 0;
        while (System.nanoTime() < end) {
            x += Math.sqrt(x + 1); // keep this thread on a core
        }
        HostLoad l = HostLoad.between(a.get(), HostLoad.read().orElseThrow());
        assertThat(x).isPositive();
        assertThat(l.processCores()).as("a thread spun for the whole interval").isGreaterThan(0.3);
        assertThat(l.stealShare()).isBetween(0.0, 1.0);
        assertThat(l.idleShare()).isBetween(0.0, 1.0);
        assertThat(l.timeslicesPerSecond()).isPositive();
    }
}
