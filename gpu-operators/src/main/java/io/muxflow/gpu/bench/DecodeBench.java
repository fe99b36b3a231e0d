package io.muxflow.gpu.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.cpu.CpuBackend;
import io.muxflow.gpu.cpu.Gemm;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.weights.SyntheticWeights;
import io.muxflow.planner.io.Json;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code muxflow bench decode}: how fast the cpu backend generates with a GPT-2-small-shaped model
 * (124M parameters, synthetic weights, fp32), one token at a time after a prefill, on 1 and 2
 * threads, against the memory-bandwidth bound. A decode step reads every weight once (the blocks and
 * the LM head, tied to the token embeddings), so it cannot beat weight bytes / memory bandwidth; the
 * bandwidth is measured here by streaming a buffer larger than any cache on as many threads.
 */
public final class DecodeBench {
    static final int PROMPT = 16;
    static final int STEPS = 64;
    /** A buffer far larger than the last-level cache. */
    static final int STREAM_FLOATS = 1 << 28;

    private final PrintWriter log;

    public DecodeBench(PrintWriter log) {
        this.log = log;
    }

    public ObjectNode run(Path out) throws Exception {
        ModelConfig c = ModelConfig.named("gpt2");
        ObjectNode root = Json.object();
        root.put("model", "gpt2 (12 layers, hidden 768, vocab 50257: 124M parameters, fp32, synthetic weights)");
        root.put("prompt_tokens", PROMPT);
        root.put("decode_steps", STEPS);
        root.put("gemm_kernel", Gemm.kernel());
        float[] stream = new float[STREAM_FLOATS];
        java.util.Arrays.fill(stream, 1f);
        for (int threads : new int[] {1, 2}) {
            double gbps = bandwidth(stream, threads);
            try (StageExecutor whole = new CpuBackend(threads).load(c, StageSpec.whole(c), new SyntheticWeights(7))) {
                long bytes = whole.weightBytes();
                double tps = decode(whole);
                double bound = gbps * 1e9 / bytes;
                ObjectNode t = root.putObject("threads_" + threads);
                t.put("tokens_per_s", tps);
                t.put("bandwidth_gb_per_s", gbps);
                t.put("weight_bytes", bytes);
                t.put("bound_tokens_per_s", bound);
                t.put("share_of_bound", tps / bound);
                log.printf("decode, %d thread%s: %.2f tokens/s; bound %.2f tokens/s (%.1f GB/s / %.0f MB of weights): "
                        + "%.0f%% of it%n", threads, threads > 1 ? "s" : "", tps, bound, gbps, bytes / 1e6,
                        100 * tps / bound);
                log.flush();
            }
        }
        Files.createDirectories(out);
        Json.write(out.resolve("decode.json"), root);
        return root;
    }

    /** Tokens per second over {@link #STEPS} decode steps after a prefill, best of three sessions. */
    static double decode(StageExecutor whole) {
        int[] prompt = new int[PROMPT];
        for (int i = 0; i < PROMPT; i++) {
            prompt[i] = 100 + i;
        }
        double best = 0;
        for (int rep = 0; rep < 3; rep++) {
            long session = rep + 1;
            float[] logits = whole.run(StageBatch.tokens(List.of(StageItem.sessionTokens(session, 0, prompt)))).item(0)
                    .data();
            long t0 = System.nanoTime();
            for (int s = 0; s < STEPS; s++) {
                int next = argmax(logits);
                logits = whole.run(StageBatch.tokens(List.of(StageItem.sessionTokens(session, PROMPT + s, next))))
                        .item(0).data();
            }
            best = Math.max(best, STEPS / ((System.nanoTime() - t0) / 1e9));
            whole.release(session);
        }
        return best;
    }

    private static int argmax(float[] x) {
        int b = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[b]) {
                b = i;
            }
        }
        return b;
    }

    /** GB/s of reading {@code a} once, split over {@code threads} threads; best of five passes. */
    static double bandwidth(float[] a, int threads) throws InterruptedException {
        double best = 0;
        double[] sink = new double[threads];
        for (int rep = 0; rep < 5; rep++) {
            CountDownLatch done = new CountDownLatch(threads);
            int chunk = a.length / threads;
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int from = t * chunk;
                int to = t == threads - 1 ? a.length : from + chunk;
                int slot = t;
                Thread w = new Thread(() -> {
                    float s0 = 0;
                    float s1 = 0;
                    float s2 = 0;
                    float s3 = 0;
                    for (int i = from; i + 3 < to; i += 4) {
                        s0 += a[i];
                        s1 += a[i + 1];
                        s2 += a[i + 2];
                        s3 += a[i + 3];
                    }
                    sink[slot] += s0 + s1 + s2 + s3;
                    done.countDown();
                });
                w.start();
            }
            done.await();
            best = Math.max(best, 4.0 * a.length / ((System.nanoTime() - t0) / 1e9) / 1e9);
        }
        if (java.util.Arrays.stream(sink).sum() == 42) {
            System.out.print(""); // keep the sums alive
        }
        return best;
    }
}
