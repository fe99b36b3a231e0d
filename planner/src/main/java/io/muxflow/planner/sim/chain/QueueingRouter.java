package io.muxflow.planner.sim.chain;

import io.muxflow.planner.chain.ServerChain;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;

/**
 * Routers that pick a chain on arrival and queue the job at that chain (each chain serves its own
 * FIFO queue with its capacity as the number of servers): JSQ joins the chain with the fewest jobs
 * per slot, SED the chain with the smallest expected delay {@code (n_k + 1) T_k / c_k}. Ties go to
 * the faster chain. The comparison routers for JFFC.
 */
public final class QueueingRouter implements ChainRouter {
    /** The chain choice rule. */
    public enum Rule { JSQ, SED }

    private final Rule rule;
    private final ServerChain[] chains;
    private final int[] busy;
    private final ArrayDeque<Integer>[] queues;

    @SuppressWarnings("unchecked")
    public QueueingRouter(Rule rule, List<ServerChain> chains) {
        this.rule = rule;
        this.chains = chains.stream().sorted(Comparator.comparingDouble(ServerChain::serviceS))
                .toArray(ServerChain[]::new);
        this.busy = new int[this.chains.length];
        this.queues = new ArrayDeque[this.chains.length];
        for (int k = 0; k < queues.length; k++) {
            queues[k] = new ArrayDeque<>();
        }
    }

    @Override
    public String name() {
        return rule.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public int[][] route(int route) {
        return new int[][] {chains[route].servers(), chains[route].blocks()};
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(busy, 0);
        for (ArrayDeque<Integer> q : queues) {
            q.clear();
        }
    }

    @Override
    public void arrive(int job, Dispatch d) {
        int best = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        for (int k = 0; k < chains.length; k++) {
            int n = busy[k] + queues[k].size();
            double score = rule == Rule.JSQ ? (double) n / chains[k].capacity()
                    : (n + 1) * chains[k].serviceS() / chains[k].capacity();
            if (score < bestScore) {
                bestScore = score;
                best = k;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no chains to route to");
        }
        if (busy[best] < chains[best].capacity()) {
            busy[best]++;
            d.start(job, best, chains[best].serviceS());
        } else {
            queues[best].addLast(job);
        }
    }

    @Override
    public void complete(int job, int route, Dispatch d) {
        Integer next = queues[route].pollFirst();
        if (next != null) {
            d.start(next, route, chains[route].serviceS());
        } else {
            busy[route]--;
        }
    }
}
