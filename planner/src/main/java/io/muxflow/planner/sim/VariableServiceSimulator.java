package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.workload.Workload;
import java.util.PriorityQueue;

/**
 * The serving job's admission run against devices whose service times vary: admission predicts with
 * the latency table ({@link StageClockAdmission}, as the dispatcher does), each stage then takes a
 * time drawn from {@link ServiceTimes}, a stage that can no longer meet the request's deadline with
 * the predicted latencies of the stages left is skipped (TIMED_OUT, as the stage operator does), and
 * every completed stage reports its actual end to the admission model {@code reportDelayS} later
 * ({@link StageClockAdmission#report}, the dispatcher's clock corrections). With service times equal
 * to the table's and no delay it decides as {@link StageClockSimulator} does.
 *
 * <p>Why: a deterministic service time at the right mean still overpredicts a real executor's
 * attainment by several points (docs/BENCHMARKS.md, "Fidelity on a real executor"); this is the
 * model with the executor's variance in it.
 */
public final class VariableServiceSimulator {
    /** Actual service time of stage {@code stage} of a request of {@code model} on {@code group}, seconds. */
    @FunctionalInterface
    public interface ServiceTimes {
        double sample(int group, int model, int stage, double predicted);
    }

    private final LatencyTable table;
    private final double[] arrivals;
    private final int[] modelIds;
    private final double[] slos;

    public VariableServiceSimulator(Workload workload, LatencyTable table) {
        this.table = table;
        this.arrivals = workload.arrivals();
        this.modelIds = workload.modelIds();
        this.slos = workload.slos();
        for (int i = 0; i < slos.length; i++) {
            if (Double.isNaN(slos[i])) {
                slos[i] = Double.POSITIVE_INFINITY;
            }
        }
    }

    /** Per request: good when every stage ran and the request finished within its SLO. */
    public boolean[] simulate(Placement p, ServiceTimes service, double reportDelayS) {
        StageClockAdmission a = new StageClockAdmission(p, table);
        int n = arrivals.length;
        boolean[] good = new boolean[n];
        double[][] deviceFree = new double[p.numGroups()][];
        for (int g = 0; g < deviceFree.length; g++) {
            deviceFree[g] = new double[p.config(g).pp()];
        }
        // pending reports: {time, group, stage, predictedEnd, shiftAtAdmission, actualEnd}
        PriorityQueue<double[]> reports = new PriorityQueue<>((x, y) -> Double.compare(x[0], y[0]));
        double fixed = table.options().fixedOverheadS();
        for (int i = 0; i < n; i++) {
            double now = arrivals[i];
            while (!reports.isEmpty() && reports.peek()[0] <= now) {
                double[] r = reports.poll();
                a.report((int) r[1], (int) r[2], r[3], r[4], r[5]);
            }
            int m = modelIds[i];
            int g = a.choose(m);
            if (g < 0 || !a.admit(g, m, now, slos[i])) {
                continue;
            }
            double[] lat = a.latency(g, m);
            double deadline = now + slos[i];
            double t = now;
            boolean ran = true;
            for (int k = 0; k < lat.length; k++) {
                double start = Math.max(t, deviceFree[g][k]);
                double remaining = 0;
                for (int j = k; j < lat.length; j++) {
                    remaining += lat[j];
                }
                if (start + remaining > deadline) {
                    ran = false; // timed out at this stage: it uses no device from here on
                    break;
                }
                double end = start + service.sample(g, m, k, lat[k]);
                deviceFree[g][k] = end;
                reports.add(new double[] {end + reportDelayS, g, k, a.end(k), a.shift(g, k), end});
                t = end;
            }
            good[i] = ran && t + fixed - now <= slos[i];
        }
        return good;
    }
}
