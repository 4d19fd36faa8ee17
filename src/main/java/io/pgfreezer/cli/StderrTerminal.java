package io.pgfreezer.cli;

import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * Whether stderr is a terminal and how wide it is, asked of the terminal itself: JLine's JNI
 * provider (isatty and the TIOCGWINSZ ioctl on file descriptor 2) and, where its native library
 * cannot load (a read-only temp directory, an unusual platform), {@code stty size </dev/tty}.
 * {@code $COLUMNS} is no help: shells set it without exporting it, so a child process never sees it.
 * <p>
 * Only JLine's provider is used, never a JLine {@code Terminal}: that would take over signals
 * and terminal modes, which a progress line on stderr has no business touching.
 */
final class StderrTerminal {
    private static final int DEFAULT_WIDTH = 80;

    private final TerminalProvider provider;

    private StderrTerminal(TerminalProvider provider) {
        this.provider = provider;
    }

    static StderrTerminal detect() {
        try {
            TerminalProvider jni = TerminalProvider.load("jni");
            // Loading succeeds lazily on some platforms; asking once proves the native code is there.
            jni.isSystemStream(SystemStream.Error);
            return new StderrTerminal(jni);
        } catch (IOException | RuntimeException | LinkageError e) {
            return new StderrTerminal(null);
        }
    }

    /** True or false when it can be told, null when not (no native code): the caller decides. */
    Boolean isTerminal() {
        if (provider == null) {
            return null;
        }
        try {
            return provider.isSystemStream(SystemStream.Error);
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Columns of the terminal now; asked at every draw, so a resized window is followed. */
    int width() {
        if (provider != null) {
            try {
                int columns = provider.systemStreamWidth(SystemStream.Error);
                if (columns > 0) {
                    return columns;
                }
            } catch (RuntimeException | LinkageError e) {
                // Fall through to stty.
            }
        }
        return sttyWidth().orElse(DEFAULT_WIDTH);
    }

    private OptionalInt cachedStty;

    /** Spawning stty at every draw would cost more than the line is worth: asked once. */
    private synchronized OptionalInt sttyWidth() {
        if (cachedStty == null) {
            cachedStty = askStty();
        }
        return cachedStty;
    }

    private static OptionalInt askStty() {
        File tty = new File("/dev/tty");
        if (!tty.exists()) {
            return OptionalInt.empty();
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String output = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (!stty.waitFor(2, TimeUnit.SECONDS) || stty.exitValue() != 0) {
                stty.destroy();
                return OptionalInt.empty();
            }
            return parseSttySize(output);
        } catch (IOException e) {
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** {@code stty size} prints {@code rows columns}; 0 columns means the size is unknown. */
    static OptionalInt parseSttySize(String output) {
        String[] parts = output.strip().split("\\s+");
        if (parts.length != 2) {
            return OptionalInt.empty();
        }
        try {
            int columns = Integer.parseInt(parts[1]);
            return columns > 0 ? OptionalInt.of(columns) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
