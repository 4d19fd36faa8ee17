package io.pgfreezer.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.restore.Restorer;
import io.pgfreezer.source.PostgresSource;
import io.pgfreezer.source.RestoreTarget;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Restore from a bucket of the S3 API server: the objects are read back over HTTP, checked
 * against the manifest and the value digest, and the manifest's restore record is a conditional
 * write on the server.
 */
class RestoreS3IT {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T00:00:00Z"), ZoneOffset.UTC);
    static final Instant DAY = Instant.parse("2024-01-05T00:00:00Z");
    static final Instant NEXT = DAY.plus(Duration.ofDays(1));

    static ArchiveFixture archived() {
        ArchiveFixture f = ArchiveFixture.s3(S3ProxyServer.shared().newBucket()).clock(CLOCK)
                .table("mixed", "ts", Granularity.DAILY, Duration.ofDays(1));
        f.sql("CREATE TABLE mixed (ts timestamptz NOT NULL, n numeric(12,3), d double precision, u uuid, b bytea, "
                        + "j jsonb, span interval, tags text[], note text)",
                "INSERT INTO mixed SELECT t, (extract(epoch FROM t)::bigint % 100000) / 7.0, "
                        + "CASE WHEN extract(minute FROM t) = 7 THEN 'NaN'::float8 ELSE extract(second FROM t) / 3 END, "
                        + "md5(t::text)::uuid, decode(md5(t::text), 'hex'), jsonb_build_object('m', extract(minute FROM t)), "
                        + "make_interval(mins => extract(minute FROM t)::int, secs => 0.5), ARRAY['a', NULL, 'c'], "
                        + "CASE WHEN extract(minute FROM t) = 3 THEN NULL ELSE 'n' || extract(epoch FROM t)::bigint END "
                        + "FROM generate_series(timestamptz '2024-01-05 00:00:00+00', timestamptz '2024-01-05 23:59:00+00', "
                        + "interval '1 minute') t");
        f.sql("CREATE TABLE mixed_before AS SELECT * FROM mixed");
        assertThat(f.runAll().batches()).extracting(BatchOutcome::result).containsExactly(BatchOutcome.Result.DONE);
        assertThat(f.count("SELECT count(*) FROM mixed")).isZero();
        return f;
    }

    static Restorer.Report restore(ArchiveFixture f, String into) throws Exception {
        TableConfig table = f.config().tables().get(0);
        Path temp = Files.createTempDirectory("pg-freezer-restore-s3-");
        try (ObjectStorage store = f.openStorage(); PostgresSource source = new PostgresSource(f.config().database());
             RestoreTarget target = source.openRestore(table, "public", into).orElseThrow()) {
            return new Restorer(store, new StorageManifestStore(store), temp, CLOCK)
                    .restore(table, target, new Restorer.Options(DAY, NEXT, into.equals("mixed"), false, false),
                            Restorer.Listener.NONE);
        }
    }

    @Test
    void aWindowArchivedInABucketComesBackExactlyIntoANewTableAndIntoItsOwnAndIsNotArchivedAgain() throws Exception {
        ArchiveFixture f = archived();
        BatchManifest before = f.manifests("mixed").get(0);

        Restorer.Report copy = restore(f, "mixed_copy");

        assertThat(copy.windows()).singleElement().satisfies(w -> {
            assertThat(w.outcome()).isEqualTo(Restorer.Outcome.RESTORED);
            assertThat(w.rows()).isEqualTo(1440);
        });
        RestoreIT.sameRows(f, "mixed_copy", "mixed_before");
        assertThat(f.manifests("mixed").get(0)).isEqualTo(before);

        Restorer.Report own = restore(f, "mixed");

        assertThat(own.windows()).singleElement().extracting(Restorer.WindowResult::outcome)
                .isEqualTo(Restorer.Outcome.RESTORED);
        RestoreIT.sameRows(f, "mixed", "mixed_before");
        BatchManifest restored = f.manifests("mixed").get(0);
        assertThat(restored.restore().finished()).isTrue();
        assertThat(restored.withRestore(null)).isEqualTo(before);

        // The restored rows are the archive's: the next run leaves them where they are.
        RunReport run = f.runAll();
        assertThat(run.batches()).isEmpty();
        assertThat(run.restoredWindows()).singleElement().asString().contains("public.mixed");
        assertThat(f.manifests("mixed")).hasSize(1);
        assertThat(f.count("SELECT count(*) FROM mixed")).isEqualTo(1440);
    }

    @Test
    void aWindowWithRowsInTheTargetIsRefusedAndNothingIsWritten() throws Exception {
        ArchiveFixture f = archived();
        f.sql("INSERT INTO mixed (ts, note) VALUES ('2024-01-05 12:00:30+00', 'arrived later')");
        BatchManifest before = f.manifests("mixed").get(0);

        Restorer.Report refused = restore(f, "mixed");

        assertThat(refused.windows()).singleElement().satisfies(w -> {
            assertThat(w.outcome()).isEqualTo(Restorer.Outcome.REFUSED);
            assertThat(w.message()).contains("1 row");
        });
        assertThat(f.count("SELECT count(*) FROM mixed")).isEqualTo(1);
        assertThat(f.manifests("mixed").get(0)).isEqualTo(before);
    }
}
