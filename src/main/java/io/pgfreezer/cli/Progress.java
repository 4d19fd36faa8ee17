package io.pgfreezer.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * One status line on the terminal, redrawn in place on stderr ({@code \r}, the text, then
 * erase-to-end-of-line), at most four times a second, cut to the terminal's width as it is at
 * each draw. Shown whenever stderr is a terminal, whatever stdout is ({@code fetch … | head}
 * still shows it), and silent otherwise, so logs collected from cron or Kubernetes never contain
 * it; {@code PG_FREEZER_PROGRESS=1} or {@code =0} overrides the detection.
 * <p>
 * Log lines also go to stderr. While the line is shown, {@link #forStderr()} routes
 * {@code System.err} through this object, which erases the status line before other output and
 * draws it again below once that output has ended its line, so the two never share a row.
 * <p>
 * Thread-safe: tables run in parallel and all of them update the same line.
 */
public final class Progress implements AutoCloseable {
    static final long MIN_INTERVAL_NANOS = 250_000_000L;
    static final String ERASE_LINE = "\r\033[K";
    private static final int DEFAULT_WIDTH = 80;
    /** Narrower than this, a cut line says nothing; draw it whole and let the terminal wrap. */
    private static final int MIN_WIDTH = 10;

    private final PrintStream terminal;
    private final LongSupplier nanoTime;
    private final IntSupplier width;
    private final Runnable onDone;
    private String latest = "";
    private boolean shown;
    private long lastDraw;
    private boolean drawnOnce;
    private boolean done;
    /** Someone else's output has not ended its line yet: drawing now would erase it. */
    private boolean othersMidLine;

    Progress(PrintStream terminal, LongSupplier nanoTime, int width) {
        this(terminal, nanoTime, () -> width, () -> { });
    }

    /** @param width the terminal's columns, asked at every draw */
    Progress(PrintStream terminal, LongSupplier nanoTime, IntSupplier width) {
        this(terminal, nanoTime, width, () -> { });
    }

    private Progress(PrintStream terminal, LongSupplier nanoTime, IntSupplier width, Runnable onDone) {
        this.terminal = terminal;
        this.nanoTime = nanoTime;
        this.width = width;
        this.onDone = onDone;
    }

    /** A progress line that never prints anything. */
    public static Progress silent() {
        return new Progress(null, System::nanoTime, DEFAULT_WIDTH);
    }

    /** The progress line for this process: on stderr when it is a terminal, silent otherwise. */
    public static Progress forStderr() {
        Map<String, String> env = System.getenv();
        StderrTerminal stderr = StderrTerminal.detect();
        Boolean isTerminal = stderr.isTerminal();
        if (!enabled(env.get("PG_FREEZER_PROGRESS"), isTerminal != null ? isTerminal : procStderrIsTerminal(),
                System.console() != null)) {
            return silent();
        }
        PrintStream original = System.err;
        Progress[] self = new Progress[1];
        PrintStream routed = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                self[0].otherOutput(b, off, len);
            }

            @Override
            public void flush() {
                original.flush();
            }
        }, true, StandardCharsets.UTF_8);
        Runnable restore = () -> {
            if (System.err == routed) {
                System.setErr(original);
            }
        };
        self[0] = new Progress(original, System::nanoTime, stderr::width, restore);
        System.setErr(routed);
        return self[0];
    }

    /**
     * @param setting         {@code PG_FREEZER_PROGRESS}: 1/true/yes forces on, 0/false/no off
     * @param stderrTerminal  whether stderr is a terminal, or null when that cannot be told
     * @param console         whether the JVM has a console (stdin and stdout are a terminal): the
     *                        guess when stderr itself cannot be asked
     */
    static boolean enabled(String setting, Boolean stderrTerminal, boolean console) {
        if (setting != null) {
            switch (setting.strip().toLowerCase(Locale.ROOT)) {
                case "1", "true", "yes", "on" -> {
                    return true;
                }
                case "0", "false", "no", "off" -> {
                    return false;
                }
                default -> {
                    // Anything else: detect, as if unset.
                }
            }
        }
        return stderrTerminal != null ? stderrTerminal : console;
    }

    /**
     * Without JLine's native code, on Linux the target of file descriptor 2 tells about stderr,
     * so {@code run 2>run.log} stays free of progress lines.
     */
    private static Boolean procStderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /**
     * Shows {@code line} in place of the previous one, unless the line was drawn less than a
     * quarter of a second ago; the latest text is then drawn by the next update that is due.
     * An empty line erases the status line at once.
     */
    public synchronized void update(String line) {
        if (terminal == null || done) {
            return;
        }
        latest = line;
        long now = nanoTime.getAsLong();
        if (othersMidLine) {
            return;
        }
        if (line.isEmpty()) {
            erase();
        } else if (!drawnOnce || now - lastDraw >= MIN_INTERVAL_NANOS) {
            draw();
            lastDraw = now;
            drawnOnce = true;
        }
    }

    /** Erases the line for good and hands stderr back; later updates print nothing. */
    public synchronized void done() {
        if (done) {
            return;
        }
        done = true;
        if (terminal != null) {
            erase();
            terminal.flush();
        }
        onDone.run();
    }

    @Override
    public void close() {
        done();
    }

    /** Bytes someone else writes to stderr: erase the status line first, redraw it once their line is complete. */
    synchronized void otherOutput(byte[] b, int off, int len) {
        if (len == 0) {
            return;
        }
        erase();
        terminal.write(b, off, len);
        othersMidLine = b[off + len - 1] != '\n';
        if (!othersMidLine && !done && !latest.isEmpty()) {
            draw();
        }
        terminal.flush();
    }

    private void draw() {
        String text = fit(latest, width.getAsInt());
        terminal.print(ERASE_LINE + text);
        terminal.flush();
        shown = true;
    }

    /**
     * The text as it fits one row of {@code columns}: one column is left free, because a row
     * filled to the last column makes some terminals wrap, and the next redraw would then erase
     * only the second row.
     */
    static String fit(String text, int columns) {
        int usable = (columns <= 0 ? DEFAULT_WIDTH : Math.max(MIN_WIDTH, columns)) - 1;
        if (text.codePointCount(0, text.length()) <= usable) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, usable - 1)) + "…";
    }

    private void erase() {
        if (shown) {
            terminal.print(ERASE_LINE);
            terminal.flush();
            shown = false;
        }
    }
}
