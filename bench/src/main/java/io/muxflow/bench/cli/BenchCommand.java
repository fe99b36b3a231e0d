package io.muxflow.bench.cli;

import io.muxflow.planner.bench.PlannerBench;
import io.muxflow.planner.profile.ProfileDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow bench SUITE}: the benchmark suites; JSON and PNG plots under {@code --out}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run a benchmark suite; results as JSON plus PNG plots (default under target/bench; "
                + "--out docs/bench refreshes the committed figures).",
        subcommands = {BenchCommand.Planner.class, BenchCommand.Executors.class, BenchCommand.Decode.class, BenchCommand.Serving.class,
                BenchCommand.FidelityCpu.class, BenchCommand.Adapt.class, BenchCommand.Overload.class, BenchCommand.Chains.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Every suite's {@code --out}, its progress log (stderr) and its one JSON line on stdout. */
    static final class Results {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
                description = "Output directory (default: ${DEFAULT-VALUE}; committing figures is a deliberate "
                        + "--out docs/bench).")
        Path dir;

        java.io.PrintWriter log() {
            return spec.commandLine().getErr();
        }

        void print(com.fasterxml.jackson.databind.JsonNode root) {
            spec.commandLine().getOut().println(io.muxflow.planner.io.Json.compact(root));
        }
    }

    /** {@code --profiles}: AlpaServe's published profiles, which several suites plan with. */
    static final class PublishedProfiles {
        @Option(names = "--profiles", paramLabel = "FILE", defaultValue = "../shared/profiles/alpaserve-published.json",
                description = "AlpaServe's published profiles (default: ${DEFAULT-VALUE}).")
        Path path;

        ProfileDatabase load() {
            return ProfileDatabase.load(path);
        }
    }

    @Command(name = "planner", mixinStandardHelpOptions = true,
            description = "Simulator throughput, search time and attainment of sr, clockwork++ and alpaserve on "
                    + "24/48/72-model cases, and the rate/CV/SLO/GPU sweeps.")
    static final class Planner implements Callable<Integer> {
        @Mixin
        Results results;

        @Mixin
        PublishedProfiles published;

        @Option(names = "--no-sweeps", description = "Skip the four sweeps.")
        boolean noSweeps;

        @Override
        public Integer call() {
            var log = results.log();
            var root = new PlannerBench(published.load(), log).run(results.dir, !noSweeps);
            results.print(root);
            return 0;
        }
    }

    @Command(name = "chains", mixinStandardHelpOptions = true,
            description = "Server chain composition in the chain paper's BLOOM-176B setting: mean response time of "
                    + "GBP-CR + GCA + JFFC against Petals, JSQ, SED and whole-model replicas; a rate sweep; JFFC "
                    + "bounds against simulation; planning time up to 1000 servers.")
    static final class Chains implements Callable<Integer> {
        @Mixin
        Results results;

        @Option(names = "--live", description = "Instead: the live job on emulated chain servers against the chain "
                + "simulator on the same jobs, per router, and the hop latency (chains-live.json).")
        boolean live;

        @Option(names = "--servers", defaultValue = "20", description = "With --live: J of paper:J,ETA (default: ${DEFAULT-VALUE}).")
        int servers;

        @Option(names = "--eta", defaultValue = "0.2", description = "With --live: ETA of paper:J,ETA (default: ${DEFAULT-VALUE}).")
        double eta;

        @Option(names = "--rate", defaultValue = "0.2", description = "With --live: jobs/s in model time (default: ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--jobs", defaultValue = "300", description = "With --live: jobs per router (default: ${DEFAULT-VALUE}).")
        int jobs;

        @Option(names = "--time-scale", defaultValue = "0.05",
                description = "With --live: wall seconds per model second of the emulated servers (default: ${DEFAULT-VALUE}).")
        double timeScale;

        @Option(names = "--routers", split = ",", defaultValue = "jffc,petals",
                description = "With --live: routers to compare (default: ${DEFAULT-VALUE}).")
        List<String> routers;

        @Option(names = "--seed", defaultValue = "1", description = "With --live: seed of arrivals and sizes (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--simulate-only", description = "With --live: only the simulated means (to choose a setting).")
        boolean simulateOnly;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "With --live: a job configuration option (muxflow.* or Flink), repeatable; e.g. --set "
                        + "muxflow.checkpoint.interval=10s.")
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();

        @Mixin
        CpuLatencyOption cpuLatency;

        @Option(names = "--geo-grid-only", description = "Only the grid over geo: servers (J x eta, seeds, CDF plot); "
                + "writes chains-geo.json.")
        boolean geoGridOnly;

        @Override
        public Integer call() throws Exception {
            if (live) {
                if (servers < 1 || !(eta >= 0 && eta <= 1) || !(rate > 0) || jobs < 20 || !(timeScale > 0)) {
                    throw new io.muxflow.planner.InvalidInputException("bench chains --live: --servers >= 1, 0 <= --eta <= 1, "
                            + "--rate > 0, --jobs >= 20 and --time-scale > 0");
                }
                for (String r : routers) {
                    if (!io.muxflow.planner.sim.chain.ChainRouters.NAMES.contains(r)) {
                        throw new io.muxflow.planner.InvalidInputException("bench chains --live: --routers takes "
                                + io.muxflow.planner.sim.chain.ChainRouters.NAMES + ", got '" + r + "'");
                    }
                }
                try (var qos = cpuLatency.hold(results.log())) {
                    var root = new io.muxflow.bench.ChainLiveBench(results.log()).run(results.dir,
                            new io.muxflow.bench.ChainLiveBench.Settings(servers, eta, rate, jobs, timeScale, seed,
                                    routers, simulateOnly, settings, qos.detail()));
                    results.print(root);
                }
                return 0;
            }
            var bench = new io.muxflow.planner.bench.ChainBench(results.log());
            var root = geoGridOnly ? bench.runGeoGrid(results.dir) : bench.run(results.dir);
            results.print(root);
            return 0;
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "cpu generation speed of a GPT-2-small-shaped model (124M parameters) on 1 and 2 threads "
                    + "against the memory-bandwidth bound (weight bytes per token / measured bandwidth).")
    static final class Decode implements Callable<Integer> {
        @Mixin
        Results results;

        @Override
        public Integer call() throws Exception {
            var root = new io.muxflow.gpu.bench.DecodeBench(results.log()).run(results.dir);
            results.print(root);
            return 0;
        }
    }

    @Command(name = "executors", mixinStandardHelpOptions = true,
            description = "cpu GEMM GFLOP/s against this machine's measured FMA peak; latency of a BERT-base layer "
                    + "on cpu, and on cuda and in PyTorch where a GPU is usable.")
    static final class Executors implements Callable<Integer> {
        @Mixin
        Results results;

        @Override
        public Integer call() {
            var root = new io.muxflow.gpu.bench.ExecutorBench(results.log()).run(results.dir);
            results.print(root);
            return 0;
        }
    }

    @Command(name = "serving", mixinStandardHelpOptions = true,
            description = "Serving overhead (end-to-end latency minus executor time) at 200, 1000 and 5000 req/s on "
                    + "zero-latency emulated stages, and the same through a bare Kafka relay (the floor); fidelity of the live job against the simulator on one workload.")
    static final class Serving implements Callable<Integer> {
        @Mixin
        Results results;

        @Mixin
        PublishedProfiles published;

        @Option(names = "--seconds", defaultValue = "10", description = "Seconds per overhead rate (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--overhead-only", description = "Only the overhead part, at these rates (comma-separated).", split = ",")
        double[] overheadOnly;

        @Option(names = "--buffer-timeout-ms", defaultValue = "0", description = "With --overhead-only (default: ${DEFAULT-VALUE}).")
        long bufferTimeoutMs;

        @Option(names = "--fidelity-only", description = "Only the fidelity part.")
        boolean fidelityOnly;

        @Option(names = "--adapt", description = "With --overhead-only: keep the adaptation side stream on (off by default).")
        boolean adapt;

        @Option(names = "--kafka-floor", description = "With --overhead-only: then the same rates with a bare Kafka relay "
                + "in place of the job (its two Kafka hops alone, on a broker of its own).")
        boolean kafkaFloor;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "With --overhead-only or --fidelity-only: a job configuration option (muxflow.* or Flink), repeatable; "
                        + "e.g. --set muxflow.sink.delivery=at-least-once.")
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();

        @Option(names = "--warmup-seconds", defaultValue = "" + io.muxflow.bench.ServingBench.DEFAULT_WARMUP_SECONDS,
                description = "Unmeasured load before the overhead rates, on the same deployment, and with --fidelity-only "
                        + "before the fidelity run (default: ${DEFAULT-VALUE}).")
        double warmupSeconds;

        @Option(names = "--warmup-rate", defaultValue = "" + io.muxflow.bench.ServingBench.DEFAULT_WARMUP_RATE,
                description = "Requests/s during the warm-up (default: ${DEFAULT-VALUE}).")
        double warmupRate;

        @Option(names = "--trace", paramLabel = "CSV",
                description = "Write each overhead response's timestamps (microseconds) to this CSV file.")
        Path trace;

        @Mixin
        CpuLatencyOption cpuLatency;

        @Override
        public Integer call() throws Exception {
            if (!(seconds > 0)) {
                throw new io.muxflow.planner.InvalidInputException("--seconds must be > 0, got " + seconds);
            }
            for (double r : overheadOnly == null ? new double[0] : overheadOnly) {
                if (!(r > 0)) {
                    throw new io.muxflow.planner.InvalidInputException("--overhead-only rates must be > 0, got " + r);
                }
            }
            try (var qos = cpuLatency.hold(results.log())) {
                return run(qos.detail());
            }
        }

        private int run(String cpuLatencyQos) throws Exception {
            var bench = new io.muxflow.bench.ServingBench(published.load(), results.log())
                    .warmup(warmupSeconds, warmupRate).cpuLatencyQos(cpuLatencyQos);
            try (java.io.PrintWriter csv = trace == null ? null
                    : new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(trace))) {
                if (csv != null) {
                    bench.trace(csv);
                }
                var root = overheadOnly != null ? bench.overheadOnly(overheadOnly, seconds, bufferTimeoutMs, adapt, settings, kafkaFloor)
                        : fidelityOnly ? bench.fidelityOnly(settings) : bench.run(results.dir, seconds);
                results.print(root);
            }
            return 0;
        }
    }

    @Command(name = "fidelity-cpu", mixinStandardHelpOptions = true,
            description = "Simulator against a real executor: profile bert-medium and bert-small on this machine's cpu "
                    + "backend (muxflow profile), plan with those profiles, serve one bursty workload per load level live "
                    + "on cpu and compare live attainment with simulated; writes fidelity-cpu.json.")
    static final class FidelityCpu implements Callable<Integer> {
        @Mixin
        Results results;

        @Option(names = "--loads", split = ",", defaultValue = "0.3,0.6,0.9",
                description = "Offered load per level as a share of the devices' capacity (default: ${DEFAULT-VALUE}).")
        double[] loads;

        @Option(names = "--seconds", defaultValue = "60", description = "Measured seconds per level (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup-seconds", defaultValue = "30",
                description = "Unmeasured load before each level, same models, another seed (default: ${DEFAULT-VALUE}).")
        double warmupSeconds;

        @Option(names = "--devices", description = "cpu devices (one GEMM thread each; default: the cores less one, "
                + "at least 1).")
        Integer devices;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "A job configuration option (muxflow.* or Flink) for every level, repeatable.")
        java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();

        @Option(names = "--pin",
                description = "Run the stage threads on CPUs of their own and every other thread on the rest, and "
                        + "profile that way (Linux with taskset), as a GPU does not share its cycles with the host's "
                        + "Kafka and Flink (default: off, the kernel places threads; pinned runs measured no closer).")
        boolean pin;

        @Option(names = "--batching", paramLabel = "MAX",
                description = "Batching decided by measurement instead: profile batch sizes up to MAX (powers of two) and "
                        + "serve each level twice on the same arrivals, without batching and with "
                        + "muxflow.dispatch.max-batch MAX (planned with batching); writes batching-cpu.json.")
        Integer batching;

        @Override
        public Integer call() throws Exception {
            for (double l : loads) {
                if (!(l > 0) || Double.isInfinite(l)) {
                    throw new io.muxflow.planner.InvalidInputException("--loads must be > 0, got " + l);
                }
            }
            var bench = new io.muxflow.bench.CpuFidelityBench(results.log()).seconds(seconds, warmupSeconds)
                    .settings(settings).pin(pin);
            if (devices != null) {
                bench.devices(devices);
            }
            try (var dir = io.muxflow.planner.io.TempDir.create("muxflow-bench")) {
                var root = batching != null ? bench.runBatching(dir.path(), loads, batching) : bench.run(dir.path(), loads);
                java.nio.file.Files.createDirectories(results.dir);
                io.muxflow.planner.io.Json.write(results.dir.resolve(batching != null ? "batching-cpu.json"
                        : "fidelity-cpu.json"), root);
                results.print(root);
            }
            return 0;
        }
    }

    @Command(name = "overload", mixinStandardHelpOptions = true,
            description = "Ten times what the plan can serve for 60 s between normal load, through the live job: shares "
                    + "by status, memory (RSS, heap after GC) and the time until attainment is back.")
    static final class Overload implements Callable<Integer> {
        @Mixin
        Results results;

        @Mixin
        PublishedProfiles published;

        @Override
        public Integer call() throws Exception {
            var root = new io.muxflow.bench.OverloadBench(published.load(), results.log()).run(results.dir);
            results.print(root);
            return 0;
        }
    }

    @Command(name = "adapt", mixinStandardHelpOptions = true,
            description = "Redeploy downtime (savepoint, submit, restore, weight load) on cpu; attainment over time across "
                    + "a shift with and without adaptation (PNG).")
    static final class Adapt implements Callable<Integer> {
        @Mixin
        Results results;

        @Mixin
        PublishedProfiles published;

        @Option(names = "--part", defaultValue = "all", description = "downtime, shift or all (default: ${DEFAULT-VALUE}).")
        String part;

        @Override
        public Integer call() throws Exception {
            var root = new io.muxflow.bench.AdaptBench(published.load(), results.log())
                    .run(results.dir, part);
            results.print(root);
            return 0;
        }
    }
}
