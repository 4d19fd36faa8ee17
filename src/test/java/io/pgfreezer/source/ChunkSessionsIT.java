package io.pgfreezer.source;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.manifest.DeleteChunk;
import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.pgfreezer.testing.ArchiveFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

/** The table's own and a spare session, as the guarded delete uses them, on a real PostgreSQL. */
class ChunkSessionsIT {
    static final DeleteChunk MORNING = new DeleteChunk(at("2024-01-22T00:00:00Z"), at("2024-01-22T12:00:00Z"), 72);
    static final DeleteChunk EVENING = new DeleteChunk(at("2024-01-22T12:00:00Z"), at("2024-01-23T00:00:00Z"), 72);

    static ArchiveFixture readings(int poolSize) {
        ArchiveFixture f = ArchiveFixture.local().poolSize(poolSize)
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        f.sql("CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int, value double precision, note text)",
                "INSERT INTO sensor_readings SELECT t, 1, 0, 'reading' FROM generate_series(timestamptz '2024-01-22 00:00+00', "
                        + "timestamptz '2024-01-22 23:50+00', interval '10 minutes') t");
        return f;
    }

    static long rows(ArchiveFixture f, DeleteChunk c) {
        return f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at >= '" + c.from() + "' AND recorded_at < '"
                + c.to() + "'");
    }

    @Test
    void aSessionThatJoinsTheSnapshotCountsTheRowsAsTheyWereWhenItWasTakenNotAsTheyAreNow() {
        ArchiveFixture f = readings(2);
        try (PostgresSource source = new PostgresSource(f.config().database());
             SourceTable table = source.open(f.config().tables().get(0)).orElseThrow();
             ChunkDeleter own = table.deleter(); ChunkDeleter spare = table.spareDeleter()) {
            try (ChunkDeleter.Snapshot first = own.snapshot()) {
                f.sql("INSERT INTO sensor_readings VALUES ('2024-01-22 18:00:00.5+00', 9, 0, 'after the snapshot')");
                try (ChunkDeleter.Snapshot joined = spare.join(first)) {
                    assertThat(joined.count(List.of(EVENING))).containsExactly(72L);
                }
                assertThat(first.count(List.of(MORNING, EVENING))).containsExactly(72L, 72L);
            }
            try (ChunkDeleter.Snapshot later = spare.snapshot()) {
                assertThat(later.count(List.of(MORNING, EVENING))).containsExactly(72L, 73L);
            }
        }
    }

    @Test
    void aChunksDeleteIsSeenByNoOtherSessionUntilCommittedAndARollbackKeepsEveryRow() {
        ArchiveFixture f = readings(2);
        try (PostgresSource source = new PostgresSource(f.config().database());
             SourceTable table = source.open(f.config().tables().get(0)).orElseThrow();
             ChunkDeleter own = table.deleter(); ChunkDeleter spare = table.spareDeleter()) {
            ChunkDeleter.OpenDelete morning = own.delete(MORNING);
            ChunkDeleter.OpenDelete evening = spare.delete(EVENING);
            assertThat(morning.rows()).isEqualTo(72);
            assertThat(evening.rows()).isEqualTo(72);
            assertThat(rows(f, MORNING)).isEqualTo(72);
            assertThat(rows(f, EVENING)).isEqualTo(72);

            evening.rollback();
            morning.commit();

            assertThat(rows(f, MORNING)).isZero();
            assertThat(rows(f, EVENING)).isEqualTo(72);
        }
    }

    @Test
    void aSpareSessionGoesBackToThePoolWhenClosed() {
        // One connection for the table, one to spare: a spare not handed back would leave the
        // second borrow waiting for the pool's timeout.
        ArchiveFixture f = readings(2);
        try (PostgresSource source = new PostgresSource(f.config().database());
             SourceTable table = source.open(f.config().tables().get(0)).orElseThrow()) {
            for (int i = 0; i < 3; i++) {
                try (ChunkDeleter spare = table.spareDeleter(); ChunkDeleter.Snapshot s = spare.snapshot()) {
                    assertThat(s.count(List.of(MORNING))).containsExactly(72L);
                }
            }
            try (ChunkDeleter own = table.deleter()) {
                own.delete(MORNING).commit();
            }
            assertThat(table.count(List.of(MORNING, EVENING))).as("the table's own session is still open")
                    .containsExactly(0L, 72L);
        }
    }
}
