package io.pgfreezer.fetch;

import io.pgfreezer.FreezerException;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.BatchIds;
import io.pgfreezer.engine.Window;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.ManifestStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Says why windows of the range have no files, from their manifests: archived with no rows (not
 * worth a note), archived but the objects are gone, or not archived. Consecutive windows with the
 * same explanation are one line. Looking up a manifest is one small read per window, so past
 * {@link #MAX_LOOKUPS} windows the explanation is left out.
 */
final class MissingPartitions {

    static final int MAX_LOOKUPS = 200;
    static final int MAX_LINES = 20;

    private MissingPartitions() {
    }

    /** Note lines for the operator; empty when every window without files was archived empty. */
    static List<String> describe(List<Window> missing, TableConfig table, ManifestStore manifests) {
        boolean lookUp = missing.size() <= MAX_LOOKUPS;
        List<String> lines = new ArrayList<>();
        Window runStart = null;
        Window runEnd = null;
        String runReason = null;
        int runLength = 0;
        int empty = 0;
        int runs = 0;
        for (Window w : missing) {
            String reason = lookUp ? reason(w, table, manifests) : "no files";
            if (reason == null) {
                empty++;
            }
            boolean continues = runEnd != null && reason != null && reason.equals(runReason)
                    && runEnd.end().equals(w.start());
            if (continues) {
                runEnd = w;
                runLength++;
                continue;
            }
            if (runReason != null) {
                runs++;
                if (lines.size() < MAX_LINES) {
                    lines.add(line(runStart, runEnd, runLength, runReason));
                }
            }
            runStart = w;
            runEnd = w;
            runLength = 1;
            runReason = reason;
        }
        if (runReason != null) {
            runs++;
            if (lines.size() < MAX_LINES) {
                lines.add(line(runStart, runEnd, runLength, runReason));
            }
        }
        if (runs > lines.size()) {
            lines.add("... and " + (runs - lines.size()) + " more stretch(es) of partitions without files");
        }
        if (empty > 0) {
            lines.add(empty + " window(s) in the range were archived with no rows");
        }
        return lines;
    }

    private static String line(Window first, Window last, int count, String reason) {
        String partitions = count == 1 ? first.partition()
                : first.partition() + " to " + last.partition() + " (" + count + " partitions)";
        return "no files for " + partitions + ": " + reason;
    }

    /** Null when the window was archived with no rows; otherwise why it has no files. */
    private static String reason(Window w, TableConfig table, ManifestStore manifests) {
        Optional<BatchManifest> manifest;
        try {
            manifest = manifests.load(table.name(), BatchIds.of(table.schema(), table.name(), w));
        } catch (FreezerException e) {
            return "no files (its manifest could not be read: " + e.getMessage() + ")";
        }
        if (manifest.isEmpty()) {
            return "not archived";
        }
        BatchManifest m = manifest.get();
        if (m.rowCount() != null && m.rowCount() == 0) {
            return null;
        }
        if (m.rowCount() != null && m.parquetPath() != null) {
            return "its manifest (" + m.status() + ") records " + m.rowCount() + " row(s) in " + m.parquetPath()
                    + ", but the object is missing";
        }
        return "not archived (batch " + m.batchId() + " is " + m.status() + ")";
    }
}
