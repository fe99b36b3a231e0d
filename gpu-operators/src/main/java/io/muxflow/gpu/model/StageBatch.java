package io.muxflow.gpu.model;

import java.util.List;

/**
 * What flows into and out of a stage: items of possibly different lengths, each row {@code width}
 * floats wide (0 for token input). Rows of all items are stacked for the dense layers, so a batch
 * costs one GEMM per weight matrix; attention runs per item.
 */
public record StageBatch(List<StageItem> items, int width) {
    public StageBatch {
        items = List.copyOf(items);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one item");
        }
    }

    public static StageBatch tokens(List<StageItem> items) {
        return new StageBatch(items, 0);
    }

    public int totalRows() {
        int n = 0;
        for (StageItem i : items) {
            n += i.length();
        }
        return n;
    }

    public int size() {
        return items.size();
    }

    public StageItem item(int i) {
        return items.get(i);
    }
}
