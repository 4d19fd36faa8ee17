package io.pgfreezer.fetch;

import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Windows archived before and after the table's columns changed, fetched in one range. */
class FetchSchemaDriftIT {
    /** Archives 2024-01-20 and 2024-01-21 only: the rest is younger than the lag at this time. */
    private static final Clock EARLY = Clock.fixed(Instant.parse("2024-01-24T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static ArchiveFixture archiveTwoDaysThen(String... change) {
        ArchiveFixture f = Readings.fixture(ArchiveFixture.local()).clock(EARLY);
        Readings.archive(f);
        f.sql(change);
        f.clock(Readings.CLOCK);
        Readings.archive(f);
        return f;
    }

    @Test
    void aColumnAddedLaterIsInTheOutputWithNullsForOlderPartitions() {
        ArchiveFixture f = archiveTwoDaysThen("ALTER TABLE readings ADD COLUMN battery numeric(4, 1)",
                "UPDATE readings SET battery = 3.5");

        FetchCli.Run csv = FetchCli.fetch(FetchCli.config(f), "-t", "readings", "--from", "2024-01-21T23:50:00",
                "--to", "2024-01-22T00:10:00");
        FetchCli.Run jsonl = FetchCli.fetch(FetchCli.config(f), "-t", "readings", "--from", "2024-01-21T23:50:00",
                "--to", "2024-01-22T00:10:00", "--format", "jsonl");

        assertThat(csv.exit()).as(csv.stderr()).isZero();
        assertThat(csv.out().lines().toList()).hasSize(3).satisfies(lines -> {
            assertThat(lines.get(0)).isEqualTo(String.join(",", Readings.COLUMNS) + ",battery");
            assertThat(lines.get(1)).startsWith("2024-01-21T23:50:00+00:00,").endsWith(",2024-01-21T23:50:00,");
            assertThat(lines.get(2)).startsWith("2024-01-22T00:00:00+00:00,").endsWith(",2024-01-22T00:00:00,3.5");
        });
        assertThat(jsonl.jsonLines()).hasSize(2).satisfies(rows -> {
            assertThat(rows.get(0).get("battery").isNull()).isTrue();
            assertThat(rows.get(1).get("battery").decimalValue()).isEqualByComparingTo("3.5");
            assertThat(FetchCli.fieldNames(rows.get(0))).isEqualTo(FetchCli.fieldNames(rows.get(1)));
        });
    }

    @Test
    void aColumnWhoseTypeChangedIsAnErrorNamingItBothFilesAndBothTypesAndNothingIsWritten() throws Exception {
        ArchiveFixture f = archiveTwoDaysThen("ALTER TABLE readings DROP COLUMN sensor_id",
                "ALTER TABLE readings ADD COLUMN sensor_id text", "UPDATE readings SET sensor_id = 's-' || value");
        Path output = Files.writeString(dir.resolve("readings.csv"), "previous contents");

        FetchCli.Run toStdout = FetchCli.fetch(FetchCli.config(f), "-t", "readings", "--from", "2024-01-20",
                "--to", "2024-01-26");
        FetchCli.Run toFile = FetchCli.fetch(FetchCli.config(f), "-t", "readings", "--from", "2024-01-20",
                "--to", "2024-01-26", "-o", output.toString());

        assertThat(toStdout.exit()).isEqualTo(1);
        assertThat(toStdout.stdout()).isEmpty();
        String day20 = f.root.resolve("readings/year=2024/month=01/day=20/data.parquet").toString();
        String day22 = f.root.resolve("readings/year=2024/month=01/day=22/data.parquet").toString();
        assertThat(toStdout.stderr().lines()).singleElement().asString()
                .startsWith("error: column \"sensor_id\" is INT32")
                .contains("[integer] in " + day20 + " but BINARY STRING [text] in " + day22);
        assertThat(toFile.exit()).isEqualTo(1);
        assertThat(Files.readString(output)).isEqualTo("previous contents");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(output);
        }
    }

    @Test
    void aRangeOnOneSideOfTheTypeChangeStillFetches() {
        ArchiveFixture f = archiveTwoDaysThen("ALTER TABLE readings DROP COLUMN sensor_id",
                "ALTER TABLE readings ADD COLUMN sensor_id text", "UPDATE readings SET sensor_id = 's-' || value");

        FetchCli.Run run = FetchCli.fetch(FetchCli.config(f), "-t", "readings", "--from", "2024-01-24",
                "--to", "2024-01-25", "--format", "jsonl");

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.jsonLines()).hasSize(144).allSatisfy(row -> assertThat(row.get("sensor_id").textValue()).startsWith("s-"));
    }
}
