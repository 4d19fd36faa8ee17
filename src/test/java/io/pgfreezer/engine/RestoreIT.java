package io.pgfreezer.engine;

import io.pgfreezer.cli.Main;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.format.ArchiveMetadata;
import io.pgfreezer.format.ParquetArchiveReader;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.ManifestCodec;
import io.pgfreezer.manifest.ManifestStore;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.restore.Restorer;
import io.pgfreezer.source.PostgresSource;
import io.pgfreezer.source.RestoreTarget;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.ForwardingManifestStore;
import io.pgfreezer.testing.SimulatedCrash;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pg-freezer restore} against a real PostgreSQL and a real archive: values come back
 * exactly, nothing is ever restored twice, and run and replay leave restored rows alone.
 */
class RestoreIT {
    static final String DAY = "2024-01-05";
    static final String NEXT = "2024-01-06";

    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** The real command line, in this JVM, against a config file for the fixture's database and archive. */
    static Run cli(ArchiveFixture f, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> argv = new ArrayList<>(List.of(args));
        argv.add(1, "-c");
        argv.add(2, writeConfig(f).toString());
        int exit = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(argv.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    static Path writeConfig(ArchiveFixture f) {
        StringBuilder yaml = new StringBuilder("database:\n  dsn: \"" + f.dsn + "\"\n")
                .append("storage:\n  protocol: file\n  path: \"").append(f.root).append("\"\n")
                .append("tables:\n");
        for (TableConfig t : f.config().tables()) {
            yaml.append("  - name: \"").append(t.name()).append("\"\n    schema: \"").append(t.schema())
                    .append("\"\n    timestamp_column: \"").append(t.timestampColumn())
                    .append("\"\n    partition_by: ").append(t.partitionBy().yamlName())
                    .append("\n    lag: ").append(t.lag().toDays()).append("d\n");
        }
        try {
            Path file = Files.createTempFile("pg-freezer-restore-config-", ".yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rows of {@code a} not in {@code b}, compared as whole-row text (json has no equality operator). */
    static long except(ArchiveFixture f, String a, String b) {
        return f.count("SELECT count(*) FROM (SELECT x::text FROM " + a + " x EXCEPT ALL SELECT y::text FROM " + b + " y) d");
    }

    static void sameRows(ArchiveFixture f, String actual, String expected) {
        assertThat(f.count("SELECT count(*) FROM " + actual)).isEqualTo(f.count("SELECT count(*) FROM " + expected));
        assertThat(except(f, actual, expected)).as("rows of %s not in %s", actual, expected).isZero();
        assertThat(except(f, expected, actual)).as("rows of %s not in %s", expected, actual).isZero();
    }

    static List<Path> partitionFiles(ArchiveFixture f, String table) {
        try (Stream<Path> files = Files.walk(f.root.resolve(table))) {
            return files.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String valueDigest(Path file) {
        try (ParquetArchiveReader reader = ParquetArchiveReader.open(file)) {
            return reader.keyValueMetadata().get(ArchiveMetadata.VALUE_DIGEST);
        }
    }

    static String manifestText(ArchiveFixture f, String table, String batchId) {
        try {
            return Files.readString(f.root.resolve(StorageManifestStore.key(table, batchId)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BatchManifest window(ArchiveFixture f, String table) {
        return f.manifests(table).stream().filter(m -> !m.isLate()).findFirst().orElseThrow();
    }

    @Test
    void everyEdgeValueComesBackExactlyIntoANewTableAndIntoItsOwnAndIsNeverArchivedTwice() {
        ArchiveFixture f = ExactValuesIT.edgeTable("edge");
        f.sql("CREATE TABLE edge_before AS SELECT * FROM edge");
        List<List<String>> before = ExactValuesIT.pgValues(f, "edge");
        assertThat(f.runAll().batches()).extracting(BatchOutcome::result).containsExactly(BatchOutcome.Result.DONE);
        assertThat(f.count("SELECT count(*) FROM edge")).isZero();
        BatchManifest archived = window(f, "edge");

        Run into = cli(f, "restore", "-t", "edge", "--from", DAY, "--to", NEXT, "--into", "edge_copy");

        assertThat(into.exit()).as(into.all()).isZero();
        assertThat(into.out()).contains("RESTORED").contains("1 window(s) restored (4 rows) into public.edge_copy");
        sameRows(f, "edge_copy", "edge_before");
        assertThat(ExactValuesIT.pgValues(f, "edge_copy")).isEqualTo(before);
        // --into leaves the archived table's manifests as they were.
        assertThat(window(f, "edge")).isEqualTo(archived);

        // Re-exported, the restored rows are the same bytes PostgreSQL sent the first time.
        f.table("edge_copy", "ts", Granularity.DAILY, Duration.ofDays(1));
        f.runAll();
        assertThat(valueDigest(partitionFiles(f, "edge_copy").get(0)))
                .isEqualTo(valueDigest(partitionFiles(f, "edge").get(0))).isNotNull();

        Run own = cli(f, "restore", "-t", "edge", "--from", DAY, "--to", NEXT);

        assertThat(own.exit()).as(own.all()).isZero();
        sameRows(f, "edge", "edge_before");
        assertThat(ExactValuesIT.pgValues(f, "edge")).isEqualTo(before);
        BatchManifest restored = window(f, "edge");
        assertThat(restored.restore().finished()).isTrue();
        assertThat(restored.restore().rows()).isEqualTo(4);
        assertThat(restored.withRestore(null)).isEqualTo(archived);
        String manifestAfterRestore = manifestText(f, "edge", archived.batchId());

        // The restored rows are the archive's: neither run nor replay writes them again.
        RunReport run = f.runAll();
        RunReport replay = f.run(RunOptions.replay("edge", ExactValuesIT.CLOCK.instant().minus(Duration.ofDays(60)),
                ExactValuesIT.CLOCK.instant(), false, false));

        for (RunReport r : List.of(run, replay)) {
            assertThat(r.batches()).filteredOn(b -> b.table().equals("public.edge")).isEmpty();
            assertThat(r.restoredWindows()).singleElement().asString().contains("public.edge")
                    .contains("restored from the archive");
        }
        assertThat(partitionFiles(f, "edge")).hasSize(1);
        assertThat(manifestText(f, "edge", archived.batchId())).isEqualTo(manifestAfterRestore);
        assertThat(f.count("SELECT count(*) FROM edge")).isEqualTo(4);

        // Restoring the same window again changes nothing.
        Run again = cli(f, "restore", "-t", "edge", "--from", DAY, "--to", NEXT);
        assertThat(again.exit()).as(again.all()).isZero();
        assertThat(again.out()).contains("ALREADY_RESTORED");
        sameRows(f, "edge", "edge_before");
    }

    static ArchiveFixture readings() {
        ArchiveFixture f = ArchiveFixture.local().clock(ExactValuesIT.CLOCK)
                .table("readings", "ts", Granularity.DAILY, Duration.ofDays(1));
        f.sql("CREATE TABLE readings (ts timestamptz NOT NULL, sensor int, reading numeric(8,2), note text)",
                "INSERT INTO readings SELECT t, (extract(epoch FROM t)::bigint % 7)::int, (extract(minute FROM t) / 3)::numeric(8,2), "
                        + "'n' || extract(epoch FROM t)::bigint FROM generate_series(timestamptz '" + DAY + " 00:00:00+00', "
                        + "timestamptz '" + DAY + " 23:59:00+00', interval '1 minute') t");
        f.sql("CREATE TABLE readings_before AS SELECT * FROM readings");
        return f;
    }

    @Test
    void aWindowThatStillHasRowsIsRefusedNamingItAndTheCountAndNothingIsWritten() {
        ArchiveFixture f = readings();
        f.runAll();
        f.sql("INSERT INTO readings VALUES ('" + DAY + " 12:00:30+00', 1, 1.00, 'arrived later')");
        String manifest = manifestText(f, "readings", window(f, "readings").batchId());

        Run refused = cli(f, "restore", "-t", "readings", "--from", DAY, "--to", NEXT);

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).contains("REFUSED")
                .contains("window 2024-01-05T00:00:00+00:00/2024-01-06T00:00:00+00:00 already has 1 row(s) in public.readings")
                .contains("1,440");
        assertThat(refused.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(f.count("SELECT count(*) FROM readings")).isEqualTo(1);
        assertThat(manifestText(f, "readings", window(f, "readings").batchId())).isEqualTo(manifest);
    }

    @Test
    void aDryRunListsTheWindowRowsAndTargetAndChangesNothing() {
        ArchiveFixture f = readings();
        f.runAll();
        String manifest = manifestText(f, "readings", window(f, "readings").batchId());

        Run dry = cli(f, "restore", "-t", "readings", "--from", "2024-01-01", "--to", "2024-02-01", "--dry-run",
                "--into", "scratch_readings");

        assertThat(dry.exit()).as(dry.all()).isZero();
        assertThat(dry.out()).contains("2024-01-05T00:00:00+00:00/2024-01-06T00:00:00+00:00").contains("WOULD_RESTORE")
                .contains("1,440").contains("dry run: 1 window(s), 1,440 rows would be restored into public.scratch_readings");
        assertThat(f.count("SELECT count(*) FROM pg_class WHERE relname = 'scratch_readings'")).isZero();
        assertThat(f.count("SELECT count(*) FROM readings")).isZero();
        assertThat(manifestText(f, "readings", window(f, "readings").batchId())).isEqualTo(manifest);
    }

    @Test
    void aRangeThatSplitsAWindowIsAUsageError() {
        ArchiveFixture f = readings();

        Run r = cli(f, "restore", "-t", "readings", "--from", "2024-01-05T12:00:00", "--to", NEXT);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("error: --from 2024-01-05T12:00:00Z is inside the daily window")
                .contains("use 2024-01-05T00:00:00Z or 2024-01-06T00:00:00Z").doesNotContain("\n");
    }

    @Test
    void lateFilesAreRestoredWithTheirWindowInOneGo() {
        ArchiveFixture f = readings();
        f.runAll();
        f.sql("INSERT INTO readings VALUES ('" + DAY + " 12:00:30+00', 1, 1.00, 'arrived later')",
                "INSERT INTO readings_before VALUES ('" + DAY + " 12:00:30+00', 1, 1.00, 'arrived later')");
        f.runAll();
        assertThat(partitionFiles(f, "readings")).extracting(p -> p.getFileName().toString())
                .containsExactly("data.parquet", "late-1.parquet");

        Run r = cli(f, "restore", "-t", "readings", "--from", DAY, "--to", NEXT);

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("1 window(s) restored (1,441 rows)");
        sameRows(f, "readings", "readings_before");
    }

    @Test
    void schemaDriftBothWays() {
        ArchiveFixture f = readings();
        f.runAll();
        // The table lost a column the archive has, gained one it lacks, and widened another.
        f.sql("ALTER TABLE readings DROP COLUMN note", "ALTER TABLE readings ADD COLUMN site text DEFAULT 'north'",
                "ALTER TABLE readings ALTER COLUMN sensor TYPE bigint");

        Run refused = cli(f, "restore", "-t", "readings", "--from", DAY, "--to", NEXT);

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).contains("FAILED").contains("column \"note\" (text)").contains("is not in table public.readings")
                .contains("--ignore-extra-columns");
        assertThat(f.count("SELECT count(*) FROM readings")).isZero();

        Run ignored = cli(f, "restore", "-t", "readings", "--from", DAY, "--to", NEXT, "--ignore-extra-columns");

        assertThat(ignored.exit()).as(ignored.all()).isZero();
        assertThat(f.count("SELECT count(*) FROM readings")).isEqualTo(1440);
        assertThat(f.count("SELECT count(*) FROM readings WHERE site IS DISTINCT FROM 'north'")).isZero();
        assertThat(f.count("SELECT count(*) FROM (SELECT ts, sensor, reading FROM readings EXCEPT ALL "
                + "SELECT ts, sensor::bigint, reading FROM readings_before) d")).isZero();
        assertThat(f.count("SELECT count(*) FROM (SELECT ts, sensor::bigint, reading FROM readings_before EXCEPT ALL "
                + "SELECT ts, sensor, reading FROM readings) d")).isZero();
    }

    /**
     * The restore commits and the process dies before the manifest says so: run must still not
     * archive the rows again, and the next restore recognises the committed transaction.
     */
    @Test
    void aCrashBetweenCommitAndManifestIsRecognisedByRunAndSettledByTheNextRestore() {
        ArchiveFixture f = readings();
        f.runAll();
        BatchManifest archived = window(f, "readings");
        TableConfig table = f.config().tables().get(0);

        assertThat(restoreDirectly(f, table, store -> new ForwardingManifestStore(store) {
            @Override
            public void save(BatchManifest m) {
                if (m.restore() != null && m.restore().finished()) {
                    throw new SimulatedCrash("the process died after the commit");
                }
                super.save(m);
            }
        })).isInstanceOf(SimulatedCrash.class);
        assertThat(f.count("SELECT count(*) FROM readings")).isEqualTo(1440);
        assertThat(window(f, "readings").restore().finished()).isFalse();

        RunReport run = f.runAll();

        assertThat(run.batches()).isEmpty();
        assertThat(run.restoredWindows()).singleElement().asString().contains("a restore of it was interrupted")
                .contains("pg-freezer restore -t readings --from 2024-01-05T00:00:00Z --to 2024-01-06T00:00:00Z");
        assertThat(partitionFiles(f, "readings")).hasSize(1);

        Run settle = cli(f, "restore", "-t", "readings", "--from", DAY, "--to", NEXT);

        assertThat(settle.exit()).as(settle.all()).isZero();
        assertThat(settle.out()).contains("RECORDED").contains("committed but was not recorded");
        sameRows(f, "readings", "readings_before");
        BatchManifest settled = window(f, "readings");
        assertThat(settled.restore().finished()).isTrue();
        assertThat(settled.restore().rows()).isEqualTo(1440);
        assertThat(settled.withRestore(null)).isEqualTo(archived);
    }

    /** Runs the engine's restore of the readings window with the manifest store wrapped; returns what it threw. */
    static Throwable restoreDirectly(ArchiveFixture f, TableConfig table,
                                     java.util.function.UnaryOperator<ManifestStore> wrap) {
        try (ObjectStorage storage = f.openStorage(); PostgresSource source = new PostgresSource(f.config().database());
             RestoreTarget target = source.openRestore(table, table.schema(), table.name()).orElseThrow()) {
            new Restorer(storage, wrap.apply(new StorageManifestStore(storage)), Path.of(System.getProperty("java.io.tmpdir")),
                    Clock.systemUTC()).restore(table, target, new Restorer.Options(ArchiveFixture.at(DAY + "T00:00:00Z"),
                    ArchiveFixture.at(NEXT + "T00:00:00Z"), true, false, false), Restorer.Listener.NONE);
            return null;
        } catch (RuntimeException | Error e) {
            return e;
        }
    }

    /**
     * An archive whose values differ from what PostgreSQL sent (a writer bug the export's own
     * proof was blinded to) must not be restored: the window rolls back with zero rows.
     */
    @Test
    void valuesThatAreNotWhatPostgresSentAreNeverCommitted() {
        ArchiveFixture f = readings().format(ExactValuesIT.plantedPastTheProof(
                batch -> ((IntVector) batch.getVector("sensor")).set(0, 999)));
        assertThat(f.runAll().batches()).extracting(BatchOutcome::result).containsExactly(BatchOutcome.Result.DONE);

        Run r = cli(f, "restore", "-t", "readings", "--from", DAY, "--to", NEXT);

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("FAILED").contains("have digest").contains("nothing was restored");
        assertThat(f.count("SELECT count(*) FROM readings")).isZero();
        assertThat(window(f, "readings").restore()).isNull();
    }

    /**
     * Decoding runs ahead of the COPY on a thread of its own: a value it cannot encode, megabytes
     * into the stream, must still end the window with its cause named and no row kept, however
     * much of the stream PostgreSQL already took.
     */
    @Test
    void aFailureWhileDecodingMidStreamRollsTheWindowBackAndNamesTheCause() {
        int[] batches = {0};
        ArchiveFixture f = ArchiveFixture.local().clock(ExactValuesIT.CLOCK)
                .table("shifts", "ts", Granularity.DAILY, Duration.ofDays(1))
                // The eleventh batch ends in a time PostgreSQL never sent.
                .format(ExactValuesIT.plantedPastTheProof(batch -> {
                    if (batches[0]++ == 10) {
                        ((VarCharVector) batch.getVector("starts")).setSafe(batch.getRowCount() - 1,
                                "not a time".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }));
        f.sql("CREATE TABLE shifts (ts timestamptz NOT NULL, starts time, note text)",
                "INSERT INTO shifts SELECT t, (t AT TIME ZONE 'UTC')::time, repeat('x', 40) || extract(epoch FROM t)::bigint "
                        + "FROM generate_series(timestamptz '" + DAY + " 00:00:00+00', timestamptz '" + DAY
                        + " 23:59:59+00', interval '1 second') t");
        assertThat(f.runAll().batches()).extracting(BatchOutcome::result).containsExactly(BatchOutcome.Result.DONE);
        assertThat(batches[0]).isGreaterThan(11);
        TableConfig table = f.config().tables().get(0);
        long[] sent = {0};
        Restorer.Report report;
        try (ObjectStorage storage = f.openStorage(); PostgresSource source = new PostgresSource(f.config().database());
             RestoreTarget target = source.openRestore(table, table.schema(), table.name()).orElseThrow()) {
            report = new Restorer(storage, new StorageManifestStore(storage), Path.of(System.getProperty("java.io.tmpdir")),
                    Clock.systemUTC()).restore(table, target, new Restorer.Options(ArchiveFixture.at(DAY + "T00:00:00Z"),
                    ArchiveFixture.at(NEXT + "T00:00:00Z"), true, false, false), new Restorer.Listener() {
                        @Override
                        public void rowsSent(long rows) {
                            sent[0] += rows;
                        }
                    });
        }

        Restorer.WindowResult w = report.windows().get(0);
        assertThat(w.outcome()).isEqualTo(Restorer.Outcome.FAILED);
        assertThat(w.message()).contains("row " + 11 * 4096 + " column \"starts\" holds not a time")
                .contains("no PostgreSQL time value");
        assertThat(sent[0]).as("rows already in the COPY stream when decoding failed").isGreaterThanOrEqualTo(20_000);
        assertThat(f.count("SELECT count(*) FROM shifts")).isZero();
        assertThat(window(f, "shifts").restore()).isNull();
    }

    @Test
    void manifestsOfRestoredWindowsStillDecodeAsTheOriginalFormat() {
        ArchiveFixture f = readings();
        f.runAll();
        assertThat(cli(f, "restore", "-t", "readings", "--from", DAY, "--to", NEXT).exit()).isZero();

        String text = manifestText(f, "readings", window(f, "readings").batchId());

        assertThat(text).startsWith("{\n  \"version\": 1,\n  \"batch_id\"").contains("\"status\": \"DONE\"")
                .contains("\"restored_at\": \"");
        assertThat(ManifestCodec.decode(text.getBytes(), "test").status()).isEqualTo(
                io.pgfreezer.manifest.BatchStatus.DONE);
        assertThat(Optional.ofNullable(window(f, "readings").restore())).isPresent();
    }
}
