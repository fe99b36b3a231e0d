package io.muxflow.job.ingest;

import io.muxflow.job.config.JobSpec;
import io.muxflow.job.dispatch.ServingPlan;
import io.muxflow.job.metrics.ModelMetrics;
import io.muxflow.job.metrics.ModelNames;
import io.muxflow.job.model.DeadLetterRecord;
import io.muxflow.job.model.RawRecord;
import io.muxflow.job.model.Reply;
import io.muxflow.job.model.ServingRequest;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The validate operator: valid requests for the groups on, generation requests for chain LLMs to
 * {@link #CHAIN_REQUESTS}, INVALID (and expired: REJECTED) responses and dead letters to side outputs.
 */
public final class RequestValidator extends ProcessFunction<RawRecord, ServingRequest> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<Reply> REPLIES = new OutputTag<>("invalid-replies") {
        private static final long serialVersionUID = 1L;
    };
    public static final OutputTag<ServingRequest> CHAIN_REQUESTS = new OutputTag<>("chain-requests") {
        private static final long serialVersionUID = 1L;
    };
    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {
        private static final long serialVersionUID = 1L;
    };

    private final JobSpec spec;
    private transient ServingPlan plan;
    private transient ModelMetrics metrics;

    public RequestValidator(JobSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(OpenContext ctx) {
        plan = new ServingPlan(spec);
        metrics = new ModelMetrics(getRuntimeContext().getMetricGroup(), false, new ModelNames(plan.allModels()));
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ServingRequest> out) {
        RequestValidation.Outcome o = RequestValidation.validate(raw, plan, spec.maxRequestBytes(),
                spec.chain().maxNewTokens());
        if (o.request() != null) {
            metrics.received(o.request().model);
            if (plan.chain(o.request().model) != null) {
                ctx.output(CHAIN_REQUESTS, o.request());
            } else {
                out.collect(o.request());
            }
            return;
        }
        metrics.received(o.reply().model);
        ctx.output(REPLIES, o.reply());
        if (o.deadLetter() != null) {
            ctx.output(DEAD_LETTERS, o.deadLetter());
        }
    }
}
