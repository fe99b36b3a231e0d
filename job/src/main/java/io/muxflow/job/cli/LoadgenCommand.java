package io.muxflow.job.cli;

import io.muxflow.job.loadgen.LoadGenerator;
import io.muxflow.job.loadgen.RequestFactory;
import io.muxflow.job.loadgen.ResponseCollector;
import io.muxflow.job.loadgen.ResponseStats;
import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.cli.PlanningInputs;
import io.muxflow.planner.io.Json;
import io.muxflow.planner.workload.Workload;
import io.muxflow.planner.workload.WorkloadSpec;
import io.muxflow.schema.ResponseStatus;
import io.muxflow.schema.codec.Encoding;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code muxflow loadgen}: produce a workload to any Kafka and report attainment from the responses. */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
        description = "Send a workload (generated or a trace) to a muxflow deployment's requests topic in real time, "
                + "read the responses, and report attainment and latency per model.")
public final class LoadgenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--workload", required = true, paramLabel = "W", description = "Workload JSON (generated, trace or Azure replay).")
    Path workload;

    @Option(names = "--profiles", description = "Profiles, needed only with --slo-scale.")
    String profiles;

    @Option(names = "--slo-scale", description = "SLO = this x single-device latency for models without slo_s.")
    Double sloScale;

    @Option(names = "--requests-topic", defaultValue = "muxflow.requests", description = "Default: ${DEFAULT-VALUE}.")
    String requestsTopic;

    @Option(names = "--responses-topic", defaultValue = "muxflow.responses", description = "Default: ${DEFAULT-VALUE}.")
    String responsesTopic;

    @Option(names = "--tokens", defaultValue = "16", description = "Token ids per request (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--vocab", defaultValue = "30000", description = "Token ids are drawn below this (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--encoding", defaultValue = "avro", description = "avro (single-object) or json (default: ${DEFAULT-VALUE}).")
    String encoding;

    @Option(names = "--wait-s", defaultValue = "30", description = "Seconds to wait for the last responses (default: ${DEFAULT-VALUE}).")
    double waitS;

    @Option(names = "--read-uncommitted", description = "Read responses before their transaction commits (latency as the client sees it).")
    boolean uncommitted;

    @Option(names = "-X", paramLabel = "KEY=VALUE",
            description = "A Kafka client property for the producer and the consumer, as kcat's -X (e.g. "
                    + "-X security.protocol=SASL_SSL -X sasl.mechanism=SCRAM-SHA-256 -X sasl.jaas.config=...).")
    java.util.Map<String, String> kafka = new java.util.LinkedHashMap<>();

    @Option(names = "--json", description = "End stdout with one JSON line of the results.")
    boolean json;

    private Properties kafkaProperties() {
        Properties p = new Properties();
        p.putAll(kafka);
        return p;
    }

    @Override
    public Integer call() throws Exception {
        Workload w;
        if (profiles != null) {
            w = PlanningInputs.load(profiles, workload, sloScale).workload();
        } else {
            if (sloScale != null) {
                throw new InvalidInputException("--slo-scale needs --profiles");
            }
            w = WorkloadSpec.read(workload).generate();
            for (int i = 0; i < w.size(); i++) {
                if (Double.isNaN(w.slo(i))) {
                    throw new InvalidInputException(workload + ": model '" + w.model(i)
                            + "' has no SLO: give slo_s in the workload or --profiles with --slo-scale");
                }
            }
        }
        if (w.isEmpty()) {
            throw new InvalidInputException(workload + ": the workload has no requests");
        }
        Encoding enc = switch (encoding) {
            case "avro" -> Encoding.AVRO;
            case "json" -> Encoding.JSON;
            default -> throw new InvalidInputException("--encoding must be avro or json, got '" + encoding + "'");
        };
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        String run = "lg" + Long.toString(System.currentTimeMillis(), 36);
        out.printf("sending %d requests of %d models over %.1f s to %s (%s)%n", w.size(), w.models().size(), w.span(),
                bootstrap, requestsTopic);
        out.flush();
        try (ResponseCollector collector = new ResponseCollector(bootstrap, responsesTopic, run, !uncommitted,
                kafkaProperties(), null);
                LoadGenerator gen = new LoadGenerator(bootstrap, requestsTopic,
                        new RequestFactory(run, tokens, vocab, 0), enc, kafkaProperties())) {
            Thread progress = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        Thread.sleep(5000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    err.printf("[loadgen] sent %d, answered %d, attainment so far %.3f%n", gen.sent(),
                            collector.total().responses(), collector.total().attainment());
                    err.flush();
                }
            });
            progress.setDaemon(true);
            progress.start();
            gen.replay(w);
            long deadline = System.nanoTime() + (long) (waitS * 1e9);
            while (collector.total().responses() < w.size() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            progress.interrupt();
            ResponseStats s = collector.total();
            out.printf("%d of %d requests answered, attainment %.4f%n", s.responses(), w.size(), s.attainment());
            s.perModel().forEach((m, p) -> out.printf("  %-12s responses %6d attainment %.4f p99 %.1f ms  rejected %d"
                    + " timed-out %d invalid %d failed %d%n", m, p.responses(), p.attainment(), p.p99LatencyMs(),
                    p.count(ResponseStatus.REJECTED), p.count(ResponseStatus.TIMED_OUT), p.count(ResponseStatus.INVALID),
                    p.count(ResponseStatus.FAILED)));
            s.perModel().forEach((m, p) -> p.examples().forEach((st, d) -> out.printf("    %s %s, e.g.: %s%n", m, st, d)));
            if (json) {
                var o = s.toJson();
                o.put("sent", w.size());
                out.println(Json.compact(o));
            }
            out.flush();
            return s.responses() == w.size() ? 0 : 1;
        }
    }
}
