package io.muxflow.job.loadgen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.io.Json;
import io.muxflow.schema.InferenceResponse;
import io.muxflow.schema.ResponseStatus;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a load generator learns from responses, per model: responses by status, attainment (OK and
 * finished by the deadline), and latencies (finished - client send, the server's view; and
 * consumed - client send, the client's view, which with read_committed includes the wait for the
 * checkpoint that commits the response).
 */
public final class ResponseStats {
    /** One model's tallies. */
    public static final class PerModel {
        final Map<ResponseStatus, Long> byStatus = new TreeMap<>();
        final Map<ResponseStatus, String> example = new TreeMap<>();
        long responses;
        long good;
        final DoubleSeries latencyMs = new DoubleSeries();
        final DoubleSeries consumedMs = new DoubleSeries();

        public double attainment() {
            return responses == 0 ? 0 : (double) good / responses;
        }

        public long responses() {
            return responses;
        }

        /** The detail of the first response of each non-OK status: why. */
        public Map<ResponseStatus, String> examples() {
            return example;
        }

        public long count(ResponseStatus s) {
            return byStatus.getOrDefault(s, 0L);
        }

        public double p(DoubleSeries l, double q) {
            return l.isEmpty() ? 0 : l.percentile(q);
        }

        public double p50LatencyMs() {
            return p(latencyMs, 0.5);
        }

        public double p99LatencyMs() {
            return p(latencyMs, 0.99);
        }
    }

    private final Map<String, PerModel> models = new TreeMap<>();
    private long total;
    private long good;

    public synchronized void add(InferenceResponse r, long consumedUs) {
        PerModel p = models.computeIfAbsent(r.getModel(), m -> new PerModel());
        p.byStatus.merge(r.getStatus(), 1L, Long::sum);
        if (r.getStatus() != ResponseStatus.OK) {
            p.example.putIfAbsent(r.getStatus(), r.getDetail());
        }
        p.responses++;
        total++;
        long finished = r.getTimestamps().getFinishedUs();
        boolean ok = r.getStatus() == ResponseStatus.OK && finished <= r.getTimestamps().getDeadlineUs();
        if (ok) {
            p.good++;
            good++;
        }
        if (r.getStatus() == ResponseStatus.OK) {
            p.latencyMs.add((finished - r.getTimestamps().getClientSendUs()) / 1000.0);
            p.consumedMs.add((consumedUs - r.getTimestamps().getClientSendUs()) / 1000.0);
        }
    }

    public synchronized long responses() {
        return total;
    }

    public synchronized double attainment() {
        return total == 0 ? 0 : (double) good / total;
    }

    public synchronized Map<String, PerModel> perModel() {
        return new TreeMap<>(models);
    }

    public synchronized ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("responses", total);
        o.put("attainment", attainment());
        ObjectNode pm = o.putObject("per_model");
        models.forEach((m, p) -> {
            ObjectNode mo = pm.putObject(m);
            mo.put("responses", p.responses);
            mo.put("attainment", p.attainment());
            p.byStatus.forEach((s, c) -> mo.put(s.name(), c));
            mo.put("latency_p50_ms", p.p(p.latencyMs, 0.5));
            mo.put("latency_p99_ms", p.p(p.latencyMs, 0.99));
            mo.put("consumed_p99_ms", p.p(p.consumedMs, 0.99));
            p.example.forEach((st, d) -> mo.put(st.name() + "_example", d));
        });
        return o;
    }
}
