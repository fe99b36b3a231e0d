package io.muxflow.bench.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CpuPinningTest {
    @Test
    void splitsTheCpusIntoDevicesAndTheRest() {
        assertThat(new CpuPinning(2, 1).deviceList()).isEqualTo("1");
        assertThat(new CpuPinning(2, 1).restList()).isEqualTo("0");
        assertThat(new CpuPinning(8, 3).deviceList()).isEqualTo("5-7");
        assertThat(new CpuPinning(8, 3).restList()).isEqualTo("0-4");
        assertThatThrownBy(() -> new CpuPinning(2, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CpuPinning(1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void putsTheNamedThreadsOnTheDeviceCpusAndEveryOtherThreadOnTheRest() throws Exception {
        int cpus = Runtime.getRuntime().availableProcessors();
        assumeTrue(CpuPinning.available(cpus) == null, "CPU pinning not available here: " + CpuPinning.available(cpus));
        CpuPinning pinning = new CpuPinning(cpus, 1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong deviceTid = new AtomicLong();
        Thread device = new Thread(() -> {
            try {
                deviceTid.set(CpuPinning.currentThreadId());
                started.countDown();
                done.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "pinning-test-device");
        device.start();
        started.await();
        try {
            List<Long> pinned = pinning.pinDevices("pinning-test-dev");
            assertThat(pinned).containsExactly(deviceTid.get());
            assertThat(CpuPinning.affinity(deviceTid.get())).isEqualTo(pinning.deviceList());
            assertThat(CpuPinning.affinity(CpuPinning.currentThreadId())).isEqualTo(pinning.restList());
            pinning.pinCallerAsDevice();
            assertThat(CpuPinning.affinity(CpuPinning.currentThreadId())).isEqualTo(pinning.deviceList());
        } finally {
            pinning.release();
            done.countDown();
            device.join();
        }
        assertThat(CpuPinning.affinity(CpuPinning.currentThreadId())).isNotIn(pinning.deviceList(), pinning.restList());
    }
}
