package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.workload.Workload;

/**
 * The stage-clock model with batching (after AlpaServe's {@code simulate_requests_mixed_batching},
 * restated as an event loop): the workload replayed in arrival order through {@link BatchAdmission},
 * which queues requests per model and serves them in batches at profiled batch sizes when a hosting
 * group's first stage is free (see there for the rules).
 */
public final class BatchingSimulator {
    private final LatencyTable table;
    private final double[] arrivals;
    private final int[] modelIds;
    private final double[] deadlines;

    public BatchingSimulator(Workload workload, LatencyTable table) {
        this.table = table;
        this.arrivals = workload.arrivals();
        this.modelIds = workload.modelIds();
        double[] slos = workload.slos();
        this.deadlines = new double[slos.length];
        for (int i = 0; i < slos.length; i++) {
            double slo = Double.isNaN(slos[i]) ? Double.POSITIVE_INFINITY
                    : table.options().float32() ? (double) (float) slos[i] : slos[i];
            deadlines[i] = arrivals[i] + slo;
        }
    }

    public Outcomes simulate(Placement p) {
        int n = arrivals.length;
        double[] finish = new double[n];
        boolean[] good = new boolean[n];
        double[] busy = new double[p.numGroups()];
        int[] groupReq = new int[p.numGroups()];
        int[] routed = new int[n];
        java.util.Arrays.fill(routed, -1);
        BatchAdmission.Decisions record = new BatchAdmission.Decisions() {
            @Override
            public void batch(int group, int model, long[] handles, int count, double[] stageLatency,
                    double[] stageEnds, double fin) {
                double sum = 0;
                for (double l : stageLatency) {
                    sum += l;
                }
                busy[group] += sum;
                for (int k = 0; k < count; k++) {
                    int r = (int) handles[k];
                    finish[r] = fin;
                    good[r] = fin <= deadlines[r];
                    routed[r] = group;
                    groupReq[group]++;
                }
            }

            @Override
            public void rejected(long handle, int model, int group) {
                routed[(int) handle] = group;
                if (group >= 0) {
                    groupReq[group]++;
                }
            }
        };
        BatchAdmission a = new BatchAdmission(p, table);
        for (int i = 0; i < n; i++) {
            double now = arrivals[i];
            a.advance(now, record);
            finish[i] = now; // rejected requests finish at their arrival, as in AlpaServe
            a.arrive(i, modelIds[i], now, deadlines[i], record);
        }
        a.advance(Double.POSITIVE_INFINITY, record);
        return new Outcomes(finish, good, routed, busy, stagesOf(p), groupReq);
    }

    private static int[] stagesOf(Placement p) {
        int[] s = new int[p.numGroups()];
        for (int g = 0; g < s.length; g++) {
            s[g] = p.config(g).pp();
        }
        return s;
    }
}
