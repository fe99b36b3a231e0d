package io.muxflow.job.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real standalone Flink session cluster on localhost, started the way Flink's own scripts start
 * one: a JobManager process ({@code StandaloneSessionClusterEntrypoint}) and TaskManager processes
 * ({@code TaskManagerRunner}), their memory parameters computed by {@code BashJavaUtils} from a
 * config directory written here, on the Flink classpath Maven resolved
 * ({@code target/cluster-classpath.txt}). Logs go to {@code logs/} under the cluster's directory.
 */
public final class StandaloneCluster implements AutoCloseable {
    /** JVM options every process gets (Flink on Java 17, and the Vector API for the cpu backend). */
    public static final List<String> JVM_OPTS = List.of("-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED", "-Djava.awt.headless=true",
            "--add-modules=jdk.incubator.vector");

    private final Path dir;
    private final Path conf;
    private final String classpath;
    private final int restPort;
    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> taskManagers = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newHttpClient();

    public StandaloneCluster(Path dir, Map<String, String> extraConfig) throws Exception {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        Files.createDirectories(conf);
        Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("tmp"));
        this.classpath = clusterClasspath();
        // The fixed ports come from below Linux's ephemeral range: a port chosen there as free was once
        // taken, before the REST endpoint started, by the JobManager's metrics service binding "any port".
        java.util.Iterator<Integer> ports = distinctFreePorts(2).iterator();
        this.restPort = ports.next();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.rpc.port", String.valueOf(ports.next()));
        c.put("jobmanager.bind-host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("taskmanager.host", "localhost");
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", String.valueOf(restPort));
        c.put("jobmanager.memory.process.size", "768m");
        c.put("taskmanager.memory.process.size", "1024m");
        c.put("taskmanager.memory.managed.fraction", "0.05");
        c.put("taskmanager.numberOfTaskSlots", "4");
        c.put("cluster.evenly-spread-out-slots", "true");
        // notice a dead TaskManager within seconds
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.timeout", "6000");
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "100");
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        c.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString());
        c.putAll(extraConfig);
        StringBuilder yaml = new StringBuilder();
        c.forEach((k, v) -> yaml.append(k).append(": ").append(v.contains(":") || v.contains(" ") ? "\"" + v + "\"" : v)
                .append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml);
    }

    /** The Flink classpath Maven wrote at package time. */
    public static String clusterClasspath() throws IOException {
        Path f = Path.of("target/cluster-classpath.txt");
        if (!Files.exists(f)) {
            throw new IllegalStateException(f.toAbsolutePath() + " is missing: run mvn package first");
        }
        return Files.readString(f).trim();
    }

    /** The shaded job jar a cluster runs. */
    public static Path jobJar() throws IOException {
        try (var s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().matches("muxflow-job-.*-flink\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("target/muxflow-job-*-flink.jar is missing: run mvn "
                            + "package first"));
        }
    }

    public URI rest() {
        return URI.create("http://localhost:" + restPort);
    }

    public Path dir() {
        return dir;
    }

    /** Ports free now in 20000-32767, which no "any free port" bind is given (Linux: 32768 and up). */
    private static java.util.Set<Integer> distinctFreePorts(int n) {
        java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
        java.util.Random rng = new java.util.Random();
        while (ports.size() < n) {
            int p = 20_000 + rng.nextInt(12_768);
            try (java.net.ServerSocket s = new java.net.ServerSocket(p)) {
                ports.add(p);
            } catch (IOException taken) {
                // try another
            }
        }
        return ports;
    }

    public void startJobManager() throws Exception {
        List<String> params = resourceParams("GET_JM_RESOURCE_PARAMS");
        List<String> cmd = java(params.get(0));
        cmd.addAll(List.of("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", "--configDir",
                conf.toString()));
        cmd.addAll(Arrays.asList(params.get(1).split(" ")));
        processes.add(start(cmd, "jobmanager"));
        awaitRest(Duration.ofSeconds(90));
    }

    /** Starts a TaskManager with a fixed resource id, so the REST API names it. */
    public void startTaskManager(String id) throws Exception {
        List<String> params = resourceParams("GET_TM_RESOURCE_PARAMS");
        List<String> cmd = java(params.get(0));
        cmd.addAll(List.of("org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "--configDir", conf.toString()));
        cmd.addAll(Arrays.asList(params.get(1).split(" ")));
        cmd.addAll(List.of("-D", "taskmanager.resource-id=" + id));
        Process p = start(cmd, id);
        processes.add(p);
        taskManagers.put(id, p);
    }

    /** Kills a TaskManager process the hard way (SIGKILL), as a crashed machine would. */
    public void killTaskManager(String id) throws InterruptedException {
        Process p = taskManagers.remove(id);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    public String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(rest().resolve(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": HTTP " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    public void awaitTaskManagers(int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (get("/overview").contains("\"taskmanagers\":" + n + ",")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(n + " TaskManagers did not register within " + timeout + ": " + get("/overview")
                + "; logs in " + dir.resolve("logs"));
    }

    private void awaitRest(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < end) {
            try {
                get("/overview");
                return;
            } catch (Exception e) {
                last = e;
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException("the JobManager's REST API did not come up; logs in " + dir.resolve("logs"),
                last);
    }

    /** JVM parameters and dynamic properties from Flink's BashJavaUtils, as its scripts do. */
    private List<String> resourceParams(String command) throws Exception {
        Process p = new ProcessBuilder(javaBin(), "-cp", classpath, "org.apache.flink.runtime.util.bash.BashJavaUtils",
                command, "--configDir", conf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("BashJavaUtils " + command + " failed: " + out);
        }
        List<String> lines = out.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim()).toList();
        if (lines.size() < 2) {
            throw new IllegalStateException("unexpected BashJavaUtils output: " + out);
        }
        return lines.subList(lines.size() - 2, lines.size());
    }

    private List<String> java(String jvmParams) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin());
        cmd.addAll(Arrays.asList(jvmParams.split(" ")));
        cmd.addAll(JVM_OPTS);
        // Flink's processes write JAAS files, blob stores and RPC dirs to the temp dir; killed
        // processes never clean them, so keep them under the cluster's directory
        cmd.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
        cmd.add("-cp");
        cmd.add(classpath);
        return cmd;
    }

    private Process start(List<String> cmd, String name) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("logs").resolve(name + ".log").toFile()).start();
    }

    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
