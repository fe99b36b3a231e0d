package io.muxflow.gpu.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Single-precision matrix multiply for row-major matrices: {@code C = A B + bias} (A m x k, B k x n)
 * and {@code C = A B^T} (B given as n rows of k). Cache-blocked (panels of B of {@value #KB} x
 * {@value #NB} stay in L2) with a 4 x 16 register-blocked micro-kernel on the Vector API
 * ({@link VectorKernels}) when {@code jdk.incubator.vector} is present, else the same arithmetic in
 * scalar code ({@link ScalarKernels}).
 *
 * <p>Deterministic: every element of C starts from its bias and accumulates fused multiply-adds in
 * ascending k, whether it is computed by a vector lane or the scalar tail, in which row group, and
 * on which thread (work is split by groups of 4 rows, or of 16 columns when there are few rows).
 * So results are bit-for-bit the same for any thread count, batch composition or pipeline split.
 */
public final class Gemm {
    static final int KB = 256;
    static final int NB = 256;
    private static final Kernels KERNELS = pick();

    /** The two paths share these signatures and their arithmetic. */
    interface Kernels {
        void block(float[] a, float[] b, float[] c, int k, int n, int i0, int i1, int j0, int j1, int p0, int p1);

        float dot8(float[] a, int ao, float[] b, int bo, int len);

        String name();
    }

    private Gemm() {
    }

    private static Kernels pick() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (Kernels) Class.forName("io.muxflow.gpu.cpu.VectorKernels").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                // fall through to scalar
            }
        }
        return new ScalarKernels();
    }

    /** "vector" or "scalar": which micro-kernel this JVM runs. */
    public static String kernel() {
        return KERNELS.name();
    }

    /** C = A B + bias (bias may be null: zeros). */
    public static void multiply(float[] a, float[] b, float[] bias, float[] c, int m, int k, int n, int threads) {
        if (a.length < (long) m * k || b.length < (long) k * n || c.length < (long) m * n) {
            throw new IllegalArgumentException("gemm: arrays too small for " + m + "x" + k + " * " + k + "x" + n);
        }
        for (int i = 0; i < m; i++) {
            if (bias != null) {
                System.arraycopy(bias, 0, c, i * n, n);
            } else {
                java.util.Arrays.fill(c, i * n, i * n + n, 0f);
            }
        }
        if (threads <= 1 || (long) m * n * k < 1L << 18) {
            blocked(a, b, c, k, n, 0, m, 0, n);
        } else if (m >= 8 * threads) {
            int groups = (m + 3) / 4;
            int chunks = Math.min(groups, threads * 4);
            int per = (groups + chunks - 1) / chunks * 4;
            run(threads, (m + per - 1) / per, t -> blocked(a, b, c, k, n, t * per, Math.min(m, (t + 1) * per), 0, n));
        } else {
            // few rows (decode steps): one contiguous column range per thread, so each streams its own
            // part of every row of B
            int parts = m < 4 ? threads : threads * 4;
            int per = Math.max(16, ((n + parts - 1) / parts + 15) / 16 * 16);
            run(threads, (n + per - 1) / per, t -> blocked(a, b, c, k, n, 0, m, t * per, Math.min(n, (t + 1) * per)));
        }
    }

    private static void blocked(float[] a, float[] b, float[] c, int k, int n, int i0, int i1, int j0, int j1) {
        for (int jj = j0; jj < j1; jj += NB) {
            int je = Math.min(j1, jj + NB);
            for (int kk = 0; kk < k; kk += KB) {
                KERNELS.block(a, b, c, k, n, i0, i1, jj, je, kk, Math.min(k, kk + KB));
            }
        }
    }

    /** C = A B^T, B given as n rows of length k (the tied LM head: logits = h x embeddings^T). */
    public static void multiplyTransposed(float[] a, float[] bRows, float[] c, int m, int k, int n, int threads) {
        int chunks = 64;
        int per = (n + chunks - 1) / chunks;
        IntConsumer cols = t -> {
            int to = Math.min(n, (t + 1) * per);
            for (int i = 0; i < m; i++) {
                for (int j = t * per; j < to; j++) {
                    c[i * n + j] = KERNELS.dot8(a, i * k, bRows, j * k, k);
                }
            }
        };
        if (threads <= 1) {
            for (int t = 0; t < chunks; t++) {
                cols.accept(t);
            }
        } else {
            run(threads, chunks, cols);
        }
    }

    static void run(int threads, int chunks, IntConsumer body) {
        ForkJoinPool pool = Pools.get(threads);
        try {
            pool.submit(() -> IntStream.range(0, chunks).parallel().forEach(body)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("gemm interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }
}
