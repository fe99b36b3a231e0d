package io.muxflow.planner.placement.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ChainModel;
import io.muxflow.planner.chain.ServerChain;
import io.muxflow.planner.chain.ServerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GreedyCacheAllocationTest {
    @Test
    void takesTheFastestPathFirstAndGivesItAllTheCacheItCanHold() {
        // L = 4, s_m = 1, s_c = 0.25
        ChainInstance inst = new ChainInstance(new ChainModel("m", 4, 1.0, 0.25), List.of(
                new ServerSpec(0, "S0", 3, 0.1, 0.1),   // [0,2): 4 cache units
                new ServerSpec(1, "S1", 3, 0.1, 0.1),   // [2,4): 4 units
                new ServerSpec(2, "S2", 4, 0.1, 0.05),  // [1,4): 4 units
                new ServerSpec(3, "S3", 5, 0.1, 0.5))); // [0,4): 4 units, slow
        BlockPlacement p = new BlockPlacement(4, new int[] {0, 2, 1, 0}, new int[] {2, 2, 3, 4});
        List<ServerChain> chains = GreedyCacheAllocation.allocate(inst, p);
        // S0 -> S2 entering at block 2: 0.3 + 0.2 = 0.5 s beats S0 -> S1 (0.6 s) and S3 (2.1 s);
        // it needs 2 units on each per job: capacity 2, which exhausts S0 and S2
        assertThat(chains).hasSize(2);
        assertThat(chains.get(0).servers()).containsExactly(0, 2);
        assertThat(chains.get(0).blocks()).containsExactly(2, 2);
        assertThat(chains.get(0).serviceS()).isCloseTo(0.5, within(1e-12));
        assertThat(chains.get(0).capacity()).isEqualTo(2);
        // S1 is now unreachable (nothing ends at block 2 with cache left); S3 alone: 1 job
        assertThat(chains.get(1).servers()).containsExactly(3);
        assertThat(chains.get(1).serviceS()).isCloseTo(2.1, within(1e-12));
        assertThat(chains.get(1).capacity()).isEqualTo(1);
    }

    @Test
    void firstChainIsTheShortestPathAndCacheIsNeverOverbooked() {
        SplittableRandom rng = new SplittableRandom(42);
        for (int trial = 0; trial < 200; trial++) {
            int blocks = 3 + rng.nextInt(6);
            int n = 2 + rng.nextInt(6);
            List<ServerSpec> servers = new ArrayList<>();
            int[] start = new int[n];
            int[] count = new int[n];
            for (int j = 0; j < n; j++) {
                count[j] = 1 + rng.nextInt(blocks);
                start[j] = rng.nextInt(blocks - count[j] + 1);
                double mem = count[j] + 0.5 * (1 + rng.nextInt(3 * count[j]));
                servers.add(new ServerSpec(j, "s" + j, mem, rng.nextDouble(0, 0.5), rng.nextDouble(0.01, 0.3)));
            }
            ChainInstance inst = new ChainInstance(new ChainModel("m", blocks, 1.0, 0.5), servers);
            BlockPlacement p = new BlockPlacement(blocks, start, count);
            List<ServerChain> chains = GreedyCacheAllocation.allocate(inst, p);
            double brute = bruteForceShortest(inst, p);
            if (Double.isInfinite(brute)) {
                assertThat(chains).isEmpty();
                continue;
            }
            assertThat(chains).isNotEmpty();
            assertThat(chains.get(0).serviceS()).isCloseTo(brute, within(1e-9));
            int[] used = new int[n];
            for (int k = 0; k < chains.size(); k++) {
                ServerChain c = chains.get(k);
                if (k > 0) {
                    assertThat(c.serviceS()).isGreaterThanOrEqualTo(chains.get(k - 1).serviceS() - 1e-12);
                }
                int next = 0;
                for (int i = 0; i < c.length(); i++) {
                    int j = c.servers()[i];
                    // the job runs j's blocks from `next` to the end of j's range
                    assertThat(p.start(j)).isLessThanOrEqualTo(next);
                    assertThat(p.end(j) - next).isEqualTo(c.blocks()[i]);
                    next = p.end(j);
                    used[j] += c.capacity() * c.blocks()[i];
                }
                assertThat(next).isEqualTo(blocks);
                assertThat(c.serviceS()).isCloseTo(ServerChain.serviceTime(inst, c.servers(), c.blocks()), within(1e-9));
            }
            for (int j = 0; j < n; j++) {
                assertThat(used[j]).isLessThanOrEqualTo(inst.cacheUnits(j, count[j]));
            }
        }
    }

    /** Shortest source-sink path by exhaustive search, respecting each server's cache for one job. */
    private static double bruteForceShortest(ChainInstance inst, BlockPlacement p) {
        return search(inst, p, 0, new boolean[inst.size()]);
    }

    private static double search(ChainInstance inst, BlockPlacement p, int next, boolean[] seen) {
        if (next == inst.blocks()) {
            return 0;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int j = 0; j < inst.size(); j++) {
            if (seen[j] || !p.hosts(j) || p.start(j) > next || p.end(j) <= next) {
                continue;
            }
            int run = p.end(j) - next;
            if (inst.cacheUnits(j, p.count(j)) < run) {
                continue;
            }
            seen[j] = true;
            best = Math.min(best, inst.server(j).visitS(run) + search(inst, p, p.end(j), seen));
            seen[j] = false;
        }
        return best;
    }
}
