package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.pgfreezer.engine.ArchiveRunIT.CLOCK;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rows put back into an archived window (a restore, a replayed import, a late copy) are never
 * archived a second time: each row ends up in the archive exactly as often as PostgreSQL held it
 * when the window was archived, plus the genuinely new rows once, and the guarded delete removes
 * exactly the rows that are in the archive afterwards.
 */
class RowsArchivedOnceIT {
    private static final String DAY = "recorded_at >= '2024-01-10' AND recorded_at < '2024-01-11'";
    private static final String PARTITION = "readings/year=2024/month=01/day=10/";
    private static final String PG_ROWS = "SELECT (extract(epoch FROM recorded_at) * 1000000)::bigint::text, "
            + "sensor_id::text, note FROM %s ORDER BY 1, 2, 3";

    /**
     * A table without a primary key, holding identical rows more than once: 'reading 5' three
     * times and 'reading 7' twice; and one recent row that is never due.
     */
    static ArchiveFixture readings(ArchiveFixture f) {
        f.table("readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2)).clock(CLOCK);
        f.sql("CREATE TABLE readings (recorded_at timestamptz NOT NULL, sensor_id int, note text)",
                "INSERT INTO readings SELECT timestamptz '2024-01-10 00:00+00' + n * interval '5 minutes', n % 7, "
                        + "'reading ' || n FROM generate_series(0, 199) AS n",
                "INSERT INTO readings SELECT * FROM readings WHERE note IN ('reading 5', 'reading 7')",
                "INSERT INTO readings SELECT * FROM readings WHERE note = 'reading 5' LIMIT 1",
                "INSERT INTO readings VALUES ('2024-02-01 10:00+00', 1, 'recent')",
                "CREATE TABLE original AS SELECT * FROM readings WHERE " + DAY,
                "CREATE TABLE new_rows (recorded_at timestamptz, sensor_id int, note text)");
        assertThat(f.count("SELECT count(*) FROM original")).isEqualTo(203);
        assertThat(f.runAll().succeeded()).isTrue();
        assertThat(f.count("SELECT count(*) FROM readings WHERE " + DAY)).isZero();
        return f;
    }

    static RunOptions replay() {
        return RunOptions.replay("readings", Instant.parse("2024-01-10T00:00:00Z"), Instant.parse("2024-01-11T00:00:00Z"),
                false, false);
    }

    /** Every row the archive holds, duplicates included, in the order PostgreSQL sorts them. */
    static List<List<String>> archived(Path root) {
        return DuckDb.rows("SELECT epoch_us(recorded_at)::text, sensor_id::text, note FROM "
                + DuckDb.table(root, "readings") + " ORDER BY 1, 2, 3");
    }

    /** What the archive must hold: the rows as they were when the window was archived, plus the new ones. */
    static List<List<String>> expected(ArchiveFixture f) {
        return ArchiveRunIT.pgRows(f, PG_ROWS.formatted("(SELECT * FROM original UNION ALL SELECT * FROM new_rows) r"));
    }

    static BatchManifest late(ArchiveFixture f) {
        return f.manifests("readings").stream().filter(BatchManifest::isLate).findFirst().orElseThrow();
    }

    static long chunkRows(BatchManifest m) {
        return m.deleteChunks().stream().mapToLong(DeleteChunk::rows).sum();
    }

    @Test
    void replayingAWindowWhoseRowsAreAllBackArchivesNoneOfThemAgainAndDeletesThem() {
        ArchiveFixture f = readings(ArchiveFixture.local());
        f.sql("INSERT INTO readings SELECT * FROM original");

        RunReport report = f.run(replay());

        assertThat(report.succeeded()).isTrue();
        assertThat(archived(f.root)).isEqualTo(expected(f)).hasSize(203);
        assertThat(f.root.resolve(PARTITION + "late-1.parquet")).doesNotExist();
        BatchManifest late = late(f);
        assertThat(late.status()).isEqualTo(BatchStatus.DONE);
        assertThat(late.rowCount()).isZero();
        assertThat(chunkRows(late)).isEqualTo(203);
        assertThat(f.count("SELECT count(*) FROM readings WHERE " + DAY)).isZero();
        assertThat(f.count("SELECT count(*) FROM readings")).isEqualTo(1);

        // The window does not come back: nothing of it is left in PostgreSQL.
        assertThat(f.run(replay()).batches()).isEmpty();
    }

    @Test
    void aRunThatFindsHalfTheRowsBackArchivesNoneOfThemAgain() {
        ArchiveFixture f = readings(ArchiveFixture.local());
        // Every other row, and one of the three copies of 'reading 5'.
        f.sql("INSERT INTO readings SELECT * FROM original WHERE split_part(note, ' ', 2)::int % 2 = 0 "
                + "OR note = 'reading 5' AND ctid = (SELECT min(ctid) FROM original WHERE note = 'reading 5')");
        long back = f.count("SELECT count(*) FROM readings WHERE " + DAY);
        assertThat(back).isEqualTo(101);

        RunReport report = f.runAll();

        assertThat(report.succeeded()).isTrue();
        assertThat(archived(f.root)).isEqualTo(expected(f));
        assertThat(chunkRows(late(f))).isEqualTo(back);
        assertThat(late(f).rowCount()).isZero();
        assertThat(f.count("SELECT count(*) FROM readings WHERE " + DAY)).isZero();
    }

    @Test
    void halfTheRowsBackPlusNewOnesArchivesOnlyTheNewOnes() {
        ArchiveFixture f = readings(ArchiveFixture.local());
        f.sql("INSERT INTO new_rows SELECT timestamptz '2024-01-10 00:02+00' + n * interval '1 hour', 9, 'new ' || n "
                        + "FROM generate_series(0, 9) AS n",
                // An identical copy of a row the archive holds once is a row PostgreSQL now holds twice.
                "INSERT INTO new_rows SELECT * FROM original WHERE note = 'reading 8'",
                "INSERT INTO readings SELECT * FROM original WHERE split_part(note, ' ', 2)::int % 2 = 1",
                "INSERT INTO readings SELECT * FROM original WHERE note = 'reading 8'",
                "INSERT INTO readings SELECT * FROM new_rows");
        long back = f.count("SELECT count(*) FROM readings WHERE " + DAY);

        RunReport report = f.run(replay());

        assertThat(report.succeeded()).isTrue();
        assertThat(archived(f.root)).isEqualTo(expected(f)).hasSize(203 + 11);
        assertThat(f.root.resolve(PARTITION + "late-1.parquet")).isRegularFile();
        BatchManifest late = late(f);
        assertThat(late.rowCount()).isEqualTo(11);
        assertThat(chunkRows(late)).isEqualTo(back);
        assertThat(f.count("SELECT count(*) FROM readings WHERE " + DAY)).isZero();

        // A second round against data.parquet and late-1.parquet: the same rows back again are skipped too.
        f.sql("INSERT INTO readings SELECT * FROM original UNION ALL SELECT * FROM new_rows");
        assertThat(f.run(replay()).succeeded()).isTrue();
        assertThat(archived(f.root)).isEqualTo(expected(f));
        assertThat(f.root.resolve(PARTITION + "late-2.parquet")).doesNotExist();
        assertThat(f.count("SELECT count(*) FROM readings WHERE " + DAY)).isZero();
    }

    @Test
    void identicalRowsAreCountedNotCollapsed() {
        ArchiveFixture f = readings(ArchiveFixture.local());
        // Four copies of a row archived three times: one of them is new.
        f.sql("INSERT INTO readings SELECT * FROM original WHERE note = 'reading 5'",
                "INSERT INTO readings SELECT * FROM original WHERE note = 'reading 5' LIMIT 1",
                "INSERT INTO new_rows SELECT * FROM original WHERE note = 'reading 5' LIMIT 1");

        assertThat(f.runAll().succeeded()).isTrue();

        assertThat(DuckDb.rows("SELECT count(*) FROM " + DuckDb.table(f.root, "readings") + " WHERE note = 'reading 5'"))
                .containsExactly(List.of("4"));
        assertThat(archived(f.root)).isEqualTo(expected(f));
        assertThat(late(f).rowCount()).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM readings WHERE " + DAY)).isZero();
    }

    @Test
    void aWindowWhoseArchiveHasOtherColumnsFailsTheBatchAndDeletesNothing() {
        ArchiveFixture f = readings(ArchiveFixture.local());
        f.sql("ALTER TABLE readings ADD COLUMN unit text", "INSERT INTO readings SELECT *, 'C' FROM original");

        RunReport report = f.run(replay());

        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        assertThat(report.batches().get(0).message()).contains("rows already archived cannot be told apart")
                .contains("data.parquet").contains("--force");
        assertThat(f.count("SELECT count(*) FROM readings WHERE " + DAY)).isEqualTo(203);
        assertThat(f.root.resolve(PARTITION + "late-1.parquet")).doesNotExist();
    }

    @Test
    void onS3HalfTheRowsBackPlusNewOnesArchivesOnlyTheNewOnes() throws Exception {
        ArchiveFixture f = readings(ArchiveFixture.s3("rows-archived-once"));
        f.sql("INSERT INTO new_rows VALUES ('2024-01-10 12:34:56.789+00', 3, 'new on s3')",
                "INSERT INTO readings SELECT * FROM original WHERE split_part(note, ' ', 2)::int % 2 = 0",
                "INSERT INTO readings SELECT * FROM new_rows");

        assertThat(f.run(replay()).succeeded()).isTrue();

        Path copy = Files.createTempDirectory("pg-freezer-s3-copy-");
        List<String> keys = new ArrayList<>();
        try (ObjectStorage storage = f.openStorage()) {
            for (ObjectInfo o : storage.list("readings/")) {
                keys.add(o.key());
                Path target = copy.resolve(o.key());
                Files.createDirectories(target.getParent());
                try (InputStream in = storage.open(o.key())) {
                    Files.copy(in, target);
                }
            }
        }
        assertThat(keys).containsExactly(PARTITION + "data.parquet", PARTITION + "late-1.parquet");
        assertThat(archived(copy)).isEqualTo(expected(f));
        assertThat(late(f).rowCount()).isEqualTo(1);
        assertThat(f.count("SELECT count(*) FROM readings WHERE " + DAY)).isZero();
        assertThat(Optional.of(f.count("SELECT count(*) FROM readings"))).contains(1L);
    }
}
