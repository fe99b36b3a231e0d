package io.muxflow.planner.profile;

import com.fasterxml.jackson.databind.JsonNode;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.io.Json;

/**
 * What the analytic cost model needs to know of a device.
 *
 * @param name          a label
 * @param flops         sustained FLOP/s on transformer GEMMs (not the datasheet peak)
 * @param memBandwidth  sustained memory bandwidth, bytes/s
 * @param memBytes      device memory, bytes
 * @param stageCommS    fixed cost of handing activations from one pipeline stage to the next, s
 * @param linkBandwidth bytes/s between devices (activations between stages, all-reduce within op)
 */
public record DeviceSpec(String name, double flops, double memBandwidth, long memBytes, double stageCommS,
        double linkBandwidth) {

    public DeviceSpec {
        if (!(flops > 0) || !(memBandwidth > 0) || memBytes <= 0 || stageCommS < 0 || !(linkBandwidth > 0)) {
            throw new IllegalArgumentException("device '" + name
                    + "': flops, mem_bandwidth, mem_bytes and link_bandwidth must be > 0, stage_comm_s >= 0");
        }
    }

    /**
     * A V100-16GB: 125 TFLOP/s fp16 peak of which about a quarter is sustained on these shapes, which
     * puts bert-1.3b near AlpaServe's published 0.099 s single-device latency.
     */
    public static DeviceSpec v100() {
        return new DeviceSpec("v100", 28e12, 800e9, 16L << 30, 0.0005, 20e9);
    }

    /** An A100-40GB under the same sustained-fraction assumption. */
    public static DeviceSpec a100() {
        return new DeviceSpec("a100", 80e12, 1400e9, 40L << 30, 0.0005, 100e9);
    }

    public static DeviceSpec named(String name) {
        return switch (name) {
            case "v100" -> v100();
            case "a100" -> a100();
            default -> throw new InvalidInputException("unknown device '" + name + "' (known: v100, a100)");
        };
    }

    public static DeviceSpec fromJson(JsonNode n, String where) {
        try {
            return new DeviceSpec(n.path("name").asText("device"), Json.number(n, "flops", where),
                    Json.number(n, "mem_bandwidth", where), (long) Json.number(n, "mem_bytes", where),
                    Json.number(n, "stage_comm_s", 0.0, where), Json.number(n, "link_bandwidth", where));
        } catch (IllegalArgumentException e) {
            if (e instanceof InvalidInputException) {
                throw e;
            }
            throw new InvalidInputException(where + ": " + e.getMessage());
        }
    }
}
