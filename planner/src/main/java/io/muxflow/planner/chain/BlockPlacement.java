package io.muxflow.planner.chain;

import java.util.Arrays;

/**
 * Which contiguous block range each server hosts: server j holds blocks
 * {@code [start[j], start[j] + count[j])} (0-based); {@code count[j] == 0} means it hosts none.
 */
public record BlockPlacement(int blocks, int[] start, int[] count) {
    public BlockPlacement {
        if (start.length != count.length) {
            throw new IllegalArgumentException("start and count differ in length");
        }
        for (int j = 0; j < start.length; j++) {
            if (count[j] < 0 || count[j] > 0 && (start[j] < 0 || start[j] + count[j] > blocks)) {
                throw new IllegalArgumentException("server " + j + ": range [" + start[j] + ", "
                        + (start[j] + count[j]) + ") outside 0.." + blocks);
            }
        }
        start = start.clone();
        count = count.clone();
    }

    public static BlockPlacement empty(int blocks, int servers) {
        return new BlockPlacement(blocks, new int[servers], new int[servers]);
    }

    public int servers() {
        return start.length;
    }

    public boolean hosts(int j) {
        return count[j] > 0;
    }

    public int start(int j) {
        return start[j];
    }

    public int count(int j) {
        return count[j];
    }

    /** The block after server j's range (exclusive end). */
    public int end(int j) {
        return start[j] + count[j];
    }

    /** A copy with server j moved to {@code [s, s + n)}. */
    public BlockPlacement with(int j, int s, int n) {
        int[] st = start.clone();
        int[] ct = count.clone();
        st[j] = s;
        ct[j] = n;
        return new BlockPlacement(blocks, st, ct);
    }

    /** Whether every block is hosted by some server (necessary for any chain to exist). */
    public boolean coversAllBlocks() {
        int[] diff = new int[blocks + 1];
        for (int j = 0; j < start.length; j++) {
            if (count[j] > 0) {
                diff[start[j]]++;
                diff[end(j)]--;
            }
        }
        int run = 0;
        for (int b = 0; b < blocks; b++) {
            run += diff[b];
            if (run == 0) {
                return false;
            }
        }
        return true;
    }

    /** The hosting servers in order of their range's end (ties by id). */
    public int[] serversByEnd() {
        return java.util.stream.IntStream.range(0, start.length).filter(this::hosts).boxed()
                .sorted(java.util.Comparator.<Integer>comparingInt(this::end).thenComparingInt(j -> j))
                .mapToInt(Integer::intValue).toArray();
    }

    public int usedServers() {
        return (int) Arrays.stream(count).filter(c -> c > 0).count();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockPlacement p && p.blocks == blocks && Arrays.equals(p.start, start)
                && Arrays.equals(p.count, count);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * blocks + Arrays.hashCode(start)) + Arrays.hashCode(count);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("BlockPlacement[");
        for (int j = 0; j < start.length; j++) {
            if (count[j] > 0) {
                b.append(j).append(":[").append(start[j]).append(',').append(end(j)).append(") ");
            }
        }
        return b.append(']').toString();
    }
}
