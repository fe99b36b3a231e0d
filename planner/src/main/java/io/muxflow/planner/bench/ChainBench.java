package io.muxflow.planner.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.planner.chain.BlockPlacement;
import io.muxflow.planner.chain.ChainCostModel;
import io.muxflow.planner.chain.ChainInputs;
import io.muxflow.planner.chain.ChainInstance;
import io.muxflow.planner.chain.LlmShape;
import io.muxflow.planner.chain.ServerChain;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.placement.chain.ChainPlanner;
import io.muxflow.planner.placement.chain.GreedyCacheAllocation;
import io.muxflow.planner.placement.chain.PetalsPlacement;
import io.muxflow.planner.placement.chain.WholeModelReplicas;
import io.muxflow.planner.sim.chain.ChainArrivals;
import io.muxflow.planner.sim.chain.ChainRouter;
import io.muxflow.planner.sim.chain.ChainSimResult;
import io.muxflow.planner.sim.chain.ChainSimulator;
import io.muxflow.planner.sim.chain.JffcRouter;
import io.muxflow.planner.sim.chain.OccupancyBounds;
import io.muxflow.planner.sim.chain.PetalsRouter;
import io.muxflow.planner.sim.chain.QueueingRouter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code muxflow bench chains}: the chain paper's simulation setting (BLOOM-176B, l_in 2000, l_out 20,
 * the fast/slow server mix, target load 0.7). Mean response time of GBP-CR + GCA + JFFC against the
 * Petals baseline, JSQ and SED on the same chains, and whole-model replicas where they fit (a
 * Llama-2-13B-shaped model, which one fast server holds); a rate sweep; JFFC's occupancy bounds
 * against simulation with exponential service; planning time up to J = 1000 servers.
 */
public final class ChainBench {
    static final int[] SERVERS = {10, 20, 30, 40};
    static final double[] ETAS = {0.1, 0.2, 0.3, 0.4};
    static final int L_IN = 2000;
    static final int L_OUT = 20;
    /** BLOOM grid arrival rate per server, jobs/s. */
    static final double BLOOM_RATE_PER_SERVER = 0.025;
    /**
     * Llama-13B grid arrival rate per server, jobs/s: replicas on the fast servers (8 jobs/s each) run
     * at load 0.5 when eta = 0.2 and saturate at eta = 0.1, where chains through slow servers must help.
     */
    static final double LLAMA_RATE_PER_SERVER = 0.8;
    static final int JOBS = 20000;
    static final double PETALS_CACHE_TOKENS = 4096;

    private final PrintWriter log;

    public ChainBench(PrintWriter log) {
        this.log = log;
    }

    public ObjectNode run(Path out) {
        ObjectNode root = Json.object();
        root.put("model_setting", "bloom-176b: L=70, s_m=1.32 GB, d_model=14336, l_in=2000, l_out=20, fp16 KV; "
                + "fast 40 GB/156 TFLOPS/1.02 GB/ms, slow 20 GB/78 TFLOPS/0.51 GB/ms, RTT 10 ms; target load 0.7");
        root.put("jobs_per_run", JOBS);
        root.set("geo_grid", geoGrid(out));
        root.set("bloom_grid", grid(out, LlmShape.bloom176b(), BLOOM_RATE_PER_SERVER, false));
        root.set("llama13b_grid", grid(out, LlmShape.llama13b(), LLAMA_RATE_PER_SERVER, true));
        root.set("rate_sweep", rateSweep(out));
        root.set("bounds", bounds());
        root.set("planning_time", planningTime());
        Json.write(out.resolve("chains.json"), root);
        log.println("[chains] wrote " + out.resolve("chains.json"));
        log.flush();
        return root;
    }

    /** Just the grid over geo: servers, into chains-geo.json. */
    public ObjectNode runGeoGrid(Path out) {
        ObjectNode root = Json.object();
        root.set("geo_grid", geoGrid(out));
        Json.write(out.resolve("chains-geo.json"), root);
        return root;
    }

    static ChainInstance instance(LlmShape llm, int servers, double eta) {
        return new ChainInstance(ChainCostModel.model(llm, L_IN, L_OUT),
                ChainInputs.paperMix(servers, eta, llm, L_IN, L_OUT));
    }

