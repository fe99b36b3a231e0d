package io.muxflow.planner.placement;

import io.muxflow.planner.profile.ModelProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * AlpaServe's model buckets and device split (Algorithm 2's inner loop, {@code
 * enumerate_separations}): models whose single-device latencies are within 38% of a bucket's first
 * model share the bucket, so that a fast model never queues behind a slow one in the same pipeline.
 * The devices are then split over the buckets; a split is kept when the share of throughput it gives
 * each bucket (devices / latency, normalized) is near the bucket's share of the request rate. The
 * threshold tightens (1.0, 0.5, 0.3, 0.2, 0.1) until fewer than 100 splits remain; at the tightest
 * threshold every split within it is kept, however many, as AlpaServe does (its sub-solutions per
 * (bucket, devices) are shared, so more splits cost only their scoring).
 */
public final class ModelBuckets {
    static final double SAME_BUCKET = 0.38;
    static final double[] THRESHOLDS = {1.0, 0.5, 0.3, 0.2, 0.1};
    /** A threshold is tightened while at least this many splits pass it. */
    static final int FEW_SPLITS = 100;
    /** Above this many compositions the split is not enumerated (the mixed solution still counts). */
    static final long MAX_COMPOSITIONS = 20_000_000L;

    private ModelBuckets() {
    }

    /** Reference latency of a model: the largest stage of its smallest configuration at batch 1. */
    static double latency(ModelProfile p) {
        return p.configs().stream().filter(c -> c.hasBatch(1))
                .min(Comparator.comparingInt(c -> c.config().devices()))
                .map(c -> Arrays.stream(c.latency(1)).max().orElse(0)).orElse(0.0);
    }

    /** Buckets of model indices, in order of each bucket's first model. */
    public static List<int[]> buckets(List<ModelProfile> profiles) {
        List<List<Integer>> out = new ArrayList<>();
        List<Double> lat = new ArrayList<>();
        for (int m = 0; m < profiles.size(); m++) {
            double l = latency(profiles.get(m));
            boolean placed = false;
            for (int b = 0; b < out.size(); b++) {
                if (Math.abs(l - lat.get(b)) / lat.get(b) < SAME_BUCKET) {
                    out.get(b).add(m);
                    placed = true;
                    break;
                }
            }
            if (!placed) {
                List<Integer> nb = new ArrayList<>();
                nb.add(m);
                out.add(nb);
                lat.add(l);
            }
        }
        return out.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    /** AlpaServe's {@code is_valid_size}: keep node boundaries where the device count allows it. */
    static boolean validSize(int n, int i) {
        return i <= n % 8 || (n - i) % 8 == 0 || n % 8 == 0;
    }

    static long compositions(int n, int k) {
        // C(n-1, k-1), saturating
        long r = 1;
        for (int i = 1; i <= k - 1; i++) {
            r = r * (n - 1 - (k - 1) + i) / i;
            if (r > MAX_COMPOSITIONS * 10) {
                return Long.MAX_VALUE;
            }
        }
        return r;
    }

    /**
     * Device splits over buckets: {@code splits.get(s)[b]} devices for bucket b. Empty when the
     * split cannot be enumerated within bounds (or there are more buckets than devices).
     */
    public static List<int[]> splits(int devices, double[] bucketRates, double[] bucketLatencies) {
        int k = bucketRates.length;
        if (k > devices || compositions(devices, k) > MAX_COMPOSITIONS) {
            return List.of();
        }
        double totalRate = Arrays.stream(bucketRates).sum();
        double[] share = new double[k];
        for (int b = 0; b < k; b++) {
            share[b] = totalRate > 0 ? bucketRates[b] / totalRate : 1.0 / k;
        }
        List<int[]> all = new ArrayList<>();
        List<Double> dist = new ArrayList<>();
        int[] cur = new int[k];
        enumerate(devices, k, 0, cur, all, dist, share, bucketLatencies);
        List<int[]> kept = new ArrayList<>();
        for (double t : THRESHOLDS) {
            kept = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                if (dist.get(i) < t) {
                    kept.add(all.get(i));
                }
            }
            if (kept.size() < FEW_SPLITS) {
                break;
            }
        }
        return kept; // past the tightest threshold, every split within it, however many (as AlpaServe)
    }

    // Mirrors get_partitions: the last bucket's part is chosen first, under is_valid_size of the remainder.
    private static void enumerate(int n, int k, int depth, int[] cur, List<int[]> out, List<Double> dist,
            double[] share, double[] lat) {
        int slot = cur.length - 1 - depth;
        if (k == 1) {
            cur[slot] = n;
            double sum = 0;
            for (int b = 0; b < cur.length; b++) {
                sum += cur[b] / lat[b];
            }
            double d = 0;
            for (int b = 0; b < cur.length; b++) {
                d = Math.max(d, Math.abs(share[b] - cur[b] / lat[b] / sum));
            }
            out.add(cur.clone());
            dist.add(d);
            return;
        }
        for (int i = 1; i < n; i++) {
            if (!validSize(n, i)) {
                continue;
            }
            if (n - i < k - 1) {
                break;
            }
            cur[slot] = i;
            enumerate(n - i, k - 1, depth + 1, cur, out, dist, share, lat);
        }
    }
}
