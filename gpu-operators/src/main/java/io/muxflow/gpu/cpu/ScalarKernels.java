package io.muxflow.gpu.cpu;

/**
 * The GEMM micro-kernels in scalar code, with exactly the arithmetic of {@link VectorKernels}: each
 * C element {@code c = fma(a[p], b[p], c)} for ascending p; dot products keep eight partial sums
 * (lane l takes p = l mod 8), add them in a fixed tree, then the tail.
 */
final class ScalarKernels implements Gemm.Kernels {
    @Override
    public void block(float[] a, float[] b, float[] c, int k, int n, int i0, int i1, int j0, int j1, int p0, int p1) {
        for (int i = i0; i < i1; i++) {
            gemv(a, i * k, b, c, i * n, n, p0, p1, j0, j1);
        }
    }

    @Override
    public void gemv(float[] a, int ao, float[] b, float[] c, int co, int n, int p0, int p1, int j0, int j1) {
        for (int p = p0; p < p1; p++) {
            float av = a[ao + p];
            int bo = p * n;
            for (int j = j0; j < j1; j++) {
                c[co + j] = Math.fma(av, b[bo + j], c[co + j]);
            }
        }
    }

    @Override
    public void dot8x4(float[] a, int ao, float[] b, int bo, int len, float[] out, int oo) {
        for (int q = 0; q < 4; q++) {
            out[oo + q] = dot8(a, ao, b, bo + q * len, len);
        }
    }

    @Override
    public float dot8(float[] a, int ao, float[] b, int bo, int len) {
        float[] acc = new float[8];
        int p = 0;
        for (; p + 8 <= len; p += 8) {
            for (int l = 0; l < 8; l++) {
                acc[l] = Math.fma(a[ao + p + l], b[bo + p + l], acc[l]);
            }
        }
        float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for (; p < len; p++) {
            s = Math.fma(a[ao + p], b[bo + p], s);
        }
        return s;
    }

    @Override
    public String name() {
        return "scalar";
    }
}
