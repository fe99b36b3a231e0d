package io.muxflow.planner.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.placement.AlpaServeSearch;
import io.muxflow.planner.placement.Cluster;
import io.muxflow.planner.placement.PlacementProblem;
import io.muxflow.planner.placement.Policies;
import io.muxflow.planner.placement.SearchOptions;
import io.muxflow.planner.placement.SearchProgress;
import io.muxflow.planner.placement.SelectiveReplication;
import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.plan.Plan;
import io.muxflow.planner.profile.CostModel;
import io.muxflow.planner.profile.DeviceSpec;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import io.muxflow.planner.profile.TransformerShape;
import io.muxflow.planner.sim.SimOptions;
import io.muxflow.planner.sim.Simulation;
import io.muxflow.planner.workload.ModelSpec;
import io.muxflow.planner.workload.PowerLaw;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code muxflow bench planner}: simulator throughput, search time and attainment of the three
 * policies on three cluster sizes, and the AlpaServe paper's four sweeps (rate, CV, SLO scale,
 * devices) as PNG plots.
 */
public final class PlannerBench {
    private static final List<String> POLICIES = Policies.PAPER;
    private final ProfileDatabase published;
    private final ProfileDatabase analytic;
    private final PrintWriter log;

    public PlannerBench(ProfileDatabase published, PrintWriter log) {
        this.published = published;
        CostModel cm = new CostModel(DeviceSpec.v100());
        this.analytic = new ProfileDatabase(TransformerShape.named().values().stream().map(cm::profile).toList());
        this.log = log;
    }

    /** A benchmark case: models (each with its profile), devices, memory, rate, cv, SLO scale. */
    record Case(String name, List<ModelSpec> models, ProfileDatabase db, int devices, double memGb, double duration) {
        List<ModelProfile> profiles() {
            return models.stream().map(m -> db.require(m.profile(), name)).toList();
        }

        Workload workload(long seed) {
            return WorkloadSpec.generated(duration, seed, models).generate();
        }
    }

    static List<ModelSpec> models(List<String> profiles, double totalRate, double cv, double sloScale,
            ProfileDatabase db) {
        double[] rates = PowerLaw.split(totalRate, profiles.size(), PowerLaw.DEFAULT_ALPHA);
        List<ModelSpec> out = new ArrayList<>();
        for (int i = 0; i < profiles.size(); i++) {
            String p = profiles.get(i);
            double slo = sloScale * db.require(p, "bench").singleDeviceLatency();
            out.add(new ModelSpec("m" + i, p, rates[i], cv, slo));
        }
        return out;
    }

    static List<String> repeat(String p, int n) {
        return java.util.Collections.nCopies(n, p);
    }

    Case caseA(double rate, double cv, double sloScale, int devices) {
        return new Case("24 x bert-1.3b", models(repeat("bert-1.3b", 24), rate, cv, sloScale, published), published,
                devices, 13, 200);
    }

    Case caseB() {
        return new Case("48 x bert-6.7b", models(repeat("bert-6.7b", 48), 160, 4, 5, analytic), analytic, 64, 13, 200);
    }

    Case caseC() {
        List<String> ps = new ArrayList<>();
        for (String s : List.of("bert-base", "bert-large", "bert-1.3b", "bert-2.6b", "bert-6.7b", "bert-13b")) {
            ps.addAll(repeat(s, 12));
        }
        return new Case("72 models of six sizes", models(ps, 100, 4, 5, analytic), analytic, 48, 13, 200);
    }

    private PlacementProblem problem(Case c, SearchOptions so) {
        return new PlacementProblem(c.profiles(), c.workload(0), Cluster.of(c.devices(), c.memGb()),
                SimOptions.defaults(), so);
    }

