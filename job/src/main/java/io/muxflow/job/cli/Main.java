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
            if (ex instanceof InvalidInputException) {
                cmd.getErr().println("muxflow " + cmd.getCommandName() + ": error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
