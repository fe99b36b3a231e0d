package io.muxflow.bench.cli;

import io.muxflow.job.local.LocalStack;
import io.muxflow.planner.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow local}: the whole stack on this machine. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run the whole stack here: an embedded Kafka broker (KRaft), Flink with its web dashboard, "
                + "the serving job on a plan made for the models and load at hand, and a load generator; "
                + "prints a summary every few seconds. Ctrl-C stops everything.")
public final class LocalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CpuLatencyOption cpuLatency;

    @Option(names = "--backend", defaultValue = "cpu",
            description = "cpu (small transformers measured on this machine) or emulated (devices held for profiled "
                    + "latencies; needs --profiles). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--devices", description = "Devices to plan for (default: 2 for cpu, 16 for emulated).")
    Integer devices;

    @Option(names = "--profiles", split = ",", description = "Profile files, for --backend emulated.")
    List<Path> profiles;

    @Option(names = "--models", defaultValue = "8", description = "Emulated model instances, round-robin over the "
            + "profiles (default: ${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--mem-gb", description = "Weight memory per device in GB (default: 2 for cpu, 13 for emulated).")
    Double memGb;

    @Option(names = "--rate", description = "Total request rate, split over the models by a power law "
            + "(default: 30 for cpu, 20 for emulated).")
    Double rate;

    @Option(names = "--cv", defaultValue = "2", description = "Burstiness: cv of the Gamma arrivals (default: ${DEFAULT-VALUE}).")
    double cv;

    @Option(names = "--slo-scale", description = "SLO = this x single-device latency (default: 25 for cpu, 5 for emulated).")
    Double sloScale;

    @Option(names = "--seq", defaultValue = "16", description = "Tokens per request (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--ui-port", defaultValue = "8081", description = "Flink web dashboard port (default: ${DEFAULT-VALUE}).")
    int uiPort;

    @Option(names = "--prometheus-port", defaultValue = "9249",
            description = "Prometheus metrics port, 0 for none (default: ${DEFAULT-VALUE}).")
    int prometheusPort;

    @Option(names = "--duration-s", defaultValue = "0", description = "Stop after this many seconds (0: run until Ctrl-C).")
    double durationS;

    @Option(names = "--summary-s", defaultValue = "5", description = "Seconds between summaries (default: ${DEFAULT-VALUE}).")
    double summaryS;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of arrivals and planning (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-adapt", description = "Do not re-plan (no statistics-driven redeploys).")
    boolean noAdapt;

    @Option(names = "--recommend-only", description = "Re-plan and publish recommendations, but never redeploy.")
    boolean recommendOnly;

    @Option(names = "--shift-at", defaultValue = "0",
            description = "After this many seconds the first model turns hot and bursty (6x rate, cv 4); 0: only on 's' + Enter.")
    double shiftAt;

    @Option(names = "--llm-rate", defaultValue = "0.5",
            description = "Generation jobs/s for the LLM gpt2-chain (12 blocks over 3 cpu chain servers; cpu backend "
                    + "only); 0: no LLM (default: ${DEFAULT-VALUE}).")
    double llmRate;

    @Option(names = "--warmup-s", defaultValue = "10",
            description = "Seconds of the same load before the measured run, not counted (JIT, first loads); 0: none "
                    + "(default: ${DEFAULT-VALUE}).")
    double warmupS;

    @Option(names = "--batching", defaultValue = "1", paramLabel = "MAX",
            description = "Run batches of up to MAX requests per stage (muxflow.dispatch.max-batch; the cpu models are "
                    + "then profiled at batch sizes 1, 2, 4, ... up to MAX and planned for batching); 1: none "
                    + "(default: ${DEFAULT-VALUE}).")
    int batching;

    @Override
    public Integer call() throws Exception {
        boolean emulated = backend.equals("emulated");
        if (!emulated && !backend.equals("cpu")) {
            throw new InvalidInputException("--backend must be cpu or emulated for the local stack, got '" + backend + "'");
        }
        if (emulated && (profiles == null || profiles.isEmpty())) {
            throw new InvalidInputException("--backend emulated needs --profiles (e.g. ../shared/profiles/alpaserve-published.json)");
        }
        if (cv < 0 || seq < 1 || summaryS <= 0) {
            throw new InvalidInputException("--cv must be >= 0, --seq >= 1, --summary-s > 0");
        }
        if (!(warmupS >= 0) || !Double.isFinite(warmupS)) {
            throw new InvalidInputException("--warmup-s must be a number of seconds >= 0, got " + warmupS);
        }
        if (!(llmRate >= 0) || !Double.isFinite(llmRate)) {
            throw new InvalidInputException("--llm-rate must be a number >= 0 of jobs/s, got " + llmRate);
        }
        if (batching < 1) {
            throw new InvalidInputException("--batching must be >= 1 (the largest batch), got " + batching);
        }
        LocalStack.Options o = new LocalStack.Options(backend, devices != null ? devices : emulated ? 16 : 2,
                memGb != null ? memGb : emulated ? 13 : 2, profiles == null ? List.of() : profiles, models,
                rate != null ? rate : emulated ? 20 : 30, cv, sloScale != null ? sloScale : emulated ? 5 : 25, uiPort,
                prometheusPort, seq, durationS, summaryS, seed, !noAdapt, recommendOnly, shiftAt, llmRate, warmupS,
                batching);
        var out = spec.commandLine().getOut();
        try (var qos = cpuLatency.hold(out)) {
            return run(o, out);
        }
    }

    private int run(LocalStack.Options o, java.io.PrintWriter out) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        LocalStack stack = new LocalStack(o, out);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                done.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stack.start();
            Thread keys = new Thread(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.trim().equalsIgnoreCase("s")) {
                            stack.shift();
                        } else if (line.trim().equalsIgnoreCase("q")) {
                            stop.countDown();
                            return;
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // no terminal
                }
            }, "muxflow-keys");
            keys.setDaemon(true);
            keys.start();
            stack.summarize(stop);
        } finally {
            out.println("stopping: load generator, job, Flink, Kafka...");
            out.flush();
            stack.close();
            out.println("stopped cleanly; work directory removed.");
            out.flush();
            done.countDown();
        }
        if (stop.getCount() == 1) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return 0;
    }
}
