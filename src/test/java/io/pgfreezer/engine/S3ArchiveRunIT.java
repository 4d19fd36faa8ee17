package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.BatchStatus;
import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import io.pgfreezer.testing.ForwardingStorage;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** The same archive run against a real S3 API server instead of a local directory. */
class S3ArchiveRunIT {

    static ArchiveFixture onS3() {
        ArchiveFixture f = ArchiveFixture.s3("archive-" + UUID.randomUUID().toString().substring(0, 8))
                .clock(ArchiveRunIT.CLOCK)
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text)",
                "INSERT INTO sensor_readings SELECT t, 1, 0.5, 'n' || n FROM generate_series("
                        + "timestamptz '2024-01-27 00:00+00', timestamptz '2024-02-01 11:00+00', interval '30 minutes') "
                        + "WITH ORDINALITY AS g(t, n)");
        return f;
    }

    @Test
    void aFullRunOnS3LeavesOneVerifiedObjectPerWindowAndTheRowsInIt() throws Exception {
        ArchiveFixture f = onS3();
        long archivable = f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at < '2024-01-30'");

        RunReport report = f.runAll();

        assertThat(report.succeeded()).isTrue();
        assertThat(report.count(BatchOutcome.Result.DONE)).isEqualTo(3);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at < '2024-01-30'")).isZero();
        assertThat(f.manifests("sensor_readings")).hasSize(3)
                .allSatisfy(m -> assertThat(m.status()).isEqualTo(BatchStatus.DONE));
        Path copy = Files.createTempDirectory("pg-freezer-s3-copy-");
        try (ObjectStorage storage = f.openStorage()) {
            List<ObjectInfo> objects = storage.list("sensor_readings/");
            assertThat(objects).extracting(ObjectInfo::key).containsExactly(
                    "sensor_readings/year=2024/month=01/day=27/data.parquet",
                    "sensor_readings/year=2024/month=01/day=28/data.parquet",
                    "sensor_readings/year=2024/month=01/day=29/data.parquet");
            for (ObjectInfo o : objects) {
                Path target = copy.resolve(o.key());
                Files.createDirectories(target.getParent());
                try (InputStream in = storage.open(o.key())) {
                    Files.copy(in, target);
                }
            }
            assertThat(storage.get("_manifests/sensor_readings/" + f.manifests("sensor_readings").get(0).batchId() + ".json"))
                    .isPresent();
        }
        assertThat(DuckDb.rows("SELECT count(*) FROM " + DuckDb.table(copy, "sensor_readings")).get(0).get(0))
                .isEqualTo(String.valueOf(archivable));
    }

    @Test
    void anObjectReplacedInTheBucketAfterUploadIsCaughtBeforeAnyDelete() {
        ArchiveFixture f = onS3();
        UnaryOperator<ObjectStorage> replaceFirst = s -> new ForwardingStorage(s) {
            boolean done;

            @Override
            protected void afterCommit(String key) {
                if (!done && key.endsWith(".parquet")) {
                    done = true;
                    // Same size, different bytes: only the checksum can tell.
                    byte[] bytes = delegate.get(key).orElseThrow();
                    bytes[bytes.length / 2] ^= 0x01;
                    delegate.put(key, bytes, "application/octet-stream");
                }
            }
        };

        RunReport report = f.run(ArchiveRunIT.options(), replaceFirst, UnaryOperator.identity(), x -> { });

        assertThat(report.count(BatchOutcome.Result.FAILED)).isEqualTo(1);
        BatchManifest failed = f.manifests("sensor_readings").stream()
                .filter(m -> m.status() == BatchStatus.FAILED).findFirst().orElseThrow();
        assertThat(failed.error()).contains("SHA-256").contains("s3://");
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at >= '2024-01-27' AND recorded_at < '2024-01-28'"))
                .isEqualTo(48);
    }
}
