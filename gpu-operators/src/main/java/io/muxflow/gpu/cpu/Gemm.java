package io.muxflow.gpu.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

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

        /**
         * A lone row: {@code c[co + j] = fma(a[ao + p], b[p n + j], c[co + j])} for ascending p in
         * [p0, p1), for j in [j0, j1).
         */
        void gemv(float[] a, int ao, float[] b, float[] c, int co, int n, int p0, int p1, int j0, int j1);

        float dot8(float[] a, int ao, float[] b, int bo, int len);

        /** Four {@link #dot8}s of the same row of a with consecutive rows of b: out[oo + q], q < 4. */
        void dot8x4(float[] a, int ao, float[] b, int bo, int len, float[] out, int oo);

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
        boolean serial = threads <= 1 || (long) m * n * k < 1L << 18;
        if (m < 4) {
            // decode steps: each row is a GEMV bound by reading B once; each thread streams its own
            // contiguous part of every row of B
            int parts = serial ? 1 : threads;
            int per = ((n + parts - 1) / parts + 15) / 16 * 16;
            IntConsumer cols = t -> {
                for (int i = 0; i < m; i++) {
                    KERNELS.gemv(a, i * k, b, c, i * n, n, 0, k, t * per, Math.min(n, (t + 1) * per));
                }
            };
            run(threads, (n + per - 1) / per, cols);
        } else if (serial) {
            blocked(a, b, c, k, n, 0, m, 0, n);
        } else if (m >= 8 * threads) {
            int groups = (m + 3) / 4;
            int chunks = Math.min(groups, threads * 4);
            int per = (groups + chunks - 1) / chunks * 4;
            run(threads, (m + per - 1) / per, t -> blocked(a, b, c, k, n, t * per, Math.min(m, (t + 1) * per), 0, n));
        } else {
            // few rows: one contiguous column range per chunk
            int parts = threads * 4;
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
        // one contiguous range of B's rows per thread (chunks claimed in order), four rows at a time
        int chunks = threads <= 1 ? 1 : threads * 4;
        int per = ((n + chunks - 1) / chunks + 3) / 4 * 4;
        IntConsumer rows = t -> {
            int from = t * per;
            int to = Math.min(n, from + per);
            for (int i = 0; i < m; i++) {
                int j = from;
                for (; j + 3 < to; j += 4) {
                    KERNELS.dot8x4(a, i * k, bRows, j * k, k, c, i * n + j);
                }
                for (; j < to; j++) {
                    c[i * n + j] = KERNELS.dot8(a, i * k, bRows, j * k, k);
                }
            }
        };
        run(threads, (n + per - 1) / per, rows);
    }

    /**
     * Runs body(0 .. chunks - 1), each once, on up to {@code threads} threads: the caller takes part
     * (a decode step makes ~50 of these calls per token, so a hand-off that only waits costs), the
     * pool's workers claim the other chunks in order.
     */
    static void run(int threads, int chunks, IntConsumer body) {
        int helpers = Math.min(threads, chunks) - 1;
        if (helpers <= 0) {
            for (int t = 0; t < chunks; t++) {
                body.accept(t);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable claim = () -> {
            for (int t = next.getAndIncrement(); t < chunks; t = next.getAndIncrement()) {
                body.accept(t);
            }
        };
        ForkJoinPool pool = Pools.get(threads);
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[helpers];
        for (int h = 0; h < helpers; h++) {
            tasks[h] = pool.submit(claim);
        }
        try {
            claim.run();
        } finally {
            for (ForkJoinTask<?> task : tasks) {
                task.join();
            }
        }
    }
}
