package io.muxflow.planner.chain;

import io.muxflow.planner.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code geo:J,ETA,SEED}: the paper's fast/slow server mix on a real wide-area network. Each server's
 * round-trip time is drawn from a lognormal distribution, and its communication time per visit is
 * computed as the paper does, {@code tau_c = RTT_input + (l_out - 1) x RTT} with the first round trip
 * (carrying the prompt) {@value #INPUT_EXTRA_MS} ms longer.
 *
 * <p>The fit (docs/DESIGN-NOTES.md, "geo: servers"): the paper's servers, placed with RIPE Atlas
 * measurements, have per-server tau_c of 256-893 ms with a median of about 430 ms at l_out = 20, i.e.
 * RTT = (tau_c - 50 ms) / 20 of 10.3-42 ms with a median of 19 ms. A lognormal with median
 * {@value #MEDIAN_RTT_MS} ms and log-standard deviation {@value #SIGMA} puts its 1st and 99th
 * percentiles at 8.4 and 42.9 ms, the range 20-40 servers span; draws are kept within
 * [{@value #MIN_RTT_MS}, {@value #MAX_RTT_MS}] ms. {@code paper:J,ETA} remains the paper's
 * simplification with one fixed RTT for all.
 */
public final class GeoServers {
    public static final double MEDIAN_RTT_MS = 19.0;
    public static final double SIGMA = 0.35;
    public static final double MIN_RTT_MS = 5.0;
    public static final double MAX_RTT_MS = 80.0;
    public static final double INPUT_EXTRA_MS = 50.0;

    private GeoServers() {
    }

    /** J servers, round(eta J) of them fast (40 GB) and the rest slow (20 GB), RTTs drawn with {@code seed}. */
    public static List<ServerSpec> mix(int servers, double eta, long seed, LlmShape llm, int lIn, int lOut) {
        if (servers < 1 || !(eta >= 0) || eta > 1) {
            throw new InvalidInputException("geo:J,ETA,SEED needs J >= 1 and 0 <= ETA <= 1, got " + servers + "," + eta);
        }
        int fast = (int) Math.round(eta * servers);
        SplittableRandom rng = new SplittableRandom(seed);
        List<ServerSpec> out = new ArrayList<>();
        for (int j = 0; j < servers; j++) {
            double rtt = rttMs(rng);
            ChainDevice d = j < fast ? ChainDevice.fast(rtt) : ChainDevice.slow(rtt);
            out.add(ChainCostModel.server(j, d.name() + "-" + j, d, llm, lIn, lOut, INPUT_EXTRA_MS));
        }
        return out;
    }

    /** One RTT from the lognormal, within the bounds. */
    static double rttMs(SplittableRandom rng) {
        double z = gaussian(rng);
        return Math.min(MAX_RTT_MS, Math.max(MIN_RTT_MS, MEDIAN_RTT_MS * Math.exp(SIGMA * z)));
    }

    private static double gaussian(SplittableRandom rng) {
        // Box-Muller: reproducible for a seed on every JVM
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
