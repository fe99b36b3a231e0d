package io.muxflow.planner.workload;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A request sequence sorted by arrival: for each request its arrival time (s), its model and its SLO
 * (s; NaN where none is given). Requests with equal arrival times keep their given order, which the
 * simulators replay as is (AlpaServe replays in file order). Immutable.
 */
public final class Workload {
    private final List<String> models;
    private final double[] arrivals;
    private final int[] modelIds;
    private final double[] slos;

    public Workload(List<String> models, double[] arrivals, int[] modelIds, double[] slos) {
        if (arrivals.length != modelIds.length || arrivals.length != slos.length) {
            throw new IllegalArgumentException("arrivals, model ids and SLOs differ in length");
        }
        for (int i = 0; i < arrivals.length; i++) {
            if (!Double.isFinite(arrivals[i])) {
                throw new IllegalArgumentException("request " + i + ": arrival " + arrivals[i] + " is not finite");
            }
            if (i > 0 && arrivals[i] < arrivals[i - 1]) {
                throw new IllegalArgumentException("request " + i + ": arrivals are not sorted ("
                        + arrivals[i] + " after " + arrivals[i - 1] + ")");
            }
            if (modelIds[i] < 0 || modelIds[i] >= models.size()) {
                throw new IllegalArgumentException("request " + i + ": model id " + modelIds[i] + " out of range");
            }
        }
        this.models = List.copyOf(models);
        this.arrivals = arrivals.clone();
        this.modelIds = modelIds.clone();
        this.slos = slos.clone();
    }

    public static Workload empty(List<String> models) {
        return new Workload(models, new double[0], new int[0], new double[0]);
    }

    /** One model's arrivals, all with the same SLO. */
    public static Workload ofModel(List<String> models, int modelId, double[] arrivals, double slo) {
        int[] ids = new int[arrivals.length];
        Arrays.fill(ids, modelId);
        double[] s = new double[arrivals.length];
        Arrays.fill(s, slo);
        return new Workload(models, arrivals, ids, s);
    }

    /** Merges workloads over the same model list; a stable sort, so ties keep part order. */
    public static Workload merge(List<String> models, List<Workload> parts) {
        int n = 0;
        for (Workload w : parts) {
            if (!w.models.equals(models)) {
                throw new IllegalArgumentException("cannot merge workloads over different model lists");
            }
            n += w.size();
        }
        double[] a = new double[n];
        int[] m = new int[n];
        double[] s = new double[n];
        Integer[] order = new Integer[n];
        int p = 0;
        for (Workload w : parts) {
            System.arraycopy(w.arrivals, 0, a, p, w.size());
            System.arraycopy(w.modelIds, 0, m, p, w.size());
            System.arraycopy(w.slos, 0, s, p, w.size());
            p += w.size();
        }
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(a[x], a[y]));
        double[] a2 = new double[n];
        int[] m2 = new int[n];
        double[] s2 = new double[n];
        for (int i = 0; i < n; i++) {
            a2[i] = a[order[i]];
            m2[i] = m[order[i]];
            s2[i] = s[order[i]];
        }
        return new Workload(models, a2, m2, s2);
    }

    public int size() {
        return arrivals.length;
    }

    public boolean isEmpty() {
        return arrivals.length == 0;
    }

    public List<String> models() {
        return models;
    }

    public int modelIndex(String name) {
        return models.indexOf(name);
    }

    public double arrival(int i) {
        return arrivals[i];
    }

    public int modelId(int i) {
        return modelIds[i];
    }

    public String model(int i) {
        return models.get(modelIds[i]);
    }

    public double slo(int i) {
        return slos[i];
    }

    public double[] arrivals() {
        return arrivals.clone();
    }

    public int[] modelIds() {
        return modelIds.clone();
    }

    public double[] slos() {
        return slos.clone();
    }

    /** Time from the first to the last arrival (0 for fewer than two requests). */
    public double span() {
        return arrivals.length < 2 ? 0 : arrivals[arrivals.length - 1] - arrivals[0];
    }

    public int[] countsPerModel() {
        int[] c = new int[models.size()];
        for (int id : modelIds) {
            c[id]++;
        }
        return c;
    }

    /** A copy where every request without an SLO gets its model's entry of {@code sloByModel} (NaN keeps none). */
    public Workload withDefaultSlos(double[] sloByModel) {
        double[] s = slos.clone();
        for (int i = 0; i < s.length; i++) {
            if (Double.isNaN(s[i])) {
                s[i] = sloByModel[modelIds[i]];
            }
        }
        return new Workload(models, arrivals, modelIds, s);
    }

    /** A copy with every SLO replaced by its model's entry of {@code sloByModel}. */
    public Workload withSlos(double[] sloByModel) {
        double[] s = new double[slos.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = sloByModel[modelIds[i]];
        }
        return new Workload(models, arrivals, modelIds, s);
    }

    /** Requests with {@code from < arrival <= to} (a segment applies to arrivals after its start). */
    public Workload window(double fromExclusive, double toInclusive) {
        int lo = 0;
        while (lo < arrivals.length && arrivals[lo] <= fromExclusive) {
            lo++;
        }
        int hi = lo;
        while (hi < arrivals.length && arrivals[hi] <= toInclusive) {
            hi++;
        }
        return slice(lo, hi);
    }

    public Workload slice(int from, int to) {
        return new Workload(models, Arrays.copyOfRange(arrivals, from, to), Arrays.copyOfRange(modelIds, from, to),
                Arrays.copyOfRange(slos, from, to));
    }

    /** Re-indexes the requests onto another model list (by name); names must all be present. */
    public Workload remap(List<String> newModels) {
        Map<String, Integer> idx = new HashMap<>();
        for (int i = 0; i < newModels.size(); i++) {
            idx.put(newModels.get(i), i);
        }
        int[] ids = new int[modelIds.length];
        for (int i = 0; i < ids.length; i++) {
            Integer j = idx.get(models.get(modelIds[i]));
            if (j == null) {
                throw new IllegalArgumentException("model '" + models.get(modelIds[i]) + "' not in " + newModels);
            }
            ids[i] = j;
        }
        return new Workload(newModels, arrivals, ids, slos);
    }

    /** Shifts every arrival by {@code dt} seconds. */
    public Workload shifted(double dt) {
        double[] a = arrivals.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] += dt;
        }
        return new Workload(models, a, modelIds, slos);
    }

    /** Arrival times of one model. */
    public double[] arrivalsOf(int modelId) {
        List<Double> l = new ArrayList<>();
        for (int i = 0; i < arrivals.length; i++) {
            if (modelIds[i] == modelId) {
                l.add(arrivals[i]);
            }
        }
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public String toString() {
        return "Workload(" + size() + " requests, " + models.size() + " models, span " + String.format("%.1f", span())
                + " s)";
    }
}
