package io.muxflow.planner.sim.chain;

import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.BoundaryPaths;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;

/**
 * The Petals baseline's routing, as we read Petals' client: each job takes the shortest path from
 * block 1 to block L over the servers' ranges, an edge costing the server's visit time plus its
 * blocks' computation, and a fixed penalty (Petals' 10 s allocation delay) on a server that lacks
 * cache for its whole span (Petals' pessimistic check). The path is fixed at arrival; a job whose
 * path lacks cache waits until every server on it has room, waiting jobs being retried in arrival
 * order whenever a job finishes. Cache is taken only for the blocks the job runs on each server, and
 * every server may use all memory its blocks leave free as cache.
 */
public final class PetalsRouter implements ChainRouter {
    /** Petals' default penalty for routing through a server without free cache, seconds. */
    public static final double DEFAULT_PENALTY_S = 10.0;

    private final ChainInstance inst;
    private final BlockPlacement p;
    private final double penaltyS;
    private final int[] capacity;
    private final int[] free;
    private final BoundaryPaths paths;
    private final BoundaryPaths.Costs costs;
    private final List<int[][]> routes = new ArrayList<>();
    private final LinkedList<int[]> waiting = new LinkedList<>();

    public PetalsRouter(ChainInstance inst, BlockPlacement p, double penaltyS) {
        if (!p.coversAllBlocks()) {
            throw new IllegalArgumentException("the placement leaves some blocks without a server");
        }
        this.inst = inst;
        this.p = p;
        this.penaltyS = penaltyS;
        int n = inst.size();
        this.capacity = new int[n];
        for (int j = 0; j < n; j++) {
            capacity[j] = p.hosts(j) ? inst.cacheUnits(j, p.count(j)) : 0;
        }
        this.free = capacity.clone();
        this.paths = new BoundaryPaths(inst, p);
        this.costs = new BoundaryPaths.Costs() {
            @Override
            public int maxRun(int j) {
                // never route more blocks through a server than its whole cache could ever hold
                return capacity[j];
            }

            @Override
            public double reach(double before, int j, int run) {
                return before + inst.server(j).visitS(run) + (free[j] >= p.count(j) ? 0 : penaltyS);
            }
        };
    }

    @Override
    public String name() {
        return "petals";
    }

    @Override
    public int[][] route(int route) {
        int[][] r = routes.get(route);
        return new int[][] {r[0].clone(), r[1].clone()};
    }

    @Override
    public void reset() {
        System.arraycopy(capacity, 0, free, 0, free.length);
        routes.clear();
        waiting.clear();
    }

    @Override
    public void arrive(int job, Dispatch d) {
        int[][] route = shortestPath();
        int id = routes.size();
        routes.add(route);
        if (fits(route)) {
            take(route, -1);
            d.start(job, id, serviceS(route));
        } else {
            waiting.addLast(new int[] {job, id});
        }
    }

    @Override
    public void complete(int job, int route, Dispatch d) {
        take(routes.get(route), +1);
        routes.set(route, null);
        for (Iterator<int[]> it = waiting.iterator(); it.hasNext();) {
            int[] w = it.next();
            int[][] r = routes.get(w[1]);
            if (fits(r)) {
                it.remove();
                take(r, -1);
                d.start(w[0], w[1], serviceS(r));
            }
        }
    }

    /** {servers, blocks run on each}. */
    private int[][] shortestPath() {
        BoundaryPaths.Path path = paths.fastest(costs);
        if (path == null) {
            throw new IllegalStateException("no server path holds the whole model with its cache");
        }
        return new int[][] {path.servers(), path.runs()};
    }

    private boolean fits(int[][] route) {
        for (int i = 0; i < route[0].length; i++) {
            if (free[route[0][i]] < route[1][i]) {
                return false;
            }
        }
        return true;
    }

    private void take(int[][] route, int sign) {
        for (int i = 0; i < route[0].length; i++) {
            free[route[0][i]] += sign * route[1][i];
        }
    }

    private double serviceS(int[][] route) {
        return ServerChain.serviceTime(inst, route[0], route[1]);
    }
}
