package io.muxflow.job.dispatch;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.model.Clocks;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.job.model.StageReport;
import io.muxflow.planner.sim.BatchAdmission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The dispatch operator of one cell when stages run batches ({@code muxflow.dispatch.max-batch} > 1):
 * the planner's {@link BatchAdmission} (AlpaServe's batching model, {@code
 * simulate_requests_mixed_batching}, the model the search and simulator score with under {@code
 * --batching}) run online. Requests queue per model; when a group's first stage is predicted free it
 * takes the oldest waiting model's requests as one batch of a profiled size, and each of them leaves
 * tagged with the batch (id, size) and its predicted stage ends; a stage operator gathers the batch and
 * runs it as one. A request whose deadline cannot be met even alone is answered REJECTED.
 *
 * <p>Groups free up between arrivals, so a processing-time timer wakes the operator at the next
 * predicted free instant. Decisions are taken at the model's instants (an arrival, a predicted free
 * time), not at the timer's, so they are the simulator's whatever the timer's lag. Waiting requests
 * are operator state (union list state: after a restore each cell takes back the requests of its own
 * models, admitted afresh at that instant); the clocks are not restored, the devices start idle.
 * At most {@code muxflow.dispatch.batch-queue-capacity} requests wait per cell; more are REJECTED
 * at arrival (outside the model, which has no bound: a guard against overload holding memory).
 * Completion reports (second input) correct the stage clocks as in the unbatched dispatcher, and a
 * first stage running late or early moves the instant its group next takes a batch.
 */
