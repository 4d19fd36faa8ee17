package io.pgfreezer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -c} before the subcommand is how wrappers (the Taskfile, cron lines) tend to write it;
 * it must load the same file as {@code -c} after it. Runs the real command line on real files.
 */
class ConfigPlacementTest {
    record Result(int exit, String out, String err) {
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Path config(Path dir, String table) throws IOException {
        Path archive = Files.createDirectories(dir.resolve("archive-" + table));
        return Files.writeString(dir.resolve(table + ".yaml"), """
                database:
                  dsn: "postgresql://nobody@127.0.0.1:1/none"
                storage:
                  protocol: file
                  path: "%s"
                tables:
                  - name: %s
                    timestamp_column: recorded_at
                """.formatted(archive, table));
    }

    @Test
    void theConfigOptionWorksBeforeAndAfterTheSubcommand(@TempDir Path dir) throws IOException {
        String file = config(dir, "readings").toString();

        for (String[] args : new String[][] {
                {"-c", file, "status", "--json"},
                {"--config", file, "status", "--json"},
                {"status", "-c", file, "--json"},
                {"--config=" + file, "list", "--json"}}) {
            Result r = cli(args);
            assertThat(r.exit()).as(String.join(" ", args) + "\n" + r.err()).isZero();
            assertThat(r.err()).as(String.join(" ", args)).doesNotContain("Unknown option");
        }
        assertThat(cli("-c", file, "status", "--json").out()).contains("\"public.readings\"");
    }

    @Test
    void givenOnBothSidesTheSubcommandsOwnWins(@TempDir Path dir) throws IOException {
        String outer = config(dir, "outer_table").toString();
        String inner = config(dir, "inner_table").toString();

        Result r = cli("-c", outer, "status", "-c", inner, "--json");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("public.inner_table").doesNotContain("outer_table");
    }

    @Test
    void withNeitherTheDefaultFileIsRead(@TempDir Path dir) {
        Result r = cli("status");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("config.yaml");
    }
}
