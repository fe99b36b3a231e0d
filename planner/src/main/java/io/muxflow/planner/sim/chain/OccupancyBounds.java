package io.muxflow.planner.sim.chain;

import io.muxflow.planner.chain.ServerChain;
import java.util.Arrays;
import java.util.List;

/**
 * Bounds on the mean number of jobs in the system under JFFC with Poisson arrivals and exponential
 * service, from the paper's birth-death analysis (Sun, He, Hou): with n jobs present and C slots in
 * total, JFFC's departure rate lies between the sum of the n slowest slot rates and the sum of the
 * n fastest (all C once n >= C). The birth-death chain with fastest-first death rates gives the
 * lower bound on occupancy, the one with slowest-first death rates the upper bound; Little's law
 * turns them into bounds on the mean response time.
 */
public final class OccupancyBounds {
    private OccupancyBounds() {
    }

    /**
     * The bounds.
     *
     * @param lowerJobs mean jobs in system, fastest-first death rates
     * @param upperJobs mean jobs in system, slowest-first death rates
     * @param lowerResponseS lowerJobs / rate
     * @param upperResponseS upperJobs / rate
     * @param utilisation rate / total service rate
     */
    public record Bounds(double lowerJobs, double upperJobs, double lowerResponseS, double upperResponseS,
            double utilisation) {
        public boolean stable() {
            return utilisation < 1;
        }
    }

    public static Bounds of(List<ServerChain> chains, double arrivalRate) {
        int total = chains.stream().mapToInt(ServerChain::capacity).sum();
        double[] mu = new double[total];
        int i = 0;
        for (ServerChain c : chains) {
            for (int k = 0; k < c.capacity(); k++) {
                mu[i++] = 1.0 / c.serviceS();
            }
        }
        return of(mu, arrivalRate);
    }

    /** Bounds for the given per-slot service rates. */
    public static Bounds of(double[] slotRates, double arrivalRate) {
        if (!(arrivalRate > 0)) {
            throw new IllegalArgumentException("arrival rate must be > 0");
        }
        double[] asc = slotRates.clone();
        Arrays.sort(asc);
        double nu = Arrays.stream(asc).sum();
        double util = nu > 0 ? arrivalRate / nu : Double.POSITIVE_INFINITY;
        if (util >= 1) {
            return new Bounds(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                    Double.POSITIVE_INFINITY, util);
        }
        int c = asc.length;
        double[] fastestFirst = new double[c + 1];
        double[] slowestFirst = new double[c + 1];
        for (int n = 1; n <= c; n++) {
            fastestFirst[n] = fastestFirst[n - 1] + asc[c - n];
            slowestFirst[n] = slowestFirst[n - 1] + asc[n - 1];
        }
        double lower = meanJobs(fastestFirst, arrivalRate, nu);
        double upper = meanJobs(slowestFirst, arrivalRate, nu);
        return new Bounds(lower, upper, lower / arrivalRate, upper / arrivalRate, util);
    }

    /**
     * Mean of the stationary birth-death chain with birth rate lambda and death rate deaths[n] for
     * n <= C, nu beyond; computed in logs so thousands of slots neither overflow nor underflow.
     */
    static double meanJobs(double[] deaths, double lambda, double nu) {
        int c = deaths.length - 1;
        double[] logPi = new double[c + 1];
        double max = 0;
        for (int n = 1; n <= c; n++) {
            logPi[n] = logPi[n - 1] + Math.log(lambda) - Math.log(deaths[n]);
            max = Math.max(max, logPi[n]);
        }
        double s0 = 0;
        double s1 = 0;
        for (int n = 0; n <= c; n++) {
            double w = Math.exp(logPi[n] - max);
            s0 += w;
            s1 += n * w;
        }
        double r = lambda / nu;
        double tail = Math.exp(logPi[c] - max);
        s0 += tail * r / (1 - r);
        s1 += tail * (c * r / (1 - r) + r / ((1 - r) * (1 - r)));
        return s1 / s0;
    }
}
