package io.muxflow.planner.placement.chain;

import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerSpec;
import java.util.Arrays;

/**
 * The Petals baseline's block placement, as we read Petals (Borzunov et al.) and the chain paper's
 * description of it. Each server reserves attention cache for a fixed token budget per block and
 * takes as many blocks as then fit. Servers join one by one; a joining server picks the window of
 * consecutive blocks whose current per-block throughputs, sorted ascending, are lexicographically
 * smallest (it reinforces the weakest blocks). A server's throughput is
 * {@code min(1 / tau_c, 1 / (tau_p x m_j))} jobs/s (network-bound or compute-bound over its blocks),
 * added to every block it hosts. Then the periodic rebalancing check: a server moves to its best
 * window when that would raise the swarm's minimum block throughput so much that
 * {@code old min / new min < 0.75}; checks repeat until a full round moves nobody.
 */
public final class PetalsPlacement {
    /** Petals' balance quality threshold. */
    public static final double BALANCE_QUALITY = 0.75;
    private static final double EPS = 1e-3;

    private PetalsPlacement() {
    }

    /**
     * Blocks server j takes when reserving cache for {@code cacheJobs} concurrent jobs per block
     * (the token budget divided by tokens per job).
     */
    public static int blocksFor(ChainInstance inst, int j, double cacheJobs) {
        double per = inst.model().blockGb() + cacheJobs * inst.model().cacheGbPerBlock();
        return (int) Math.min(inst.blocks(), Math.floor(inst.server(j).memoryGb() / per + 1e-9));
    }

    /** Joins the servers in id order, then rebalances. */
    public static BlockPlacement place(ChainInstance inst, double cacheJobs) {
        return place(inst, cacheJobs, true);
    }

    public static BlockPlacement place(ChainInstance inst, double cacheJobs, boolean rebalance) {
        int n = inst.size();
        int blocks = inst.blocks();
        double[] thr = new double[blocks];
        BlockPlacement p = BlockPlacement.empty(blocks, n);
        for (int j = 0; j < n; j++) {
            int m = blocksFor(inst, j, cacheJobs);
            if (m == 0) {
                continue;
            }
            int s = bestStart(thr, m);
            p = p.with(j, s, m);
            add(thr, s, m, throughput(inst.server(j), m));
        }
        return rebalance ? rebalance(inst, p) : p;
    }

    /**
     * Petals' rebalancing of an existing placement: each server in turn moves to its best window
     * when that lifts the swarm's minimum block throughput past the balance quality; rounds repeat
     * until none moves (bounded, so a cycle cannot hang the planner).
     */
    public static BlockPlacement rebalance(ChainInstance inst, BlockPlacement placement) {
        int n = inst.size();
        BlockPlacement p = placement;
        double[] thr = new double[inst.blocks()];
        double[] rate = new double[n];
        for (int j = 0; j < n; j++) {
            if (p.hosts(j)) {
                rate[j] = throughput(inst.server(j), p.count(j));
                add(thr, p.start(j), p.count(j), rate[j]);
            }
        }
        int maxRounds = 4 * n + 8;
        for (int round = 0; round < maxRounds; round++) {
            boolean moved = false;
            for (int j = 0; j < n; j++) {
                if (!p.hosts(j)) {
                    continue;
                }
                int m = p.count(j);
                double before = min(thr);
                add(thr, p.start(j), m, -rate[j]);
                int s = bestStart(thr, m);
                if (s != p.start(j)) {
                    add(thr, s, m, rate[j]);
                    double after = min(thr);
                    if (after > 0 && before / after < BALANCE_QUALITY - EPS) {
                        p = p.with(j, s, m);
                        moved = true;
                        continue;
                    }
                    add(thr, s, m, -rate[j]);
                }
                add(thr, p.start(j), m, rate[j]);
            }
            if (!moved) {
                break;
            }
        }
        return p;
    }

    static double throughput(ServerSpec s, int blocks) {
        double network = s.commS() > 0 ? 1.0 / s.commS() : Double.POSITIVE_INFINITY;
        return Math.min(network, 1.0 / (s.blockS() * blocks));
    }

    /** The start of the window whose sorted throughputs are lexicographically smallest; first on ties. */
    static int bestStart(double[] thr, int m) {
        int best = 0;
        double[] bestKey = null;
        for (int s = 0; s + m <= thr.length; s++) {
            double[] key = Arrays.copyOfRange(thr, s, s + m);
            Arrays.sort(key);
            if (bestKey == null || Arrays.compare(key, bestKey) < 0) {
                bestKey = key;
                best = s;
            }
        }
        return best;
    }

    private static void add(double[] thr, int s, int m, double r) {
        for (int b = s; b < s + m; b++) {
            thr[b] += r;
        }
    }

    private static double min(double[] thr) {
        double v = Double.POSITIVE_INFINITY;
        for (double t : thr) {
            v = Math.min(v, t);
        }
        return v;
    }
}
