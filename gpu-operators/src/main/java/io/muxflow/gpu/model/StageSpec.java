package io.muxflow.gpu.model;

/**
 * One pipeline stage of a model: stage {@code index} of {@code count}, running blocks
 * {@code [fromLayer, toLayer)}, plus the embeddings on the first stage and the output head on the
 * last.
 */
public record StageSpec(int index, int count, int fromLayer, int toLayer) {
    public StageSpec {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("stage " + index + " of " + count + " is out of range");
        }
        if (fromLayer < 0 || toLayer < fromLayer) {
            throw new IllegalArgumentException("stage layers [" + fromLayer + ", " + toLayer + ") are invalid");
        }
    }

    public static StageSpec whole(ModelConfig c) {
        return new StageSpec(0, 1, 0, c.layers());
    }

    public boolean first() {
        return index == 0;
    }

    public boolean last() {
        return index == count - 1;
    }

    public int layers() {
        return toLayer - fromLayer;
    }

    @Override
    public String toString() {
        return "stage " + index + "/" + count + " layers [" + fromLayer + "," + toLayer + ")";
    }
}
