package io.muxflow.gpu.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;

import io.muxflow.gpu.backend.DeviceLedger;
import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

/** A float (or int) array in device memory, counted in the device's ledger until freed. */
final class DeviceArray implements AutoCloseable {
    final CUdeviceptr ptr = new CUdeviceptr();
    final long elements;
    private final DeviceLedger ledger;
    private boolean freed;

    DeviceArray(long elements, DeviceLedger ledger) {
        this.elements = Math.max(1, elements);
        this.ledger = ledger;
        cuMemAlloc(ptr, this.elements * Sizeof.FLOAT);
        ledger.allocate(bytes());
    }

    static DeviceArray of(float[] host, DeviceLedger ledger) {
        DeviceArray a = new DeviceArray(host.length, ledger);
        a.upload(host, host.length);
        return a;
    }

    long bytes() {
        return elements * Sizeof.FLOAT;
    }

    void upload(float[] host, int n) {
        cuMemcpyHtoD(ptr, Pointer.to(host), (long) n * Sizeof.FLOAT);
    }

    void upload(int[] host, int n) {
        cuMemcpyHtoD(ptr, Pointer.to(host), (long) n * Sizeof.INT);
    }

    float[] download(int n) {
        float[] out = new float[n];
        cuMemcpyDtoH(Pointer.to(out), ptr, (long) n * Sizeof.FLOAT);
        return out;
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            cuMemFree(ptr);
            ledger.free(bytes());
        }
    }
}
