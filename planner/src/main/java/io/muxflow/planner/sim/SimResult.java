package io.muxflow.planner.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.io.Json;
import java.util.List;

/**
 * Reported statistics of a simulation (after the warm-up trim): attainment overall and per model,
 * latency mean/p50/p99 of served requests, per-group utilization (busy device-time over
 * {@code stages x span}).
 */
public record SimResult(int requests, int served, double attainment, double untrimmedAttainment,
        double latencyMeanS, double latencyP50S, double latencyP99S, List<ModelStats> perModel,
        double[] groupUtilization, int[] groupRequests, double spanS) {

    /** Statistics of one model. Latencies are of its served requests (0 when none was served). */
    public record ModelStats(String model, int requests, int served, double attainment, double latencyMeanS,
            double latencyP50S, double latencyP99S) {
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("attainment", attainment);
        o.put("untrimmed_attainment", untrimmedAttainment);
        o.put("requests", requests);
        o.put("served", served);
        o.put("latency_mean_s", latencyMeanS);
        o.put("latency_p50_s", latencyP50S);
        o.put("latency_p99_s", latencyP99S);
        o.put("span_s", spanS);
        ObjectNode pm = o.putObject("per_model");
        for (ModelStats m : perModel) {
            ObjectNode mo = pm.putObject(m.model());
            mo.put("attainment", m.attainment());
            mo.put("requests", m.requests());
            mo.put("served", m.served());
            mo.put("latency_mean_s", m.latencyMeanS());
            mo.put("latency_p50_s", m.latencyP50S());
            mo.put("latency_p99_s", m.latencyP99S());
        }
        ArrayNode gu = o.putArray("group_utilization");
        for (double u : groupUtilization) {
            gu.add(u);
        }
        ArrayNode gr = o.putArray("group_requests");
        for (int r : groupRequests) {
            gr.add(r);
        }
        return o;
    }
}
