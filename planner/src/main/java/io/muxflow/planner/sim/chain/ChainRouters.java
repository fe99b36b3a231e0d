package io.muxflow.planner.sim.chain;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.ServerChain;
import java.util.List;
import java.util.Locale;

/** The routers by name, for the simulator and the serving job alike. */
public final class ChainRouters {
    public static final List<String> NAMES = List.of("jffc", "petals", "jsq", "sed");

    private ChainRouters() {
    }

    /**
     * @param name jffc | petals | jsq | sed
     * @param chains the chains for jffc, jsq and sed
     * @param placement the block placement petals routes over (its own paths, per job)
     */
    public static ChainRouter create(String name, ChainInstance inst, BlockPlacement placement, List<ServerChain> chains,
            double petalsPenaltyS) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "jffc" -> new JffcRouter(chains);
            case "jsq" -> new QueueingRouter(QueueingRouter.Rule.JSQ, chains);
            case "sed" -> new QueueingRouter(QueueingRouter.Rule.SED, chains);
            case "petals" -> new PetalsRouter(inst, placement, petalsPenaltyS);
            default -> throw new InvalidInputException("router must be one of " + NAMES + ", got '" + name + "'");
        };
    }
}
