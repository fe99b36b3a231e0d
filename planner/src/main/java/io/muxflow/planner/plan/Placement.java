package io.muxflow.planner.plan;

import io.muxflow.planner.profile.ParallelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A placement in index form, as the search and the simulators use it: the cluster is cut into groups,
 * group g runs parallel configuration {@code configs[g]} on {@code configs[g].devices()} devices and
 * hosts the models (indices into the workload's model list) {@code models[g]}, ascending. Immutable;
 * {@link #addModel} returns a copy.
 */
public final class Placement {
    private final ParallelConfig[] configs;
    private final int[][] models;

    public Placement(List<ParallelConfig> configs, List<int[]> models) {
        if (configs.size() != models.size()) {
            throw new IllegalArgumentException("one model list per group is required");
        }
        this.configs = configs.toArray(new ParallelConfig[0]);
        this.models = new int[models.size()][];
        for (int g = 0; g < this.models.length; g++) {
            int[] m = models.get(g).clone();
            Arrays.sort(m);
            for (int i = 1; i < m.length; i++) {
                if (m[i] == m[i - 1]) {
                    throw new IllegalArgumentException("group " + g + " lists model " + m[i] + " twice");
                }
            }
            this.models[g] = m;
        }
    }

    private Placement(ParallelConfig[] configs, int[][] models) {
        this.configs = configs;
        this.models = models;
    }

    public static Placement empty(List<ParallelConfig> configs) {
        List<int[]> m = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            m.add(new int[0]);
        }
        return new Placement(configs, m);
    }

    public int numGroups() {
        return configs.length;
    }

    public ParallelConfig config(int g) {
        return configs[g];
    }

    public List<ParallelConfig> configs() {
        return List.of(configs);
    }

    /** The models of group g, ascending. The array is shared: do not modify it. */
    public int[] modelsOf(int g) {
        return models[g];
    }

    public boolean hosts(int g, int model) {
        return Arrays.binarySearch(models[g], model) >= 0;
    }

    public int devices() {
        int d = 0;
        for (ParallelConfig c : configs) {
            d += c.devices();
        }
        return d;
    }

    public int replicas() {
        int r = 0;
        for (int[] m : models) {
            r += m.length;
        }
        return r;
    }

    public int maxStages() {
        int s = 1;
        for (ParallelConfig c : configs) {
            s = Math.max(s, c.pp());
        }
        return s;
    }

    public Placement addModel(int g, int model) {
        if (hosts(g, model)) {
            throw new IllegalArgumentException("group " + g + " already hosts model " + model);
        }
        int[][] m = models.clone();
        int[] old = models[g];
        int[] n = Arrays.copyOf(old, old.length + 1);
        n[old.length] = model;
        Arrays.sort(n);
        m[g] = n;
        return new Placement(configs, m);
    }

    /** Groups of this placement followed by the other's. */
    public Placement concat(Placement other) {
        ParallelConfig[] c = Arrays.copyOf(configs, configs.length + other.configs.length);
        System.arraycopy(other.configs, 0, c, configs.length, other.configs.length);
        int[][] m = Arrays.copyOf(models, models.length + other.models.length);
        System.arraycopy(other.models, 0, m, models.length, other.models.length);
        return new Placement(c, m);
    }

    /** Maps each model index through {@code map} (e.g. from a bucket's indices to the whole list). */
    public Placement remapModels(int[] map) {
        int[][] m = new int[models.length][];
        for (int g = 0; g < models.length; g++) {
            m[g] = new int[models[g].length];
            for (int i = 0; i < m[g].length; i++) {
                m[g][i] = map[models[g][i]];
            }
            Arrays.sort(m[g]);
        }
        return new Placement(configs.clone(), m);
    }

    /**
     * AlpaServe's {@code ModelPlacement.normalize()}, which its fast greedy applies after every added
     * replica: the groups' model lists sorted lexicographically (as Python orders tuples: a prefix
     * first) while each position keeps its configuration. AlpaServe's partitions give every group the
     * same configuration, where this is exactly its reordering; with unequal configurations the lists
     * are sorted among the positions of each configuration only, so no model set moves to a
     * configuration it may not fit.
     */
    public Placement alpaServeNormalized() {
        int[][] m = models.clone();
        boolean[] done = new boolean[configs.length];
        for (int g = 0; g < configs.length; g++) {
            if (done[g]) {
                continue;
            }
            List<Integer> positions = new ArrayList<>();
            for (int h = g; h < configs.length; h++) {
                if (configs[h].equals(configs[g])) {
                    positions.add(h);
                    done[h] = true;
                }
            }
            int[][] lists = new int[positions.size()][];
            for (int i = 0; i < lists.length; i++) {
                lists[i] = models[positions.get(i)];
            }
            Arrays.sort(lists, Arrays::compare);
            for (int i = 0; i < lists.length; i++) {
                m[positions.get(i)] = lists[i];
            }
        }
        return new Placement(configs, m);
    }

    /** Groups sorted by (config, models): equal placements compare equal after normalizing. */
    public Placement normalized() {
        Integer[] idx = new Integer[configs.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.<Integer, ParallelConfig>comparing(i -> configs[i])
                .thenComparing((a, b) -> Arrays.compare(models[a], models[b])));
        ParallelConfig[] c = new ParallelConfig[idx.length];
        int[][] m = new int[idx.length][];
        for (int i = 0; i < idx.length; i++) {
            c[i] = configs[idx[i]];
            m[i] = models[idx[i]];
        }
        return new Placement(c, m);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Placement p)) {
            return false;
        }
        return Arrays.equals(configs, p.configs) && Arrays.deepEquals(models, p.models);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(configs) * 31 + Arrays.deepHashCode(models);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Placement[");
        for (int g = 0; g < configs.length; g++) {
            if (g > 0) {
                sb.append(", ");
            }
            sb.append(configs[g]).append(Arrays.toString(models[g]));
        }
        return sb.append(']').toString();
    }
}
