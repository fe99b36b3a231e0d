package io.muxflow.planner.sim.chain;

import io.muxflow.planner.chain.ServerChain;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;

/**
 * JFFC, join the fastest free chain (Sun, He, Hou): chains sorted by service time; an arriving job
 * takes the fastest chain with a free slot, otherwise waits in one central FIFO queue; a completing
 * job hands its slot to the head of the queue.
 */
public final class JffcRouter implements ChainRouter {
    private final ServerChain[] chains;
    private final int[] busy;
    private final BitSet free = new BitSet();
    private final ArrayDeque<Integer> queue = new ArrayDeque<>();

    public JffcRouter(List<ServerChain> chains) {
        this.chains = chains.stream().sorted(Comparator.comparingDouble(ServerChain::serviceS))
                .toArray(ServerChain[]::new);
        this.busy = new int[this.chains.length];
        reset();
    }

    @Override
    public String name() {
        return "jffc";
    }

    @Override
    public int[][] route(int route) {
        return new int[][] {chains[route].servers(), chains[route].blocks()};
    }

    @Override
    public void reset() {
        java.util.Arrays.fill(busy, 0);
        queue.clear();
        free.clear();
        free.set(0, chains.length);
    }

    @Override
    public void arrive(int job, Dispatch d) {
        int k = free.nextSetBit(0);
        if (k < 0) {
            queue.addLast(job);
            return;
        }
        if (++busy[k] == chains[k].capacity()) {
            free.clear(k);
        }
        d.start(job, k, chains[k].serviceS());
    }

    @Override
    public void complete(int job, int route, Dispatch d) {
        Integer next = queue.pollFirst();
        if (next != null) {
            d.start(next, route, chains[route].serviceS());
            return;
        }
        busy[route]--;
        free.set(route);
    }
}
