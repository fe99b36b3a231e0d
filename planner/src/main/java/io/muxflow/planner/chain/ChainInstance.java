package io.muxflow.planner.chain;

import io.muxflow.planner.InvalidInputException;
import java.util.List;

/**
 * A server-chain composition problem: a model of L blocks and the servers that may host them, with
 * the memory arithmetic every algorithm shares.
 */
public record ChainInstance(ChainModel model, List<ServerSpec> servers) {
    /** Slack for floor() of memory ratios computed in floating point. */
    private static final double EPS = 1e-9;

    public ChainInstance {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new InvalidInputException("no servers given");
        }
        for (int j = 0; j < servers.size(); j++) {
            if (servers.get(j).id() != j) {
                throw new IllegalArgumentException("server ids must be 0..J-1 in order; server " + j + " has id "
                        + servers.get(j).id());
            }
        }
    }

    public int size() {
        return servers.size();
    }

    public int blocks() {
        return model.blocks();
    }

    public ServerSpec server(int j) {
        return servers.get(j);
    }

    /** GBP-CR's block count for reservation c: {@code min(floor(M_j / (s_m + c s_c)), L)}. */
    public int blocksFitting(int j, int c) {
        double per = model.blockGb() + c * model.cacheGbPerBlock();
        return (int) Math.min(model.blocks(), Math.floor(servers.get(j).memoryGb() / per + EPS));
    }

    /** Cache left on server j when it holds {@code hosted} blocks, in block-job units (floor). */
    public int cacheUnits(int j, int hosted) {
        if (hosted == 0) {
            return 0;
        }
        double left = servers.get(j).memoryGb() - hosted * model.blockGb();
        return left <= 0 ? 0 : (int) Math.floor(left / model.cacheGbPerBlock() + EPS);
    }

    /**
     * The largest reservation c for which all servers together still hold at least L blocks, or 0
     * when even c = 1 leaves fewer than L blocks (the instance is infeasible).
     */
    public int maxReservation() {
        int lo = 0;
        int hi = 1;
        while (totalBlocks(hi) >= model.blocks()) {
            lo = hi;
            hi *= 2;
            if (hi > 1 << 24) {
                return lo;
            }
        }
        // invariant: totalBlocks(lo) >= L (or lo == 0), totalBlocks(hi) < L
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (totalBlocks(mid) >= model.blocks()) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private long totalBlocks(int c) {
        long sum = 0;
        for (int j = 0; j < servers.size(); j++) {
            sum += blocksFitting(j, c);
        }
        return sum;
    }
}
