package io.muxflow.gpu.backend;

import io.muxflow.gpu.model.ModelConfig;
import io.muxflow.gpu.model.StageBatch;
import io.muxflow.gpu.model.StageSpec;

/**
 * Runs one pipeline stage of one model on one device: a contiguous range of blocks, plus the
 * embeddings on the first stage and the output head on the last. Created loaded (weights on the
 * device) by a {@link StageExecutorFactory}; runs batches in the caller's thread; {@link #close}
 * frees everything it holds on the device.
 *
 * <p>Input to a first stage is token ids; to any other stage the previous stage's rows (width
 * {@code hidden}). Output of a non-last stage is rows of width {@code hidden}; of the last stage, per
 * item one row of the model's output (pooled vector or logits) or, for token output, one row per
 * token. Bad input raises an {@link ExecutorException} naming the item and what is wrong.
 */
public interface StageExecutor extends AutoCloseable {
    /** "cpu", "cuda" or "emulated". */
    String backend();

    ModelConfig model();

    StageSpec stage();

    StageBatch run(StageBatch input);

    /** Bytes this stage holds on its device now: weights, workspace, KV caches. */
    long deviceMemoryBytes();

    /** Bytes of this stage's weights on the device. */
    long weightBytes();

    /** Drops a decoder session's KV cache (no-op for unknown sessions and encoders). */
    void release(long session);

    @Override
    void close();
}
