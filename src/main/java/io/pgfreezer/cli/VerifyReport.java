package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfreezer.cli.TableRenderer.Column;
import io.pgfreezer.engine.IsoInstants;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.PythonStyleJson;
import io.pgfreezer.verify.ArchiveVerifier;
import io.pgfreezer.verify.ObjectCheck;
import io.pgfreezer.verify.ObjectCheck.Kind;
import io.pgfreezer.verify.ObjectCheck.Result;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code verify} prints: one line per object, then the totals. Objects are named by their
 * key below the table's directory ({@code year=2024/month=01/day=15/data.parquet}); superseded
 * copies, which live outside it, by their full key.
 */
record VerifyReport(ArchiveVerifier.Report report) implements ManifestReport {

    /** Every object checked is there and intact; orphans and superseded copies aside. */
    static final int EXIT_INTACT = 0;
    /** At least one object a DONE manifest points at is missing or does not match it. */
    static final int EXIT_DAMAGED = 3;
    /** Everything checked is intact, but objects no manifest accounts for lie in a table's data. */
    static final int EXIT_ORPHANS = 4;

    private static final TableRenderer TABLE = new TableRenderer(List.of(
            Column.left("TABLE", 16),
            Column.left("OBJECT", 40),
            Column.left("CHECK", 7),
            Column.right("ROWS", 6),
            Column.right("SIZE", 7),
            Column.left("DETAIL", 0)));

    int exitCode() {
        if (!report.intact()) {
            return EXIT_DAMAGED;
        }
        return report.count(Result.ORPHAN) > 0 ? EXIT_ORPHANS : EXIT_INTACT;
    }

    @Override
    public List<String> humanLines() {
        List<List<String>> rows = new ArrayList<>();
        for (ObjectCheck c : report.checks()) {
            BatchManifest m = c.manifest();
            boolean checked = isChecked(c);
            rows.add(List.of(
                    c.table(),
                    shownKey(c),
                    c.result().name(),
                    checked ? HumanFormat.count(m.rowCount()) : HumanFormat.NONE,
                    HumanFormat.size(c.size() != null ? c.size() : checked ? m.parquetSizeBytes() : null),
                    c.detail()));
        }
        List<String> lines = new ArrayList<>();
        // An OK object has no detail; the empty last cell would leave the column gap at the end.
        TABLE.render(rows).forEach(line -> lines.add(line.stripTrailing()));
        lines.add("");
        lines.add(totalsLine());
        long unrecorded = report.checks().stream().filter(c -> isChecked(c) && !c.checksumRecorded()).count();
        if (unrecorded > 0) {
            lines.add(unrecorded + " object(s) of manifests written by the original tool have no recorded checksum: "
                    + (report.deep() ? "checked by size, full decode and row count"
                    : "checked by size only (--deep decodes them)"));
        }
        if (report.emptyWindows() > 0) {
            lines.add(report.emptyWindows() + " DONE window(s) held no rows and have no object to check");
        }
        return lines;
    }

    private String totalsLine() {
        long checked = report.checks().stream().filter(VerifyReport::isChecked).count();
        StringBuilder sb = new StringBuilder();
        sb.append(checked).append(" object(s) checked").append(report.deep() ? " (deep)" : "").append(": ")
                .append(report.count(Result.OK)).append(" OK, ")
                .append(report.count(Result.MISSING)).append(" MISSING, ")
                .append(report.count(Result.CORRUPT)).append(" CORRUPT; ")
                .append(report.count(Result.ORPHAN)).append(" ORPHAN; ")
                .append(report.count(Result.SUPERSEDED)).append(" SUPERSEDED (kept on purpose)  ")
                .append(HumanFormat.count(totalRows())).append(" rows  ")
                .append(HumanFormat.size(totalBytes()));
        return sb.toString();
    }

    /** Objects a manifest says belong to an archived window, as opposed to what the listing found besides. */
    private static boolean isChecked(ObjectCheck c) {
        return c.kind() == Kind.DATA || c.kind() == Kind.LATE;
    }

    private long totalRows() {
        return report.checks().stream().filter(VerifyReport::isChecked)
                .mapToLong(c -> c.manifest().rowCount() == null ? 0 : c.manifest().rowCount()).sum();
    }

    private long totalBytes() {
        return report.checks().stream().filter(VerifyReport::isChecked)
                .mapToLong(c -> c.size() != null ? c.size()
                        : c.manifest().parquetSizeBytes() == null ? 0 : c.manifest().parquetSizeBytes())
                .sum();
    }

    private static String shownKey(ObjectCheck c) {
        String prefix = c.table() + "/";
        return c.key().startsWith(prefix) ? c.key().substring(prefix.length()) : c.key();
    }

    @Override
    public String json() {
        ObjectNode root = PythonStyleJson.object();
        root.put("intact", report.intact());
        root.put("exit_code", exitCode());
        root.put("deep", report.deep());
        ArrayNode objects = root.putArray("objects");
        for (ObjectCheck c : report.checks()) {
            BatchManifest m = c.manifest();
            ObjectNode o = objects.addObject()
                    .put("table", c.table())
                    .put("key", c.key())
                    .put("kind", c.kind().name().toLowerCase(Locale.ROOT))
                    .put("result", c.result().name())
                    .put("batch_id", m == null ? null : m.batchId())
                    .put("partition", m == null ? null : m.partition())
                    .put("window_start", m == null ? null : IsoInstants.format(m.windowStart()))
                    .put("window_end", m == null ? null : IsoInstants.format(m.windowEnd()))
                    .put("rows", isChecked(c) ? m.rowCount() : null)
                    .put("rows_decoded", c.rowsDecoded())
                    .put("size", c.size())
                    .put("expected_size", isChecked(c) ? m.parquetSizeBytes() : null)
                    .put("sha256", c.sha256())
                    .put("expected_sha256", isChecked(c) ? m.parquetSha256() : null);
            o.put("checksum_recorded", isChecked(c) ? c.checksumRecorded() : null);
            o.put("detail", c.detail());
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("checked", report.checks().stream().filter(VerifyReport::isChecked).count());
        for (Result r : Result.values()) {
            totals.put(r.name().toLowerCase(Locale.ROOT), report.count(r));
        }
        totals.put("without_checksum", report.checks().stream()
                .filter(c -> isChecked(c) && !c.checksumRecorded()).count());
        totals.put("empty_windows", report.emptyWindows());
        totals.put("rows", totalRows());
        totals.put("bytes", totalBytes());
        return PythonStyleJson.write(root);
    }
}
