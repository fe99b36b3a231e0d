package io.muxflow.bench.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuLatencyQosTest {

    /** The last four bytes written, as the kernel would read them. */
    private static int lastWritten(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        return intAt(b, b.length - 4);
    }

    private static int intAt(byte[] b, int offset) {
        return ByteBuffer.wrap(b, offset, 4).order(ByteOrder.nativeOrder()).getInt();
    }

    @Test
    void writesTheLimitAsFourBytesAndReleasesWithTheLastHolder(@TempDir Path dir) throws IOException {
        Path dev = Files.createFile(dir.resolve("cpu_dma_latency"));
        CpuLatencyQos qos = new CpuLatencyQos(dev);
        CpuLatencyQos.Hold a = qos.request(Duration.ofNanos(50_000));
        assertTrue(a.held());
        assertEquals("50 us", a.detail());
        assertEquals(4, Files.size(dev));
        assertEquals(50, lastWritten(dev));

        CpuLatencyQos.Hold looser = qos.request(Duration.ofMillis(1));
        assertEquals(4, Files.size(dev), "a looser limit leaves the request as it is");
        CpuLatencyQos.Hold stricter = qos.request(Duration.ZERO);
        assertEquals(0, lastWritten(dev));
        assertEquals("0 us", stricter.detail());

        a.close();
        a.close(); // a second close of the same hold releases nothing more
        looser.close();
        assertTrue(qos.open(), "one holder is left");
        stricter.close();
        assertFalse(qos.open(), "the last holder closes the device");

        CpuLatencyQos.Hold again = qos.request(Duration.ofNanos(7_000));
        assertEquals(7, intAt(Files.readAllBytes(dev), 0), "a new open writes from the start");
        again.close();
    }

    @Test
    void saysWhyWhenThereIsNoDevice(@TempDir Path dir) {
        CpuLatencyQos qos = new CpuLatencyQos(dir.resolve("absent"));
        CpuLatencyQos.Hold h = qos.request(Duration.ZERO);
        assertFalse(h.held());
        assertTrue(h.detail().contains("no such device"), h.detail());
        assertFalse(qos.open());
        h.close(); // harmless
    }

    @Test
    void refusesANegativeLimit(@TempDir Path dir) {
        CpuLatencyQos qos = new CpuLatencyQos(dir.resolve("absent"));
        assertThrows(IllegalArgumentException.class, () -> qos.request(Duration.ofMillis(-1)));
    }

    /** On Linux with write access (root), the kernel's effective limit follows the hold. */
    @Test
    void theKernelTakesTheRequestAndDropsItOnRelease() throws IOException {
        assumeTrue(Files.isWritable(CpuLatencyQos.DEVICE), "needs write access to " + CpuLatencyQos.DEVICE);
        int before = effective();
        assumeTrue(before != 0, "another process already holds the CPUs at 0 us");
        try (CpuLatencyQos.Hold h = CpuLatencyQos.acquire(Duration.ZERO)) {
            assertTrue(h.held(), h.detail());
            assertEquals(0, effective());
        }
        assertNotEquals(0, effective());
    }

    /** Reading the device gives the aggregate limit now in force, in microseconds. */
    private static int effective() throws IOException {
        return intAt(Files.readAllBytes(CpuLatencyQos.DEVICE), 0);
    }
}
