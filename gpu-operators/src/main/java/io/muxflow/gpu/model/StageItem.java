package io.muxflow.gpu.model;

/**
 * One request's part of a stage batch: {@code length} rows of {@code data} (row-major, width given by
 * the batch) or, into a first stage, {@code length} token ids. {@code session} names a decoder's KV
 * cache (0: no cache kept) and {@code position} is the absolute position of the first row (the number
 * of tokens the session already holds).
 */
public record StageItem(long session, int position, int length, int[] tokens, float[] data) {
    public StageItem {
        if (length < 1) {
            throw new IllegalArgumentException("an item needs at least one token, got length " + length);
        }
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + position);
        }
    }

    public static StageItem ofTokens(int... tokens) {
        return new StageItem(0, 0, tokens.length, tokens, null);
    }

    public static StageItem sessionTokens(long session, int position, int... tokens) {
        return new StageItem(session, position, tokens.length, tokens, null);
    }

    public static StageItem ofData(long session, int position, int length, float[] data) {
        return new StageItem(session, position, length, null, data);
    }
}
