package io.pgfreezer.cli;

import io.pgfreezer.FreezerException;
import picocli.CommandLine;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Process entry point: builds the command line, runs it, exits with its code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        LogSetup.configure();
        // UTF-8 whatever the locale: fetch writes data here, and JSON and CSV consumers expect UTF-8.
        // Straight onto the file descriptor, not System.out: a PrintStream swallows the error of a
        // closed pipe for good, and fetch must see it to stop reading for a reader that has gone.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * The fully wired command line. Tests call this with their own writers to check output and
     * exit codes without starting a process.
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new FreezerCommand());
        cmd.setOut(out);
        cmd.setErr(err);
        // `--status failed` and `--format JSONL` are what people type; accept any case.
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler(Main::handleExecutionException);
        cmd.setParameterExceptionHandler(Main::handleParameterException);
        return cmd;
    }

    /** Known failures print one line; anything else is a bug and says so, still without a trace. */
    private static int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (e instanceof FreezerException fe) {
            boolean temporary = fe.exitCode() != ExitCodes.USAGE && ExitCodes.isTemporary(fe);
            err.println("error: " + Redaction.apply(FreezerException.oneLine(fe.getMessage())) + (temporary ? " (temporary: the next run retries)" : ""));
            debugTrace(e, err);
            return temporary ? ExitCodes.TEMPORARY : fe.exitCode();
        }
        err.println("internal error: " + e.getClass().getName()
                + (e.getMessage() == null ? "" : ": " + Redaction.apply(FreezerException.oneLine(e.getMessage())))
                + " (set PG_FREEZER_DEBUG=1 for a stack trace)");
        debugTrace(e, err);
        return FreezerException.EXIT_FAILURE;
    }

    private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + e.getMessage());
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        return FreezerException.EXIT_USAGE;
    }

    private static void debugTrace(Exception e, PrintWriter err) {
        if (System.getenv("PG_FREEZER_DEBUG") != null) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace, true));
            err.print(Redaction.apply(trace.toString()));
            err.flush();
        }
    }
}
