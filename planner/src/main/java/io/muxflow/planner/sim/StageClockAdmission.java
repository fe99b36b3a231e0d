package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;

/**
 * AlpaServe's admission with per-group stage clocks (the stage-clock model of {@code
 * simulate_requests_mixed} in AlpaServe's {@code simulator/controller.py}): the one admission model
 * muxflow has. {@link StageClockSimulator} runs it over a trace; the serving job's dispatcher runs it
 * online, one request at a time, with corrections from completion reports.
 *
 * <p>Per group it keeps the time each pipeline stage becomes free. A request of model m goes to the
 * group hosting m whose last stage frees first (ties to the lowest group index; chosen before the
 * deadline check and never retried elsewhere), walks the stages ({@code t = max(t, clock[k]) +
 * latency[k]}) and finishes after a fixed overhead that holds no device. If {@code finish - now >
 * budget} it is rejected and uses nothing; otherwise the stage clocks are committed.
 *
 * <p>Corrections from completion reports (the job's dispatcher; the simulator has none): when a stage
 * really finishes a request later or earlier than predicted, that stage's clock moves by the
 * difference, but never before the reported end. A request's prediction already included the shifts
 * made before it was admitted, so the difference is measured against its prediction plus the shifts
 * made since ({@code shift now - shift at admission}) and is never counted twice; the shift after a
 * report is that report's excess ({@code actual - predicted + shift at admission}). Why both ways:
 * with forward-only corrections every late completion moved a clock and no early one moved it back,
 * so on an executor with a latency tail the clocks drifted ahead of the device and the job rejected
 * more than the simulator predicted (docs/BENCHMARKS.md, "Fidelity on a real executor").
 *
 * <p>Times are doubles in one unit (the simulator and the dispatcher both use seconds); latencies come
 * from a {@link LatencyTable}, so the overhead factors are applied in one place. Not thread-safe.
 */
public final class StageClockAdmission {
    private final int numGroups;
    private final int maxStages;
    private final int[] stages;
    private final double[][][] latency; // [group][model] -> stage latencies, null where not hosted or not profiled
    private final int[][] modelGroups;  // [model] -> hosting groups, ascending
    private final double fixedOverhead;
    private final double[] clocks;      // [group * maxStages + stage]
    private final double[] lastClock;   // the last stage's clock per group: the group choice reads only these
    private final double[] shift;       // [group * maxStages + stage]: corrections applied so far
    private final double[] lastReported; // [group * maxStages + stage]: the latest completion applied
    private final double[] ends;        // the last prediction's stage ends
    private double finish;

    public StageClockAdmission(Placement p, LatencyTable table) {
        int numModels = table.numModels();
        numGroups = p.numGroups();
        maxStages = Math.max(1, p.maxStages());
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
        fixedOverhead = table.options().fixedOverheadS();
        clocks = new double[numGroups * maxStages];
        lastClock = new double[numGroups];
        shift = new double[numGroups * maxStages];
        lastReported = new double[numGroups * maxStages];
        java.util.Arrays.fill(lastReported, Double.NEGATIVE_INFINITY);
        ends = new double[maxStages];
    }

    public int numGroups() {
        return numGroups;
    }

    public int stages(int group) {
        return stages[group];
    }

    /** The groups hosting {@code model}, ascending (shared: do not modify). */
    public int[] groupsOf(int model) {
        return modelGroups[model];
    }

    /** Stage latencies of {@code model} on {@code group}; null when the group does not host it or it is unprofiled. */
    public double[] latency(int group, int model) {
        return latency[group][model];
    }

    /** The group a request of {@code model} goes to: the hosting group whose last stage frees first; -1 when none. */
    public int choose(int model) {
        final int[] hosts = modelGroups[model];
        if (hosts.length == 1) { // the common case, without the loop (the search replays millions)
            final int j = hosts[0];
            return lastClock[j] < Double.POSITIVE_INFINITY ? j : -1;
        }
        int g = -1;
        double best = Double.POSITIVE_INFINITY;
        for (int j : hosts) {
            double c = lastClock[j];
            if (c < best) {
                best = c;
                g = j;
            }
        }
        return g;
    }

    /**
     * Predicts a request of {@code model} on {@code group} arriving at {@code now} and commits the
     * clocks when it finishes within {@code budget} of {@code now}. The prediction stays readable
     * through {@link #end} and {@link #finish} until the next call. A model the group runs without a
     * profile has infinite latency: rejected.
     */
    public boolean admit(int group, int model, double now, double budget) {
        final double[] lat = latency[group][model];
        if (lat == null) {
            finish = Double.POSITIVE_INFINITY;
            return false;
        }
        final int base = group * maxStages;
        final int st = stages[group];
        double t = now;
        for (int k = 0; k < st; k++) {
            final double c = clocks[base + k];
            t = (c > t ? c : t) + lat[k]; // Math.max less its NaN and -0.0 cases, which times never are
            ends[k] = t;
        }
        finish = t + fixedOverhead;
        if (finish - now > budget) {
            return false;
        }
        for (int k = 0; k < st; k++) { // a few stages: a loop, not System.arraycopy's call
            clocks[base + k] = ends[k];
        }
        lastClock[group] = t;
        return true;
    }

    /** Predicted end of stage {@code k} in the last {@link #admit}. */
    public double end(int k) {
        return ends[k];
    }

    /** Predicted finish (last stage end plus the fixed overhead) in the last {@link #admit}. */
    public double finish() {
        return finish;
    }

    /** The correction applied so far to stage {@code k} of {@code group}: what a request records at admission. */
    public double shift(int group, int k) {
        return shift[group * maxStages + k];
    }

    public double clock(int group, int k) {
        return clocks[group * maxStages + k];
    }

    /**
     * How far a report moves a stage clock: by the lag not yet applied ({@code actualEnd} against the
     * prediction, less the shift applied since it was made), never to before the reported end. NaN
     * for a report to ignore: a lag that is not a number, or a completion older than the latest
     * applied (a stage completes in order, so an earlier completion arriving late is stale). The one
     * correction rule of both admission models ({@link BatchAdmission#report}).
     */
    static double correction(double clock, double shift, double lastReported, double predictedEnd,
            double shiftAtAdmission, double actualEnd) {
        double lag = actualEnd - (predictedEnd + (shift - shiftAtAdmission));
        if (!Double.isFinite(lag) || actualEnd < lastReported) {
            return Double.NaN;
        }
        return Math.max(clock + lag, actualEnd) - clock;
    }

    /**
     * A completion report: stage {@code k} of {@code group} finished a request at {@code actualEnd}
     * that was predicted to end at {@code predictedEnd} with {@code shiftAtAdmission} applied. Returns
     * how far the clock moved (negative: back; 0 on time, or for a stage this placement lacks).
     */
    public double report(int group, int k, double predictedEnd, double shiftAtAdmission, double actualEnd) {
        if (group < 0 || group >= numGroups || k < 0 || k >= stages[group]) {
            return 0;
        }
        int i = group * maxStages + k;
        double moved = correction(clocks[i], shift[i], lastReported[i], predictedEnd, shiftAtAdmission, actualEnd);
        if (Double.isNaN(moved)) {
            return 0;
        }
        lastReported[i] = actualEnd;
        clocks[i] += moved;
        shift[i] += moved;
        if (k == stages[group] - 1) {
            lastClock[group] = clocks[i];
        }
        return moved;
    }
}