public final class BatchingDispatcher extends AbstractStreamOperator<ServingRequest>
        implements TwoInputStreamOperator<ServingRequest, StageReport, ServingRequest> {
    private static final long serialVersionUID = 1L;

    private final JobSpec spec;
    private final Clocks.Source clock;
    private transient ServingPlan plan;
    private transient BatchAdmission admission;
    private transient long epochUs;
    private transient Map<Long, ServingRequest> queued;
    private transient long nextHandle;
    private transient long nextBatch;
    private transient long timerMs;
    private transient BatchAdmission.Decisions decisions;
    private transient ListState<ServingRequest> state;
    private transient List<ServingRequest> restored;
    private transient Counter admitted;
    private transient Counter rejected;
    private transient Counter batches;
    private transient Counter corrections;

    public BatchingDispatcher(JobSpec spec) {
        this(spec, Clocks.Source.SYSTEM);
    }

    /** A dispatcher that reads time from {@code clock} (tests replay traces at fixed instants). */
    public BatchingDispatcher(JobSpec spec, Clocks.Source clock) {
        this.spec = spec;
        this.clock = clock;
    }

    @Override
    public void initializeState(StateInitializationContext ctx) throws Exception {
        super.initializeState(ctx);
        state = ctx.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("queued", ServingRequest.class));
        restored = new ArrayList<>();
        if (ctx.isRestored()) {
            state.get().forEach(restored::add);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        plan = new ServingPlan(spec);
        admission = plan.newBatchAdmission();
        epochUs = clock.nowUs();
        queued = new LinkedHashMap<>();
        nextBatch = epochUs; // unique across restarts of this cell; a group's batches come from this cell only
        timerMs = Long.MAX_VALUE;
        var g = getMetricGroup().addGroup("dispatch");
        admitted = g.counter("admitted");
        rejected = g.counter("rejected");
        batches = g.counter("batches");
        corrections = g.counter("clockCorrections");
        g.gauge("queued", () -> queued.size());
        decisions = new BatchAdmission.Decisions() {
            @Override
            public void batch(int group, int model, long[] handles, int count, double[] stageLatency,
                    double[] stageEnds, double finish) {
                release(group, handles, count, stageEnds);
            }

            @Override
            public void rejected(long handle, int model, int group) {
                reject(queued.remove(handle), model, group);
            }
        };
        int cell = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        long now = clock.nowUs();
        for (ServingRequest r : restored) {
            int m = plan.modelIndex(r.model);
            if ((m < 0 ? 0 : Math.max(0, plan.cellOf(m))) == cell) {
                r.planVersion = plan.version();
                arrive(r, now);
            }
        }
        restored = null;
        armTimer();
    }

    private double seconds(long us) {
        return (us - epochUs) / 1e6;
    }

    @Override
    public void processElement1(StreamRecord<ServingRequest> element) {
        long now = clock.nowUs();
        admission.advance(seconds(now), decisions);
        arrive(element.getValue(), now);
        armTimer();
    }

    private void arrive(ServingRequest r, long nowUs) {
        int m = plan.modelIndex(r.model);
        if (m < 0) {
            reject(r, m, -1);
            return;
        }
        if (queued.size() >= spec.batchQueueCapacity()) {
            rejected.inc();
            output.collect(Dispatcher.REJECTED, new StreamRecord<>(Reply.of(r, "REJECTED", queued.size()
                    + " requests already wait for a batch in this dispatch cell ("
                    + io.muxflow.job.config.MuxflowOptions.BATCH_QUEUE_CAPACITY.key() + ")", -1)));
            return;
        }
        long h = nextHandle++;
        queued.put(h, r);
        double t = seconds(nowUs);
        // as the simulator: the deadline is the arrival plus the SLO, in seconds
        double deadline = r.deadlineUs == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : t + (r.deadlineUs - nowUs) / 1e6;
        admission.arrive(h, m, t, deadline, decisions);
    }

    /** A timer at the next predicted free instant (ms resolution, rounded up), unless one is set by then. */
    private void armTimer() {
        double next = admission.nextFree();
        if (Double.isInfinite(next)) {
            return;
        }
        long atMs = Math.floorDiv(epochUs + (long) Math.ceil(next * 1e6) + 999, 1000);
        if (atMs < timerMs) {
            timerMs = atMs;
            getProcessingTimeService().registerTimer(atMs, this::onTimer);
        }
    }

    private void onTimer(long ts) {
        if (ts >= timerMs) {
            timerMs = Long.MAX_VALUE;
        }
        admission.advance(seconds(Math.max(clock.nowUs(), ts * 1000)), decisions);
        armTimer();
    }

    private void release(int group, long[] handles, int count, double[] stageEnds) {
        int pp = plan.group(group).pp();
        long[] ends = new long[pp];
        for (int k = 0; k < pp; k++) {
            ends[k] = epochUs + Math.round(stageEnds[k] * 1e6);
        }
        long[] shifts = new long[pp];
        for (int k = 0; k < pp; k++) {
            shifts[k] = Math.round(admission.shift(group, k) * 1e6);
        }
        long id = nextBatch++;
        long now = clock.nowUs();
        batches.inc();
        for (int i = 0; i < count; i++) {
            ServingRequest r = queued.remove(handles[i]);
            admitted.inc();
            r.dispatchedUs = now;
            r.group = group;
            r.predictedEndUs = ends.clone();
            r.shiftAtDispatchUs = shifts.clone();
            r.stageTimes = new long[0];
            r.batchId = id;
            r.batchSize = count;
            r.batchCount = count;
            output.collect(new StreamRecord<>(r));
        }
    }

    private void reject(ServingRequest r, int model, int group) {
        rejected.inc();
        String why;
        if (group < 0) {
            why = Dispatcher.unserved(plan, r.model);
        } else {
            long now = clock.nowUs();
            long alone = spec.fixedOverheadUs();
            for (long l : plan.latencyUs(group, model)) {
                alone += l;
            }
            why = String.format("waited %.1f ms for group %d, which cannot finish it by its deadline even alone "
                    + "(%.1f ms left, the model needs %.1f ms there)", (now - r.receivedUs) / 1000.0,
                    plan.group(group).id(), (r.deadlineUs - now) / 1000.0, alone / 1000.0);
        }
        output.collect(Dispatcher.REJECTED, new StreamRecord<>(Reply.of(r, "REJECTED", why,
                group < 0 ? -1 : plan.group(group).id())));
    }

    @Override
    public void processElement2(StreamRecord<StageReport> element) {
        StageReport report = element.getValue();
        if (report.planVersion != plan.version()) {
            return; // a report from before a redeploy
        }
        admission.advance(seconds(clock.nowUs()), decisions);
        if (admission.report(report.group, report.stage, seconds(report.predictedEndUs),
                report.shiftAtDispatchUs / 1e6, seconds(report.actualEndUs)) != 0) {
            corrections.inc();
        }
        armTimer();
    }

    @Override
    public void snapshotState(StateSnapshotContext ctx) throws Exception {
        super.snapshotState(ctx);
        state.update(new ArrayList<>(queued.values()));
    }

    /** Requests waiting for a group now (for tests). */
    int waiting() {
        return queued.size();
    }
}
