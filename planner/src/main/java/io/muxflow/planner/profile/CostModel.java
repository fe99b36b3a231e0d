package io.muxflow.planner.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An analytic (roofline) cost model that turns a transformer's shape and a device description into
 * a model profile, so models of any size can be planned without running them.
 *
 * <p>A block costs {@code max(FLOPs / flops, bytes / bandwidth)}, where bytes are its weights plus
 * the activations it reads and writes. Intra-operator parallelism ({@code op}) divides a block's
 * work and weights over {@code op} devices and adds two all-reduces of the activations per block
 * (ring: {@code 2 (op-1)/op x bytes / link}). A pipeline of {@code pp} stages gives each stage
 * {@code layers / pp} blocks (first stage: embeddings too, last: the head) and charges every stage
 * but the last the hand-off of its activations to the next ({@code stageCommS + bytes / link}).
 * Configurations are produced for every {@code pp} that divides the layers and every power-of-two
 * {@code op} that divides the heads, up to the given limits.
 */
public final class CostModel {
    private final DeviceSpec device;
    private final int maxPp;
    private final int maxOp;
    private final int[] batchSizes;

    public CostModel(DeviceSpec device, int maxPp, int maxOp, int... batchSizes) {
        this.device = device;
        this.maxPp = maxPp;
        this.maxOp = maxOp;
        this.batchSizes = batchSizes.length == 0 ? new int[] {1} : batchSizes.clone();
    }

    public CostModel(DeviceSpec device) {
        this(device, 16, 8, 1, 2, 4, 8, 16);
    }

    public ModelProfile profile(TransformerShape shape) {
        return profile(shape, shape.name());
    }

    public ModelProfile profile(TransformerShape shape, String name) {
        List<ConfigProfile> configs = new ArrayList<>();
        for (int op = 1; op <= maxOp && op <= shape.heads(); op *= 2) {
            if (shape.heads() % op != 0) {
                continue;
            }
            for (int pp = 1; pp <= Math.min(maxPp, shape.layers()); pp++) {
                if (shape.layers() % pp != 0) {
                    continue;
                }
                configs.add(config(shape, op, pp));
            }
        }
        return new ModelProfile(name, configs);
    }

    ConfigProfile config(TransformerShape s, int op, int pp) {
        int perStage = s.layers() / pp;
        long bytes = s.dtypeBytes();
        Map<Integer, double[]> lat = new LinkedHashMap<>();
        Map<Integer, long[]> act = new LinkedHashMap<>();
        long[] weights = new long[pp];
        for (int k = 0; k < pp; k++) {
            long params = perStage * s.blockParams();
            if (k == 0) {
                params += s.embeddingParams();
            }
            if (k == pp - 1) {
                params += s.headParams();
            }
            weights[k] = params * bytes / op;
        }
        for (int b : batchSizes) {
            double[] l = new double[pp];
            long[] a = new long[pp];
            long actBytes = (long) b * s.seqLen() * s.hidden() * bytes;
            for (int k = 0; k < pp; k++) {
                double blockCompute = s.blockFlops(b) / op / device.flops();
                // Weights read once per block; activations read and written about ten times per block.
                double blockMemory = (s.blockParams() * bytes / (double) op + 10.0 * actBytes) / device.memBandwidth();
                double block = Math.max(blockCompute, blockMemory);
                if (op > 1) {
                    block += 2 * 2.0 * (op - 1) / op * actBytes / device.linkBandwidth();
                }
                double t = perStage * block;
                if (k == 0) {
                    t += (double) actBytes / device.memBandwidth(); // embedding lookup
                }
                if (k == pp - 1) {
                    t += 2.0 * b * s.hidden() * (double) s.hidden() / op / device.flops();
                    a[k] = (long) b * s.hidden() * bytes;
                } else {
                    t += device.stageCommS() + (double) actBytes / device.linkBandwidth();
                    a[k] = actBytes;
                }
                l[k] = t;
            }
            lat.put(b, l);
            act.put(b, a);
        }
        return new ConfigProfile(ParallelConfig.of(op, pp), lat, weights, act);
    }
}
