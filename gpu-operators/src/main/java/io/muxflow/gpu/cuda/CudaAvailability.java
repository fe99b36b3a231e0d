package io.muxflow.gpu.cuda;

import java.io.InputStream;

/**
 * Whether the {@code cuda} backend can run here, and if not, why: the JCuda natives must load, the
 * driver must initialize, a device must exist, and the build must have produced the PTX kernels.
 * Probed once per JVM. A machine without CUDA answers cleanly: the first touch of JCuda throws an
 * {@link UnsatisfiedLinkError}, later ones {@link NoClassDefFoundError}; both are {@link LinkageError}s.
 */
public final class CudaAvailability {
    /** The answer: {@code ok}, else a reason a user can act on. */
    public record Status(boolean ok, String reason, int devices, String deviceName) {
    }

    private static volatile Status cached;

    private CudaAvailability() {
    }

    public static Status probe() {
        Status s = cached;
        if (s == null) {
            synchronized (CudaAvailability.class) {
                if (cached == null) {
                    cached = doProbe();
                }
                s = cached;
            }
        }
        return s;
    }

    public static boolean available() {
        return probe().ok();
    }

    static boolean ptxPresent() {
        try (InputStream in = CudaAvailability.class.getResourceAsStream("kernels.ptx")) {
            return in != null;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static Status doProbe() {
        if (!ptxPresent()) {
            return new Status(false, "this build has no CUDA kernels (nvcc was not found when it was built)", 0, null);
        }
        try {
            jcuda.driver.JCudaDriver.setExceptionsEnabled(false);
            int rc = jcuda.driver.JCudaDriver.cuInit(0);
            if (rc != jcuda.driver.CUresult.CUDA_SUCCESS) {
                return new Status(false, "the CUDA driver did not initialize (" + jcuda.driver.CUresult.stringFor(rc)
                        + "): no NVIDIA GPU or driver on this machine?", 0, null);
            }
            int[] count = new int[1];
            rc = jcuda.driver.JCudaDriver.cuDeviceGetCount(count);
            if (rc != jcuda.driver.CUresult.CUDA_SUCCESS || count[0] == 0) {
                return new Status(false, "no CUDA device found", 0, null);
            }
            jcuda.driver.CUdevice dev = new jcuda.driver.CUdevice();
            jcuda.driver.JCudaDriver.cuDeviceGet(dev, 0);
            byte[] name = new byte[256];
            jcuda.driver.JCudaDriver.cuDeviceGetName(name, name.length, dev);
            String n = new String(name, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
            return new Status(true, "ok", count[0], n);
        } catch (LinkageError e) {
            String msg = String.valueOf(e.getMessage());
            String why = msg.contains("libcuda.so") ? "libcuda.so.1 (the NVIDIA driver) was not found"
                    : msg.lines().findFirst().orElse(msg);
            return new Status(false, "the JCuda native libraries did not load: " + why
                    + " - no NVIDIA GPU or driver on this machine?", 0, null);
        } catch (RuntimeException e) {
            return new Status(false, "CUDA probe failed: " + e, 0, null);
        } finally {
            try {
                jcuda.driver.JCudaDriver.setExceptionsEnabled(true);
            } catch (LinkageError ignored) {
                // natives absent: nothing to restore
            }
        }
    }
}
