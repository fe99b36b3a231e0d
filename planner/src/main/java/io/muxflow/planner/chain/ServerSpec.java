package io.muxflow.planner.chain;

import io.muxflow.planner.InvalidInputException;

/**
 * One server of the server-chain model (Sun, He, Hou, "Serving chain-structured jobs with large
 * memory footprints"): memory {@code M_j}, communication time {@code tau_c_j} paid once per visit of
 * a job and computation time {@code tau_p_j} per block the job runs there.
 *
 * @param id index of the server in its instance (0-based, dense)
 * @param name a name for reports
 * @param memoryGb GPU memory available for blocks and attention cache, in GB
 * @param commS communication time per visit, seconds
 * @param blockS computation time per block, seconds
 */
public record ServerSpec(int id, String name, double memoryGb, double commS, double blockS) {
    public ServerSpec {
        if (!(memoryGb > 0) || !Double.isFinite(memoryGb)) {
            throw new InvalidInputException("server " + name + ": memory must be a positive number of GB, got "
                    + memoryGb);
        }
        if (!(commS >= 0) || !Double.isFinite(commS)) {
            throw new InvalidInputException("server " + name + ": communication time must be >= 0, got " + commS);
        }
        if (!(blockS > 0) || !Double.isFinite(blockS)) {
            throw new InvalidInputException("server " + name + ": time per block must be > 0, got " + blockS);
        }
    }

    /** Time to run {@code blocks} blocks of one job here, the visit included. */
    public double visitS(int blocks) {
        return commS + blockS * blocks;
    }

    /** The amortised time per block when hosting {@code blocks} blocks: GBP-CR's sort key. */
    public double amortisedS(int blocks) {
        return commS / blocks + blockS;
    }
}
