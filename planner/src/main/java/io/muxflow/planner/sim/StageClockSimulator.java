package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.workload.Workload;

/**
 * AlpaServe's fast serving simulator (the stage-clock model, {@code simulate_requests_mixed} in
 * AlpaServe's {@code simulator/controller.py}), also what muxflow's dispatcher runs online.
 *
 * <p>Every group keeps, per pipeline stage, the time that stage becomes free. Requests are replayed
 * in workload order. A request of model m goes to the group hosting m whose last stage frees first
 * (ties to the lowest group index; chosen before the SLO check and never retried elsewhere), walks the
 * stages ({@code t = max(t, clock[k]) + latency[k]}), and finishes after a fixed overhead that holds
 * no device. If {@code finish - arrival > SLO} it is rejected at once and uses no capacity; otherwise
 * the stage clocks are committed. Nothing is allocated per request; a simulation of N requests costs
 * O(N x (replicas + stages)).
 *
 * <p>With {@link SimOptions#alpaServe()} the results equal AlpaServe's on identical inputs: latencies
 * and SLOs as float32, arithmetic on arrivals and clocks in float64, the same overhead constants.
 */
public final class StageClockSimulator {
    private final Workload workload;
    private final LatencyTable table;
    private final double[] arrivals;
    private final int[] modelIds;
    private final double[] slos;
    private final int numModels;
    private final double fixedOverhead;

    public StageClockSimulator(Workload workload, LatencyTable table) {
        if (workload.models().size() != table.numModels()) {
            throw new IllegalArgumentException("workload has " + workload.models().size() + " models, latency table "
                    + table.numModels());
        }
        this.workload = workload;
        this.table = table;
        this.arrivals = workload.arrivals();
        this.modelIds = workload.modelIds();
        this.slos = workload.slos();
        boolean f32 = table.options().float32();
        for (int i = 0; i < slos.length; i++) {
            if (Double.isNaN(slos[i])) {
                slos[i] = Double.POSITIVE_INFINITY; // no SLO: never rejected
            } else if (f32) {
                slos[i] = (double) (float) slos[i];
            }
        }
        this.numModels = table.numModels();
        this.fixedOverhead = table.options().fixedOverheadS();
    }

    public Workload workload() {
        return workload;
    }

    public LatencyTable table() {
        return table;
    }

    /** Index form of a placement for the loop: per group its stages and per model its latencies. */
    private final class Compiled {
        final int numGroups;
        final int maxStages;
        final int[] stages;
        final double[][][] latency; // [group][model] -> stage latencies, null where not hosted/profiled
        final int[][] modelGroups;  // [model] -> hosting groups, ascending

        Compiled(Placement p) {
            numGroups = p.numGroups();
            maxStages = p.maxStages();
            stages = new int[numGroups];
            latency = new double[numGroups][][];
            int[] count = new int[numModels];
            for (int g = 0; g < numGroups; g++) {
                stages[g] = p.config(g).pp();
                double[][] all = table.stagesAll(p.config(g));
                latency[g] = new double[numModels][];
                for (int m : p.modelsOf(g)) {
                    latency[g][m] = all[m];
                    count[m]++;
                }
            }
            modelGroups = new int[numModels][];
            for (int m = 0; m < numModels; m++) {
                modelGroups[m] = new int[count[m]];
                count[m] = 0;
            }
            for (int g = 0; g < numGroups; g++) {
                for (int m : p.modelsOf(g)) {
                    modelGroups[m][count[m]++] = g;
                }
            }
        }
    }

    /** The search's view: untrimmed attainment and counts, no per-request arrays. */
    public Score score(Placement p) {
        Compiled c = new Compiled(p);
        int[] modelReq = new int[numModels];
        int[] modelGood = new int[numModels];
        int[] groupReq = new int[c.numGroups];
        double latencySum = run(c, 0, arrivals.length, null, null, null, modelReq, modelGood, groupReq);
        int n = arrivals.length;
        int good = 0;
        for (int g : modelGood) {
            good += g;
        }
        return new Score(n == 0 ? 0 : (double) good / n, n == 0 ? 0 : latencySum / n, p.replicas(), modelReq,
                modelGood, groupReq);
    }

    /** Per-request outcomes of serving the whole workload on {@code p}. */
    public Outcomes simulate(Placement p) {
        Compiled c = new Compiled(p);
        int n = arrivals.length;
        double[] finish = new double[n];
        boolean[] good = new boolean[n];
        double[] busy = new double[c.numGroups];
        int[] groupReq = new int[c.numGroups];
        run(c, 0, n, finish, good, busy, new int[numModels], new int[numModels], groupReq);
        return new Outcomes(finish, good, busy, c.stages.clone(), groupReq);
    }

    /**
     * A time-varying placement: segment i serves the requests arriving after {@code starts[i]} (the
     * first segment also those before) up to the next segment's start, from idle devices.
     */
    public Outcomes simulateSegments(double[] starts, Placement[] placements) {
        int n = arrivals.length;
        double[] finish = new double[n];
        boolean[] good = new boolean[n];
        int from = 0;
        for (int s = 0; s < placements.length; s++) {
            int to = from;
            if (s + 1 < placements.length) {
                while (to < n && arrivals[to] <= starts[s + 1]) {
                    to++;
                }
            } else {
                to = n;
            }
            Compiled c = new Compiled(placements[s]);
            run(c, from, to, finish, good, new double[c.numGroups], new int[numModels], new int[numModels],
                    new int[c.numGroups]);
            from = to;
        }
        return new Outcomes(finish, good, new double[0], new int[0], new int[0]);
    }

    private double run(Compiled c, int from, int to, double[] finish, boolean[] good, double[] busy, int[] modelReq,
            int[] modelGood, int[] groupReq) {
        final int s = c.maxStages;
        final double[] clocks = new double[c.numGroups * s];
        // The last stage's clock of every group, contiguous: group choice reads only these.
        final double[] lastClock = new double[c.numGroups];
        final double[] tmp = new double[s];
        final int[] stages = c.stages;
        double latencySum = 0;
        for (int i = from; i < to; i++) {
            final double arrival = arrivals[i];
            final int m = modelIds[i];
            modelReq[m]++;
            if (finish != null) {
                finish[i] = arrival;
            }
            final int[] gs = c.modelGroups[m];
            if (gs.length == 0) {
                continue;
            }
            int g = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int j : gs) {
                double clock = lastClock[j];
                if (clock < best) {
                    best = clock;
                    g = j;
                }
            }
            groupReq[g]++;
            final double[] lat = c.latency[g][m];
            if (lat == null) {
                continue; // not profiled under this config: infinite latency, as in AlpaServe
            }
            final int base = g * s;
            final int st = stages[g];
            double t = arrival;
            for (int k = 0; k < st; k++) {
                t = Math.max(t, clocks[base + k]) + lat[k];
                tmp[k] = t;
            }
            final double fin = t + fixedOverhead;
            if (fin - arrival <= slos[i]) {
                System.arraycopy(tmp, 0, clocks, base, st);
                lastClock[g] = tmp[st - 1];
                modelGood[m]++;
                latencySum += fin - arrival;
                if (finish != null) {
                    finish[i] = fin;
                    good[i] = true;
                }
                if (busy != null) {
                    double sum = 0;
                    for (int k = 0; k < st; k++) {
                        sum += lat[k];
                    }
                    busy[g] += sum;
                }
            }
        }
        return latencySum;
    }
}
