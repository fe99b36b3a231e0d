package io.muxflow.gpu.profiler;

import io.muxflow.gpu.backend.Backends;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.profile.ModelProfile;
import io.muxflow.planner.profile.ProfileDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow profile}: measure a model's stages on a backend into a profile file. */
@Command(name = "profile", mixinStandardHelpOptions = true,
        description = "Measure a model's pipeline stages on a backend and write a profile the planner reads.")
public final class ProfileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--backend", defaultValue = "cpu", description = "cpu | cuda | auto (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "A .safetensors file with its config (NAME.json or config.json) beside it, or a named shape "
                    + "(bert-tiny, bert-mini, bert-small, bert-medium, bert-base, bert-large, bert-1.3b, gpt2-tiny, gpt2, gpt2-medium).")
    String model;

    @Option(names = "--pp", defaultValue = "1,2,4", split = ",", description = "Pipeline depths (default: ${DEFAULT-VALUE}).")
    List<Integer> pps;

    @Option(names = "--op", defaultValue = "1", split = ",",
            description = "Intra-operator degrees: devices per stage, each GEMM split across them; on cpu a device is "
                    + "--threads threads (default: ${DEFAULT-VALUE}).")
    List<Integer> ops;

    @Option(names = "--batch", defaultValue = "1,2,4", split = ",", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--seq", defaultValue = "128", description = "Tokens per request (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--runs", defaultValue = "10", description = "Timed runs per stage; the median is kept (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first, at least; then more until "
            + "the stage's time is steady and the JIT compiles nothing more (two 5-run medians within 5%%; at most 200 "
            + "runs or 20 s) (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", defaultValue = "1", description = "cpu GEMM threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--device", defaultValue = "0", description = "GPU index for cuda (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--name", description = "Profile name (default: the model's name).")
    String name;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of synthetic weights and inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cache", defaultValue = "cold",
            description = "cold: before each timed run, fill the CPU caches with other data, as serving several models "
                    + "does; warm: run after run, the stage's weights stay cached (default: ${DEFAULT-VALUE}).")
    String cache;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Profile JSON to write.")
    Path out;

    @Override
    public Integer call() {
        if (backend.equals("emulated")) {
            throw new InvalidInputException("--backend emulated replays profiles; measure with cpu or cuda");
        }
        List<Integer> bad = new ArrayList<>();
        pps.stream().filter(p -> p < 1).forEach(bad::add);
        ops.stream().filter(p -> p < 1).forEach(bad::add);
        batches.stream().filter(b -> b < 1).forEach(bad::add);
        if (!bad.isEmpty() || seq < 1 || runs < 1 || warmup < 0) {
            throw new InvalidInputException("--op, --pp, --batch, --seq and --runs must be >= 1");
        }
        if (!cache.equals("cold") && !cache.equals("warm")) {
            throw new InvalidInputException("--cache must be cold or warm, got '" + cache + "'");
        }
        ModelSource src = ModelSource.resolve(model, seed);
        if (seq > src.config().maxPositions()) {
            throw new InvalidInputException("--seq " + seq + " exceeds the model's " + src.config().maxPositions() + " positions");
        }
        StageExecutorFactory f = Backends.create(backend, device, threads, null, 1.0);
        var err = spec.commandLine().getErr();
        String profileName = name != null ? name : src.config().name();
        ModelProfile p = StageProfiler.profile(profileName, src.config(), src.weights(), f,
                new StageProfiler.Options(ops, pps, batches, seq, warmup, runs, seed,
                        cache.equals("cold") ? StageProfiler.COLD_CACHE_BYTES : 0), (what, done, total) -> {
                    err.printf("[profile] %s: %s (%d/%d)%n", profileName, what, done, total);
                    err.flush();
                });
        new ProfileDatabase(List.of(p)).write(out);
        var o = spec.commandLine().getOut();
        o.printf("profile of %s on %s (%d-token requests) written to %s%n", profileName, f.backend(), seq, out);
        p.configs().forEach(c -> o.printf("  op=%d pp=%d batch=1 stage latencies %s s, weights %s bytes%n", c.config().op(), c.config().pp(),
                java.util.Arrays.toString(c.latency(c.batchSizes().iterator().next())),
                java.util.Arrays.toString(c.weightBytes())));
        o.flush();
        return 0;
    }
}
