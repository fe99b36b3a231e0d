package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;
import java.util.PriorityQueue;

/**
 * Admission with batching, online: the model of AlpaServe's {@code simulate_requests_mixed_batching}
 * restated as one object that takes requests one at a time, as {@link StageClockAdmission} is for the
 * unbatched model. {@link BatchingSimulator} replays a trace through it; a dispatcher can run the same
 * decisions live.
 *
 * <p>Requests wait in a FIFO queue per model. When a group's first stage is free it serves, among its
 * models, the one whose queue head arrived first: heads that would miss their deadline even alone and
 * at once are rejected; then the batch grows through the profiled batch sizes (up to the options'
 * maximum) while enough requests wait and the head still meets its deadline at that batch's latency.
 * The batch walks the group's stage clocks as one request does in the unbatched model, and the group's
 * first stage is free again when the batch leaves it. An arriving request goes at once to the idle
 * group hosting its model whose last stage frees first (ties to the lower index); otherwise it waits
 * for the first hosting group to free up. The fixed overhead follows the last stage.
 *
 * <p>A serving system corrects the clocks from completion reports ({@link #report}, as the
 * unbatched model's); a replay has none.
 *
 * <p>Requests are opaque {@code long} handles (the simulator's request index, a dispatcher's id).
 * Not thread-safe.
 */
public final class BatchAdmission {
    /** Where the decisions go. */
    public interface Decisions {
        /**
         * A batch of {@code count} requests ({@code handles[0..count)}, in arrival order) of {@code model}
         * on {@code group}; {@code stageLatency[k]}: stage k's latency at this batch size; {@code
         * stageEnds[k]}: when stage k is predicted to finish it; {@code finish}: the last stage's end
         * plus the fixed overhead. The arrays are shared: read them during the call.
         */
        void batch(int group, int model, long[] handles, int count, double[] stageLatency, double[] stageEnds,
                double finish);

        /** A request that will not be served: no group hosts its model ({@code group} -1) or its deadline cannot be met on {@code group}. */
        void rejected(long handle, int model, int group);
    }

