package io.muxflow.planner.workload;

import io.muxflow.planner.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a slice of an Azure Functions trace as a model workload, the way AlpaServe does
 * ({@code alpa_serve/trace/trace.py}): slice a time window, drop functions with no invocation in
 * it, map the remaining functions to models round-robin (function i serves model i mod n), cut the
 * slice into windows of {@code intervalS}, and turn each window of a model into a Gamma process:
 *
 * <ul>
 *   <li>2019 counts: rate = count / interval x rateScale, cv = cvScale;</li>
 *   <li>2021 records: a maximum-likelihood Gamma fit of the window's gaps (plus 1e-6 s, as
 *       AlpaServe does, so equal timestamps stay fittable); the fitted rate is capped at 5x the
 *       window's empirical rate (AlpaServe resets it to the empirical rate instead; the cap keeps the
 *       fit's shape of the burst), then rate x rateScale and cv x cvScale. A window with fewer than
 *       three arrivals generates nothing.</li>
 * </ul>
 *
 * Arrivals are returned relative to the slice start. Each window draws from its own seed (the
 * spec's seed plus a running window count), so a replay is reproducible.
 */
public final class TraceReplay {

    /**
     * @param startS     slice start, seconds since the trace start
     * @param endS       slice end (exclusive)
     * @param intervalS  window length for the per-window Gamma processes
     * @param rateScale  multiplies every window's rate
     * @param cvScale    2019: the cv of every window; 2021: multiplies the fitted cv
     * @param seed       first seed
     */
    public record Spec(double startS, double endS, double intervalS, double rateScale, double cvScale, long seed) {
        public Spec {
            if (!(endS > startS)) {
                throw new InvalidInputException("trace replay: end (" + endS + " s) must be after start (" + startS + " s)");
            }
            if (!(intervalS > 0)) {
                throw new InvalidInputException("trace replay: interval_s must be > 0");
            }
            if (!(rateScale > 0) || !(cvScale >= 0)) {
                throw new InvalidInputException("trace replay: rate_scale must be > 0 and cv_scale >= 0");
            }
        }
    }

    private TraceReplay() {
    }

    /** Parses AlpaServe's "day.hour.minute" time strings, or plain seconds. */
    public static double parseTime(String s) {
        String[] p = s.trim().split("\\.");
        try {
            if (p.length == 3) {
                return Integer.parseInt(p[0]) * 86400.0 + Integer.parseInt(p[1]) * 3600.0 + Integer.parseInt(p[2]) * 60.0;
            }
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("time '" + s + "' is neither day.hour.minute nor seconds");
        }
    }

    public static Workload replay(AzureFunctionsTrace trace, List<String> models, Spec spec) {
        if (models.isEmpty()) {
            throw new InvalidInputException("trace replay: no models to map functions to");
        }
        return trace.isPerMinute() ? replayCounts(trace.perMinuteCounts(), models, spec)
                : replayRecords(trace.arrivals(), models, spec);
    }

    private static <T> Map<String, Integer> mapFunctions(List<String> functions, List<String> models) {
        if (functions.size() < models.size()) {
            throw new InvalidInputException("trace replay: the slice has " + functions.size()
                    + " functions with invocations, fewer than the " + models.size() + " models to map them to");
        }
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < functions.size(); i++) {
            m.put(functions.get(i), i % models.size());
        }
        return m;
    }

    static Workload replayCounts(Map<String, int[]> counts, List<String> models, Spec spec) {
        if (spec.startS() % 60 != 0 || spec.endS() % 60 != 0 || spec.intervalS() % 60 != 0) {
            throw new InvalidInputException("trace replay (2019 per-minute counts): start, end and interval_s must be whole minutes");
        }
        int from = (int) (spec.startS() / 60);
        int to = (int) (spec.endS() / 60);
        List<String> functions = new ArrayList<>();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            int[] c = e.getValue();
            if (to > c.length) {
                throw new InvalidInputException("trace replay: end " + spec.endS() + " s is past the trace's "
                        + c.length + " minutes");
            }
            long sum = 0;
            for (int i = from; i < to; i++) {
                sum += c[i];
            }
            if (sum > 0) {
                functions.add(e.getKey());
            }
        }
        Map<String, Integer> mapping = mapFunctions(functions, models);
        long[][] perModel = new long[models.size()][to - from];
        mapping.forEach((f, m) -> {
            int[] c = counts.get(f);
            for (int i = from; i < to; i++) {
                perModel[m][i - from] += c[i];
            }
        });
        int minutesPerWindow = (int) (spec.intervalS() / 60);
        List<Workload> parts = new ArrayList<>();
        long seed = spec.seed();
        for (int m = 0; m < models.size(); m++) {
            List<double[]> chunks = new ArrayList<>();
            for (int w = 0; w * minutesPerWindow < to - from; w++) {
                long h = 0;
                int wEnd = Math.min((w + 1) * minutesPerWindow, to - from);
                for (int i = w * minutesPerWindow; i < wEnd; i++) {
                    h += perModel[m][i];
                }
                if (h == 0) {
                    continue;
                }
                double windowS = (wEnd - w * minutesPerWindow) * 60.0;
                double rate = h / windowS * spec.rateScale();
                chunks.add(new GammaProcess(rate, spec.cvScale()).generate(w * spec.intervalS(), windowS, seed++));
            }
            parts.add(Workload.ofModel(models, m, concat(chunks), Double.NaN));
        }
        return Workload.merge(models, parts);
    }

    static Workload replayRecords(Map<String, double[]> arrivals, List<String> models, Spec spec) {
        Map<String, double[]> sliced = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : arrivals.entrySet()) {
            double[] a = e.getValue();
            int lo = lowerBound(a, spec.startS());
            int hi = lowerBound(a, spec.endS());
            if (hi > lo) {
                sliced.put(e.getKey(), Arrays.copyOfRange(a, lo, hi));
            }
        }
        Map<String, Integer> mapping = mapFunctions(new ArrayList<>(sliced.keySet()), models);
        List<List<double[]>> perModel = new ArrayList<>();
        for (int m = 0; m < models.size(); m++) {
            perModel.add(new ArrayList<>());
        }
        mapping.forEach((f, m) -> perModel.get(m).add(sliced.get(f)));
        List<Workload> parts = new ArrayList<>();
        long seed = spec.seed();
        double span = spec.endS() - spec.startS();
        for (int m = 0; m < models.size(); m++) {
            double[] all = concat(perModel.get(m));
            Arrays.sort(all);
            List<double[]> chunks = new ArrayList<>();
            for (double ws = 0; ws < span; ws += spec.intervalS()) {
                double we = Math.min(ws + spec.intervalS(), span);
                int lo = lowerBound(all, spec.startS() + ws);
                int hi = lowerBound(all, spec.startS() + we);
                if (hi - lo < 3) {
                    continue;
                }
                double[] gaps = new double[hi - lo - 1];
                for (int i = lo + 1; i < hi; i++) {
                    gaps[i - lo - 1] = all[i] - all[i - 1] + 1e-6;
                }
                GammaFit.Result fit = GammaFit.fit(gaps);
                if (!fit.ok()) {
                    continue;
                }
                double empirical = (hi - lo) / spec.intervalS();
                double rate = Math.min(fit.rate(), 5 * empirical) * spec.rateScale();
                double cv = fit.cv() * spec.cvScale();
                chunks.add(new GammaProcess(rate, cv).generate(ws, we - ws, seed++));
            }
            parts.add(Workload.ofModel(models, m, concat(chunks), Double.NaN));
        }
        return Workload.merge(models, parts);
    }

    private static int lowerBound(double[] a, double x) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static double[] concat(List<double[]> chunks) {
        int n = 0;
        for (double[] c : chunks) {
            n += c.length;
        }
        double[] out = new double[n];
        int p = 0;
        for (double[] c : chunks) {
            System.arraycopy(c, 0, out, p, c.length);
            p += c.length;
        }
        return out;
    }
}
