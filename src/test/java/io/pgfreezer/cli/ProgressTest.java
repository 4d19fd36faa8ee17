package io.pgfreezer.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The status line's rendering, driven by a fake clock into a byte buffer standing in for the terminal. */
class ProgressTest {
    static final String E = Progress.ERASE_LINE;
    static final long MS = 1_000_000L;

    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final Progress progress = new Progress(new PrintStream(screen, true, StandardCharsets.UTF_8), now::get, 40);

    private String screen() {
        return screen.toString(StandardCharsets.UTF_8);
    }

    private void other(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        progress.otherOutput(b, 0, b.length);
    }

    @Test
    void eachDrawReplacesTheLineInPlace() {
        progress.update("a: 10 rows");
        now.addAndGet(300 * MS);
        progress.update("a: 20 rows");

        assertThat(screen()).isEqualTo(E + "a: 10 rows" + E + "a: 20 rows");
    }

    @Test
    void updatesWithinAQuarterSecondAreNotDrawnUntilTheNextDueUpdate() {
        progress.update("a: 10 rows");
        now.addAndGet(100 * MS);
        progress.update("a: 20 rows");
        now.addAndGet(100 * MS);
        progress.update("a: 30 rows");
        assertThat(screen()).isEqualTo(E + "a: 10 rows");

        now.addAndGet(50 * MS);
        progress.update("a: 40 rows");
        assertThat(screen()).isEqualTo(E + "a: 10 rows" + E + "a: 40 rows");
    }

    @Test
    void anEmptyLineErasesAtOnceEvenWithinTheInterval() {
        progress.update("a: 10 rows");
        progress.update("");

        assertThat(screen()).isEqualTo(E + "a: 10 rows" + E);
    }

    @Test
    void aLineWiderThanTheTerminalIsCutSoItNeverWraps() {
        progress.update("x".repeat(100));

        assertThat(screen()).isEqualTo(E + "x".repeat(38) + "…");
    }

    @Test
    void otherOutputGetsItsOwnRowAndTheLineComesBackBelowIt() {
        progress.update("a: 10 rows");
        other("12:00:01 INFO  exported 10 rows\n");

        assertThat(screen()).isEqualTo(E + "a: 10 rows" + E + "12:00:01 INFO  exported 10 rows\n" + E + "a: 10 rows");
    }

    @Test
    void aPartialLineOfOtherOutputIsNotOverdrawnUntilItEnds() {
        progress.update("a: 10 rows");
        other("half a ");
        now.addAndGet(300 * MS);
        progress.update("a: 20 rows");
        assertThat(screen()).isEqualTo(E + "a: 10 rows" + E + "half a ");

        other("line\n");
        assertThat(screen()).endsWith("half a line\n" + E + "a: 20 rows");
    }

    @Test
    void doneErasesTheLineAndLaterUpdatesPrintNothing() {
        progress.update("a: 10 rows");
        progress.done();
        now.addAndGet(1_000 * MS);
        progress.update("a: 20 rows");
        progress.done();

        assertThat(screen()).isEqualTo(E + "a: 10 rows" + E);
    }

    @Test
    void aSilentProgressAcceptsEverythingAndPrintsNothing() {
        Progress silent = Progress.silent();
        silent.update("a: 10 rows");
        silent.done();
        assertThat(screen()).isEmpty();
    }

    @Test
    void shownWhenStderrIsATerminalWhateverStdoutIsUnlessTheEnvironmentSaysOtherwise() {
        assertThat(Progress.enabled(null, true, true)).isTrue();
        assertThat(Progress.enabled(null, true, false)).as("fetch | head: stdout a pipe, stderr the terminal").isTrue();
        assertThat(Progress.enabled(null, false, true)).as("stderr redirected to a file").isFalse();
        assertThat(Progress.enabled(null, null, true)).as("stderr unknown: the console decides").isTrue();
        assertThat(Progress.enabled(null, null, false)).isFalse();
        assertThat(Progress.enabled("0", true, true)).isFalse();
        assertThat(Progress.enabled("1", false, false)).isTrue();
        assertThat(Progress.enabled("maybe", true, false)).as("unknown values detect").isTrue();
    }

    @Test
    void aLineIsCutToOneColumnLessThanTheTerminalSoItNeverWraps() {
        assertThat(Progress.fit("x".repeat(79), 80)).isEqualTo("x".repeat(79));
        assertThat(Progress.fit("x".repeat(80), 80)).isEqualTo("x".repeat(78) + "…");
        assertThat(Progress.fit("x".repeat(300), 132)).hasSize(131).endsWith("…");
        assertThat(Progress.fit("é".repeat(30), 20)).as("counted in characters, not bytes").isEqualTo("é".repeat(18) + "…");
        assertThat(Progress.fit("x".repeat(100), 0)).as("unknown width").hasSize(79);
        assertThat(Progress.fit("x".repeat(100), 3)).as("absurdly narrow").hasSize(9);
    }

    @Test
    void theWidthIsAskedAtEveryDrawSoAResizedTerminalIsFollowed() {
        java.util.concurrent.atomic.AtomicInteger columns = new java.util.concurrent.atomic.AtomicInteger(30);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Progress resizable = new Progress(new PrintStream(out, true, StandardCharsets.UTF_8), now::get, columns::get);
        resizable.update("y".repeat(50));
        columns.set(20);
        now.addAndGet(300 * MS);
        resizable.update("y".repeat(50));

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(E + "y".repeat(28) + "…" + E + "y".repeat(18) + "…");
    }

    @Test
    void sttySizeGivesTheColumnsAfterTheRows() {
        assertThat(StderrTerminal.parseSttySize("24 132\n")).hasValue(132);
        assertThat(StderrTerminal.parseSttySize("0 0\n")).isEmpty();
        assertThat(StderrTerminal.parseSttySize("stty: standard input: Inappropriate ioctl for device")).isEmpty();
        assertThat(StderrTerminal.parseSttySize("")).isEmpty();
    }
}
