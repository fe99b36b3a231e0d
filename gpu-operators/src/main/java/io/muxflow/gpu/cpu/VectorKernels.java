package io.muxflow.gpu.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GEMM micro-kernels on the Vector API (8-lane float vectors, AVX2 and up): a 4 x 16 block of C
 * lives in eight vector registers while k streams by, each step one broadcast of A and one fused
 * multiply-add per register. Row and column remainders use the same fused multiply-adds in scalar
 * code, so every element rounds the same way as in {@link ScalarKernels}.
 */
final class VectorKernels implements Gemm.Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    @Override
    public void block(float[] a, float[] b, float[] c, int k, int n, int i0, int i1, int j0, int j1, int p0, int p1) {
        int jv = j0 + (j1 - j0) / 16 * 16;
        int i = i0;
        for (; i + 3 < i1; i += 4) {
            int r0 = i * n;
            int r1 = r0 + n;
            int r2 = r1 + n;
            int r3 = r2 + n;
            int a0 = i * k;
            int a1 = a0 + k;
            int a2 = a1 + k;
            int a3 = a2 + k;
            for (int j = j0; j < jv; j += 16) {
                FloatVector c00 = FloatVector.fromArray(S, c, r0 + j);
                FloatVector c01 = FloatVector.fromArray(S, c, r0 + j + 8);
                FloatVector c10 = FloatVector.fromArray(S, c, r1 + j);
                FloatVector c11 = FloatVector.fromArray(S, c, r1 + j + 8);
                FloatVector c20 = FloatVector.fromArray(S, c, r2 + j);
                FloatVector c21 = FloatVector.fromArray(S, c, r2 + j + 8);
                FloatVector c30 = FloatVector.fromArray(S, c, r3 + j);
                FloatVector c31 = FloatVector.fromArray(S, c, r3 + j + 8);
                for (int p = p0; p < p1; p++) {
                    int bo = p * n + j;
                    FloatVector b0 = FloatVector.fromArray(S, b, bo);
                    FloatVector b1 = FloatVector.fromArray(S, b, bo + 8);
                    FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
                    c00 = x.fma(b0, c00);
                    c01 = x.fma(b1, c01);
                    x = FloatVector.broadcast(S, a[a1 + p]);
                    c10 = x.fma(b0, c10);
                    c11 = x.fma(b1, c11);
                    x = FloatVector.broadcast(S, a[a2 + p]);
                    c20 = x.fma(b0, c20);
                    c21 = x.fma(b1, c21);
                    x = FloatVector.broadcast(S, a[a3 + p]);
                    c30 = x.fma(b0, c30);
                    c31 = x.fma(b1, c31);
                }
                c00.intoArray(c, r0 + j);
                c01.intoArray(c, r0 + j + 8);
                c10.intoArray(c, r1 + j);
                c11.intoArray(c, r1 + j + 8);
                c20.intoArray(c, r2 + j);
                c21.intoArray(c, r2 + j + 8);
                c30.intoArray(c, r3 + j);
                c31.intoArray(c, r3 + j + 8);
            }
            scalarColumns(a, b, c, k, n, i, i + 4, jv, j1, p0, p1);
        }
        for (; i < i1; i++) {
            // a remainder row: per element the same fused multiply-adds in ascending p as above
            gemv(a, i * k, b, c, i * n, n, p0, p1, j0, j1);
        }
    }

    private static void scalarColumns(float[] a, float[] b, float[] c, int k, int n, int i0, int i1, int j0, int j1,
            int p0, int p1) {
        if (j0 >= j1) {
            return;
        }
        for (int i = i0; i < i1; i++) {
            int co = i * n;
            for (int p = p0; p < p1; p++) {
                float av = a[i * k + p];
                int bo = p * n;
                for (int j = j0; j < j1; j++) {
                    c[co + j] = Math.fma(av, b[bo + j], c[co + j]);
                }
            }
        }
    }

    @Override
    public void gemv(float[] a, int ao, float[] b, float[] c, int co, int n, int p0, int p1, int j0, int j1) {
        // A lone row (a decode step's) is bound by reading B: four rows of B per pass, four streams in
        // flight and one load/store of C per 8 columns instead of four; per element still one fused
        // multiply-add per p in ascending p
        int jv = j0 + (j1 - j0) / 8 * 8;
        int p = p0;
        for (; p + 3 < p1; p += 4) {
            FloatVector x0 = FloatVector.broadcast(S, a[ao + p]);
            FloatVector x1 = FloatVector.broadcast(S, a[ao + p + 1]);
            FloatVector x2 = FloatVector.broadcast(S, a[ao + p + 2]);
            FloatVector x3 = FloatVector.broadcast(S, a[ao + p + 3]);
            int b0 = p * n;
            int b1 = b0 + n;
            int b2 = b1 + n;
            int b3 = b2 + n;
            for (int j = j0; j < jv; j += 8) {
                FloatVector acc = FloatVector.fromArray(S, c, co + j);
                acc = x0.fma(FloatVector.fromArray(S, b, b0 + j), acc);
                acc = x1.fma(FloatVector.fromArray(S, b, b1 + j), acc);
                acc = x2.fma(FloatVector.fromArray(S, b, b2 + j), acc);
                acc = x3.fma(FloatVector.fromArray(S, b, b3 + j), acc);
                acc.intoArray(c, co + j);
            }
            for (int j = jv; j < j1; j++) {
                float v = c[co + j];
                v = Math.fma(a[ao + p], b[b0 + j], v);
                v = Math.fma(a[ao + p + 1], b[b1 + j], v);
                v = Math.fma(a[ao + p + 2], b[b2 + j], v);
                c[co + j] = Math.fma(a[ao + p + 3], b[b3 + j], v);
            }
        }
        for (; p < p1; p++) {
            FloatVector x = FloatVector.broadcast(S, a[ao + p]);
            int bo = p * n;
            for (int j = j0; j < jv; j += 8) {
                x.fma(FloatVector.fromArray(S, b, bo + j), FloatVector.fromArray(S, c, co + j)).intoArray(c, co + j);
            }
            for (int j = jv; j < j1; j++) {
                c[co + j] = Math.fma(a[ao + p], b[bo + j], c[co + j]);
            }
        }
    }

    @Override
    public void dot8x4(float[] a, int ao, float[] b, int bo, int len, float[] out, int oo) {
        // four independent accumulator chains hide the fused multiply-add latency that bounds one
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int o1 = bo + len;
        int o2 = o1 + len;
        int o3 = o2 + len;
        int p = 0;
        for (; p + 8 <= len; p += 8) {
            FloatVector x = FloatVector.fromArray(S, a, ao + p);
            s0 = x.fma(FloatVector.fromArray(S, b, bo + p), s0);
            s1 = x.fma(FloatVector.fromArray(S, b, o1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(S, b, o2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(S, b, o3 + p), s3);
        }
        out[oo] = finish(s0, a, ao, b, bo, p, len);
        out[oo + 1] = finish(s1, a, ao, b, o1, p, len);
        out[oo + 2] = finish(s2, a, ao, b, o2, p, len);
        out[oo + 3] = finish(s3, a, ao, b, o3, p, len);
    }

    /** The lanes added in {@link #dot8}'s fixed tree, then the tail from p. */
    private static float finish(FloatVector acc, float[] a, int ao, float[] b, int bo, int p, int len) {
        float s = ((acc.lane(0) + acc.lane(1)) + (acc.lane(2) + acc.lane(3)))
                + ((acc.lane(4) + acc.lane(5)) + (acc.lane(6) + acc.lane(7)));
        for (; p < len; p++) {
            s = Math.fma(a[ao + p], b[bo + p], s);
        }
        return s;
    }

    @Override
    public float dot8(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(S);
        int p = 0;
        for (; p + 8 <= len; p += 8) {
            acc = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), acc);
        }
        float[] l = new float[8];
        acc.intoArray(l, 0);
        float s = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
        for (; p < len; p++) {
            s = Math.fma(a[ao + p], b[bo + p], s);
        }
        return s;
    }

    @Override
    public String name() {
        return "vector";
    }
}
