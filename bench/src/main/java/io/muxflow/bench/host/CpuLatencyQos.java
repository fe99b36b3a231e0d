package io.muxflow.bench.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux CPU latency QoS request ({@code /dev/cpu_dma_latency}), shared by everything in this JVM
 * that asks for one. While the device file is held open with a limit written to it, the kernel keeps
 * idle CPUs out of idle states that take longer than the limit to leave; at 0 they poll. On a VM that
 * halts idle vCPUs (a Firecracker guest's {@code haltpoll} driver with no poll time, for one), a thread
 * woken onto an idle vCPU otherwise waits for the hypervisor to run that vCPU again: a pipe round trip
 * between two threads measured ~100 us halted against ~12 us polling here, and every request crosses
 * about 20 such wake-ups (docs/BENCHMARKS.md). The kernel drops the request when the file is closed,
 * also when the process dies.
 *
 * <p>Reference-counted: the first {@link #acquire} opens the file, later ones lower the limit if they
 * ask for less, and the last {@link Hold#close} releases it. Without write access (it needs root) or
 * off Linux, {@link #acquire} returns a hold that holds nothing and says why.
 */
public final class CpuLatencyQos {
    private static final Logger LOG = LoggerFactory.getLogger(CpuLatencyQos.class);
    /** The kernel's device for CPU latency QoS requests (named for its history; it covers all CPUs). */
    public static final Path DEVICE = Path.of("/dev/cpu_dma_latency");
    private static final CpuLatencyQos SHARED = new CpuLatencyQos(DEVICE);

    private final Path device;
    private FileChannel channel;
    private int holders;
    private int limitUs;

    CpuLatencyQos(Path device) {
        this.device = device;
    }

    /** One holder's share of the request; {@link #close} releases it once. */
    public static final class Hold implements AutoCloseable {
        private final CpuLatencyQos owner;
        private final String detail;
        private boolean closed;

        private Hold(CpuLatencyQos owner, String detail) {
            this.owner = owner;
            this.detail = detail;
        }

        /** A hold of nothing, for when none was asked for. */
        public static Hold none(String why) {
            return new Hold(null, why);
        }

        /** Whether the kernel request is in place for this holder. */
        public boolean held() {
            return owner != null;
        }

        /** What is held ("0 us") or why nothing is. */
        public String detail() {
            return detail;
        }

        @Override
        public void close() {
            if (owner != null && !closed) {
                closed = true;
                owner.release();
            }
        }
    }

    /** Asks the shared request of this JVM for a wake-up latency of at most {@code limit}. */
    public static Hold acquire(Duration limit) {
        return SHARED.request(limit);
    }

    synchronized Hold request(Duration limit) {
        if (limit.isNegative()) {
            throw new IllegalArgumentException("a CPU latency limit cannot be negative: " + limit);
        }
        int us = (int) Math.min(Integer.MAX_VALUE, limit.toNanos() / 1000);
        boolean first = channel == null;
        try {
            if (first) {
                channel = FileChannel.open(device, StandardOpenOption.WRITE);
                write(us);
                limitUs = us;
                LOG.info("holding CPU latency QoS at {} us through {} (idle CPUs stay within that wake-up latency)",
                        us, device);
            } else if (us < limitUs) {
                write(us);
                limitUs = us;
            }
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            if (!first) { // the request stays open at the other holders' limit
                holders++;
                return new Hold(this, limitUs + " us (could not lower it: " + describe(e) + ")");
            }
            closeQuietly();
            String why = "not held: " + device + ": " + describe(e);
            LOG.info("CPU latency QoS {}; threads woken on idle CPUs may wait for them to leave idle states", why);
            return Hold.none(why);
        }
        holders++;
        return new Hold(this, limitUs + " us");
    }

    private void write(int us) throws IOException {
        // exactly four bytes: the kernel reads a binary s32 in the CPU's byte order (other lengths parse as hex text)
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, us);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private synchronized void release() {
        if (--holders == 0) {
            closeQuietly();
            LOG.info("released CPU latency QoS request");
        }
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the kernel drops the request with the descriptor either way
            }
            channel = null;
        }
    }

    synchronized boolean open() {
        return channel != null;
    }

    private static String describe(Exception e) {
        String name = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such device (not Linux, or a kernel without PM QoS)";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied (writing it needs root)";
        }
        return e.getMessage() == null ? name : name + ": " + e.getMessage();
    }
}
