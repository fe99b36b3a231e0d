package io.muxflow.planner.placement.chain;

import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import java.util.ArrayList;
import java.util.List;

/**
 * The replica baseline: every server that can hold all L blocks and the cache of at least one job
 * serves whole-model replicas on its own (a chain of one server, capacity = the jobs its leftover
 * memory caches); servers that cannot are left idle. Empty when no server fits the model.
 */
public final class WholeModelReplicas {
    private WholeModelReplicas() {
    }

    public static List<ServerChain> chains(ChainInstance inst) {
        int blocks = inst.blocks();
        List<ServerChain> out = new ArrayList<>();
        for (int j = 0; j < inst.size(); j++) {
            if (inst.blocksFitting(j, 1) < blocks) {
                continue;
            }
            int capacity = inst.cacheUnits(j, blocks) / blocks;
            if (capacity >= 1) {
                out.add(new ServerChain(new int[] {j}, new int[] {blocks}, inst.server(j).visitS(blocks), capacity));
            }
        }
        return out;
    }
}
