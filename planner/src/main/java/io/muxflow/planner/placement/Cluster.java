package io.muxflow.planner.placement;

/**
 * The devices a plan may use: how many, the weight memory each may hold (bytes, compared with
 * {@code <=}), and how many share a node (groups larger than a node must span whole nodes).
 */
public record Cluster(int devices, long memBudgetBytes, int devicesPerNode) {
    public static final long GIB = 1L << 30;

    public Cluster {
        if (devices < 1) {
            throw new IllegalArgumentException("a cluster needs at least one device, got " + devices);
        }
        if (memBudgetBytes <= 0) {
            throw new IllegalArgumentException("memory budget must be > 0 bytes");
        }
        if (devicesPerNode < 1) {
            throw new IllegalArgumentException("devices per node must be >= 1");
        }
    }

    /** {@code memGb} in AlpaServe's GB (2^30 bytes), truncated to whole bytes. */
    public static Cluster of(int devices, double memGb) {
        return new Cluster(devices, (long) (memGb * GIB), 8);
    }

    public Cluster withDevices(int d) {
        return new Cluster(d, memBudgetBytes, devicesPerNode);
    }
}
