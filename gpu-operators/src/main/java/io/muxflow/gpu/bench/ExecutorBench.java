package io.muxflow.gpu.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.muxflow.gpu.backend.StageExecutor;
import io.muxflow.gpu.backend.StageExecutorFactory;
import io.muxflow.gpu.cpu.CpuBackend;
import io.muxflow.gpu.cpu.Gemm;
import io.muxflow.gpu.cuda.CudaAvailability;
import io.muxflow.gpu.cuda.CudaBackend;
import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageItem;
import io.muxflow.gpu.model.StageSpec;
import io.muxflow.gpu.weights.SyntheticWeights;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.io.TempDir;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code muxflow bench executors}: this machine's measured FMA peak (a small C program built with gcc),
 * the cpu GEMM's GFLOP/s against it, the latency of one BERT-base-shaped layer (hidden 768, 12 heads,
 * sequence 128, batch 1) on cpu and, where a GPU is usable, on cuda and in PyTorch eager on the same
 * GPU ({@code tools/torch_layer_bench.py}).
 */
public final class ExecutorBench {
    private final PrintWriter log;

    public ExecutorBench(PrintWriter log) {
        this.log = log;
    }

    /** Best of three runs of the FMA peak program per thread count; null when gcc is missing. */
    ObjectNode peak() {
        ObjectNode o = Json.object();
        try (TempDir tmp = TempDir.create("muxflow-peak")) {
            Path dir = tmp.path();
            Path src = dir.resolve("peak_fma.c");
            try (InputStream in = ExecutorBench.class.getResourceAsStream("peak_fma.c")) {
                Files.write(src, in.readAllBytes());
            }
            Path bin = dir.resolve("peak");
            if (exec(List.of("gcc", "-O2", "-march=native", "-pthread", src.toString(), "-o", bin.toString())) == null) {
                o.put("note", "gcc not available: peak not measured");
                return o;
            }
            int cores = Runtime.getRuntime().availableProcessors();
            for (int t : new int[] {1, cores}) {
                double best = 0;
                for (int r = 0; r < 3; r++) {
                    String out = exec(List.of(bin.toString(), Integer.toString(t)));
                    best = Math.max(best, Double.parseDouble(out.trim()));
                }
                o.put("threads_" + t + "_gflops", best);
                log.printf("peak (gcc FMA loop, %d thread%s): %.1f GFLOP/s%n", t, t > 1 ? "s" : "", best);
            }
            o.put("cores", cores);
        } catch (IOException | java.io.UncheckedIOException | NumberFormatException e) {
            o.put("note", "peak not measured: " + e.getMessage());
        }
        log.flush();
        return o;
    }

    private static String exec(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    ObjectNode gemm(int m, int k, int n, int threads) {
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        float[] c = new float[m * n];
        for (int i = 0; i < 10; i++) {
            Gemm.multiply(a, b, null, c, m, k, n, threads);
        }
        long t0 = System.nanoTime();
        int it = 0;
        while (System.nanoTime() - t0 < 2_000_000_000L) {
            Gemm.multiply(a, b, null, c, m, k, n, threads);
            it++;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        double gflops = 2.0 * m * k * n * it / s / 1e9;
        ObjectNode o = Json.object();
        o.put("m", m);
        o.put("k", k);
        o.put("n", n);
        o.put("threads", threads);
        o.put("gflops", gflops);
        log.printf("cpu gemm %dx%dx%d, %d thread%s: %.1f GFLOP/s%n", m, k, n, threads, threads > 1 ? "s" : "", gflops);
        log.flush();
        return o;
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() - 0.5);
        }
        return a;
    }

    /** A middle stage holding one BERT-base block: rows of hidden states in, rows out. */
    static double layerLatencyMs(StageExecutorFactory f, int runs) {
        ModelConfig c = ModelConfig.named("bert-base").withOutput(ModelConfig.Output.TOKENS);
        try (StageExecutor e = f.load(c, new StageSpec(1, 3, 0, 1), new SyntheticWeights(1))) {
            StageBatch in = new StageBatch(List.of(StageItem.ofData(0, 0, 128, random(128 * c.hidden(), 3))), c.hidden());
            for (int i = 0; i < 5; i++) {
                e.run(in);
            }
            double[] t = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                e.run(in);
                t[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(t);
            return io.muxflow.planner.stats.Percentiles.nearestRank(t, 0.5);
        }
    }

    public ObjectNode run(Path outDir) {
        ObjectNode root = Json.object();
        root.put("gemm_kernel", Gemm.kernel());
        ObjectNode peak = peak();
        root.set("peak", peak);
        int cores = Runtime.getRuntime().availableProcessors();
        ArrayNode g = root.putArray("gemm");
        for (int[] s : List.of(new int[] {128, 768, 3072}, new int[] {512, 1024, 1024}, new int[] {1, 768, 3072})) {
            for (int t : new int[] {1, cores}) {
                ObjectNode r = gemm(s[0], s[1], s[2], t);
                if (peak.has("threads_" + t + "_gflops")) {
                    r.put("fraction_of_peak", r.get("gflops").asDouble() / peak.get("threads_" + t + "_gflops").asDouble());
                }
                g.add(r);
            }
        }
        ObjectNode layer = root.putObject("bert_base_layer_seq128_batch1");
        for (int t : new int[] {1, cores}) {
            double ms = layerLatencyMs(new CpuBackend(t), 20);
            layer.put("cpu_" + t + "_threads_ms", ms);
            log.printf("bert-base layer (seq 128, batch 1) on cpu, %d thread%s: %.2f ms%n", t, t > 1 ? "s" : "", ms);
        }
        CudaAvailability.Status st = CudaAvailability.probe();
        if (st.ok()) {
            double ms = layerLatencyMs(new CudaBackend(0), 50);
            layer.put("cuda_ms", ms);
            layer.put("gpu", st.deviceName());
            log.printf("bert-base layer on cuda (%s): %.3f ms%n", st.deviceName(), ms);
            String torch = exec(List.of("python3", "tools/torch_layer_bench.py"));
            if (torch != null && !torch.isBlank()) {
                String[] lines = torch.strip().split("\n");
                double tms = Double.parseDouble(lines[lines.length - 1].trim());
                layer.put("pytorch_eager_ms", tms);
                layer.put("cuda_over_pytorch", ms / tms);
                log.printf("same layer in PyTorch eager: %.3f ms (cuda/pytorch = %.2f)%n", tms, ms / tms);
            } else {
                layer.put("pytorch_note", "PyTorch not available or tools/torch_layer_bench.py failed");
            }
        } else {
            layer.put("cuda_note", "not measured: " + st.reason());
            log.printf("cuda: not measured (%s)%n", st.reason());
        }
        log.flush();
        Json.write(outDir.resolve("executors.json"), root);
        return root;
    }
}
