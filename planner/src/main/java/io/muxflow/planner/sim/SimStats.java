package io.muxflow.planner.sim;

import io.muxflow.planner.workload.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns per-request outcomes into reported statistics. As AlpaServe reports, {@code int(warmup / span
 * x N)} requests are dropped by count from each end before counting (AlpaServe would drop everything
 * when that trims the whole run; here nothing is trimmed then). Percentiles take the element at index
 * {@code int(q x n)} of the sorted latencies, as AlpaServe does.
 */
public final class SimStats {
    private SimStats() {
    }

    public static int trimCount(Workload w, double warmupS) {
        int n = w.size();
        double span = w.span();
        if (n < 2 || !(span > 0) || warmupS <= 0) {
            return 0;
        }
        int skip = (int) (warmupS / span * n);
        return 2 * skip >= n ? 0 : skip;
    }

    public static SimResult summarize(Workload w, Outcomes o, double warmupS) {
        int n = w.size();
        int skip = trimCount(w, warmupS);
        int from = skip;
        int to = n - skip;
        int numModels = w.models().size();
        int[] req = new int[numModels];
        List<List<Double>> lat = new ArrayList<>();
        for (int m = 0; m < numModels; m++) {
            lat.add(new ArrayList<>());
        }
        int served = 0;
        int untrimmedGood = 0;
        for (int i = 0; i < n; i++) {
            if (o.good()[i]) {
                untrimmedGood++;
            }
        }
        double[] all = new double[Math.max(0, to - from)];
        int a = 0;
        for (int i = from; i < to; i++) {
            int m = w.modelId(i);
            req[m]++;
            if (o.good()[i]) {
                double l = o.finish()[i] - w.arrival(i);
                lat.get(m).add(l);
                all[a++] = l;
                served++;
            }
        }
        double[] served1 = Arrays.copyOf(all, a);
        Arrays.sort(served1);
        List<SimResult.ModelStats> per = new ArrayList<>();
        for (int m = 0; m < numModels; m++) {
            double[] l = lat.get(m).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            per.add(new SimResult.ModelStats(w.models().get(m), req[m], l.length,
                    req[m] == 0 ? 0 : (double) l.length / req[m], mean(l), pct(l, 0.50), pct(l, 0.99)));
        }
        int total = to - from;
        double span = w.span();
        double[] util = new double[o.groupBusyS().length];
        for (int g = 0; g < util.length; g++) {
            util[g] = span > 0 ? o.groupBusyS()[g] / (o.groupStages()[g] * span) : 0;
        }
        return new SimResult(total, served, total == 0 ? 0 : (double) served / total,
                n == 0 ? 0 : (double) untrimmedGood / n, mean(served1), pct(served1, 0.50), pct(served1, 0.99), per,
                util, o.groupRequests().clone(), span);
    }

    static double mean(double[] sorted) {
        if (sorted.length == 0) {
            return 0;
        }
        double s = 0;
        for (double v : sorted) {
            s += v;
        }
        return s / sorted.length;
    }

    static double pct(double[] sorted, double q) {
        return sorted.length == 0 ? 0 : io.muxflow.planner.stats.Percentiles.nearestRank(sorted, q);
    }
}
