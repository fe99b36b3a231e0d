package io.muxflow.job.dispatch;

import io.muxflow.planner.sim.StageClockAdmission;

/**
 * The planner's {@link StageClockAdmission} (AlpaServe's admission with per-group stage clocks, the
 * model the simulator replays) run online by a dispatch cell, in the job's units: timestamps in µs
 * since the epoch on the wire, seconds since this cell's epoch inside, so that admission does the
 * very arithmetic the simulator does on the same latency table.
 */
public final class StageClocks {
    /** An admission decision: the group index and the predicted end of each stage, or a rejection. */
    public record Decision(boolean admitted, int group, long[] predictedEndUs, long[] shiftUs, long predictedFinishUs) {
    }

    private final StageClockAdmission admission;
    private final long epochUs;

    /** @param epochUs the time that is 0 s for the admission model; any instant near the first request */
    public StageClocks(ServingPlan plan, long epochUs) {
        this.admission = plan.newAdmission();
        this.epochUs = epochUs;
    }

    private double seconds(long us) {
        return (us - epochUs) / 1e6;
    }

    private long us(double seconds) {
        return epochUs + Math.round(seconds * 1e6);
    }

    /** Admits a request of model index {@code model} at {@code nowUs} if it can finish by {@code deadlineUs}. */
    public Decision admit(int model, long nowUs, long deadlineUs) {
        if (model < 0) {
            return new Decision(false, -1, null, null, Long.MAX_VALUE);
        }
        int g = admission.choose(model);
        return g < 0 ? new Decision(false, -1, null, null, Long.MAX_VALUE) : admit(g, model, nowUs, deadlineUs);
    }

    private Decision admit(int g, int m, long nowUs, long deadlineUs) {
        double budget = deadlineUs == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : (deadlineUs - nowUs) / 1e6;
        boolean ok = admission.admit(g, m, seconds(nowUs), budget);
        int st = admission.stages(g);
        long[] ends = new long[st];
        for (int k = 0; k < st; k++) {
            ends[k] = us(admission.end(k));
        }
        long finish = Double.isInfinite(admission.finish()) ? Long.MAX_VALUE : us(admission.finish());
        if (!ok) {
            return new Decision(false, g, ends, null, finish);
        }
        long[] shifts = new long[st];
        for (int k = 0; k < st; k++) {
            shifts[k] = Math.round(admission.shift(g, k) * 1e6);
        }
        return new Decision(true, g, ends, shifts, finish);
    }

    /** Applies a completion report; returns how far the clock moved in µs (negative: back). */
    public long report(int group, int stage, long predictedEndUs, long shiftAtDispatchUs, long actualEndUs) {
        return Math.round(admission.report(group, stage, seconds(predictedEndUs), shiftAtDispatchUs / 1e6,
                seconds(actualEndUs)) * 1e6);
    }

    /** When stage {@code stage} of {@code group} becomes free, in µs since the epoch. */
    public long clock(int group, int stage) {
        return us(admission.clock(group, stage));
    }
}