    private ArrayNode grid(Path out, LlmShape llm, double ratePerServer, boolean replicas) {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        Map<String, Plots.Series> data = Plots.series();
        double[][] ours = new double[ETAS.length][SERVERS.length];
        double[][] petals = new double[ETAS.length][SERVERS.length];
        double[][] repl = new double[ETAS.length][SERVERS.length];
        for (int e = 0; e < ETAS.length; e++) {
            for (int s = 0; s < SERVERS.length; s++) {
                int j = SERVERS[s];
                double eta = ETAS[e];
                double rate = ratePerServer * j;
                ChainInstance inst = instance(llm, j, eta);
                ChainPlanner.ChainPlan plan = ChainPlanner.plan(inst, rate, ChainPlanner.Options.defaults());
                double[] arrivals = ChainArrivals.poisson(rate, JOBS, 1000L * j + e);
                List<ServerChain> chains = plan.chosen().chains();
                ObjectNode row = rows.addObject();
                row.put("model", llm.name());
                row.put("servers", j);
                row.put("eta", eta);
                row.put("rate", rate);
                row.put("c", plan.chosen().c());
                row.put("chosen_by", plan.chosenBy());
                row.put("paper_c", plan.paperRule().c());
                row.put("bound_c", plan.boundRule().c());
                row.put("servers_used", plan.chosen().placement().placement().usedServers());
                row.put("chains", chains.size());
                row.put("chain_capacity_rate", plan.chosen().totalRate());
                ChainSimResult jffc = sim(arrivals, new JffcRouter(chains));
                row.set("jffc", jffc.toJson());
                if (!replicas) {
                    row.set("jsq", sim(arrivals, new QueueingRouter(QueueingRouter.Rule.JSQ, chains)).toJson());
                    row.set("sed", sim(arrivals, new QueueingRouter(QueueingRouter.Rule.SED, chains)).toJson());
                }
                BlockPlacement pp = PetalsPlacement.place(inst, PETALS_CACHE_TOKENS / (L_IN + L_OUT));
                ChainSimResult pet = pp.coversAllBlocks() ? sim(arrivals, new PetalsRouter(inst, pp,
                        PetalsRouter.DEFAULT_PENALTY_S)) : null;
                if (pet != null) {
                    row.set("petals", pet.toJson());
                    row.put("petals_servers_used", pp.usedServers());
                    row.put("reduction_vs_petals", 1 - jffc.meanResponseS() / pet.meanResponseS());
                } else {
                    row.put("petals", "blocks not covered");
                }
                ours[e][s] = jffc.meanResponseS();
                petals[e][s] = pet == null ? Double.NaN : pet.meanResponseS();
                repl[e][s] = Double.NaN;
                String extra = "";
                if (replicas) {
                    List<ServerChain> rc = WholeModelReplicas.chains(inst);
                    if (rc.isEmpty()) {
                        row.put("replicas", "no server fits the model");
                    } else {
                        ChainSimResult r = sim(arrivals, new JffcRouter(rc));
                        row.set("replicas", r.toJson());
                        row.put("replica_servers", rc.size());
                        repl[e][s] = r.meanResponseS();
                        extra = String.format(", replicas %.3f s", r.meanResponseS());
                    }
                }
                log.printf("[chains] %s J=%d eta=%.1f rate=%.3f: c=%d (%s) %d chains on %d servers: jffc %.3f s, "
                        + "petals %s%s%n", llm.name(), j, eta, rate, plan.chosen().c(), plan.chosenBy(), chains.size(),
                        plan.chosen().placement().placement().usedServers(), jffc.meanResponseS(),
                        pet == null ? "n/a" : String.format("%.3f s", pet.meanResponseS()), extra);
                log.flush();
            }
        }
        double[] xs = Arrays.stream(SERVERS).asDoubleStream().toArray();
        for (int e : new int[] {0, ETAS.length - 1}) {
            data.put(String.format("GBP-CR+GCA+JFFC, eta %.1f", ETAS[e]), new Plots.Series(xs, ours[e]));
            data.put(String.format("Petals, eta %.1f", ETAS[e]), new Plots.Series(xs, petals[e]));
            if (replicas) {
                data.put(String.format("replicas+JFFC, eta %.1f", ETAS[e]), new Plots.Series(xs, repl[e]));
            }
        }
        Plots.line(out.resolve("chains-" + llm.name() + ".png"), "Mean response time, " + llm.name() + " ("
                + ratePerServer + " jobs/s per server)", "servers J", "mean response time (s)", data, true);
        return rows;
    }

