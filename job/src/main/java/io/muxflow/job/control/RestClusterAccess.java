package io.muxflow.job.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;

/**
 * A Flink cluster through its REST API: Flink's own REST client for stop-with-savepoint (POST
 * /jobs/:id/stop, polling /jobs/:id/savepoints/:trigger) and JobGraph submission, plain HTTP for the
 * job and metric views.
 */
public final class RestClusterAccess implements ClusterAccess, AutoCloseable {
    private final URI base;
    private final RestClusterClient<StandaloneClusterId> client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ObjectMapper json = new ObjectMapper();

    public RestClusterAccess(URI base) throws Exception {
        this.base = base;
        Configuration c = new Configuration();
        c.set(RestOptions.ADDRESS, base.getHost());
        c.set(RestOptions.PORT, base.getPort());
        this.client = new RestClusterClient<>(c, StandaloneClusterId.getInstance());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            Throwable root = Causes.root(e);
            throw new io.muxflow.planner.InvalidInputException("cannot reach Flink's REST API at " + base + ": "
                    + root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " (" + root.getMessage() + ")"), e);
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": HTTP " + r.statusCode() + ": " + r.body());
        }
        return json.readTree(r.body());
    }

    @Override
    public String stopWithSavepoint(JobID job, String dir) throws Exception {
        return client.stopWithSavepoint(job, false, dir, SavepointFormatType.CANONICAL).get();
    }

    @Override
    public JobID submit(JobGraph graph) throws Exception {
        return client.submitJob(graph).get();
    }

    @Override
    public boolean awaitRunning(JobID job, long timeoutMs) throws Exception {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            JsonNode j = get("/jobs/" + job);
            String state = j.path("state").asText();
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                return false;
            }
            boolean all = state.equals("RUNNING");
            for (JsonNode v : j.path("vertices")) {
                all &= v.path("status").asText().equals("RUNNING");
            }
            if (all && j.path("vertices").size() > 0) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Override
    public void cancel(JobID job) throws Exception {
        client.cancel(job).get();
    }

    /** Flink's checkpoint statistics of a job (GET /jobs/:id/checkpoints: counts, latest completed and failed). */
    public JsonNode checkpoints(JobID job) throws Exception {
        return get("/jobs/" + job + "/checkpoints");
    }

    public String jobName(JobID job) throws Exception {
        return get("/jobs/" + job).path("name").asText();
    }

    /** The running job whose name starts with {@code prefix}, or null. */
    public JobID findRunning(String prefix) throws Exception {
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            if (j.path("state").asText().equals("RUNNING") && j.path("name").asText().startsWith(prefix)) {
                return JobID.fromHexString(j.path("jid").asText());
            }
        }
        return null;
    }

    @Override
    public double maxStageMetric(JobID job, String metric) throws Exception {
        return maxVertexMetric(job, "stage-layer-", metric);
    }

    /** The largest value of a subtask metric (its id ends with {@code metric}) over the vertices named {@code prefix...}. */
    public double maxVertexMetric(JobID job, String prefix, String metric) throws Exception {
        return maxVertexMetrics(job, prefix, List.of(metric)).getOrDefault(metric, Double.NaN);
    }

    /** Metric ids per query of {@link #maxVertexMetrics}. */
    static final int METRICS_PER_QUERY = 20;

    /**
     * As {@link #maxVertexMetric} for several metrics at once (one metrics query per vertex): metric ->
     * its largest value, absent where no subtask has it.
     */
    public Map<String, Double> maxVertexMetrics(JobID job, String prefix, Collection<String> metrics) throws Exception {
        Map<String, Double> out = new HashMap<>();
        for (JsonNode v : get("/jobs/" + job).path("vertices")) {
            if (!v.path("name").asText().contains(prefix)) {
                continue;
            }
            String base = "/jobs/" + job + "/vertices/" + v.path("id").asText() + "/subtasks/metrics";
            Map<String, List<String>> wanted = new LinkedHashMap<>(); // metric id -> the metrics it ends with
            for (JsonNode m : get(base)) {
                String id = m.path("id").asText();
                for (String metric : metrics) {
                    if (id.endsWith("." + metric)) {
                        wanted.computeIfAbsent(id, x -> new ArrayList<>()).add(metric);
                    }
                }
            }
            if (wanted.isEmpty()) {
                continue;
            }
            // a few ids per query: the REST server refuses request lines over 4096 bytes
            List<String> ids = new ArrayList<>(wanted.keySet());
            for (int from = 0; from < ids.size(); from += METRICS_PER_QUERY) {
                String get = String.join(",", ids.subList(from, Math.min(ids.size(), from + METRICS_PER_QUERY)));
                for (JsonNode val : get(base + "?get=" + get + "&agg=max")) {
                    double d = val.path("max").asDouble(Double.NaN);
                    for (String metric : wanted.getOrDefault(val.path("id").asText(), List.of())) {
                        out.merge(metric, d, (a, b) -> Double.isNaN(a) ? b : Math.max(a, b));
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        client.close();
    }
}
