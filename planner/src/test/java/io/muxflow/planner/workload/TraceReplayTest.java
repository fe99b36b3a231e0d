package io.muxflow.planner.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReplayTest {
    @TempDir
    Path dir;

    /** A 2019-style day file: functions with constant per-minute counts. */
    private Path day(String name, int[] perMinute) throws Exception {
        StringBuilder sb = new StringBuilder("HashOwner,HashApp,HashFunction,Trigger");
        for (int m = 1; m <= 1440; m++) {
            sb.append(',').append(m);
        }
        sb.append('\n');
        for (int f = 0; f < perMinute.length; f++) {
            sb.append("o,a,f").append(f).append(",http");
            for (int m = 1; m <= 1440; m++) {
                sb.append(',').append(m <= 60 ? perMinute[f] : 0);
            }
            sb.append('\n');
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sb.toString());
        return p;
    }

    @Test
    void replays2019CountsAsGammaWindowsMappedRoundRobin() throws Exception {
        // 5 functions; f3 is idle and dropped; 4 active functions over 2 models: m0 <- f0,f2 ; m1 <- f1,f4
        Path d1 = day("d01.csv", new int[] {60, 120, 30, 0, 90});
        AzureFunctionsTrace t = AzureFunctionsTrace.readV1(List.of(d1));
        TraceReplay.Spec spec = new TraceReplay.Spec(0, 3600, 600, 2.0, 1.0, 0);
        Workload w = TraceReplay.replay(t, List.of("m0", "m1"), spec);
        int[] c = w.countsPerModel();
        // rates: m0 = (60+30)/60 = 1.5/s x2 = 3/s ; m1 = (120+90)/60 = 3.5/s x2 = 7/s over 3600 s
        assertThat(c[0] / 3600.0).isCloseTo(3.0, within(0.3));
        assertThat(c[1] / 3600.0).isCloseTo(7.0, within(0.5));
        assertThat(w.arrival(w.size() - 1)).isLessThan(3600);
    }

    @Test
    void replays2021RecordsWithAGammaFitPerWindow() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        StringBuilder sb = new StringBuilder("app,func,end_timestamp,duration\n");
        // function A: bursty gamma arrivals at 4/s, cv 3; function B: 1/s poisson
        double t = 0;
        GammaProcess burst = new GammaProcess(4, 3);
        while (t < 600) {
            t += burst.nextGap(rng);
            sb.append("app1,A,").append(t + 0.5).append(",0.5\n");
        }
        t = 0;
        GammaProcess steady = new GammaProcess(1, 1);
        while (t < 600) {
            t += steady.nextGap(rng);
            sb.append("app2,B,").append(t + 0.2).append(",0.2\n");
        }
        Path f = dir.resolve("inv.csv");
        Files.writeString(f, sb.toString());
        AzureFunctionsTrace trace = AzureFunctionsTrace.readV2(f);
        assertThat(trace.arrivals()).containsKeys("app1/A", "app2/B");
        Workload w = TraceReplay.replay(trace, List.of("hot", "cold"), new TraceReplay.Spec(0, 600, 300, 1.0, 1.0, 0));
        int[] c = w.countsPerModel();
        assertThat(c[1] / 600.0).isCloseTo(1.0, within(0.25));
        assertThat(c[0] / 600.0).isGreaterThan(2.0);
        // the fitted cv carries the burstiness: hot gaps are much more variable than cold ones
        assertThat(GammaProcessTest.cv(GammaProcessTest.gaps(w.arrivalsOf(0))))
                .isGreaterThan(GammaProcessTest.cv(GammaProcessTest.gaps(w.arrivalsOf(1))) + 0.5);
    }

    @Test
    void tooFewFunctionsForTheModelsIsAnError() throws Exception {
        AzureFunctionsTrace t = AzureFunctionsTrace.readV1(List.of(day("d.csv", new int[] {5})));
        assertThatThrownBy(() -> TraceReplay.replay(t, List.of("a", "b"), new TraceReplay.Spec(0, 600, 60, 1, 1, 0)))
                .hasMessageContaining("fewer than the 2 models");
    }

    @Test
    void gammaFitRecoversShape() {
        SplittableRandom rng = new SplittableRandom(11);
        for (double cv : new double[] {0.5, 1, 3}) {
            GammaProcess p = new GammaProcess(10, cv);
            List<Double> g = new ArrayList<>();
            for (int i = 0; i < 20000; i++) {
                g.add(p.nextGap(rng));
            }
            GammaFit.Result r = GammaFit.fit(g.stream().mapToDouble(Double::doubleValue).toArray());
            assertThat(r.cv()).isCloseTo(cv, within(cv * 0.05));
            assertThat(r.rate()).isCloseTo(10, within(0.6));
        }
        assertThat(GammaFit.fit(new double[] {1}).ok()).isFalse();
        assertThat(GammaFit.digamma(1)).isCloseTo(-0.5772156649, within(1e-9));
        assertThat(GammaFit.trigamma(1)).isCloseTo(Math.PI * Math.PI / 6, within(1e-9));
    }

    @Test
    void parsesAlpaServeTimeStrings() {
        assertThat(TraceReplay.parseTime("1.2.3")).isEqualTo(86400 + 7200 + 180);
        assertThat(TraceReplay.parseTime("90")).isEqualTo(90);
        assertThatThrownBy(() -> TraceReplay.parseTime("x.y.z")).hasMessageContaining("day.hour.minute");
    }
}
