package io.muxflow.gpu.model;

import java.util.Arrays;

/**
 * One decoder session's attention cache on one stage: per block of the stage, the keys and values
 * (rows of width hidden) of every token the session has seen, so a generation step attends them
 * without recomputing. Grows by doubling.
 */
public final class KvCache {
    private final float[][] keys;
    private final float[][] values;
    private final int width;
    private int tokens;

    public KvCache(int layers, int width) {
        this.keys = new float[layers][width * 16];
        this.values = new float[layers][width * 16];
        this.width = width;
    }

    public int tokens() {
        return tokens;
    }

    /** Appends {@code rows} rows of keys and values to block {@code layer} (call for every block, then {@link #advance}). */
    public void append(int layer, float[] k, int kOffset, float[] v, int vOffset, int rows, int stride) {
        int need = (tokens + rows) * width;
        if (keys[layer].length < need) {
            int cap = Math.max(need, keys[layer].length * 2);
            keys[layer] = Arrays.copyOf(keys[layer], cap);
            values[layer] = Arrays.copyOf(values[layer], cap);
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(k, kOffset + r * stride, keys[layer], (tokens + r) * width, width);
            System.arraycopy(v, vOffset + r * stride, values[layer], (tokens + r) * width, width);
        }
    }

    public void advance(int rows) {
        tokens += rows;
    }

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
    }

    public long bytes() {
        long n = 0;
        for (int l = 0; l < keys.length; l++) {
            n += keys[l].length + values[l].length;
        }
        return 4 * n;
    }
}
