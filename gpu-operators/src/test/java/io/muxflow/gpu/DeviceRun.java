package io.muxflow.gpu;

import io.muxflow.gpu.bench.ExecutorBench;
import io.muxflow.gpu.cuda.CudaAvailability;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs this module's checks where there is no Maven: on a lent GPU machine, from the bundle that
 * {@code tools/device-bundle.sh} builds. {@code tests [PACKAGE]} runs the JUnit tests (the cuda
 * contract included; it skips only without a usable GPU) and prints each result; {@code bench OUT}
 * runs {@code muxflow bench executors} into OUT. Exit status 0 only when nothing failed.
 */
public final class DeviceRun {
    private DeviceRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !(args[0].equals("tests") || args[0].equals("bench"))) {
            System.err.println("usage: DeviceRun tests [PACKAGE] | bench OUT_DIR");
            System.exit(2);
        }
        CudaAvailability.Status st = CudaAvailability.probe();
        System.out.println("cuda: " + (st.ok() ? "usable, " + st.deviceName() : "not usable: " + st.reason()));
        if (args[0].equals("bench")) {
            Path out = Path.of(args.length > 1 ? args[1] : "bench-out");
            Files.createDirectories(out);
            new ExecutorBench(new PrintWriter(System.err, true)).run(out);
            System.out.println("wrote " + out.resolve("executors.json"));
            return;
        }
        String pkg = args.length > 1 ? args[1] : "io.muxflow.gpu";
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectPackage(pkg)).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        launcher.execute(request, new Printer(), summary);
        TestExecutionSummary s = summary.getSummary();
        s.printTo(new PrintWriter(System.out, true));
        s.printFailuresTo(new PrintWriter(System.out, true), 30);
        System.exit(s.getTotalFailureCount() == 0 && s.getTestsFoundCount() > 0 ? 0 : 1);
    }

    /** One line per test: what ran, what was skipped and why, what failed and how. */
    private static final class Printer implements TestExecutionListener {
        @Override
        public void executionSkipped(TestIdentifier id, String reason) {
            System.out.println("SKIPPED " + name(id) + ": " + reason);
        }

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                return;
            }
            Optional<Throwable> t = result.getThrowable();
            System.out.println(result.getStatus() + " " + name(id) + t.map(e -> ": " + e).orElse(""));
        }

        private static String name(TestIdentifier id) {
            return id.getUniqueId().replaceAll("\\[[a-z-]+:", "[").replace("[engine:junit-jupiter]/", "");
        }
    }
}
