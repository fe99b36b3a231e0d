package io.muxflow.planner.placement.chain;

import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * GBP-CR, greedy block placement with cache reservation (Sun, He, Hou, "Serving chain-structured
 * jobs with large memory footprints"). For a reservation of cache for {@code c} concurrent jobs,
 * server j takes {@code m_j = min(floor(M_j / (s_m + c s_c)), L)} blocks; servers sorted by amortised
 * time per block ({@code tau_c / m_j + tau_p}) fill disjoint chains one after another (each chain
 * from block 1; a server that would run past block L is shifted back to end at L) until the chains'
 * total service rate {@code c x sum(1 / T_k)} reaches the required rate
 * {@code arrival rate / target load}. Servers after that point host nothing. Departure: a
 * {@code maxChains} variant does not stop there but forms every chain the servers allow; more chains
 * than the rate needs lowered the mean response on larger instances, so the planner decides between
 * the two by simulation.
 */
public final class GreedyBlockPlacement {
    private GreedyBlockPlacement() {
    }

    /**
     * The outcome for one c.
     *
     * @param c the cache reservation
     * @param placement the block placement
     * @param chains K(c): complete disjoint chains formed
     * @param chainTimesS their service times
     * @param serviceRate {@code c x sum(1/T_k)} over the complete chains, jobs/s
     * @param rateMet whether it reached the required rate
     */
    public record Result(int c, BlockPlacement placement, int chains, double[] chainTimesS, double serviceRate,
            boolean rateMet) {
        /** Total concurrent jobs the reservation was made for: c x K(c), the paper's rule's objective. */
        public long slots() {
            return (long) c * chains;
        }
    }

    public static Result place(ChainInstance inst, int c, double requiredRate) {
        return place(inst, c, requiredRate, false);
    }

    /** @param maxChains form every chain the servers allow instead of stopping once the rate is met */
    public static Result place(ChainInstance inst, int c, double requiredRate, boolean maxChains) {
        if (c < 1) {
            throw new IllegalArgumentException("cache reservation c must be >= 1, got " + c);
        }
        int n = inst.size();
        int blocks = inst.blocks();
        int[] fit = new int[n];
        List<Integer> order = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            fit[j] = inst.blocksFitting(j, c);
            if (fit[j] > 0) {
                order.add(j);
            }
        }
        order.sort(Comparator.<Integer>comparingDouble(j -> inst.server(j).amortisedS(fit[j]))
                .thenComparingInt(j -> j));
        int[] start = new int[n];
        int[] count = new int[n];
        List<Double> times = new ArrayList<>();
        double rate = 0;
        int next = 0;
        double t = 0;
        boolean met = false;
        for (int j : order) {
            ServerSpec s = inst.server(j);
            int m = fit[j];
            int st = Math.min(next, blocks - m);
            start[j] = st;
            count[j] = m;
            t += s.visitS(st + m - next);
            next = st + m;
            if (next == blocks) {
                times.add(t);
                rate += c / t;
                next = 0;
                t = 0;
                if (rate >= requiredRate) {
                    met = true;
                    if (!maxChains) {
                        break;
                    }
                }
            }
        }
        double[] ts = times.stream().mapToDouble(Double::doubleValue).toArray();
        return new Result(c, new BlockPlacement(blocks, start, count), ts.length, ts, rate, met);
    }
}
