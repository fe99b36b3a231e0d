package io.muxflow.planner.sim.chain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.io.Json;

/**
 * Statistics of a chain simulation over the jobs after the warm-up: response time (wait + service)
 * mean and percentiles, mean wait and service, and the time-average number of jobs in the system
 * between the first and last measured arrival, and the jobs in the system just after the last arrival
 * (far above the chains' capacity when the run was overloaded and queues kept growing), and every
 * measured job's response time, ascending (for CDFs; not in the JSON).
 */
public record ChainSimResult(String router, int jobs, double meanResponseS, double p50ResponseS,
        double p95ResponseS, double p99ResponseS, double meanWaitS, double meanServiceS, double meanJobsInSystem,
        double arrivalRate, int jobsAtLastArrival, double[] sortedResponsesS) {

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("router", router);
        o.put("jobs", jobs);
        o.put("mean_response_s", meanResponseS);
        o.put("p50_response_s", p50ResponseS);
        o.put("p95_response_s", p95ResponseS);
        o.put("p99_response_s", p99ResponseS);
        o.put("mean_wait_s", meanWaitS);
        o.put("mean_service_s", meanServiceS);
        o.put("mean_jobs_in_system", meanJobsInSystem);
        o.put("arrival_rate", arrivalRate);
        o.put("jobs_at_last_arrival", jobsAtLastArrival);
        return o;
    }
}
