package io.muxflow.planner.placement;

import io.muxflow.planner.InvalidInputException;
import java.util.List;

/** The placement policies by name. */
public final class Policies {
    /** The AlpaServe paper's three policies, compared by the planner bench. */
    public static final List<String> PAPER = List.of("sr", "clockwork++", "alpaserve");

    /** Every policy: the paper's, and AlpaServe's published search alone. */
    public static final List<String> NAMES = java.util.stream.Stream.concat(PAPER.stream(),
            java.util.stream.Stream.of("alpaserve-published")).toList();

    private Policies() {
    }

    public static PlacementPolicy byName(String name) {
        return switch (name) {
            case "sr" -> new SelectiveReplication();
            case "clockwork++" -> new ClockworkPlusPlus();
            case "alpaserve" -> new AlpaServeSearch();
            case "alpaserve-published" -> new AlpaServeSearch(true);
            default -> throw new InvalidInputException("unknown policy '" + name + "' (choose one of " + NAMES + ")");
        };
    }
}