    /** Simulated requests per second of the stage-clock simulator on 24 models and 8 groups. */
    ObjectNode simulatorThroughput() {
        Case c = new Case("24 x bert-1.3b, 2000 s", caseA(40, 4, 5, 8).models(), published, 8, 13, 2000);
        PlacementProblem p = problem(c, SearchOptions.defaults());
        Placement sr = new SelectiveReplication().solve(p);
        int n = p.workload().size();
        for (int i = 0; i < 20; i++) {
            p.simulation().scoreUnmemoized(sr); // warm up the JIT
        }
        long t0 = System.nanoTime();
        int runs = 0;
        while (System.nanoTime() - t0 < 3_000_000_000L) {
            p.simulation().scoreUnmemoized(sr); // every request replayed, as a search's first score of a placement
            runs++;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        ObjectNode o = Json.object();
        o.put("case", "24 models, 8 one-device groups (sr plan), " + n + " requests, " + sr.replicas() + " replicas");
        o.put("simulations", runs);
        o.put("seconds", s);
        o.put("requests_per_second", runs * (double) n / s);
        o.put("simulations_per_second", runs / s);
        log.printf("simulator: %.3g simulated requests/s (%d simulations of %d requests in %.1f s)%n",
                runs * (double) n / s, runs, n, s);
        log.flush();
        return o;
    }

    /** The three search cases by the letter {@link #searchTimeInFreshJvm} passes to a child process. */
    Case caseByLetter(String letter) {
        return switch (letter) {
            case "a" -> caseA(40, 4, 5, 8);
            case "b" -> caseB();
            case "c" -> caseC();
            default -> throw new IllegalArgumentException("unknown case '" + letter + "'");
        };
    }

    /**
     * Search time cold: a new JVM builds the case and runs the alpaserve search once (class loading
     * and JIT compilation included, as {@code muxflow plan} pays them, with the JIT option bin/muxflow
     * gives it); the child prints the seconds.
     * {@code profiles}: the published profiles as a file the child reads.
     */
    double searchTimeInFreshJvm(String letter, Path profiles) {
        try {
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // -XX:TieredStopAtLevel=1: what bin/muxflow gives `plan` (C1 only; see there)
            Process p = new ProcessBuilder(javaBin, "-XX:TieredStopAtLevel=1", "--add-modules=jdk.incubator.vector", "-cp",
                    System.getProperty("java.class.path"), PlannerBench.class.getName(), letter, profiles.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0 || !out.startsWith("seconds=")) {
                throw new IllegalStateException("cold search of case " + letter + " failed: " + out);
            }
            return Double.parseDouble(out.substring("seconds=".length()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Child process of {@link #searchTimeInFreshJvm}: {@code CASE_LETTER PROFILES_JSON}. */
    public static void main(String[] args) {
        PlannerBench b = new PlannerBench(ProfileDatabase.load(Path.of(args[1])), new PrintWriter(System.err));
        PlacementProblem p = b.problem(b.caseByLetter(args[0]), SearchOptions.defaults());
        long t0 = System.nanoTime();
        new AlpaServeSearch().place(p, SearchProgress.NONE);
        System.out.println("seconds=" + (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Search time warm: in this process, after three untimed searches of the same case; the median of
     * five. Each search gets a new problem (built before its timer starts), so the JIT is warm but no
     * memoized score carries over from an earlier search.
     */
    double searchTimeWarm(java.util.function.Supplier<PlacementProblem> problems) {
        for (int i = 0; i < 3; i++) {
            new AlpaServeSearch().solve(problems.get(), SearchProgress.NONE);
        }
        double[] t = new double[5];
        for (int i = 0; i < t.length; i++) {
            PlacementProblem p = problems.get();
            long t0 = System.nanoTime();
            new AlpaServeSearch().solve(p, SearchProgress.NONE);
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        java.util.Arrays.sort(t);
        return io.muxflow.planner.stats.Percentiles.nearestRank(t, 0.5);
    }

    ObjectNode searchCase(Case c, String letter, Path profiles) {
        ObjectNode o = Json.object();
        o.put("case", c.name());
        o.put("devices", c.devices());
        o.put("mem_gb", c.memGb());
        PlacementProblem p = problem(c, SearchOptions.defaults());
        o.put("requests", p.workload().size());
        double prev = -1;
        boolean ordered = true;
        for (String policy : POLICIES) {
            // a new problem per search: its simulator memoizes scores (ComponentScores), which must not carry over
            PlacementProblem pp = problem(c, SearchOptions.defaults());
            long t0 = System.nanoTime();
            Plan plan = Policies.byName(policy).place(pp, SearchProgress.NONE);
            double s = (System.nanoTime() - t0) / 1e9;
            ObjectNode po = o.putObject(policy);
            po.put("attainment", plan.predictedAttainment());
            po.put("search_seconds", s);
            po.put("groups", plan.groups().size());
            log.printf("%-24s %-12s attainment %.4f search %.2f s%n", c.name(), policy, plan.predictedAttainment(), s);
            log.flush();
            ordered &= plan.predictedAttainment() >= prev - 1e-12;
            prev = plan.predictedAttainment();
        }
        // single-threaded search time, to compare with AlpaServe's published single-threaded figures
        PlacementProblem p1 = problem(c, SearchOptions.defaults().withThreads(1));
        long t0 = System.nanoTime();
        new AlpaServeSearch().place(p1, SearchProgress.NONE);
        o.put("alpaserve_search_seconds_1_thread", (System.nanoTime() - t0) / 1e9);
        // AlpaServe's own search restated (fast heuristic only) on the same inputs
        PlacementProblem pRef = problem(c, SearchOptions.defaults().withGuided(false));
        t0 = System.nanoTime();
        Plan ref = new AlpaServeSearch().place(pRef, SearchProgress.NONE);
        ObjectNode ro = o.putObject("alpaserve_published_search");
        ro.put("attainment", ref.predictedAttainment());
        ro.put("search_seconds", (System.nanoTime() - t0) / 1e9);
        ro.put("warm_seconds", searchTimeWarm(() -> problem(c, SearchOptions.defaults().withGuided(false))));
        o.put("alpaserve_ge_clockwork_ge_sr", ordered);
        ObjectNode times = o.putObject("alpaserve_search_seconds");
        times.put("cold", searchTimeInFreshJvm(letter, profiles));
        times.put("warm", searchTimeWarm(() -> problem(c, SearchOptions.defaults())));
        times.put("threads", p.search().threads());
        o.put("alpaserve_ge_published_search", o.get("alpaserve").get("attainment").asDouble()
                >= ref.predictedAttainment() - 1e-12);
        log.printf("%-24s alpaserve search cold (new JVM) %.3f s, warm (median of 5 after 3) %.4f s%n", c.name(),
                times.get("cold").asDouble(), times.get("warm").asDouble());
        log.printf("%-24s alpaserve 1 thread %.2f s; AlpaServe's greedy alone: attainment %.4f, warm %.4f s%n",
                c.name(), o.get("alpaserve_search_seconds_1_thread").asDouble(), ref.predictedAttainment(),
                ro.get("warm_seconds").asDouble());
        log.flush();
        return o;
    }

    ObjectNode sweep(Path outDir, String key, String xLabel, double[] xs, Function<Double, Case> make) {
        ObjectNode o = Json.object();
        ArrayNode rows = o.putArray("points");
        var data = Plots.series();
        double[][] ys = new double[POLICIES.size()][xs.length];
        for (int i = 0; i < xs.length; i++) {
            Case c = make.apply(xs[i]);
            PlacementProblem p = problem(c, SearchOptions.defaults());
            ObjectNode row = rows.addObject();
            row.put(key, xs[i]);
            for (int k = 0; k < POLICIES.size(); k++) {
                Plan plan = Policies.byName(POLICIES.get(k)).place(p, SearchProgress.NONE);
                ys[k][i] = plan.predictedAttainment();
                row.put(POLICIES.get(k), plan.predictedAttainment());
            }
            log.printf("sweep %-10s %6.2f: sr %.4f clockwork++ %.4f alpaserve %.4f%n", key, xs[i], ys[0][i], ys[1][i],
                    ys[2][i]);
            log.flush();
        }
        for (int k = 0; k < POLICIES.size(); k++) {
            data.put(POLICIES.get(k), new Plots.Series(xs, ys[k]));
        }
        Path png = outDir.resolve("planner-" + key + ".png");
        Plots.line(png, "SLO attainment vs " + xLabel + " (24 x bert-1.3b)", xLabel, "SLO attainment", data);
        o.put("png", png.toString());
        return o;
    }

    public ObjectNode run(Path outDir, boolean sweeps) {
        ObjectNode root = Json.object();
        root.set("simulator", simulatorThroughput());
        ArrayNode cases = root.putArray("search");
        try (io.muxflow.planner.io.TempDir tmp = io.muxflow.planner.io.TempDir.create("muxflow-bench")) {
            Path profiles = tmp.path().resolve("published-profiles.json");
            published.write(profiles); // once, for the three cold searches
            for (String letter : List.of("a", "b", "c")) {
                cases.add(searchCase(caseByLetter(letter), letter, profiles));
            }
        }
        // The simulator's AlpaServe mode against an independent reference on identical inputs is a
        // test (AlpaServeGoldenTest); here: how far muxflow's defaults move the headline case.
        Case a = caseA(40, 4, 5, 8);
        PlacementProblem p = problem(a, SearchOptions.defaults());
        Plan plan = new AlpaServeSearch().place(p, SearchProgress.NONE);
        double compat = new Simulation(p.workload(), a.profiles(), SimOptions.alpaServe()).run(plan).attainment();
        root.put("case_a_alpaserve_plan_attainment_in_alpaserve_mode", compat);
        if (sweeps) {
            ObjectNode sw = root.putObject("sweeps");
            sw.set("rate", sweep(outDir, "rate", "total rate (req/s)", new double[] {10, 20, 30, 40, 50, 60, 80},
                    r -> caseA(r, 4, 5, 8)));
            sw.set("cv", sweep(outDir, "cv", "coefficient of variation", new double[] {1, 2, 3, 4, 5, 6, 8},
                    cv -> caseA(40, cv, 5, 8)));
            sw.set("slo", sweep(outDir, "slo", "SLO scale (x single-device latency)",
                    new double[] {1.5, 2, 3, 5, 7.5, 10, 15}, s -> caseA(40, 4, s, 8)));
            sw.set("devices", sweep(outDir, "devices", "number of GPUs", new double[] {4, 6, 8, 10, 12, 16},
                    d -> caseA(40, 4, 5, (int) Math.round(d))));
        }
        Json.write(outDir.resolve("planner.json"), root);
        return root;
    }
}
