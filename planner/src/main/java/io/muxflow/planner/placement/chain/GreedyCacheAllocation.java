package io.muxflow.planner.placement.chain;

import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.BoundaryPaths;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import java.util.ArrayList;
import java.util.List;

/**
 * GCA, greedy cache allocation (Sun, He, Hou, "Serving chain-structured jobs with large memory
 * footprints") for a fixed block placement. Servers form a DAG: the source links to servers whose
 * range starts at block 1, server i links to j when j's range starts at or before the block after
 * i's and extends beyond it (the job then runs j's blocks from there), servers ending at block L
 * link to the sink. GCA repeatedly takes the fastest source-sink path, gives it all the cache its
 * servers still hold (capacity = min over its servers of free cache / blocks run there), subtracts
 * it, and drops what cannot take one more job, until no path is left (paths from
 * {@link BoundaryPaths}).
 */
public final class GreedyCacheAllocation {
    private GreedyCacheAllocation() {
    }

    public static List<ServerChain> allocate(ChainInstance inst, BlockPlacement p) {
        int n = inst.size();
        int[] free = new int[n];
        for (int j = 0; j < n; j++) {
            free[j] = p.hosts(j) ? inst.cacheUnits(j, p.count(j)) : 0;
        }
        BoundaryPaths paths = new BoundaryPaths(inst, p);
        // a job needs one cache unit per block it runs, so a server's free units bound its run
        BoundaryPaths.Costs costs = new BoundaryPaths.Costs() {
            @Override
            public int maxRun(int j) {
                return free[j];
            }

            @Override
            public double reach(double before, int j, int run) {
                return before + inst.server(j).commS() + inst.server(j).blockS() * run;
            }
        };
        List<ServerChain> chains = new ArrayList<>();
        for (BoundaryPaths.Path path = paths.fastest(costs); path != null; path = paths.fastest(costs)) {
            int[] servers = path.servers();
            int[] used = path.runs();
            int cap = Integer.MAX_VALUE;
            for (int i = 0; i < servers.length; i++) {
                cap = Math.min(cap, free[servers[i]] / used[i]);
            }
            for (int i = 0; i < servers.length; i++) {
                free[servers[i]] -= cap * used[i];
            }
            chains.add(new ServerChain(servers, used, path.cost(), cap));
        }
        return chains;
    }

    /** Total rate of a set of chains when every slot is busy, jobs/s. */
    public static double totalRate(List<ServerChain> chains) {
        return chains.stream().mapToDouble(ServerChain::rate).sum();
    }
}
