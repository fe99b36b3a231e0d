package io.muxflow.planner.sim;

import static io.muxflow.planner.TestProfiles.model;
import static io.muxflow.planner.TestProfiles.pipeline;
import static io.muxflow.planner.TestProfiles.single;
import static org.assertj.core.api.Assertions.assertThat;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ParallelConfig;
import io.muxflow.planner.workload.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VariableServiceSimulatorTest {
    private static Workload bursty(long seed, int n, double rate) {
        Random r = new Random(seed);
        double[] a = new double[n];
        int[] ids = new int[n];
        double[] slo = new double[n];
        double t = 0;
        for (int i = 0; i < n; i++) {
            t += r.nextDouble() < 0.3 ? 0 : -Math.log(1 - r.nextDouble()) / rate;
            a[i] = t;
            ids[i] = r.nextInt(3);
            slo[i] = 0.15 + 0.2 * r.nextDouble();
        }
        return new Workload(List.of("a", "b", "c"), a, ids, slo);
    }

    private static final List<ModelProfile> PROFILES = new ArrayList<>(List.of(
            model("p0", single(0.05, 1), pipeline(new double[] {0.03, 0.03}, 1)),
            model("p1", single(0.03, 1), pipeline(new double[] {0.02, 0.02}, 1)),
            model("p2", single(0.07, 1), pipeline(new double[] {0.04, 0.04}, 1))));

    private static final Placement PLACEMENT = new Placement(List.of(ParallelConfig.of(1, 1), ParallelConfig.of(1, 2)),
            List.of(new int[] {0, 1, 2}, new int[] {0, 2}));

    private static int count(boolean[] good) {
        int n = 0;
        for (boolean g : good) {
            n += g ? 1 : 0;
        }
        return n;
    }

    @Test
    void withTheTablesServiceTimesItDecidesAsTheStageClockSimulator() {
        for (long seed = 1; seed <= 3; seed++) {
            Workload w = bursty(seed, 3000, 30);
            Simulation sim = new Simulation(w, PROFILES, SimOptions.defaults());
            boolean[] exact = new VariableServiceSimulator(w, sim.table()).simulate(PLACEMENT, (g, m, k, l) -> l, 0);
            assertThat(exact).containsExactly(sim.outcomes(PLACEMENT).good());
            assertThat(count(exact)).isBetween(100, 2999); // some load: not everything and not nothing
        }
    }

    @Test
    void slowerOrNoisierDevicesServeLessAndCorrectionsRecoverSome() {
        Workload w = bursty(4, 4000, 30);
        Simulation sim = new Simulation(w, PROFILES, SimOptions.defaults());
        VariableServiceSimulator v = new VariableServiceSimulator(w, sim.table());
        int exact = count(v.simulate(PLACEMENT, (g, m, k, l) -> l, 0));
        Random r = new Random(9);
        int noisy = count(v.simulate(PLACEMENT, (g, m, k, l) -> l * (r.nextDouble() < 0.1 ? 3 : 0.9), 0));
        assertThat(noisy).isLessThan(exact);
        int slowLate = count(v.simulate(PLACEMENT, (g, m, k, l) -> 1.3 * l, 10)); // corrections 10 s late: none in time
        int slowCorrected = count(v.simulate(PLACEMENT, (g, m, k, l) -> 1.3 * l, 0));
        assertThat(slowLate).isLessThan(exact);
        assertThat(slowCorrected).isGreaterThan(slowLate);
    }
}
