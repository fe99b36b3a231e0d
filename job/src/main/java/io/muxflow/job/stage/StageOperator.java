package io.muxflow.job.stage;

import io.muxflow.gpu.backend.Backends;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StagePartitioner;
import io.muxflow.job.config.JobSpec;
import io.muxflow.job.config.ModelCatalog;
import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.metrics.StageMetrics;
import io.muxflow.job.model.Clocks;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import io.muxflow.job.model.StageReport;
import io.muxflow.planner.profile.ProfileDatabase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stage layer k: subtask i runs stage k of the i-th group deep enough, on the one device slot it
 * owns. On open it loads stage k of every model the group serves; it then runs requests in arrival
 * order. A request that can no longer meet its deadline (now + the remaining stages' predicted
 * latency > deadline) is answered TIMED_OUT here rather than computed; an executor error answers
 * FAILED for that request only. After the group's last stage the output becomes the OK response;
 * otherwise the activation moves on to layer k+1. Every completion is reported back to the
 * dispatcher for clock correction (through {@link ReportCoalescer}, which folds dense runs of reports).
 * With batching, a batch's requests (tagged by {@link io.muxflow.job.dispatch.BatchingDispatcher})
 * are gathered and run as one {@link StageBatch}, timed out against the batch size's predicted
 * latencies, with one report per batch; the survivors go on together.
 */
