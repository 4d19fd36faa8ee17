package io.pgfreezer.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes the metrics file read by node_exporter's textfile collector. The collector may read at
 * any moment, so the file is replaced atomically: written in full under a temporary name that
 * does not end in {@code .prom} (the collector ignores it), then renamed over the old one.
 * <p>
 * One file holds every table. A run restricted to some tables ({@code run --table},
 * {@code replay}) keeps the previous samples of the other configured tables, so per-table cron
 * jobs sharing the file do not erase each other; tables no longer configured are dropped.
 */
final class TextfileWriter {
    private static final Logger log = LoggerFactory.getLogger(TextfileWriter.class);

    private final Path path;

    TextfileWriter(Path path) {
        this.path = path;
        if (!path.getFileName().toString().endsWith(".prom")) {
            log.warn("metrics textfile {} does not end in .prom: node_exporter's textfile collector will not read it", path);
        }
    }

    Path path() {
        return path;
    }

    void write(RunMetrics metrics, Set<String> configuredTables) throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (Sample previous : previous()) {
            String table = previous.table();
            if (configuredTables.contains(table) && !metrics.tables().contains(table)) {
                samples.add(previous);
            }
        }
        samples.addAll(metrics.samples());
        replace(TextFormat.render(samples));
    }

    private List<Sample> previous() {
        try {
            return TextFormat.parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException | IllegalArgumentException e) {
            log.warn("metrics textfile {} could not be read back ({}); other tables' metrics in it are dropped",
                    path, e.getMessage());
            return List.of();
        }
    }

    private void replace(String content) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + path.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temp, content, StandardCharsets.UTF_8);
            // Temporary files are private to the owner; node_exporter usually runs as another user.
            PosixFileAttributeView posix = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
            if (posix != null) {
                posix.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Same directory, so this only happens on unusual file systems; a file written
                // non-atomically beats no file.
                Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
