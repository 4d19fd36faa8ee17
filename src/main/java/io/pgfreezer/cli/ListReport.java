package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.pgfreezer.cli.TableRenderer.Column;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.IsoInstants;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.manifest.PythonStyleJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code list} shows: one line per manifest, tables in config order and each table's
 * batches by window. A late batch (rows that reached a window after it was DONE, archived as an
 * extra file in the same partition) keeps the original's columns: its partition reads
 * {@code year=2024/month=01/day=15 (late)}, and the JSON carries {@code "kind": "late"}.
 */
record ListReport(List<BatchManifest> manifests) implements ManifestReport {

    static final String LATE_MARKER = " (late)";

    private static final TableRenderer TABLE = new TableRenderer(List.of(
            Column.left("TABLE", 16),
            Column.left("PARTITION", 30),
            Column.left("STATUS", 8),
            Column.right("ROWS", 6),
            Column.right("SIZE", 7),
            Column.left("EXPORTED AT", 0)));

    ListReport {
        manifests = List.copyOf(manifests);
    }

    /**
     * Which manifests to show. Bounds apply to a batch's window start: {@code from} inclusive,
     * {@code to} exclusive; {@code null} leaves that side open.
     */
    record Filter(Instant from, Instant to, BatchStatus status) {
        boolean accepts(BatchManifest m) {
            return (from == null || !m.windowStart().isBefore(from))
                    && (to == null || m.windowStart().isBefore(to))
                    && (status == null || m.status() == status);
        }
    }

    static ListReport collect(List<TableConfig> tables, ManifestStore store, Filter filter) {
        List<BatchManifest> shown = new ArrayList<>();
        for (TableConfig table : tables) {
            for (BatchManifest m : store.list(table.name())) {
                if (filter.accepts(m)) {
                    shown.add(m);
                }
            }
        }
        return new ListReport(shown);
    }

    /** Starts the line under a FAILED row that says why it failed. */
    static final String ERROR_PREFIX = "  error: ";

    /** Starts the line under a batch whose rows leave, or left, PostgreSQL with their partition. */
    static final String PARTITION_PREFIX = "  partition: ";

    /**
     * Under the row, not in a column, so the original's columns stay as they were; only
     * batches of partitions removed whole get the line.
     */
    private static String partitionNote(BatchManifest m) {
        if (m.prune() == null) {
            return null;
        }
        if (m.status() == BatchStatus.DONE && m.prunedBy() != null) {
            return m.prune().partition() + (BatchManifest.PRUNED_DROPPED.equals(m.prunedBy()) ? " dropped" : " detached");
        }
        if (m.status() == BatchStatus.DELETING) {
            return m.prune().partition() + (m.prune().step() == io.pgfreezer.manifest.PartitionPrune.Step.DETACHING
                    ? " being detached" : " waits for its other windows");
        }
        return null;
    }

    @Override
    public List<String> humanLines() {
        List<List<String>> rows = new ArrayList<>(manifests.size());
        long totalRows = 0;
        long totalBytes = 0;
        for (BatchManifest m : manifests) {
            rows.add(List.of(
                    m.table(),
                    m.isLate() ? m.partition() + LATE_MARKER : m.partition(),
                    m.status().name(),
                    HumanFormat.count(m.rowCount()),
                    HumanFormat.size(m.parquetSizeBytes()),
                    HumanFormat.minute(m.exportedAt())));
            totalRows += m.rowCount() == null ? 0 : m.rowCount();
            totalBytes += m.parquetSizeBytes() == null ? 0 : m.parquetSizeBytes();
        }
        List<String> table = TABLE.render(rows);
        List<String> lines = new ArrayList<>(table.subList(0, 2));
        for (int i = 0; i < manifests.size(); i++) {
            lines.add(table.get(i + 2));
            String error = manifests.get(i).error();
            // Under the row rather than in a column: errors are long, and why a batch failed is
            // what an operator looking at a FAILED row needs next.
            if (error != null && !error.isBlank()) {
                lines.add(ERROR_PREFIX + error.strip().replaceAll("\\s*\\R\\s*", " "));
            }
            String partitionNote = partitionNote(manifests.get(i));
            if (partitionNote != null) {
                lines.add(PARTITION_PREFIX + partitionNote);
            }
        }
        lines.add("");
        lines.add(manifests.size() + " partition(s)  " + HumanFormat.count(totalRows) + " rows  "
                + HumanFormat.size(totalBytes));
        return lines;
    }

    /**
     * Exactly the original's keys in the original's order, since scripts written for 1.0.x read
     * them; ours ({@code kind}, {@code pruned_by}: {@code rows_deleted}, {@code partition_detached} or
     * {@code partition_dropped}, and {@code pruned_partition}) only after them. Timestamps as in manifests, null where unknown.
     */
    @Override
    public String json() {
        ArrayNode array = PythonStyleJson.array();
        for (BatchManifest m : manifests) {
            array.addObject()
                    .put("table", m.table())
                    .put("schema", m.schemaName())
                    .put("partition", m.partition())
                    .put("window_start", IsoInstants.format(m.windowStart()))
                    .put("window_end", IsoInstants.format(m.windowEnd()))
                    .put("status", m.status().name())
                    .put("batch_id", m.batchId())
                    .put("row_count", m.rowCount())
                    .put("size_bytes", m.parquetSizeBytes())
                    .put("parquet_path", m.parquetPath())
                    .put("exported_at", micros(m.exportedAt()))
                    .put("verified_at", micros(m.verifiedAt()))
                    .put("deleted_at", micros(m.deletedAt()))
                    .put("error", m.error())
                    .put("kind", m.kind())
                    .put("pruned_by", m.prunedBy())
                    .put("pruned_partition", m.prune() == null ? null : m.prune().partition());
        }
        return PythonStyleJson.write(array);
    }

    /**
     * The same text as {@link #json()}, written manifest by manifest: 100,000 manifests are
     * 65 MB of JSON, which as a tree and then one string took several times that in heap and
     * most of {@code list --json}'s own time.
     */
    @Override
    public void writeJson(java.io.PrintWriter out) throws java.io.IOException {
        try (com.fasterxml.jackson.core.JsonGenerator g = PythonStyleJson.generator(out)) {
            g.writeStartArray();
            for (BatchManifest m : manifests) {
                g.writeStartObject();
                text(g, "table", m.table());
                text(g, "schema", m.schemaName());
                text(g, "partition", m.partition());
                text(g, "window_start", IsoInstants.format(m.windowStart()));
                text(g, "window_end", IsoInstants.format(m.windowEnd()));
                text(g, "status", m.status().name());
                text(g, "batch_id", m.batchId());
                number(g, "row_count", m.rowCount());
                number(g, "size_bytes", m.parquetSizeBytes());
                text(g, "parquet_path", m.parquetPath());
                text(g, "exported_at", micros(m.exportedAt()));
                text(g, "verified_at", micros(m.verifiedAt()));
                text(g, "deleted_at", micros(m.deletedAt()));
                text(g, "error", m.error());
                text(g, "kind", m.kind());
                text(g, "pruned_by", m.prunedBy());
                text(g, "pruned_partition", m.prune() == null ? null : m.prune().partition());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    private static void text(com.fasterxml.jackson.core.JsonGenerator g, String field, String value)
            throws java.io.IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(value);
        }
    }

    private static void number(com.fasterxml.jackson.core.JsonGenerator g, String field, Long value)
            throws java.io.IOException {
        g.writeFieldName(field);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeNumber(value);
        }
    }

    private static String micros(Instant at) {
        return at == null ? null : IsoInstants.formatMicros(at);
    }
}
