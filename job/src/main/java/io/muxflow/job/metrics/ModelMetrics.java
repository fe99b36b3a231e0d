package io.muxflow.job.metrics;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;

/**
 * Per-model metrics under {@code model=<name>}: at ingress, requests received; at egress, responses
 * by status and a latency histogram (ms) of OK responses. SLO attainment is not here: an egress
 * operator sees only the responses it answers (the shared one only validation and dispatch replies),
 * so its share would read 0 for a model that is served perfectly; the statistics operator, which sees
 * every outcome, reports it. Visible in the Flink dashboard and through any configured
 * reporter (Prometheus: the model becomes a label). Names the plan does not serve share one
 * {@link ModelNames#UNKNOWN} group, so client text never creates metric groups.
 */
public final class ModelMetrics {
    private final MetricGroup root;
    private final boolean egress;
    private final ModelNames names;
    private final Map<String, PerModel> models = new HashMap<>();

    private final class PerModel {
        final Counter requests;
        final Map<String, Counter> byStatus = new HashMap<>();
        final Histogram latency;

        PerModel(MetricGroup g) {
            if (!egress) {
                requests = g.counter("requests");
                latency = null;
                return;
            }
            requests = null;
            for (String s : new String[] {"OK", "REJECTED", "TIMED_OUT", "INVALID", "FAILED"}) {
                byStatus.put(s, g.addGroup("status", s).counter("responses"));
            }
            latency = g.histogram("latencyMs", new io.muxflow.job.metrics.NearestRankHistogram(1000));
        }
    }

    /** @param egress true for the responses' metrics, false for the requests counter at ingress */
    public ModelMetrics(MetricGroup root, boolean egress, ModelNames names) {
        this.root = root;
        this.egress = egress;
        this.names = names;
    }

    private PerModel of(String model) {
        return models.computeIfAbsent(names.bucket(model), m -> new PerModel(root.addGroup("model", m)));
    }

    /** How many per-model groups exist (plan models seen, plus the unknown bucket once used). */
    public int groups() {
        return models.size();
    }

    public void received(String model) {
        of(model).requests.inc();
    }

    public void responded(String model, String status, long latencyUs, boolean withinSlo) {
        PerModel p = of(model);
        Counter c = p.byStatus.get(status);
        if (c != null) {
            c.inc();
        }
        if (status.equals("OK")) {
            p.latency.update(latencyUs / 1000);
        }
    }
}
