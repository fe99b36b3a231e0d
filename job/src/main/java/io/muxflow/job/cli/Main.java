package io.muxflow.job.cli;

import io.muxflow.planner.InvalidInputException;
import io.muxflow.planner.cli.ChainCommand;
import io.muxflow.planner.cli.PlanCommand;
import io.muxflow.planner.cli.SimulateCommand;
import io.muxflow.gpu.profiler.ProfileCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/muxflow}: the one launcher users type. */
@Command(name = "muxflow", mixinStandardHelpOptions = true, version = "muxflow 0.1.0",
        description = "Serve many deep-learning models on a shared GPU pool as one Flink job.",
        subcommands = {LocalCommand.class, LoadgenCommand.class, SubmitCommand.class, ControllerCommand.class, RedeployCommand.class, PlanCommand.class, SimulateCommand.class, ChainCommand.class, ProfileCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
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
