package io.muxflow.job.egress;

import io.muxflow.job.metrics.ModelMetrics;
import io.muxflow.job.metrics.ModelNames;
import io.muxflow.job.model.Reply;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Counts every response per model and status (attainment, latency histogram) on its way to the sink. */
public final class ResponseMetricsOperator extends ProcessFunction<Reply, Reply> {
    private static final long serialVersionUID = 1L;
    private final ModelNames names;
    private transient ModelMetrics metrics;

    public ResponseMetricsOperator(ModelNames names) {
        this.names = names;
    }

    @Override
    public void open(OpenContext ctx) {
        metrics = new ModelMetrics(getRuntimeContext().getMetricGroup(), true, names);
    }

    @Override
    public void processElement(Reply r, Context ctx, Collector<Reply> out) {
        boolean good = r.status.equals("OK") && r.finishedUs <= r.deadlineUs;
        metrics.responded(r.model, r.status, r.finishedUs - r.clientSendUs, good);
        out.collect(r);
    }
}
