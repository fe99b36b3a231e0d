package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.workload.Workload;
import java.util.PriorityQueue;

/**
 * The stage-clock model with batching (after AlpaServe's {@code simulate_requests_mixed_batching},
 * restated as an event loop). Requests wait in a FIFO queue per model. When a group's first stage is
 * free it serves the model whose queue head arrived first among its models: heads that would miss
 * their deadline even alone and at once are rejected; then the batch grows through the profiled
 * batch sizes (up to the options' maximum) while enough requests wait and the head still meets its
 * deadline at that batch's latency. An arriving request is dispatched at once to the idle group
 * hosting its model whose last stage frees first; otherwise it waits for the first hosting group to
 * free up. The fixed overhead follows the last stage, as in the unbatched model.
 */
public final class BatchingSimulator {
    private final LatencyTable table;
    private final double[] arrivals;
    private final int[] modelIds;
    private final double[] deadlines;
    private final int numModels;
    private final double fixedOverhead;

    public BatchingSimulator(Workload workload, LatencyTable table) {
        this.table = table;
        this.arrivals = workload.arrivals();
        this.modelIds = workload.modelIds();
        this.numModels = table.numModels();
        this.fixedOverhead = table.options().fixedOverheadS();
        double[] slos = workload.slos();
        this.deadlines = new double[slos.length];
        for (int i = 0; i < slos.length; i++) {
            double slo = Double.isNaN(slos[i]) ? Double.POSITIVE_INFINITY
                    : table.options().float32() ? (double) (float) slos[i] : slos[i];
            deadlines[i] = arrivals[i] + slo;
        }
    }

    private static final class State {
        final Placement p;
        final double[][] clocks;
        final LatencyTable.BatchLatency[][] lat; // [group][model]
        final int[][] modelGroups;
        final int[][] queue;  // per model: request indices in arrival order
        final int[] head;
        final int[] tail;
        final boolean[] pending; // a free event is queued for the group
        final PriorityQueue<double[]> frees = new PriorityQueue<>((a, b) -> a[0] != b[0]
                ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        final double[] finish;
        final boolean[] good;
        final double[] busy;
        final int[] groupReq;

        State(Placement p, int numModels, int n, int[] modelIds, LatencyTable table) {
            this.p = p;
            int groups = p.numGroups();
            clocks = new double[groups][];
            lat = new LatencyTable.BatchLatency[groups][numModels];
            for (int g = 0; g < groups; g++) {
                clocks[g] = new double[p.config(g).pp()];
                for (int m : p.modelsOf(g)) {
                    lat[g][m] = table.batches(p.config(g), m);
                }
            }
            StageClockAdmission index = new StageClockAdmission(p, table); // the groups hosting each model
            modelGroups = new int[numModels][];
            for (int m = 0; m < numModels; m++) {
                modelGroups[m] = index.groupsOf(m);
            }
            int[] perModel = new int[numModels];
            for (int id : modelIds) {
                perModel[id]++;
            }
            queue = new int[numModels][];
            for (int m = 0; m < numModels; m++) {
                queue[m] = new int[perModel[m]];
            }
            head = new int[numModels];
            tail = new int[numModels];
            pending = new boolean[groups];
            finish = new double[n];
            good = new boolean[n];
            busy = new double[groups];
            groupReq = new int[groups];
        }
    }

    public Outcomes simulate(Placement p) {
        int n = arrivals.length;
        State st = new State(p, numModels, n, modelIds, table);
        for (int i = 0; i < n; i++) {
            double now = arrivals[i];
            drainFrees(st, now);
            int m = modelIds[i];
            st.finish[i] = now;
            st.queue[m][st.tail[m]++] = i;
            int chosen = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int g : st.modelGroups[m]) {
                if (st.pending[g] || st.clocks[g][0] > now) {
                    continue;
                }
                double last = st.clocks[g][st.clocks[g].length - 1];
                if (last < best) {
                    best = last;
                    chosen = g;
                }
            }
            if (chosen >= 0) {
                dispatch(st, chosen, now);
            }
            if (st.modelGroups[m].length == 0) {
                st.head[m] = st.tail[m]; // nowhere to run: rejected
            }
        }
        drainFrees(st, Double.POSITIVE_INFINITY);
        return new Outcomes(st.finish, st.good, new int[0], st.busy, stagesOf(p), st.groupReq);
    }

    private static int[] stagesOf(Placement p) {
        int[] s = new int[p.numGroups()];
        for (int g = 0; g < s.length; g++) {
            s[g] = p.config(g).pp();
        }
        return s;
    }

    private void drainFrees(State st, double until) {
        while (!st.frees.isEmpty() && st.frees.peek()[0] <= until) {
            double[] ev = st.frees.poll();
            int g = (int) ev[1];
            st.pending[g] = false;
            dispatch(st, g, ev[0]);
        }
    }

    private double walk(State st, int g, double[] lat, double t, double[] out) {
        double[] c = st.clocks[g];
        for (int k = 0; k < c.length; k++) {
            t = Math.max(t, c[k]) + lat[k];
            if (out != null) {
                out[k] = t;
            }
        }
        return t + fixedOverhead;
    }

    /** Serves one batch on group g at time {@code now}, if any of its models has a request waiting. */
    private void dispatch(State st, int g, double now) {
        while (true) {
            int model = -1;
            double earliest = Double.POSITIVE_INFINITY;
            for (int m : st.p.modelsOf(g)) {
                if (st.head[m] < st.tail[m] && arrivals[st.queue[m][st.head[m]]] < earliest) {
                    earliest = arrivals[st.queue[m][st.head[m]]];
                    model = m;
                }
            }
            if (model < 0) {
                return;
            }
            LatencyTable.BatchLatency bl = st.lat[g][model];
            if (bl == null) {
                st.groupReq[g] += st.tail[model] - st.head[model];
                st.head[model] = st.tail[model];
                continue;
            }
            int[] q = st.queue[model];
            // Reject heads that cannot make it even alone and now.
            while (st.head[model] < st.tail[model]
                    && walk(st, g, bl.stageLatency()[0], now, null) > deadlines[q[st.head[model]]]) {
                st.groupReq[g]++;
                st.head[model]++;
            }
            if (st.head[model] == st.tail[model]) {
                continue;
            }
            int headReq = q[st.head[model]];
            int waiting = st.tail[model] - st.head[model];
            int chosen = 0;
            for (int b = 1; b < bl.batchSizes().length; b++) {
                int size = bl.batchSizes()[b];
                if (size > waiting || walk(st, g, bl.stageLatency()[b], now, null) > deadlines[headReq]) {
                    break;
                }
                chosen = b;
            }
            int size = bl.batchSizes()[chosen];
            double[] lat = bl.stageLatency()[chosen];
            double[] out = new double[lat.length];
            double fin = walk(st, g, lat, now, out);
            System.arraycopy(out, 0, st.clocks[g], 0, out.length);
            double sum = 0;
            for (double l : lat) {
                sum += l;
            }
            st.busy[g] += sum;
            for (int k = 0; k < size; k++) {
                int r = q[st.head[model]++];
                st.finish[r] = fin;
                st.good[r] = fin <= deadlines[r];
                st.groupReq[g]++;
            }
            st.pending[g] = true;
            st.frees.add(new double[] {st.clocks[g][0], g});
            return;
        }
    }
}