    /** Seeds per cell of the geo grid: server draw, arrivals and job sizes. */
    static final int GEO_SEEDS = 5;
    static final double GEO_RATE = 0.2;
    static final int GEO_JOBS = 10000;
    /** The cell whose response-time CDFs are plotted. */
    static final int CDF_SERVERS = 20;
    static final double CDF_ETA = 0.2;

    /**
     * The paper's comparison on servers of a real network (issue 23, part 4): J x eta over {@code
     * geo:J,ETA,SEED} servers (RIPE-Atlas-fitted RTTs), BLOOM-176B at 0.2 jobs/s, exponential job
     * sizes; GBP-CR + GCA + JFFC (c chosen by the planner for those sizes) against Petals' placement and
     * routing, on the same arrivals and sizes per seed; mean response per job with its standard error
     * over the seeds. The paper's second baseline (CG-BP + WS-RR) is not implemented: the sources at
     * hand give only its paper's abstract.
     */
    private ArrayNode geoGrid(Path out) {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        LlmShape llm = LlmShape.bloom176b();
        Map<String, Plots.Series> cdf = Plots.series();
        for (double eta : ETAS) {
            for (int j : SERVERS) {
                double[] ours = new double[GEO_SEEDS];
                double[] petals = new double[GEO_SEEDS];
                int covered = 0;
                for (int s = 0; s < GEO_SEEDS; s++) {
                    long seed = s + 1;
                    ChainInstance inst = new ChainInstance(ChainCostModel.model(llm, L_IN, L_OUT),
                            io.muxflow.planner.chain.GeoServers.mix(j, eta, seed, llm, L_IN, L_OUT));
                    ChainPlanner.ChainPlan plan = ChainPlanner.plan(inst, GEO_RATE, ChainPlanner.Options.defaults());
                    double[] arrivals = ChainArrivals.poisson(GEO_RATE, GEO_JOBS, 7919L * seed + j);
                    double[] sizes = exponentialSizes(GEO_JOBS, 104729L * seed + j);
                    ChainSimResult a = ChainSimulator.run(arrivals, sizes, new JffcRouter(plan.chosen().chains()), 0.1);
                    ours[s] = a.meanResponseS();
                    BlockPlacement pp = PetalsPlacement.place(inst, PETALS_CACHE_TOKENS / (L_IN + L_OUT));
                    ChainSimResult b = pp.coversAllBlocks() ? ChainSimulator.run(arrivals, sizes,
                            new PetalsRouter(inst, pp, PetalsRouter.DEFAULT_PENALTY_S), 0.1) : null;
                    petals[s] = b == null ? Double.NaN : b.meanResponseS();
                    covered += b == null ? 0 : 1;
                    if (j == CDF_SERVERS && eta == CDF_ETA && s == 0) {
                        cdf.put("GBP-CR+GCA+JFFC", cdfSeries(a.sortedResponsesS()));
                        if (b != null) {
                            cdf.put("Petals", cdfSeries(b.sortedResponsesS()));
                        }
                    }
                }
                ObjectNode row = rows.addObject();
                row.put("servers", j);
                row.put("eta", eta);
                row.put("rate", GEO_RATE);
                row.put("seeds", GEO_SEEDS);
                row.putObject("gbp_cr").put("mean_response_s", mean(ours)).put("standard_error_s", standardError(ours));
                ObjectNode po = row.putObject("petals");
                po.put("seeds_with_all_blocks_covered", covered);
                if (covered == GEO_SEEDS) {
                    po.put("mean_response_s", mean(petals)).put("standard_error_s", standardError(petals));
                    row.put("gbp_cr_lower_beyond_se", mean(ours) + standardError(ours)
                            < mean(petals) - standardError(petals));
                    // both policies see the same arrivals and sizes per seed: the per-seed difference
                    // carries none of the seeds' shared variance
                    double[] diff = new double[GEO_SEEDS];
                    for (int s = 0; s < GEO_SEEDS; s++) {
                        diff[s] = petals[s] - ours[s];
                    }
                    row.putObject("petals_minus_gbp_cr").put("mean_s", mean(diff))
                            .put("standard_error_s", standardError(diff));
                    row.put("gbp_cr_lower_beyond_paired_se", mean(diff) > standardError(diff));
                }
                log.printf("[chains] geo J=%d eta=%.1f: gbp-cr %.3f +- %.3f s, petals %s%n", j, eta, mean(ours),
                        standardError(ours), covered == GEO_SEEDS ? String.format("%.3f +- %.3f s (paired difference "
                                + "%.3f +- %.3f s)", mean(petals), standardError(petals),
                                row.get("petals_minus_gbp_cr").get("mean_s").asDouble(),
                                row.get("petals_minus_gbp_cr").get("standard_error_s").asDouble())
                                : covered + "/" + GEO_SEEDS + " seeds cover all blocks");
                log.flush();
            }
        }
        Plots.line(out.resolve("chains-geo-cdf.png"), String.format("Response-time CDF, bloom-176b, geo:%d,%.1f,1, "
                + "%.1f jobs/s", CDF_SERVERS, CDF_ETA, GEO_RATE), "response time (s)", "fraction of jobs", cdf);
        return rows;
    }

