package io.muxflow.job.dispatch;

/**
 * AlpaServe's admission with per-group stage clocks (ARCHITECTURE.md, "Dispatch"), run online by a
 * dispatch cell. For each group the cell keeps the predicted time each stage becomes free. A request
 * of model m goes to the group hosting m whose last stage frees first (ties to the lowest index) and
 * walks its stages: {@code t = max(t, clock[k]) + latency[k]}; finish = t + fixed overhead. Within the
 * deadline, the clocks are committed; otherwise the request is rejected at once and uses nothing.
 *
 * <p>Correction from completion reports (as AlpaServe's controller does): when a stage really
 * finishes a request later than predicted, that stage's clock moves forward by the lag. A request's
 * prediction already included the shifts made before it was admitted, so its lag is measured against
 * its prediction plus the shifts made since ({@code shift now - shift at dispatch}); lags are never
 * counted twice. Reality running ahead of prediction leaves the clocks alone (conservative).
 */
public final class StageClocks {
    /** An admission decision: the group index and the predicted end of each stage, or a rejection. */
    public record Decision(boolean admitted, int group, long[] predictedEndUs, long[] shiftUs, long predictedFinishUs) {
    }

    private final ServingPlan plan;
    private final long fixedOverheadUs;
    private final long[][] clock;
    private final long[][] shift;

    public StageClocks(ServingPlan plan, long fixedOverheadUs) {
        this.plan = plan;
        this.fixedOverheadUs = fixedOverheadUs;
        int g = plan.numGroups();
        clock = new long[g][];
        shift = new long[g][];
        for (int i = 0; i < g; i++) {
            clock[i] = new long[plan.group(i).pp()];
            shift[i] = new long[plan.group(i).pp()];
        }
    }

    public Decision admit(int model, long nowUs, long deadlineUs) {
        int[] groups = plan.groupsOf(model);
        if (groups.length == 0) {
            return new Decision(false, -1, null, null, Long.MAX_VALUE);
        }
        int g = -1;
        long best = Long.MAX_VALUE;
        for (int j : groups) {
            long last = clock[j][clock[j].length - 1];
            if (last < best) {
                best = last;
                g = j;
            }
        }
        long[] lat = plan.latencyUs(g, model);
        long[] ends = new long[lat.length];
        long t = nowUs;
        for (int k = 0; k < lat.length; k++) {
            t = Math.max(t, clock[g][k]) + lat[k];
            ends[k] = t;
        }
        long finish = t + fixedOverheadUs;
        if (finish > deadlineUs) {
            return new Decision(false, g, ends, null, finish);
        }
        System.arraycopy(ends, 0, clock[g], 0, ends.length);
        return new Decision(true, g, ends, shift[g].clone(), finish);
    }

    /** Applies a completion report; returns the lag applied (0 when on time or early). */
    public long report(int group, int stage, long predictedEndUs, long shiftAtDispatchUs, long actualEndUs) {
        if (group < 0 || group >= clock.length || stage < 0 || stage >= clock[group].length) {
            return 0;
        }
        long expected = predictedEndUs + (shift[group][stage] - shiftAtDispatchUs);
        long lag = actualEndUs - expected;
        if (lag <= 0) {
            return 0;
        }
        clock[group][stage] += lag;
        shift[group][stage] += lag;
        return lag;
    }

    public long clock(int group, int stage) {
        return clock[group][stage];
    }
}
