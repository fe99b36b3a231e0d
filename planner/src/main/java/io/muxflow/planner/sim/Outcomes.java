package io.muxflow.planner.sim;

/**
 * Per-request result of a simulation: finish time (the arrival time for a rejected request, as in
 * AlpaServe), whether it finished within its SLO and the group it was routed to (-1: no group hosts
 * its model; not recorded by every simulator: then empty); per group, the device-seconds of work done
 * and the requests routed there.
 */
public record Outcomes(double[] finish, boolean[] good, int[] group, double[] groupBusyS, int[] groupStages,
        int[] groupRequests) {
}
