package io.muxflow.planner.profile;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Measurements of one model under one parallel configuration: per batch size, the latency of each
 * pipeline stage in seconds; per stage, the weight bytes one device of that stage holds; per batch
 * size, the activation bytes each stage sends on.
 *
 * <p>Arrays are copied in and out; the instance is immutable.
 */
public final class ConfigProfile {
    private final ParallelConfig config;
    private final SortedMap<Integer, double[]> latencyS;
    private final long[] weightBytes;
    private final SortedMap<Integer, long[]> actBytes;

    public ConfigProfile(ParallelConfig config, Map<Integer, double[]> latencyS, long[] weightBytes,
            Map<Integer, long[]> actBytes) {
        if (config == null) {
            throw new IllegalArgumentException("config is required");
        }
        int pp = config.pp();
        if (latencyS == null || latencyS.isEmpty()) {
            throw new IllegalArgumentException(config + ": latency_s has no batch size");
        }
        TreeMap<Integer, double[]> lat = new TreeMap<>();
        for (Map.Entry<Integer, double[]> e : latencyS.entrySet()) {
            int batch = e.getKey();
            double[] l = e.getValue();
            if (batch < 1) {
                throw new IllegalArgumentException(config + ": batch size " + batch + " must be >= 1");
            }
            if (l == null || l.length != pp) {
                throw new IllegalArgumentException(config + ": latency_s[" + batch + "] has "
                        + (l == null ? 0 : l.length) + " stages, expected pp=" + pp);
            }
            for (int k = 0; k < l.length; k++) {
                if (!(l[k] > 0) || Double.isInfinite(l[k])) {
                    throw new IllegalArgumentException(config + ": latency_s[" + batch + "][" + k
                            + "] = " + l[k] + " must be a positive finite number of seconds");
                }
            }
            lat.put(batch, l.clone());
        }
        if (weightBytes == null || weightBytes.length != pp) {
            throw new IllegalArgumentException(config + ": weight_bytes has "
                    + (weightBytes == null ? 0 : weightBytes.length) + " stages, expected pp=" + pp);
        }
        for (long w : weightBytes) {
            if (w < 0) {
                throw new IllegalArgumentException(config + ": weight_bytes must be >= 0, got " + w);
            }
        }
        TreeMap<Integer, long[]> act = new TreeMap<>();
        if (actBytes != null) {
            for (Map.Entry<Integer, long[]> e : actBytes.entrySet()) {
                long[] a = e.getValue();
                if (a == null || a.length != pp) {
                    throw new IllegalArgumentException(config + ": act_bytes[" + e.getKey() + "] has "
                            + (a == null ? 0 : a.length) + " stages, expected pp=" + pp);
                }
                act.put(e.getKey(), a.clone());
            }
        }
        this.config = config;
        this.latencyS = Collections.unmodifiableSortedMap(lat);
        this.weightBytes = weightBytes.clone();
        this.actBytes = Collections.unmodifiableSortedMap(act);
    }

    public ParallelConfig config() {
        return config;
    }

    public int stages() {
        return config.pp();
    }

    /** Batch sizes with measured latencies, ascending. */
    public java.util.Set<Integer> batchSizes() {
        return latencyS.keySet();
    }

    public boolean hasBatch(int batch) {
        return latencyS.containsKey(batch);
    }

    /** Per-stage latency in seconds for {@code batch}; throws if the batch size was not profiled. */
    public double[] latency(int batch) {
        double[] l = latencyS.get(batch);
        if (l == null) {
            throw new IllegalArgumentException(config + ": no latency for batch size " + batch);
        }
        return l.clone();
    }

    /** Sum of the stage latencies at {@code batch}: the latency of one request through an idle pipeline. */
    public double totalLatency(int batch) {
        double s = 0;
        for (double v : latencyS.get(batch)) {
            s += v;
        }
        return s;
    }

    public long[] weightBytes() {
        return weightBytes.clone();
    }

    /** The memory a replica of this model costs each device of the group: its largest stage. */
    public long maxStageWeightBytes() {
        long m = 0;
        for (long w : weightBytes) {
            m = Math.max(m, w);
        }
        return m;
    }

    public SortedMap<Integer, long[]> actBytes() {
        TreeMap<Integer, long[]> copy = new TreeMap<>();
        actBytes.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    public SortedMap<Integer, double[]> latencies() {
        TreeMap<Integer, double[]> copy = new TreeMap<>();
        latencyS.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConfigProfile c)) {
            return false;
        }
        if (!config.equals(c.config) || !Arrays.equals(weightBytes, c.weightBytes)
                || !latencyS.keySet().equals(c.latencyS.keySet())
                || !actBytes.keySet().equals(c.actBytes.keySet())) {
            return false;
        }
        for (Integer b : latencyS.keySet()) {
            if (!Arrays.equals(latencyS.get(b), c.latencyS.get(b))) {
                return false;
            }
        }
        for (Integer b : actBytes.keySet()) {
            if (!Arrays.equals(actBytes.get(b), c.actBytes.get(b))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return config.hashCode() * 31 + Arrays.hashCode(weightBytes);
    }

    @Override
    public String toString() {
        return "ConfigProfile" + config + " latency_s[1]=" + Arrays.toString(latencyS.get(latencyS.firstKey()));
    }
}
