package io.muxflow.planner.placement;

import io.muxflow.planner.plan.Placement;
import io.muxflow.planner.profile.ParallelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The outer loop of AlpaServe's Algorithm 2 ({@code enumerate_group_configs_uneven}): for every
 * power-of-two group size s up to the cluster size (sizes beyond a node must be whole nodes), cut
 * the devices into {@code n / s} groups of size s, each run as (op, pp) for every factorization
 * {@code op x pp = s} within the limits; the remaining {@code n mod s} devices become pipeline
 * groups whose sizes are the binary digits of the remainder.
 */
public final class GroupPartitions {
    private GroupPartitions() {
    }

    public static List<Placement> enumerate(Cluster cluster, int maxPp, int maxOp) {
        List<Placement> out = new ArrayList<>();
        int n = cluster.devices();
        int perNode = cluster.devicesPerNode();
        for (int size = 1; size <= n; size *= 2) {
            if (size > perNode && size % perNode != 0) {
                continue;
            }
            int regular = n / size;
            List<Integer> rest = binaryParts(n % size);
            for (int pp : factors(size)) {
                int op = size / pp;
                if (pp > maxPp || op > maxOp) {
                    continue;
                }
                List<ParallelConfig> configs = new ArrayList<>();
                for (int i = 0; i < regular; i++) {
                    configs.add(ParallelConfig.of(op, pp));
                }
                for (int r : rest) {
                    configs.add(ParallelConfig.of(1, r));
                }
                out.add(Placement.empty(configs));
            }
        }
        return out;
    }

    static List<Integer> binaryParts(int n) {
        List<Integer> out = new ArrayList<>();
        for (int bit = 1; n > 0; bit *= 2, n /= 2) {
            if (n % 2 == 1) {
                out.add(bit);
            }
        }
        return out;
    }

    static List<Integer> factors(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            if (n % i == 0) {
                out.add(i);
            }
        }
        return out;
    }
}
