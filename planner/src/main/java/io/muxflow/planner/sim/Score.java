package io.muxflow.planner.sim;

/**
 * What the placement search needs from one simulation, untrimmed: attainment over all requests,
 * mean latency over all requests (rejected ones count 0, as in AlpaServe), per-model and per-group
 * request counts.
 */
public record Score(double attainment, double latencyMeanS, int replicas, int[] modelRequests, int[] modelGood,
        int[] groupRequests) {

    /** The score of a simulation's per-request outcomes (rejected requests count 0 latency, as in the search). */
    static Score of(io.muxflow.planner.workload.Workload w, Outcomes o, int replicas, int numModels) {
        int n = w.size();
        int[] modelReq = new int[numModels];
        int[] modelGood = new int[numModels];
        double latency = 0;
        int good = 0;
        for (int i = 0; i < n; i++) {
            int m = w.modelId(i);
            modelReq[m]++;
            if (o.good()[i]) {
                modelGood[m]++;
                good++;
                latency += o.finish()[i] - w.arrival(i);
            }
        }
        return new Score(n == 0 ? 0 : (double) good / n, n == 0 ? 0 : latency / n, replicas, modelReq, modelGood,
                o.groupRequests().clone());
    }

    /**
     * AlpaServe's placement score: attainment first, then lower mean latency, then more replicas
     * ({@code goodput - latency_mean / 1e4 + replicas / 1e6}).
     */
    public double value() {
        return attainment - latencyMeanS / 10000 + replicas / 1e6;
    }

    /** Requests of {@code model} that were not served within their SLO. */
    public int unserved(int model) {
        return modelRequests[model] - modelGood[model];
    }

    public double modelAttainment(int model) {
        return modelRequests[model] == 0 ? 0 : (double) modelGood[model] / modelRequests[model];
    }
}
