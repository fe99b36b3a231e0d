package io.muxflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.job.loadgen.DoubleSeries;
import io.muxflow.job.model.Clocks;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.StageTiming;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The responses to one measured rate of the serving-overhead benchmark (request ids starting with
 * {@code prefix}): overhead = end-to-end latency (client send to response consumed) minus executor
 * time, and where the time went. Responses to other runs are ignored, so one response reader can
 * serve every rate in turn.
 */
final class OverheadSample {
    private final String prefix;
    private final PrintWriter trace;
    private final DoubleSeries overheadMs = new DoubleSeries();
    private final DoubleSeries endToEndMs = new DoubleSeries();
    private final DoubleSeries sendUs = new DoubleSeries(); // parallel to overheadMs
    // Kafka in + source, validate + dispatch, queue to the first stage, Kafka out
    private final DoubleSeries ingressMs = new DoubleSeries();
    private final DoubleSeries dispatchMs = new DoubleSeries();
    private final DoubleSeries toStageMs = new DoubleSeries();
    private final DoubleSeries egressMs = new DoubleSeries();
    private final Map<ResponseStatus, Integer> statuses = new ConcurrentHashMap<>();

    /** @param trace where to write one CSV line per response (its timestamps), or null */
    OverheadSample(String prefix, PrintWriter trace) {
        this.prefix = prefix;
        this.trace = trace;
    }

    /** Records the response if it answers a request of this sample; called on the reader's thread. */
    void accept(InferenceResponse r) {
        if (!r.getRequestId().startsWith(prefix)) {
            return;
        }
        long now = Clocks.nowUs();
        statuses.merge(r.getStatus(), 1, Integer::sum);
        var ts = r.getTimestamps();
        double e2e = (now - ts.getClientSendUs()) / 1000.0;
        endToEndMs.add(e2e);
        synchronized (this) { // the two series stay parallel
            overheadMs.add(e2e - executorUs(r) / 1000.0);
            sendUs.add(ts.getClientSendUs());
        }
        ingressMs.add((ts.getReceivedUs() - ts.getClientSendUs()) / 1000.0);
        dispatchMs.add((ts.getDispatchedUs() - ts.getReceivedUs()) / 1000.0);
        if (!ts.getStages().isEmpty()) {
            toStageMs.add((ts.getStages().get(0).getStartUs() - ts.getDispatchedUs()) / 1000.0);
        }
        egressMs.add((now - ts.getFinishedUs()) / 1000.0);
        if (trace != null) {
            trace.println(ts.getClientSendUs() + "," + ts.getReceivedUs() + "," + ts.getDispatchedUs() + ","
                    + ts.getFinishedUs() + "," + now);
        }
    }

    int answered() {
        return overheadMs.size();
    }

    double overheadPct(double q) {
        return overheadMs.percentile(q);
    }

    /** How much of this sample's tail the checkpoints triggered at {@code triggersUs} explain. */
    synchronized CheckpointShare checkpointShare(long[] triggersUs, long beforeUs, long afterUs) {
        return CheckpointShare.of(sendUs.toArray(), overheadMs.toArray(), triggersUs, beforeUs, afterUs);
    }

    /** Fills a result row: percentiles of overhead, end to end and each leg, and the statuses. */
    void write(ObjectNode row) {
        row.put("answered", answered());
        row.put("overhead_p50_ms", overheadMs.percentile(0.5));
        row.put("overhead_p99_ms", overheadMs.percentile(0.99));
        row.put("end_to_end_p50_ms", endToEndMs.percentile(0.5));
        row.put("end_to_end_p99_ms", endToEndMs.percentile(0.99));
        ObjectNode parts = row.putObject("breakdown_p50_p99_ms");
        legs().forEach((k, v) -> parts.putArray(k).add(v.percentile(0.5)).add(v.percentile(0.99)));
        ObjectNode st = row.putObject("statuses");
        statuses.forEach((k, v) -> st.put(k.name(), v));
    }

    /** One line: p50/p99 of each leg ("send->received 1.02/5.67, ..."). */
    String breakdown() {
        StringJoiner j = new StringJoiner(", ");
        legs().forEach((k, v) -> j.add(String.format("%s %.2f/%.2f", k.replace("_to_", "->"), v.percentile(0.5),
                v.percentile(0.99))));
        return j.toString();
    }

    private Map<String, DoubleSeries> legs() {
        Map<String, DoubleSeries> m = new LinkedHashMap<>();
        m.put("send_to_received", ingressMs);
        m.put("received_to_dispatched", dispatchMs);
        m.put("dispatched_to_stage", toStageMs);
        m.put("finished_to_consumed", egressMs);
        return m;
    }

    static long executorUs(InferenceResponse r) {
        long s = 0;
        for (StageTiming t : r.getTimestamps().getStages()) {
            s += t.getEndUs() - t.getStartUs();
        }
        return s;
    }
}
