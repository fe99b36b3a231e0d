package io.muxflow.job.cli;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.cli.ChainCommand;
import io.muxflow.planner.cli.PlanCommand;
import io.muxflow.planner.cli.SimulateCommand;
import io.muxflow.gpu.profiler.ProfileCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/muxflow}: the one launcher users type. {@code local} and {@code bench} live in the
 * muxflow-bench module (benchmarks and host tuning are not part of the job, and the job jar a cluster
 * runs does not carry them); they are added when that module is on the classpath, as bin/muxflow puts it.
 */
@Command(name = "muxflow", mixinStandardHelpOptions = true, version = "muxflow 0.1.0",
        description = "Serve many deep-learning models on a shared GPU pool as one Flink job.")
public final class Main implements Runnable {
    /** The commands of muxflow-bench, in the order help lists them around the job's own. */
    static final String LOCAL_COMMAND = "io.muxflow.bench.cli.LocalCommand";
    static final String BENCH_COMMAND = "io.muxflow.bench.cli.BenchCommand";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        addIfPresent(cl, LOCAL_COMMAND);
        for (Object c : new Object[] {new LoadgenCommand(), new SubmitCommand(), new ControllerCommand(),
                new RedeployCommand(), new PlanCommand(), new SimulateCommand(), new ChainCommand(), new ProfileCommand()}) {
            cl.addSubcommand(c);
        }
        addIfPresent(cl, BENCH_COMMAND);
        cl.addSubcommand(new CommandLine.HelpCommand());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // "muxflow chain simulate", not "muxflow simulate": the command the user typed
            String name = cmd.getCommandSpec().qualifiedName();
            String input = inputError(ex);
            if (input != null) {
                cmd.getErr().println(name + ": error: " + input);
                return 2;
            }
            if ("1".equals(System.getenv("MUXFLOW_DEBUG"))) {
                throw ex;
            }
            Throwable root = root(ex);
            cmd.getErr().println(name + ": error: " + root.getClass().getSimpleName() + ": " + root.getMessage()
                    + " (MUXFLOW_DEBUG=1 shows the stack trace)");
            return 1;
        });
        return cl;
    }

    private static void addIfPresent(CommandLine cl, String className) {
        Class<?> c;
        try {
            c = Class.forName(className);
        } catch (ClassNotFoundException e) {
            return; // the job jar alone: no muxflow-bench on the classpath
        }
        try {
            cl.addSubcommand(c.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + className, e);
        }
    }

    /**
     * The one-line message of an error in what the user gave (a file, an option, a backend this machine
     * lacks, an address that does not answer), or null for anything else.
     */
    static String inputError(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof InvalidInputException || t instanceof io.muxflow.gpu.backend.ExecutorException) {
                return t.getMessage();
            }
        }
        Throwable root = root(ex);
        if (root instanceof java.net.ConnectException || root instanceof java.net.UnknownHostException
                || root instanceof java.net.NoRouteToHostException || root instanceof java.net.http.HttpTimeoutException) {
            return "cannot connect: " + root.getClass().getSimpleName() + (root.getMessage() == null ? ""
                    : ": " + root.getMessage());
        }
        return null;
    }

    private static Throwable root(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
