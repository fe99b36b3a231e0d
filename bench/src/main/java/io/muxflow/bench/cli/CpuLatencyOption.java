package io.muxflow.bench.cli;

import io.muxflow.bench.host.CpuLatencyQos;
import io.muxflow.planner.InvalidInputException;
import java.io.PrintWriter;
import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Option;

/**
 * {@code --cpu-latency-qos} of the commands that run the whole stack in their own process
 * ({@code local}, {@code bench serving}, {@code bench chains --live}): the broker, Flink and the clients there pass each request
 * through about 20 thread wake-ups, and on a VM that halts idle vCPUs each wake-up onto one costs
 * ~0.1 ms (see {@link CpuLatencyQos}).
 */
final class CpuLatencyOption {
    @Option(names = "--cpu-latency-qos", paramLabel = "DURATION|off", defaultValue = "0us",
            description = "While running, ask Linux to keep idle CPUs within this wake-up latency "
                    + "(/dev/cpu_dma_latency; 0us: idle CPUs poll, which costs power). Needs root; otherwise one log "
                    + "line says it is not held. 'off' leaves the kernel's default (default: ${DEFAULT-VALUE}).")
    String value;

    /**
     * Holds the request for as long as the returned hold is open ('off' holds nothing) and says on
     * {@code report} what is held.
     */
    CpuLatencyQos.Hold hold(PrintWriter report) {
        CpuLatencyQos.Hold h = value.trim().equalsIgnoreCase("off")
                ? CpuLatencyQos.Hold.none("off (--cpu-latency-qos off)") : CpuLatencyQos.acquire(limit());
        report.println("CPU latency QoS: " + h.detail());
        return h;
    }

    private Duration limit() {
        String v = value.trim();
        try {
            // Flink's parser knows µs and micros but not the ASCII "us" everyone types; it takes no sign
            return TimeUtils.parseDuration(v.endsWith("us") && !v.endsWith("micros")
                    ? v.substring(0, v.length() - 2) + "micros" : v);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--cpu-latency-qos must be a duration such as 0us or 50us, or off; got '"
                    + value + "'");
        }
    }
}
