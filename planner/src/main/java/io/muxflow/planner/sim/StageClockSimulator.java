package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.workload.Workload;

/**
 * AlpaServe's fast serving simulator ({@code simulate_requests_mixed} in AlpaServe's {@code
 * simulator/controller.py}): the workload replayed in arrival order through {@link
 * StageClockAdmission}, the admission model muxflow's dispatcher runs online. A rejected request uses
 * no capacity; nothing is allocated per request, so a simulation of N requests costs O(N x (replicas
 * + stages)).
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
    private final ComponentScores components;

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
        this.components = new ComponentScores(table, arrivals, modelIds, slos);
    }

    public Workload workload() {
        return workload;
    }

    public LatencyTable table() {
        return table;
    }

    /**
     * The search's view: untrimmed attainment and counts, no per-request arrays. Computed per
     * component of the placement and memoized ({@link ComponentScores}).
     */
    public Score score(Placement p) {
        return components.score(p, true);
    }

    /** {@link #score} replaying every request, reading and keeping nothing memoized: what a simulation costs. */
    public Score scoreUnmemoized(Placement p) {
        return components.score(p, false);
    }

    /** Per-request outcomes of serving the whole workload on {@code p}. */
    public Outcomes simulate(Placement p) {
        StageClockAdmission c = new StageClockAdmission(p, table);
        int n = arrivals.length;
        double[] finish = new double[n];
        boolean[] good = new boolean[n];
        int[] group = new int[n];
        double[] busy = new double[c.numGroups()];
        int[] groupReq = new int[c.numGroups()];
        run(c, 0, n, finish, good, group, busy, new int[numModels], new int[numModels], groupReq);
        int[] stages = new int[c.numGroups()];
        for (int g = 0; g < stages.length; g++) {
            stages[g] = c.stages(g);
        }
        return new Outcomes(finish, good, group, busy, stages, groupReq);
    }

    /**
     * A time-varying placement: segment i serves the requests arriving after {@code starts[i]} (the
     * first segment also those before) up to the next segment's start, from idle devices.
     */
    public Outcomes simulateSegments(double[] starts, Placement[] placements) {
        int n = arrivals.length;
        double[] finish = new double[n];
        boolean[] good = new boolean[n];
        int[] group = new int[n];
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
            StageClockAdmission c = new StageClockAdmission(placements[s], table);
            run(c, from, to, finish, good, group, new double[c.numGroups()], new int[numModels], new int[numModels],
                    new int[c.numGroups()]);
            from = to;
        }
        return new Outcomes(finish, good, group, new double[0], new int[0], new int[0]);
    }

    private double run(StageClockAdmission c, int from, int to, double[] finish, boolean[] good, int[] group,
            double[] busy, int[] modelReq, int[] modelGood, int[] groupReq) {
        double latencySum = 0;
        for (int i = from; i < to; i++) {
            final double arrival = arrivals[i];
            final int m = modelIds[i];
            modelReq[m]++;
            if (finish != null) {
                finish[i] = arrival;
            }
            final int g = c.choose(m);
            if (group != null) {
                group[i] = g;
            }
            if (g < 0) {
                continue;
            }
            groupReq[g]++;
            if (c.admit(g, m, arrival, slos[i])) {
                final double fin = c.finish();
                modelGood[m]++;
                latencySum += fin - arrival;
                if (finish != null) {
                    finish[i] = fin;
                    good[i] = true;
                }
                if (busy != null) {
                    double sum = 0;
                    for (double l : c.latency(g, m)) {
                        sum += l;
                    }
                    busy[g] += sum;
                }
            }
        }
        return latencySum;
    }
}
