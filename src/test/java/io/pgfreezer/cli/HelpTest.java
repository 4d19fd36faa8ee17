package io.pgfreezer.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command's --help ends with examples an operator can paste. */
class HelpTest {
    record Result(int exitCode, String out, String err) {
    }

    static Result help(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "status", "list", "fetch", "replay", "verify"})
    void commandHelpShowsExamplesOfThatCommandAndExitsZero(String command) {
        Result r = help(command, "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        String examples = r.out().substring(r.out().indexOf("Examples:"));
        assertThat(examples).contains("pg-freezer " + command + " ");
    }

    @Test
    void rootHelpShowsExamplesAndHowToEnableShellCompletion() {
        Result r = help("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Examples:", "source <(pg-freezer generate-completion)");
    }

    /** Help is wrapped at 80 columns; a wrapped example line would no longer paste into a shell. */
    @Test
    void noExampleLineIsLongEnoughToBeWrapped() {
        CommandLine root = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        List<CommandLine> commands = new ArrayList<>(root.getSubcommands().values());
        commands.add(root);
        for (CommandLine command : commands) {
            for (String line : command.getCommandSpec().usageMessage().footer()) {
                assertThat(line.replace("%n", "")).as(command.getCommandName() + " footer").hasSizeLessThan(80);
            }
        }
    }

    @Test
    void shellCompletionOffersVerifyAndItsOptions() {
        Result r = help("generate-completion");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("verify", "--deep", "--parallel");
    }

    @Test
    void verifyHelpDocumentsItsExitCodes() {
        assertThat(help("verify", "--help").out().replaceAll("\\s+", " ")).contains("0 intact", "3 something MISSING or CORRUPT",
                "4 intact but ORPHANs found");
    }

    @Test
    void examplesQuoteTheShellCorrectly() {
        assertThat(help("list", "--help").out())
                .contains("pg-freezer list --json | jq '.[] | select(.status == \"FAILED\") | .partition'");
        assertThat(help("fetch", "--help").out())
                .contains("duckdb -c \"SELECT avg(value) FROM read_json_auto('/dev/stdin')\"");
    }
}
