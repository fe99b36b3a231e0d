package io.muxflow.planner.placement;

/**
 * Knobs of the placement search.
 *
 * @param maxPp            largest pipeline depth to enumerate (AlpaServe: 8)
 * @param maxOp            largest intra-operator degree to enumerate (AlpaServe: 4)
 * @param candidateModels  the guided greedy tries this many most-unserved models per step
 * @param candidateGroups  ... on this many least-loaded distinct groups each
 * @param beamWidth        1: greedy; larger: beam search over replica additions
 * @param threads          worker threads for independent sub-searches
 * @param buckets          also try AlpaServe's model buckets (Algorithm 2's device split)
 * @param clockworkWindowS re-planning window of the clockwork++ baseline
 * @param guided           also run the count-ranked fast greedy and the simulator-guided greedy (off:
 *                         AlpaServe's fast heuristic with its own ranking only, i.e. AlpaServe's
 *                         published search)
 */
public record SearchOptions(int maxPp, int maxOp, int candidateModels, int candidateGroups, int beamWidth,
        int threads, boolean buckets, double clockworkWindowS, boolean guided) {

    public SearchOptions {
        if (maxPp < 1 || maxOp < 1 || candidateModels < 1 || candidateGroups < 1 || beamWidth < 1 || threads < 1) {
            throw new IllegalArgumentException("search options must be >= 1");
        }
        if (!(clockworkWindowS > 0)) {
            throw new IllegalArgumentException("clockwork++ window must be > 0 s");
        }
    }

    public static SearchOptions defaults() {
        return new SearchOptions(8, 4, 2, 4, 1, Math.max(1, Runtime.getRuntime().availableProcessors()), true, 30, true);
    }

    public SearchOptions withBeam(int width) {
        return new SearchOptions(maxPp, maxOp, candidateModels, candidateGroups, width, threads, buckets,
                clockworkWindowS, guided);
    }

    public SearchOptions withThreads(int t) {
        return new SearchOptions(maxPp, maxOp, candidateModels, candidateGroups, beamWidth, t, buckets,
                clockworkWindowS, guided);
    }

    public SearchOptions withWindow(double w) {
        return new SearchOptions(maxPp, maxOp, candidateModels, candidateGroups, beamWidth, threads, buckets, w, guided);
    }

    public SearchOptions withBuckets(boolean b) {
        return new SearchOptions(maxPp, maxOp, candidateModels, candidateGroups, beamWidth, threads, b,
                clockworkWindowS, guided);
    }

    public SearchOptions withMaxOp(int op) {
        return new SearchOptions(maxPp, op, candidateModels, candidateGroups, beamWidth, threads, buckets,
                clockworkWindowS, guided);
    }

    public SearchOptions withGuided(boolean g) {
        return new SearchOptions(maxPp, maxOp, candidateModels, candidateGroups, beamWidth, threads, buckets,
                clockworkWindowS, g);
    }
}
