package io.muxflow.planner.sim.chain;

import io.muxflow.planner.workload.GammaProcess;
import java.util.SplittableRandom;

/** Arrival times for chain simulations: Poisson, or gamma renewal with a given CV (burstiness). */
public final class ChainArrivals {
    private ChainArrivals() {
    }

    /** {@code jobs} Poisson arrivals at {@code rate} jobs/s starting at 0. */
    public static double[] poisson(double rate, int jobs, long seed) {
        return gamma(rate, 1.0, jobs, seed);
    }

    /** {@code jobs} arrivals of a gamma renewal process with mean rate {@code rate} and CV {@code cv}. */
    public static double[] gamma(double rate, double cv, int jobs, long seed) {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be >= 1");
        }
        GammaProcess p = new GammaProcess(rate, cv);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] t = new double[jobs];
        double now = 0;
        for (int i = 0; i < jobs; i++) {
            now += p.nextGap(rng);
            t[i] = now;
        }
        return t;
    }
}
