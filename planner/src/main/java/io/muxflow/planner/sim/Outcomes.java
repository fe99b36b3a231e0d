package io.muxflow.planner.sim;

/**
 * Per-request result of a simulation: finish time (the arrival time for a rejected request, as in
 * AlpaServe) and whether it finished within its SLO; per group, the device-seconds of work done and
 * the requests routed there.
 */
public record Outcomes(double[] finish, boolean[] good, double[] groupBusyS, int[] groupStages, int[] groupRequests) {
}
