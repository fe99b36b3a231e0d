package io.muxflow.planner.placement.chain;

import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * GCA, greedy cache allocation (Sun, He, Hou, "Serving chain-structured jobs with large memory
 * footprints") for a fixed block placement. Servers form a DAG: the source links to servers whose
 * range starts at block 1, server i links to j when j's range starts at or before the block after
 * i's and extends beyond it (the job then runs j's blocks from there), servers ending at block L
 * link to the sink. GCA repeatedly takes the fastest source-sink path, gives it all the cache its
 * servers still hold (capacity = min over its servers of free cache / blocks run there), subtracts
 * it, and drops what cannot take one more job, until no path is left.
 *
 * <p>The shortest path is a dynamic program over block boundaries: servers are visited in order of
 * their range's end and the best time to reach each boundary is kept, so one path costs
 * O(sum of hosted blocks) instead of O(edges).
 */
public final class GreedyCacheAllocation {
    private GreedyCacheAllocation() {
    }

    public static List<ServerChain> allocate(ChainInstance inst, BlockPlacement p) {
        int n = inst.size();
        int blocks = inst.blocks();
        int[] free = new int[n];
        for (int j = 0; j < n; j++) {
            free[j] = p.hosts(j) ? inst.cacheUnits(j, p.count(j)) : 0;
        }
        int[] byEnd = IntStream.range(0, n).filter(p::hosts).boxed()
                .sorted(Comparator.<Integer>comparingInt(p::end).thenComparingInt(j -> j))
                .mapToInt(Integer::intValue).toArray();
        double[] best = new double[blocks + 1];
        int[] bestServer = new int[blocks + 1];
        int[] entry = new int[n];
        List<ServerChain> chains = new ArrayList<>();
        while (true) {
            Arrays.fill(best, Double.POSITIVE_INFINITY);
            Arrays.fill(bestServer, -1);
            best[0] = 0;
            for (int j : byEnd) {
                if (free[j] <= 0) {
                    continue;
                }
                int e = p.end(j);
                // entering at boundary v runs blocks v..e-1 here and needs e - v cache units
                int lo = Math.max(p.start(j), e - free[j]);
                double comm = inst.server(j).commS();
                double per = inst.server(j).blockS();
                double d = Double.POSITIVE_INFINITY;
                int from = -1;
                for (int v = lo; v < e; v++) {
                    double c = best[v] + comm + per * (e - v);
                    if (c < d) {
                        d = c;
                        from = v;
                    }
                }
                if (from >= 0 && d < best[e]) {
                    best[e] = d;
                    bestServer[e] = j;
                    entry[j] = from;
                }
            }
            if (bestServer[blocks] < 0) {
                return chains;
            }
            List<Integer> path = new ArrayList<>();
            List<Integer> run = new ArrayList<>();
            int v = blocks;
            while (v > 0) {
                int j = bestServer[v];
                path.add(0, j);
                run.add(0, v - entry[j]);
                v = entry[j];
            }
            int[] servers = path.stream().mapToInt(Integer::intValue).toArray();
            int[] used = run.stream().mapToInt(Integer::intValue).toArray();
            int cap = Integer.MAX_VALUE;
            for (int i = 0; i < servers.length; i++) {
                cap = Math.min(cap, free[servers[i]] / used[i]);
            }
            for (int i = 0; i < servers.length; i++) {
                free[servers[i]] -= cap * used[i];
            }
            chains.add(new ServerChain(servers, used, best[blocks], cap));
        }
    }

    /** Total rate of a set of chains when every slot is busy, jobs/s. */
    public static double totalRate(List<ServerChain> chains) {
        return chains.stream().mapToDouble(ServerChain::rate).sum();
    }
}