    private final Placement placement;
    private final double fixedOverhead;
    private final double[][] clocks;                  // [group][stage]
    private final LatencyTable.BatchLatency[][] lat;  // [group][model], null where not hosted or not profiled
    private final int[][] modelGroups;
    private final Queue[] queues;                     // per model
    private final boolean[] pending;                  // a free event is queued for the group
    private final double[][] event;                   // [group]: that event, to move it on a correction
    private final double[][] shift;                   // [group][stage]: corrections applied so far
    private final double[][] lastReported;            // [group][stage]: latest reported end
    private double lastTime = Double.NEGATIVE_INFINITY;
    private final PriorityQueue<double[]> frees = new PriorityQueue<>((a, b) -> a[0] != b[0]
            ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
    private long[] batch = new long[8];
    private double[] ends = new double[1];

    public BatchAdmission(Placement p, LatencyTable table) {
        this.placement = p;
        this.fixedOverhead = table.options().fixedOverheadS();
        int groups = p.numGroups();
        int numModels = table.numModels();
        clocks = new double[groups][];
        lat = new LatencyTable.BatchLatency[groups][numModels];
        for (int g = 0; g < groups; g++) {
            clocks[g] = new double[p.config(g).pp()];
            for (int m : p.modelsOf(g)) {
                lat[g][m] = table.batches(p.config(g), m);
            }
        }
        StageClockAdmission index = new StageClockAdmission(p, table); // the groups hosting each model, ascending
        modelGroups = new int[numModels][];
        queues = new Queue[numModels];
        for (int m = 0; m < numModels; m++) {
            modelGroups[m] = index.groupsOf(m);
            queues[m] = new Queue();
        }
        pending = new boolean[groups];
        event = new double[groups][];
        shift = new double[groups][];
        lastReported = new double[groups][];
        for (int g = 0; g < groups; g++) {
            shift[g] = new double[clocks[g].length];
            lastReported[g] = new double[clocks[g].length];
            java.util.Arrays.fill(lastReported[g], Double.NEGATIVE_INFINITY);
        }
    }

    /** Requests of {@code model} waiting for a group. */
    public int waiting(int model) {
        return queues[model].size();
    }

    /** When the next busy group's first stage frees (what {@link #advance} waits for); infinity when none is busy. */
    public double nextFree() {
        return frees.isEmpty() ? Double.POSITIVE_INFINITY : frees.peek()[0];
    }

    /** Lets every group whose first stage frees by {@code until} serve what waits for it, in time order. */
    public void advance(double until, Decisions out) {
        while (!frees.isEmpty() && frees.peek()[0] <= until) {
            double[] ev = frees.poll();
            int g = (int) ev[1];
            pending[g] = false;
            event[g] = null;
            dispatch(g, ev[0], out);
        }
        lastTime = Math.max(lastTime, until);
    }

    /**
     * A request of {@code model} arriving at {@code now} (call {@link #advance} up to {@code now}
     * first): queued, and served at once when a group hosting its model is idle.
     */
    public void arrive(long handle, int model, double now, double deadline, Decisions out) {
        lastTime = Math.max(lastTime, now);
        if (modelGroups[model].length == 0) {
            out.rejected(handle, model, -1);
            return;
        }
        queues[model].add(handle, now, deadline);
        int chosen = -1;
        double best = Double.POSITIVE_INFINITY;
        for (int g : modelGroups[model]) {
            if (pending[g] || clocks[g][0] > now) {
                continue;
            }
            double last = clocks[g][clocks[g].length - 1];
            if (last < best) {
                best = last;
                chosen = g;
            }
        }
        if (chosen >= 0) {
            dispatch(chosen, now, out);
        }
    }

    private double walk(int g, double[] stageLatency, double t, double[] out) {
        double[] c = clocks[g];
        for (int k = 0; k < c.length; k++) {
            t = Math.max(t, c[k]) + stageLatency[k];
            if (out != null) {
                out[k] = t;
            }
        }
        return t + fixedOverhead;
    }

    /** Serves one batch on group g at {@code now}, if any of its models has a request waiting. */
    private void dispatch(int g, double now, Decisions out) {
        while (true) {
            int model = -1;
            double earliest = Double.POSITIVE_INFINITY;
            for (int m : placement.modelsOf(g)) {
                Queue q = queues[m];
                if (q.size() > 0 && q.headArrival() < earliest) {
                    earliest = q.headArrival();
                    model = m;
                }
            }
            if (model < 0) {
                return;
            }
            Queue q = queues[model];
            LatencyTable.BatchLatency bl = lat[g][model];
            if (bl == null) { // hosted but not profiled under this configuration: nothing of it can run here
                while (q.size() > 0) {
                    out.rejected(q.poll(), model, g);
                }
                continue;
            }
            // Reject heads that cannot make it even alone and now.
            while (q.size() > 0 && walk(g, bl.stageLatency()[0], now, null) > q.headDeadline()) {
                out.rejected(q.poll(), model, g);
            }
            if (q.size() == 0) {
                continue;
            }
            double headDeadline = q.headDeadline();
            int waiting = q.size();
            int chosen = 0;
            for (int b = 1; b < bl.batchSizes().length; b++) {
                int size = bl.batchSizes()[b];
                if (size > waiting || walk(g, bl.stageLatency()[b], now, null) > headDeadline) {
                    break;
                }
                chosen = b;
            }
            int size = bl.batchSizes()[chosen];
            double[] stageLatency = bl.stageLatency()[chosen];
            if (ends.length < stageLatency.length) {
                ends = new double[stageLatency.length];
            }
            double fin = walk(g, stageLatency, now, ends);
            System.arraycopy(ends, 0, clocks[g], 0, clocks[g].length);
            if (batch.length < size) {
                batch = new long[Math.max(size, 2 * batch.length)];
            }
            for (int k = 0; k < size; k++) {
                batch[k] = q.poll();
            }
            out.batch(g, model, batch, size, stageLatency, ends, fin);
            pending[g] = true;
            event[g] = new double[] {clocks[g][0], g};
            frees.add(event[g]);
            return;
        }
    }

    /** The correction applied so far to stage {@code k} of {@code group}: what a batch records when released. */
    public double shift(int group, int k) {
        return shift[group][k];
    }

    /**
     * A completion report, as {@link StageClockAdmission#report} takes it (a serving system's
     * correction; a replay has none): stage {@code k} of {@code group} finished a batch at {@code
     * actualEnd} that was predicted to end at {@code predictedEnd} with {@code shiftAtRelease} applied.
     * The stage's clock moves by the lag not yet applied (never before the reported end); when the first
     * stage moves, the group's pending free instant moves with it (not before the last instant this
     * model was advanced to). Returns how far the clock moved.
     */
    public double report(int group, int k, double predictedEnd, double shiftAtRelease, double actualEnd) {
        if (group < 0 || group >= clocks.length || k < 0 || k >= clocks[group].length) {
            return 0;
        }
        double moved = StageClockAdmission.correction(clocks[group][k], shift[group][k], lastReported[group][k],
                predictedEnd, shiftAtRelease, actualEnd);
        if (Double.isNaN(moved)) {
            return 0;
        }
        lastReported[group][k] = actualEnd;
        clocks[group][k] += moved;
        shift[group][k] += moved;
        if (k == 0 && moved != 0) {
            if (event[group] != null) {
                frees.remove(event[group]);
            } else if (clocks[group][0] <= lastTime) {
                return moved; // idle already: the next arrival finds it free
            }
            // busy longer (or shorter) than predicted: it serves its queues when it is free
            pending[group] = true;
            event[group] = new double[] {Math.max(clocks[group][0], lastTime), group};
            frees.add(event[group]);
        }
        return moved;
    }

    /** A growable FIFO ring of (handle, arrival, deadline). */
    private static final class Queue {
        private long[] handles = new long[16];
        private double[] arrivals = new double[16];
        private double[] deadlines = new double[16];
        private int head;
        private int size;

        int size() {
            return size;
        }

        double headArrival() {
            return arrivals[head];
        }

        double headDeadline() {
            return deadlines[head];
        }

        void add(long handle, double arrival, double deadline) {
            if (size == handles.length) {
                int n = handles.length;
                handles = grow(handles, head, size, 2 * n);
                arrivals = grow(arrivals, head, size, 2 * n);
                deadlines = grow(deadlines, head, size, 2 * n);
                head = 0;
            }
            int i = (head + size) % handles.length;
            handles[i] = handle;
            arrivals[i] = arrival;
            deadlines[i] = deadline;
            size++;
        }

        long poll() {
            long h = handles[head];
            head = (head + 1) % handles.length;
            size--;
            return h;
        }

        private static long[] grow(long[] a, int head, int size, int capacity) {
            long[] out = new long[capacity];
            for (int k = 0; k < size; k++) {
                out[k] = a[(head + k) % a.length];
            }
            return out;
        }

        private static double[] grow(double[] a, int head, int size, int capacity) {
            double[] out = new double[capacity];
            for (int k = 0; k < size; k++) {
                out[k] = a[(head + k) % a.length];
            }
            return out;
        }
    }
}
