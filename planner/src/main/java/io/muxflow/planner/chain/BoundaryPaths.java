package io.muxflow.planner.chain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fastest source-to-sink paths in the server DAG of a block placement (GCA's and Petals' routing
 * graph): server i may be followed by server j when j's range starts at or before the block after
 * i's and extends beyond it, the job then running j's blocks from there. Computed as a dynamic
 * program over block boundaries, servers visited in order of their range's end, so one path costs
 * O(sum of hosted blocks) instead of O(edges).
 */
public final class BoundaryPaths {
    /** Per-server limits and penalties of one path search. */
    public interface Costs {
        /** The most blocks a job may run on server j (its cache, in block-job units); 0 excludes j. */
        int maxRun(int j);

        /**
         * The cost of reaching the end of server j's range from a boundary reached at cost
         * {@code before}, running {@code run} blocks there: its visit time plus any penalty.
         */
        double reach(double before, int j, int run);
    }

    /**
     * A path.
     *
     * @param servers server ids in order
     * @param runs blocks the job runs on each
     * @param cost the path's cost (service time plus penalties), seconds
     */
    public record Path(int[] servers, int[] runs, double cost) {
    }

    private final ChainInstance inst;
    private final BlockPlacement p;
    private final int[] byEnd;
    private final double[] best;
    private final int[] bestServer;
    private final int[] entry;

    public BoundaryPaths(ChainInstance inst, BlockPlacement p) {
        this.inst = inst;
        this.p = p;
        this.byEnd = p.serversByEnd();
        this.best = new double[inst.blocks() + 1];
        this.bestServer = new int[inst.blocks() + 1];
        this.entry = new int[inst.size()];
    }

    /** The fastest path under these costs, or null when no server path covers all blocks. */
    public Path fastest(Costs costs) {
        int blocks = inst.blocks();
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        Arrays.fill(bestServer, -1);
        best[0] = 0;
        for (int j : byEnd) {
            int e = p.end(j);
            // entering at boundary v runs blocks v..e-1 here
            int lo = Math.max(p.start(j), e - costs.maxRun(j));
            double d = Double.POSITIVE_INFINITY;
            int from = -1;
            for (int v = lo; v < e; v++) {
                double c = costs.reach(best[v], j, e - v);
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
            return null;
        }
        List<int[]> hops = new ArrayList<>();
        for (int v = blocks; v > 0;) {
            int j = bestServer[v];
            hops.add(0, new int[] {j, v - entry[j]});
            v = entry[j];
        }
        int[] servers = new int[hops.size()];
        int[] runs = new int[hops.size()];
        for (int i = 0; i < hops.size(); i++) {
            servers[i] = hops.get(i)[0];
            runs[i] = hops.get(i)[1];
        }
        return new Path(servers, runs, best[blocks]);
    }
}
