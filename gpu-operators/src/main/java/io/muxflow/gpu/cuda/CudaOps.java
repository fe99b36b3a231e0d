package io.muxflow.gpu.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasOperation;

/** Launches of the kernels in {@code kernels.cu}, and GEMMs on cuBLAS or the own kernel. */
final class CudaOps {
    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});
    private final CudaDevice dev;

    CudaOps(CudaDevice dev) {
        this.dev = dev;
    }

    static CUdeviceptr at(CUdeviceptr base, long floats) {
        return base.withByteOffset(floats * Sizeof.FLOAT);
    }

    private static Pointer p(CUdeviceptr d) {
        return Pointer.to(d);
    }

    private static Pointer i(int v) {
        return Pointer.to(new int[] {v});
    }

    private static Pointer l(long v) {
        return Pointer.to(new long[] {v});
    }

    private static Pointer f(float v) {
        return Pointer.to(new float[] {v});
    }

    private static int blocks(long n, int threads) {
        return (int) ((n + threads - 1) / threads);
    }

    private void launch(String fn, int gx, int gy, int bx, int by, int shared, Pointer... args) {
        cuLaunchKernel(dev.function(fn), gx, gy, 1, bx, by, 1, shared, null, Pointer.to(args), null);
    }

    void embed(CUdeviceptr out, CUdeviceptr tokens, CUdeviceptr positions, CUdeviceptr wte, CUdeviceptr wpe,
            CUdeviceptr type0, int rows, int h) {
        launch("embed", rows, 1, 128, 1, 0, p(out), p(tokens), p(positions), p(wte), p(wpe),
                type0 == null ? Pointer.to(new CUdeviceptr()) : p(type0), i(rows), i(h));
    }

    void layerNorm(CUdeviceptr out, CUdeviceptr in, CUdeviceptr g, CUdeviceptr b, int rows, int h, float eps) {
        launch("layernorm", rows, 1, 256, 1, 0, p(out), p(in), p(g), p(b), i(rows), i(h), f(eps));
    }

    void addInPlace(CUdeviceptr x, CUdeviceptr y, long n) {
        launch("add_inplace", blocks(n, 256), 1, 256, 1, 0, p(x), p(y), l(n));
    }

    void unary(String fn, CUdeviceptr x, long n) {
        launch(fn, blocks(n, 256), 1, 256, 1, 0, p(x), l(n));
    }

    void gatherRows(CUdeviceptr out, CUdeviceptr in, CUdeviceptr idx, int nrows, int w) {
        launch("gather_rows", nrows, 1, 128, 1, 0, p(out), p(in), p(idx), i(nrows), i(w));
    }

    void copyRows(CUdeviceptr dst, CUdeviceptr src, int rows, int w, int srcStride) {
        launch("copy_rows", rows, 1, 128, 1, 0, p(dst), p(src), i(rows), i(w), i(srcStride));
    }

    void attention(CUdeviceptr ctx, int ctxStride, CUdeviceptr q, int qStride, CUdeviceptr k, CUdeviceptr v,
            int kvStride, int len, int keys, int pos0, boolean causal, int heads, int d) {
        int threads = 128;
        int shared = (keys + threads) * Sizeof.FLOAT;
        launch("attention", len, heads, threads, 1, shared, p(ctx), i(ctxStride), p(q), i(qStride), p(k), p(v),
                i(kvStride), i(len), i(keys), i(pos0), i(causal ? 1 : 0), i(d), f((float) (1.0 / Math.sqrt(d))));
    }

    /** C (m x n) = A (m x k) B (k x n) + bias, row-major. */
    void gemm(CUdeviceptr a, CUdeviceptr b, CUdeviceptr bias, CUdeviceptr c, int m, int k, int n) {
        if (dev.cublas() != null) {
            // row-major C = A B is column-major C^T = B^T A^T
            JCublas2.cublasSgemm(dev.cublas(), cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, n, m, k, ONE, b, n,
                    a, k, ZERO, c, n);
            if (bias != null) {
                launch("add_bias", blocks((long) m * n, 256), 1, 256, 1, 0, p(c), p(bias), i(m), i(n));
            }
        } else {
            launch("sgemm", blocks(n, 32), blocks(m, 32), 32, 8, 0, p(a), p(b),
                    bias == null ? Pointer.to(new CUdeviceptr()) : p(bias), p(c), i(m), i(n), i(k));
        }
    }

    /** C (m x n) = A (m x k) B^T for B given as n rows of k. */
    void gemmTransposed(CUdeviceptr a, CUdeviceptr bRows, CUdeviceptr c, int m, int k, int n) {
        if (dev.cublas() != null) {
            JCublas2.cublasSgemm(dev.cublas(), cublasOperation.CUBLAS_OP_T, cublasOperation.CUBLAS_OP_N, n, m, k, ONE, bRows,
                    k, a, k, ZERO, c, n);
        } else {
            launch("sgemm_nt", blocks(n, 128), m, 128, 1, 0, p(a), p(bRows), p(c), i(m), i(n), i(k));
        }
    }
}
