package io.muxflow.job.dispatch;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.model.Clocks;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.job.model.StageReport;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.CoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The dispatch operator of one cell (subtask i serves cell i): admits requests with {@link
 * StageClocks} (the planner's admission model, so the simulator predicts these very decisions), tags admitted ones with their group and predictions, answers the rest REJECTED at
 * once, and corrects its clocks from the stages' completion reports (second input). The clocks are
 * predictions about devices, not state worth restoring: after a restart the devices are idle.
 */
public final class Dispatcher extends CoProcessFunction<ServingRequest, StageReport, ServingRequest> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<Reply> REJECTED = new OutputTag<>("rejected") {
        private static final long serialVersionUID = 1L;
    };

    private final JobSpec spec;
    private final Clocks.Source clock;
    private transient ServingPlan plan;
    private transient StageClocks clocks;
    private transient Counter admitted;
    private transient Counter rejected;
    private transient Counter corrections;

    public Dispatcher(JobSpec spec) {
        this(spec, Clocks.Source.SYSTEM);
    }

    /** A dispatcher that reads time from {@code clock} (tests replay traces at fixed instants). */
    public Dispatcher(JobSpec spec, Clocks.Source clock) {
        this.spec = spec;
        this.clock = clock;
    }

    @Override
    public void open(OpenContext ctx) {
        plan = new ServingPlan(spec);
        clocks = new StageClocks(plan, clock.nowUs());
        var g = getRuntimeContext().getMetricGroup().addGroup("dispatch");
        admitted = g.counter("admitted");
        rejected = g.counter("rejected");
        corrections = g.counter("clockCorrections");
    }

    @Override
    public void processElement1(ServingRequest r, Context ctx, Collector<ServingRequest> out) {
        long now = clock.nowUs();
        int m = plan.modelIndex(r.model);
        StageClocks.Decision d = clocks.admit(m, now, r.deadlineUs);
        if (!d.admitted()) {
            rejected.inc();
            String why = d.group() < 0 ? unserved(plan, r.model)
                    : String.format("admission predicted a finish %.1f ms after dispatch, %.1f ms past the deadline",
                            (d.predictedFinishUs() - now) / 1000.0, (d.predictedFinishUs() - r.deadlineUs) / 1000.0);
            ctx.output(REJECTED, Reply.of(r, "REJECTED", why, d.group() < 0 ? -1 : plan.group(d.group()).id()));
            return;
        }
        admitted.inc();
        r.dispatchedUs = now;
        r.group = d.group();
        r.predictedEndUs = d.predictedEndUs();
        r.shiftAtDispatchUs = d.shiftUs();
        r.stageTimes = new long[0];
        out.collect(r);
    }

    /** The REJECTED detail of a request for a model no group of the plan serves. */
    static String unserved(ServingPlan plan, String model) {
        return "no group of plan v" + plan.version() + " serves model '" + model + "'";
    }

    @Override
    public void processElement2(StageReport report, Context ctx, Collector<ServingRequest> out) {
        if (report.planVersion != plan.version()) {
            return; // a report from before a redeploy
        }
        if (clocks.report(report.group, report.stage, report.predictedEndUs, report.shiftAtDispatchUs,
                report.actualEndUs) != 0) {
            corrections.inc();
        }
    }
}