public final class StageOperator extends ProcessFunction<ServingRequest, ServingRequest> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StageOperator.class);
    public static final OutputTag<Reply> REPLIES = new OutputTag<>("stage-replies") {
        private static final long serialVersionUID = 1L;
    };
    public static final OutputTag<StageReport> REPORTS = new OutputTag<>("stage-reports") {
        private static final long serialVersionUID = 1L;
    };

    private final JobSpec spec;
    private final int layer;
    private transient ServingPlan plan;
    private transient int group;
    private transient StageExecutor[] executors;
    private transient StageMetrics metrics;
    /** The requests of the batch being gathered (batching only). */
    private transient List<ServingRequest> gathering;

    public StageOperator(JobSpec spec, int layer) {
        this.spec = spec;
        this.layer = layer;
    }

    @Override
    public void open(OpenContext ctx) {
        long loadStart = System.nanoTime();
        plan = new ServingPlan(spec);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        group = plan.layer(layer)[subtask];
        ServingPlan.Group g = plan.group(group);
        int device = gpuIndex();
        ProfileDatabase profiles = spec.profiles();
        StageExecutorFactory factory = Backends.create(spec.backend(), device, spec.cpuThreads(),
                name -> profiles.get(name).orElse(null), spec.emulatedTimeScale());
        executors = new StageExecutor[plan.models().size()];
        for (int m : g.models()) {
            ModelConfig c = plan.config(m);
            var stage = StagePartitioner.partition(c, g.pp()).get(layer);
            executors[m] = factory.load(c, stage, spec.backend().equals("emulated") ? null
                    : ModelCatalog.weights(plan.profileName(m), spec.modelStore()), g.op());
        }
        if (!spec.backend().equals("emulated")) {
            warmUp(g);
        }
        gathering = new ArrayList<>();
        metrics = new StageMetrics(getRuntimeContext().getMetricGroup(), g.id(), layer,
                (System.nanoTime() - loadStart) / 1_000_000);
        LOG.info("stage layer {} subtask {}: group {} ({} device(s) op={} pp={}) loaded stage {} of {} on {} (device {})",
                layer, subtask, g.id(), g.op() * g.pp(), g.op(), g.pp(), layer,
                Arrays.stream(g.models()).mapToObj(plan.models()::get).toList(), factory.backend(), device);
    }

    /** A few runs before serving, so the first requests do not pay for JIT compilation or lazy device setup. */
    private void warmUp(ServingPlan.Group g) {
        for (int m : g.models()) {
            ModelConfig c = plan.config(m);
            int rows = Math.min(8, c.maxPositions());
            StageBatch in = layer == 0 ? new StageBatch(List.of(StageItem.ofTokens(new int[rows])), 0)
                    : new StageBatch(List.of(StageItem.ofData(0, 0, rows, new float[rows * c.hidden()])), c.hidden());
            for (int i = 0; i < 20; i++) {
                executors[m].run(in);
            }
        }
    }

    /** The GPU Flink's external-resource framework assigned to this slot, when GPUs are requested. */
    private int gpuIndex() {
        if (!spec.gpuResource()) {
            return 0;
        }
        Set<ExternalResourceInfo> infos = getRuntimeContext().getExternalResourceInfos("gpu");
        for (ExternalResourceInfo i : infos) {
            return Integer.parseInt(i.getProperty("index").orElse("0"));
        }
        throw new IllegalStateException("muxflow.gpu.resource-request is on but this slot got no 'gpu' resource");
    }

    @Override
    public void processElement(ServingRequest r, Context ctx, Collector<ServingRequest> out) {
        if (r.batchCount > 1) {
            // A batch's requests come one after another on one channel (one dispatcher cell, or this
            // group's previous stage, emits them in one call), so a different id only follows a
            // complete batch; run what was gathered anyway rather than hold it.
            if (!gathering.isEmpty() && gathering.get(0).batchId != r.batchId) {
                runGathered(ctx, out);
            }
            gathering.add(r);
            if (gathering.size() >= r.batchCount) {
                runGathered(ctx, out);
            }
            return;
        }
        if (!gathering.isEmpty()) {
            runGathered(ctx, out);
        }
        run(List.of(r), ctx, out);
    }

    private void runGathered(Context ctx, Collector<ServingRequest> out) {
        List<ServingRequest> batch = List.copyOf(gathering);
        gathering.clear();
        run(batch, ctx, out);
    }

    /**
     * Runs requests of one model as one {@link StageBatch}: those misrouted answer FAILED, those that can
     * no longer meet their deadline at the batch's predicted latency answer TIMED_OUT, the rest run
     * together and report one completion.
     */
    private void run(List<ServingRequest> members, Context ctx, Collector<ServingRequest> out) {
        long start = Clocks.nowUs();
        ServingPlan.Group g = plan.group(group);
        List<ServingRequest> live = new ArrayList<>(members.size());
        int m = -1;
        for (ServingRequest r : members) {
            int rm = plan.modelIndex(r.model);
            if (r.group != group || rm < 0 || executors[rm] == null || (m >= 0 && rm != m)) {
                ctx.output(REPLIES, Reply.of(r, "FAILED", "routing error: request for group " + r.group + " reached group "
                        + g.id() + " at stage " + layer + (m >= 0 && rm != m ? " in a batch of another model" : ""), g.id()));
                continue;
            }
            long[] lat = plan.latencyUs(group, rm, Math.max(1, r.batchSize));
            long remaining = 0;
            for (int k = layer; k < lat.length; k++) {
                remaining += lat[k];
            }
            if (start + remaining > r.deadlineUs) {
                ctx.output(REPLIES, Reply.of(r, "TIMED_OUT", String.format(
                        "at stage %d of group %d: %.1f ms left to the deadline, the remaining stages need %.1f ms%s", layer,
                        g.id(), (r.deadlineUs - start) / 1000.0, remaining / 1000.0,
                        r.batchSize > 1 ? " at batch size " + r.batchSize : ""), g.id()));
                continue;
            }
            m = rm;
            live.add(r);
        }
        if (live.isEmpty()) {
            return;
        }
        List<StageItem> items = new ArrayList<>(live.size());
        for (ServingRequest r : live) {
            items.add(r.tokens != null ? StageItem.ofTokens(r.tokens) : StageItem.ofData(0, 0, r.rows, r.data));
        }
        ServingRequest first = live.get(0);
        StageBatch result;
        try {
            result = executors[m].run(new StageBatch(items, first.tokens != null ? 0 : first.width));
        } catch (RuntimeException e) {
            for (ServingRequest r : live) {
                ctx.output(REPLIES, Reply.of(r, "FAILED", "executor error at stage " + layer + " of group " + g.id() + ": "
                        + e.getMessage(), g.id()));
            }
            return;
        }
        long end = Clocks.nowUs();
        long waited = 0;
        for (ServingRequest r : live) {
            long enqueued = layer == 0 ? r.dispatchedUs : r.stageTimes[2 * layer - 1];
            waited += Math.max(0, start - enqueued);
        }
        metrics.ran(waited, live.size(), start, end);
        // one report per run: a batch occupies the stage as one request does
        ctx.output(REPORTS, new StageReport(plan.version(), group, layer, first.predictedEndUs[layer],
                first.shiftAtDispatchUs[layer], end));
        for (int i = 0; i < live.size(); i++) {
            ServingRequest r = live.get(i);
            long[] times = Arrays.copyOf(r.stageTimes, 2 * layer + 2);
            times[2 * layer] = start;
            times[2 * layer + 1] = end;
            r.stageTimes = times;
            StageItem o = result.item(i);
            if (layer == g.pp() - 1) {
                Reply reply = Reply.of(r, "OK", "", g.id());
                reply.output = o.data();
                reply.outputShape = new int[] {o.length(), result.width()};
                ctx.output(REPLIES, reply);
            } else {
                r.tokens = null;
                r.data = o.data();
                r.rows = o.length();
                r.width = result.width();
                r.batchCount = r.batchSize > 0 ? live.size() : 0;
                out.collect(r);
            }
        }
    }

    @Override
    public void close() {
        if (executors != null) {
            for (StageExecutor e : executors) {
                if (e != null) {
                    e.close();
                }
            }
        }
    }
}