    static double[] exponentialSizes(int n, long seed) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = -Math.log(1 - rng.nextDouble());
        }
        return out;
    }

    /** About 200 points of the empirical CDF of ascending {@code sorted}. */
    static Plots.Series cdfSeries(double[] sorted) {
        int points = Math.min(200, sorted.length);
        double[] x = new double[points];
        double[] y = new double[points];
        for (int i = 0; i < points; i++) {
            int k = (int) ((long) (i + 1) * sorted.length / points) - 1;
            x[i] = sorted[k];
            y[i] = (k + 1.0) / sorted.length;
        }
        return new Plots.Series(x, y);
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    /** Sample standard deviation over sqrt(n). */
    static double standardError(double[] v) {
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return v.length < 2 ? 0 : Math.sqrt(ss / (v.length - 1) / v.length);
    }

    private ChainSimResult sim(double[] arrivals, ChainRouter r) {
        return ChainSimulator.run(arrivals, r, ChainSimulator.Service.DETERMINISTIC, 7, 0.1);
    }

    private ArrayNode rateSweep(Path out) {
        ChainInstance inst = instance(LlmShape.bloom176b(), 20, 0.2);
        BlockPlacement pp = PetalsPlacement.place(inst, PETALS_CACHE_TOKENS / (L_IN + L_OUT));
        ArrayNode rows = Json.MAPPER.createArrayNode();
        int n = 12;
        double[] xs = new double[n];
        double[][] ys = new double[4][n];
        for (int i = 0; i < n; i++) {
            double rate = 0.1 * (i + 1);
            xs[i] = rate;
            ChainPlanner.ChainPlan plan = ChainPlanner.plan(inst, rate, ChainPlanner.Options.defaults());
            List<ServerChain> chains = plan.chosen().chains();
            double[] arrivals = ChainArrivals.poisson(rate, JOBS, 77 + i);
            ChainSimResult[] r = {sim(arrivals, new JffcRouter(chains)),
                sim(arrivals, new QueueingRouter(QueueingRouter.Rule.JSQ, chains)),
                sim(arrivals, new QueueingRouter(QueueingRouter.Rule.SED, chains)),
                sim(arrivals, new PetalsRouter(inst, pp, PetalsRouter.DEFAULT_PENALTY_S))};
            ObjectNode row = rows.addObject();
            row.put("rate", rate);
            row.put("c", plan.chosen().c());
            row.put("chains", chains.size());
            row.put("chain_capacity_rate", plan.chosen().totalRate());
            String[] names = {"jffc", "jsq", "sed", "petals"};
            for (int k = 0; k < 4; k++) {
                row.set(names[k], r[k].toJson());
                ys[k][i] = r[k].meanResponseS();
            }
            log.printf("[chains] sweep J=20 eta=0.2 rate %.1f: jffc %.3f jsq %.3f sed %.3f petals %.3f s%n", rate,
                    ys[0][i], ys[1][i], ys[2][i], ys[3][i]);
            log.flush();
        }
        Map<String, Plots.Series> data = Plots.series();
        data.put("GBP-CR+GCA+JFFC", new Plots.Series(xs, ys[0]));
        data.put("GBP-CR+GCA+JSQ", new Plots.Series(xs, ys[1]));
        data.put("GBP-CR+GCA+SED", new Plots.Series(xs, ys[2]));
        data.put("Petals", new Plots.Series(xs, ys[3]));
        Plots.line(out.resolve("chains-rate-sweep.png"), "bloom-176b, J = 20, eta = 0.2: mean response vs rate",
                "arrival rate (jobs/s)", "mean response time (s)", data, true);
        return rows;
    }

    /**
     * JFFC with exponential service: simulated mean occupancy against the birth-death bounds, on the
     * chains GBP-CR + GCA build for c = 2 from all 40 servers (eta = 0.2): eleven chains between 6.8 s
     * and 13.5 s, so the bounds are apart. Loads 0.3, 0.6 and 0.9 of the chains' total rate.
     */
    private ArrayNode bounds() {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        ChainInstance inst = instance(LlmShape.bloom176b(), 40, 0.2);
        List<ServerChain> chains = ChainPlanner.evaluate(inst, 2, Double.POSITIVE_INFINITY, 1).chains();
        double total = GreedyCacheAllocation.totalRate(chains);
        for (double load : new double[] {0.3, 0.6, 0.9}) {
            double rate = load * total;
            OccupancyBounds.Bounds b = OccupancyBounds.of(chains, rate);
            ChainSimResult r = ChainSimulator.run(ChainArrivals.poisson(rate, 200_000, 5), new JffcRouter(chains),
                    ChainSimulator.Service.EXPONENTIAL, 9, 0.05);
            ObjectNode row = rows.addObject();
            row.put("servers", 40);
            row.put("eta", 0.2);
            row.put("c", 2);
            row.put("chains", chains.size());
            row.put("load", load);
            row.put("rate", rate);
            row.put("lower_jobs", b.lowerJobs());
            row.put("simulated_jobs", r.meanJobsInSystem());
            row.put("upper_jobs", b.upperJobs());
            log.printf("[chains] bounds J=40 %d chains, load %.1f: %.3f <= %.3f <= %.3f jobs%n", chains.size(), load,
                    b.lowerJobs(), r.meanJobsInSystem(), b.upperJobs());
            log.flush();
        }
        return rows;
    }

    private ArrayNode planningTime() {
        ArrayNode rows = Json.MAPPER.createArrayNode();
        for (int j : new int[] {100, 300, 1000}) {
            ChainInstance inst = instance(LlmShape.bloom176b(), j, 0.2);
            double rate = BLOOM_RATE_PER_SERVER * j;
            double[] times = new double[3];
            ChainPlanner.ChainPlan plan = null;
            for (int i = 0; i < times.length; i++) {
                long t0 = System.nanoTime();
                plan = ChainPlanner.plan(inst, rate, ChainPlanner.Options.defaults());
                times[i] = (System.nanoTime() - t0) / 1e9;
            }
            Arrays.sort(times);
            ObjectNode row = rows.addObject();
            row.put("servers", j);
            row.put("rate", rate);
            row.put("c_max", plan.cMax());
            row.put("c", plan.chosen().c());
            row.put("chains", plan.chosen().chains().size());
            row.put("median_s", times[1]);
            row.put("max_s", times[2]);
            log.printf("[chains] planning J=%d (c in 1..%d): median %.3f s, max %.3f s%n", j, plan.cMax(), times[1],
                    times[2]);
            log.flush();
        }
        return rows;
    }
}
