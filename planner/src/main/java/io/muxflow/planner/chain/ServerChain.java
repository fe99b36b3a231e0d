package io.muxflow.planner.chain;

import java.util.Arrays;

/**
 * A chain of servers that together run blocks 1..L for a job, with the number of blocks the job
 * runs on each, its service time and its capacity (concurrent jobs its cache allows).
 *
 * @param servers server ids in order
 * @param blocks blocks the job runs on each server (sums to L)
 * @param serviceS service time: sum of tau_c + tau_p x blocks over its servers
 * @param capacity concurrent jobs
 */
public record ServerChain(int[] servers, int[] blocks, double serviceS, int capacity) {
    public ServerChain {
        if (servers.length != blocks.length || servers.length == 0) {
            throw new IllegalArgumentException("a chain needs one block count per server");
        }
        if (capacity < 1 || !(serviceS > 0)) {
            throw new IllegalArgumentException("a chain needs capacity >= 1 and service time > 0");
        }
        servers = servers.clone();
        blocks = blocks.clone();
    }

    /** Service time of a server sequence with per-server block counts. */
    public static double serviceTime(ChainInstance inst, int[] servers, int[] blocks) {
        double t = 0;
        for (int i = 0; i < servers.length; i++) {
            t += inst.server(servers[i]).visitS(blocks[i]);
        }
        return t;
    }

    /** Jobs per second this chain completes when all its slots are busy. */
    public double rate() {
        return capacity / serviceS;
    }

    public int length() {
        return servers.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerChain c && Arrays.equals(c.servers, servers) && Arrays.equals(c.blocks, blocks)
                && c.serviceS == serviceS && c.capacity == capacity;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(servers) * 31 + capacity;
    }

    @Override
    public String toString() {
        return "ServerChain" + Arrays.toString(servers) + " blocks " + Arrays.toString(blocks)
                + String.format(" %.3f s x%d", serviceS, capacity);
    }
}
