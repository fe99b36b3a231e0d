package io.muxflow.bench.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps cpu "devices" apart from the rest of this JVM, as a GPU is apart from its server's host CPU:
 * the threads that compute (found by their Linux thread name, {@code /proc/self/task/TID/comm}) run on
 * the device CPUs, every other thread of the process on the others. Without it the kernel runs the
 * broker's, Flink's and the clients' threads on the device's CPU too, and the executor, profiled alone,
 * serves slower than its profile (docs/BENCHMARKS.md, "Fidelity on a real executor"). Affinity is set
 * with util-linux's {@code taskset}; threads started later inherit their creator's. Linux only; where
 * it cannot pin (no taskset, one CPU, not permitted) {@link #available} says why and nothing changes.
 */
public final class CpuPinning {
    private static final Logger LOG = LoggerFactory.getLogger(CpuPinning.class);
    private static final Path SELF = Path.of("/proc/self");

    private final int cpus;
    private final int deviceCpus;

    /** {@code deviceCpus} of the machine's {@code cpus} (the highest-numbered) for the devices. */
    public CpuPinning(int cpus, int deviceCpus) {
        if (deviceCpus < 1 || deviceCpus >= cpus) {
            throw new IllegalArgumentException("device CPUs must be 1.." + (cpus - 1) + ", got " + deviceCpus);
        }
        this.cpus = cpus;
        this.deviceCpus = deviceCpus;
    }

    /** The device CPUs as a taskset list, e.g. {@code 1} or {@code 2-3}. */
    public String deviceList() {
        return range(cpus - deviceCpus, cpus - 1);
    }

    /** The other CPUs as a taskset list. */
    public String restList() {
        return range(0, cpus - deviceCpus - 1);
    }

    private static String range(int from, int to) {
        return from == to ? String.valueOf(from) : from + "-" + to;
    }

    /** Null when pinning can work here; otherwise why not. */
    public static String available(int cpus) {
        if (!Files.isDirectory(SELF.resolve("task"))) {
            return "no /proc/self/task (not Linux)";
        }
        if (cpus < 2) {
            return "one CPU: nothing to keep apart";
        }
        try {
            Process p = new ProcessBuilder("taskset", "-p", String.valueOf(ProcessHandle.current().pid()))
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 ? null : "taskset failed";
        } catch (IOException e) {
            return "no taskset (util-linux)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Every thread of this process to the other CPUs, then the threads whose name starts with
     * {@code devicePrefix} to the device CPUs. Returns the thread ids put on the device CPUs.
     */
    public List<Long> pinDevices(String devicePrefix) throws IOException {
        taskset("-a", "-p", "-c", restList(), String.valueOf(ProcessHandle.current().pid()));
        List<Long> pinned = new ArrayList<>();
        for (long tid : threadsNamed(devicePrefix)) {
            taskset("-p", "-c", deviceList(), String.valueOf(tid));
            pinned.add(tid);
        }
        LOG.info("CPU pinning: threads '{}*' {} on CPU {}, the rest of the process on CPU {}", devicePrefix, pinned,
                deviceList(), restList());
        return pinned;
    }

    /** The calling thread to the device CPUs and every other thread to the rest (profiling, as it serves). */
    public void pinCallerAsDevice() throws IOException {
        long self = currentThreadId();
        taskset("-a", "-p", "-c", restList(), String.valueOf(ProcessHandle.current().pid()));
        taskset("-p", "-c", deviceList(), String.valueOf(self));
    }

    /** Every thread of this process back on every CPU. */
    public void release() throws IOException {
        taskset("-a", "-p", "-c", range(0, cpus - 1), String.valueOf(ProcessHandle.current().pid()));
    }

    /** Linux thread ids of this process whose name (at most 15 characters) starts with {@code prefix}. */
    static List<Long> threadsNamed(String prefix) throws IOException {
        String p = prefix.length() > 15 ? prefix.substring(0, 15) : prefix;
        List<Long> out = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(SELF.resolve("task"))) {
            for (Path t : tasks.toList()) {
                try {
                    String name = Files.readString(t.resolve("comm"), StandardCharsets.UTF_8).trim();
                    if (name.startsWith(p)) {
                        out.add(Long.parseLong(t.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the thread ended while listed
                }
            }
        }
        return out;
    }

    /** The Linux thread id of the calling thread ({@code /proc/thread-self} links to {@code PID/task/TID}). */
    static long currentThreadId() throws IOException {
        return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    /** The CPUs a Linux thread may run on, as taskset lists them (e.g. {@code 0,1}). */
    static String affinity(long tid) throws IOException {
        String out = taskset("-p", "-c", "" + tid);
        return out.substring(out.lastIndexOf(':') + 1).trim();
    }

    private static String taskset(String... args) throws IOException {
        // with -a, a thread that ends while taskset walks the process's threads fails the call: retry
        for (int attempt = 1; ; attempt++) {
            try {
                return tasksetOnce(args);
            } catch (IOException e) {
                if (attempt == 3 || !args[0].equals("-a")) {
                    throw e;
                }
            }
        }
    }

    private static String tasksetOnce(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("taskset");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        return out;
    }
}
