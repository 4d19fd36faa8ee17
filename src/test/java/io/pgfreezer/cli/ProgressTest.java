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
    void shownOnATerminalUnlessTheEnvironmentSaysOtherwise() {
        assertThat(Progress.enabled(null, true, true)).isTrue();
        assertThat(Progress.enabled(null, true, null)).isTrue();
        assertThat(Progress.enabled(null, false, true)).isFalse();
        assertThat(Progress.enabled(null, true, false)).as("stderr redirected to a file").isFalse();
        assertThat(Progress.enabled("0", true, true)).isFalse();
        assertThat(Progress.enabled("1", false, false)).isTrue();
        assertThat(Progress.enabled("maybe", true, true)).as("unknown values detect").isTrue();
    }

    @Test
    void widthComesFromColumnsWhenItIsANumber() {
        assertThat(Progress.width("132")).isEqualTo(132);
        assertThat(Progress.width(null)).isEqualTo(80);
        assertThat(Progress.width("wide")).isEqualTo(80);
    }
}
