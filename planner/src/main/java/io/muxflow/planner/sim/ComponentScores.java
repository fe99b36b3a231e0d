package io.muxflow.planner.sim;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The search's scores, computed component by component and memoized. Groups that share a model form
 * a component; a request of model m only reads and moves the clocks of the groups hosting m ({@link
 * StageClockAdmission#choose}, {@link StageClockAdmission#admit}), so a component's requests are
 * served alike whatever the rest of the placement is, as long as its groups (configuration, models)
 * and their relative order (ties go to the lowest group index) are the same. A greedy step adds one
 * replica and so changes one component: the others are looked up, and only the changed one's
 * requests are replayed. Results do not depend on what is memoized: per component the same replay,
 * summed in the same order. Thread-safe.
 */
final class ComponentScores {
    /**
     * Ints (keys and parts) the memo holds before it is cleared: about 32 MB. The bench planner's
     * 72-model search keeps about 0.4 M in its largest memo; a placement of hundreds of groups keeps
     * more per entry, and a search must not grow without bound.
     */
    private static final long MAX_INTS = 8L << 20;

    /** A component as its groups in index order: config, model count, models; per group. */
    private record Key(int[] code) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(code, k.code);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(code);
        }
    }

    /** A component's replay: good requests per model (in the key's model order), requests per group, latency sum. */
    private record Part(int[] good, int[] groupRequests, double latencySum) {
    }

    private final LatencyTable table;
    private final double[] arrivals;
    private final int[] modelIds;
    private final double[] slos;
    private final int[] modelRequests;
    private final ConcurrentHashMap<Key, Part> memo = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong memoInts = new java.util.concurrent.atomic.AtomicLong();

    ComponentScores(LatencyTable table, double[] arrivals, int[] modelIds, double[] slos) {
        this.table = table;
        this.arrivals = arrivals;
        this.modelIds = modelIds;
        this.slos = slos;
        this.modelRequests = new int[table.numModels()];
        for (int m : modelIds) {
            modelRequests[m]++;
        }
    }

    /** The score of {@code p}; with {@code memoized} false every component is replayed and nothing is kept. */
    Score score(Placement p, boolean memoized) {
        final int numGroups = p.numGroups();
        final int numModels = modelRequests.length;
        // union-find over groups; the root is the lowest group index of its component
        int[] parent = new int[numGroups];
        int[] firstGroup = new int[numModels];
        Arrays.fill(firstGroup, -1);
        for (int g = 0; g < numGroups; g++) {
            parent[g] = g;
            for (int m : p.modelsOf(g)) {
                if (firstGroup[m] < 0) {
                    firstGroup[m] = g;
                } else {
                    int a = find(parent, firstGroup[m]);
                    int b = find(parent, g);
                    if (a != b) {
                        parent[Math.max(a, b)] = Math.min(a, b);
                    }
                }
            }
        }
        int[] compOfGroup = new int[numGroups];
        int[] rootComp = new int[numGroups];
        int comps = 0;
        for (int g = 0; g < numGroups; g++) {
            int r = find(parent, g);
            if (r == g) {
                rootComp[g] = comps++;
            }
            compOfGroup[g] = rootComp[r];
        }
        // per component: its groups in index order, its models in first-seen order, its key
        int[][] compGroups = new int[comps][];
        int[] groupCount = new int[comps];
        for (int g = 0; g < numGroups; g++) {
            groupCount[compOfGroup[g]]++;
        }
        for (int c = 0; c < comps; c++) {
            compGroups[c] = new int[groupCount[c]];
            groupCount[c] = 0;
        }
        for (int g = 0; g < numGroups; g++) {
            int c = compOfGroup[g];
            compGroups[c][groupCount[c]++] = g;
        }
        int[] compOfModel = new int[numModels];
        Arrays.fill(compOfModel, -1);
        int[][] compModels = new int[comps][];
        Key[] keys = new Key[comps];
        Part[] parts = new Part[comps];
        boolean anyMissing = false;
        int[] scratch = new int[numModels];
        for (int c = 0; c < comps; c++) {
            int len = 0;
            int codeLen = 0;
            for (int g : compGroups[c]) {
                codeLen += 2 + p.modelsOf(g).length;
            }
            int[] code = new int[codeLen];
            int k = 0;
            for (int g : compGroups[c]) {
                code[k++] = configCode(p.config(g));
                int[] ms = p.modelsOf(g);
                code[k++] = ms.length;
                for (int m : ms) {
                    code[k++] = m;
                    if (compOfModel[m] < 0) {
                        compOfModel[m] = c;
                        scratch[len++] = m;
                    }
                }
            }
            compModels[c] = Arrays.copyOf(scratch, len);
            keys[c] = new Key(code);
            parts[c] = memoized ? memo.get(keys[c]) : null;
            anyMissing |= parts[c] == null;
        }
        if (anyMissing) {
            replay(p, comps, parts, compOfModel, compModels, compGroups, memoized ? keys : null);
        }
        int[] modelGood = new int[numModels];
        int[] groupRequests = new int[numGroups];
        double latencySum = 0;
        int good = 0;
        for (int c = 0; c < comps; c++) {
            Part part = parts[c];
            for (int i = 0; i < compModels[c].length; i++) {
                modelGood[compModels[c][i]] = part.good()[i];
                good += part.good()[i];
            }
            for (int i = 0; i < compGroups[c].length; i++) {
                groupRequests[compGroups[c][i]] = part.groupRequests()[i];
            }
            latencySum += part.latencySum();
        }
        int n = arrivals.length;
        return new Score(n == 0 ? 0 : (double) good / n, n == 0 ? 0 : latencySum / n, p.replicas(),
                modelRequests.clone(), modelGood, groupRequests);
    }

    /** Replays the requests of the components without a part (one pass, the others skipped); memoizes them when given keys. */
    private void replay(Placement p, int comps, Part[] parts, int[] compOfModel, int[][] compModels, int[][] compGroups,
            Key[] keys) {
        boolean[] missing = new boolean[comps];
        for (int c = 0; c < comps; c++) {
            missing[c] = parts[c] == null;
        }
        // Components share no group and no model: counts by global group and model index, split after.
        int[] groupReq = new int[p.numGroups()];
        int[] good = new int[compOfModel.length];
        double[] latency = new double[comps];
        StageClockAdmission a = new StageClockAdmission(p, table);
        for (int i = 0; i < arrivals.length; i++) {
            final int m = modelIds[i];
            final int c = compOfModel[m];
            if (c < 0 || !missing[c]) {
                continue;
            }
            final int g = a.choose(m);
            groupReq[g]++;
            if (a.admit(g, m, arrivals[i], slos[i])) {
                good[m]++;
                latency[c] += a.finish() - arrivals[i];
            }
        }
        if (keys != null && memoInts.get() > MAX_INTS) {
            memo.clear(); // racing threads may count a few entries twice: the bound stays approximate
            memoInts.set(0);
        }
        for (int c = 0; c < comps; c++) {
            if (missing[c]) {
                int[] cg = new int[compModels[c].length];
                for (int k = 0; k < cg.length; k++) {
                    cg[k] = good[compModels[c][k]];
                }
                int[] cr = new int[compGroups[c].length];
                for (int k = 0; k < cr.length; k++) {
                    cr[k] = groupReq[compGroups[c][k]];
                }
                parts[c] = new Part(cg, cr, latency[c]);
                if (keys != null && memo.put(keys[c], parts[c]) == null) {
                    memoInts.addAndGet(keys[c].code().length + cg.length + cr.length);
                }
            }
        }
    }

    private static int configCode(ParallelConfig c) {
        return (c.dp() << 20) | (c.op() << 10) | c.pp();
    }

    private static int find(int[] parent, int g) {
        while (parent[g] != g) {
            parent[g] = parent[parent[g]];
            g = parent[g];
        }
        return g;
    }
}
