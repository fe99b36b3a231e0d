package io.muxflow.planner.sim.chain;

import io.muxflow.planner.stats.Percentiles;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Event-driven simulation of chain-structured jobs: arrivals (Poisson, gamma or a trace) go to a
 * {@link ChainRouter}, which starts them on a chain; a started job holds its route for its service
 * time (the chain's time, or an exponential draw with that mean) and then completes. Runs until every
 * job has completed, so a router that can never serve a job is reported rather than ignored.
 */
public final class ChainSimulator {
    /** How actual service times relate to the chain's service time. */
    public enum Service { DETERMINISTIC, EXPONENTIAL }

    private record Completion(double time, long seq, int job, int route) {
    }

    private ChainSimulator() {
    }

    /**
     * Simulates the arrivals (seconds, non-decreasing) through the router.
     *
     * @param warmupFraction leading fraction of jobs left out of the statistics
     */
    public static ChainSimResult run(double[] arrivals, ChainRouter router, Service service, long seed,
            double warmupFraction) {
        return run(arrivals, null, router, service, seed, warmupFraction);
    }

    /**
     * Simulates with given job sizes: job j's service on a route is the route's mean service time times
     * {@code sizes[j]} (a job of twice the average size takes twice as long), as a live job of
     * {@code sizes[j]} x the average tokens does.
     */
    public static ChainSimResult run(double[] arrivals, double[] sizes, ChainRouter router, double warmupFraction) {
        if (sizes.length != arrivals.length) {
            throw new IllegalArgumentException(sizes.length + " job sizes for " + arrivals.length + " arrivals");
        }
        return run(arrivals, sizes, router, Service.DETERMINISTIC, 0, warmupFraction);
    }

    private static ChainSimResult run(double[] arrivals, double[] sizes, ChainRouter router, Service service,
            long seed, double warmupFraction) {
        int n = arrivals.length;
        if (n == 0) {
            throw new IllegalArgumentException("no arrivals to simulate");
        }
        for (int i = 1; i < n; i++) {
            if (arrivals[i] < arrivals[i - 1]) {
                throw new IllegalArgumentException("arrivals must be sorted; job " + i + " arrives before job "
                        + (i - 1));
            }
        }
        router.reset();
        SplittableRandom rng = new SplittableRandom(seed);
        double[] start = new double[n];
        double[] finish = new double[n];
        Arrays.fill(start, Double.NaN);
        PriorityQueue<Completion> pending = new PriorityQueue<>((a, b) -> a.time != b.time
                ? Double.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
        double[] now = {0};
        long[] seq = {0};
        ChainRouter.Dispatch dispatch = (job, route, mean) -> {
            if (!Double.isNaN(start[job])) {
                throw new IllegalStateException(router.name() + " started job " + job + " twice");
            }
            double s = sizes != null ? mean * sizes[job]
                    : service == Service.DETERMINISTIC ? mean : -mean * Math.log(1 - rng.nextDouble());
            start[job] = now[0];
            pending.add(new Completion(now[0] + s, seq[0]++, job, route));
        };
        int first = (int) Math.floor(n * warmupFraction);
        double windowStart = arrivals[first];
        double windowEnd = arrivals[n - 1];
        double area = 0;
        int inSystem = 0;
        double last = 0;
        int next = 0;
        int atLastArrival = 0;
        while (next < n || !pending.isEmpty()) {
            boolean arrival = next < n && (pending.isEmpty() || arrivals[next] <= pending.peek().time);
            double t = arrival ? arrivals[next] : pending.peek().time;
            area += inSystem * overlap(last, t, windowStart, windowEnd);
            last = t;
            now[0] = t;
            if (arrival) {
                inSystem++;
                router.arrive(next++, dispatch);
                if (next == n) {
                    atLastArrival = inSystem;
                }
            } else {
                Completion c = pending.poll();
                finish[c.job] = t;
                inSystem--;
                router.complete(c.job, c.route, dispatch);
            }
        }
        int unserved = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(start[i])) {
                unserved++;
            }
        }
        if (unserved > 0) {
            throw new IllegalStateException(router.name() + " left " + unserved + " of " + n
                    + " jobs waiting forever (no route can serve them)");
        }
        int m = n - first;
        double[] response = new double[m];
        double wait = 0;
        double svc = 0;
        for (int i = first; i < n; i++) {
            response[i - first] = finish[i] - arrivals[i];
            wait += start[i] - arrivals[i];
            svc += finish[i] - start[i];
        }
        double mean = Arrays.stream(response).average().orElse(0);
        Arrays.sort(response);
        double span = windowEnd - windowStart;
        double rate = span > 0 ? (m - 1) / span : 0;
        return new ChainSimResult(router.name(), m, mean, Percentiles.nearestRank(response, 0.5),
                Percentiles.nearestRank(response, 0.95), Percentiles.nearestRank(response, 0.99), wait / m, svc / m, span > 0 ? area / span : 0, rate, atLastArrival, response);
    }

    private static double overlap(double a, double b, double lo, double hi) {
        return Math.max(0, Math.min(b, hi) - Math.max(a, lo));
    }

}
