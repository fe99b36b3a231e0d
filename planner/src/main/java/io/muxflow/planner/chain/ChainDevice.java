package io.muxflow.planner.chain;

import io.muxflow.planner.InvalidInputException;

/**
 * A server's hardware as the paper's evaluation describes it: memory, compute throughput, memory
 * bandwidth and network round-trip time (optionally a network bandwidth for activations).
 *
 * @param name device name
 * @param memoryGb GPU memory, GB
 * @param tflops dense fp16 throughput, TFLOP/s
 * @param bandwidthGbPerMs memory bandwidth, GB per millisecond
 * @param rttMs network round-trip time to the client and neighbours, ms
 * @param networkGbps network bandwidth for activations in Gbit/s, or 0 to ignore transfer time
 */
public record ChainDevice(String name, double memoryGb, double tflops, double bandwidthGbPerMs, double rttMs,
        double networkGbps) {
    public ChainDevice {
        if (!(memoryGb > 0) || !(tflops > 0) || !(bandwidthGbPerMs > 0)) {
            throw new InvalidInputException("device " + name + ": memory_gb, tflops and bandwidth_gb_per_ms must be > 0");
        }
        if (!(rttMs >= 0) || !(networkGbps >= 0)) {
            throw new InvalidInputException("device " + name + ": rtt_ms and network_gbps must be >= 0");
        }
    }

    /** The paper's fast device class: 40 GB, 156 TFLOP/s, 1.02 GB/ms. */
    public static ChainDevice fast(double rttMs) {
        return new ChainDevice("fast-40g", 40, 156, 1.02, rttMs, 0);
    }

    /** The paper's slow device class: 20 GB, 78 TFLOP/s, 0.51 GB/ms. */
    public static ChainDevice slow(double rttMs) {
        return new ChainDevice("slow-20g", 20, 78, 0.51, rttMs, 0);
    }
}
