package io.muxflow.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * How busy the machine was while a rate was measured, so that a p99 taken on a shared VM can be read
 * against its conditions: the share of CPU time the hypervisor took from this guest (steal) or left
 * idle, the CPU this process used, how long its threads waited runnable for a core, and how often they
 * were scheduled in. Read from Linux's {@code /proc/stat} and {@code /proc/self/task/<tid>/schedstat}
 * (run ns, run-queue wait ns, timeslices) at the start and end of the interval; elsewhere nothing is
 * measured.
 *
 * @param seconds wall-clock length of the interval
 * @param stealShare share of all CPUs' time taken by the hypervisor (0 to 1)
 * @param idleShare share of all CPUs' time spent idle (0 to 1)
 * @param processCores this process's CPU time per second (1.0 = one core busy)
 * @param runQueueWaitCores its threads' time runnable but waiting for a core, per second (summed over threads)
 * @param timeslicesPerSecond times its threads were put on a core, per second (about one per wake-up)
 */
public record HostLoad(double seconds, double stealShare, double idleShare, double processCores,
        double runQueueWaitCores, double timeslicesPerSecond) {

    /** One reading of the counters; subtract two with {@link #between}. */
    public record Counters(long wallNanos, long[] cpuJiffies, long runNanos, long waitNanos, long slices) {
    }

    private static final Path STAT = Path.of("/proc/stat");
    private static final Path TASKS = Path.of("/proc/self/task");

    /** The counters now, or empty where {@code /proc} is not Linux's. */
    public static Optional<Counters> read() {
        if (!Files.isReadable(STAT) || !Files.isDirectory(TASKS)) {
            return Optional.empty();
        }
        try {
            long wall = System.nanoTime();
            long[] cpu = parseCpuLine(Files.readAllLines(STAT).get(0));
            long run = 0;
            long wait = 0;
            long slices = 0;
            try (Stream<Path> tasks = Files.list(TASKS)) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    long[] s;
                    try {
                        s = parseSchedstat(Files.readString(t.resolve("schedstat")));
                    } catch (IOException gone) {
                        continue; // the thread ended between listing and reading
                    }
                    run += s[0];
                    wait += s[1];
                    slices += s[2];
                }
            }
            return Optional.of(new Counters(wall, cpu, run, wait, slices));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a /proc without these fields: measure nothing rather than fail the bench
        }
    }

    /**
     * The load between two readings. Threads that ended in between drop out of the second reading,
     * so the process figures are a lower bound when threads come and go; a bench's threads live
     * through the interval.
     */
    public static HostLoad between(Counters a, Counters b) {
        double secs = (b.wallNanos() - a.wallNanos()) / 1e9;
        if (secs <= 0) {
            throw new IllegalArgumentException("the second reading must come after the first");
        }
        long total = 0;
        int n = Math.min(a.cpuJiffies().length, b.cpuJiffies().length);
        for (int i = 0; i < n; i++) {
            total += b.cpuJiffies()[i] - a.cpuJiffies()[i];
        }
        double steal = n > 7 && total > 0 ? (double) (b.cpuJiffies()[7] - a.cpuJiffies()[7]) / total : Double.NaN;
        double idle = n > 3 && total > 0 ? (double) (b.cpuJiffies()[3] - a.cpuJiffies()[3]) / total : Double.NaN;
        return new HostLoad(secs, steal, idle, (b.runNanos() - a.runNanos()) / 1e9 / secs,
                (b.waitNanos() - a.waitNanos()) / 1e9 / secs, (b.slices() - a.slices()) / secs);
    }

    /**
     * The aggregate {@code cpu} line of {@code /proc/stat}: user, nice, system, idle, iowait, irq,
     * softirq, steal, ... in clock ticks.
     */
    static long[] parseCpuLine(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 5 || !f[0].equals("cpu")) {
            throw new IllegalArgumentException("not the aggregate cpu line of /proc/stat: " + line);
        }
        long[] v = new long[f.length - 1];
        for (int i = 1; i < f.length; i++) {
            v[i - 1] = Long.parseLong(f[i]);
        }
        return v;
    }

    /** A thread's {@code schedstat}: ns on a core, ns runnable waiting for one, timeslices. */
    static long[] parseSchedstat(String text) {
        String[] f = text.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("schedstat needs three fields, got: " + text.trim());
        }
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    /** Mean run-queue wait per timeslice in ms: what one wake-up cost on average. */
    public double waitPerSliceMs() {
        return timeslicesPerSecond > 0 ? runQueueWaitCores * 1000 / timeslicesPerSecond : Double.NaN;
    }

    /** Writes the figures as the bench's JSON {@code host} fields. */
    public void writeTo(ObjectNode o) {
        o.put("vm_steal_share", stealShare);
        o.put("cpu_idle_share", idleShare);
        o.put("process_cores", processCores);
        o.put("run_queue_wait_cores", runQueueWaitCores);
        o.put("wakeups_per_second", timeslicesPerSecond);
        o.put("wait_per_wakeup_ms", waitPerSliceMs());
    }

    @Override
    public String toString() {
        return String.format("VM steal %.1f%%, idle %.1f%% of all CPUs; process %.2f cores, its threads waited for a"
                + " core %.2f cores' worth (%.3f ms per wake-up, %.0f wake-ups/s)", 100 * stealShare, 100 * idleShare,
                processCores, runQueueWaitCores, waitPerSliceMs(), timeslicesPerSecond);
    }
}
