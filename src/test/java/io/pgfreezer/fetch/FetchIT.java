package io.pgfreezer.fetch;

import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code fetch} over an archive the real engine wrote from a real PostgreSQL, read back through the
 * real command line, and compared with what PostgreSQL held before the rows were deleted.
 */
class FetchIT {
    private static final String FROM = "2024-01-21T06:00:00";
    private static final String TO = "2024-01-24T18:30:00";

    private static ArchiveFixture archive;
    private static Path config;
    private static List<List<String>> before;

    @TempDir
    Path dir;

    @BeforeAll
    static void archiveSixDays() {
        archive = Readings.fixture(ArchiveFixture.local());
        before = Readings.snapshot(archive, FROM + "Z", TO + "Z");
        Readings.archive(archive);
        assertThat(archive.count("SELECT count(*) FROM readings")).isZero();
        config = FetchCli.config(archive);
    }

    @Test
    void jsonLinesOfARangeStartingAndEndingInsidePartitionsAreExactlyThePostgresRowsInTimeOrder() throws Exception {
        FetchCli.Run run = FetchCli.fetch(config, "-t", "readings", "--from", FROM, "--to", TO, "--format", "jsonl");

        assertThat(run.exit()).as(run.stderr()).isZero();
        List<JsonNode> rows = run.jsonLines();
        assertThat(before).hasSize(108 + 144 + 144 + 111);
        assertThat(rows).hasSize(before.size());
        for (int i = 0; i < rows.size(); i++) {
            Readings.assertSameRow(rows.get(i), before.get(i));
        }
        assertThat(run.out()).endsWith("\n").doesNotContain("\r")
                .contains("\"amount\":190.190,", "\"payload\":{\"n\":190,\"even\":true,\"ratio\":1.50}");
    }

    @Test
    void fetchAndDuckDbReadTheSameRowsOfTheRange() {
        FetchCli.Run run = FetchCli.fetch(config, "-t", "readings", "--from", FROM, "--to", TO, "--format", "jsonl");

        List<String> fetched = run.jsonLines().stream()
                .map(row -> Readings.epochMicros(row.get("recorded_at").textValue()) + "|"
                        + row.get("amount").decimalValue().stripTrailingZeros().toPlainString() + "|" + row.get("payload"))
                .toList();
        List<String> duck = DuckDb.rows("SELECT epoch_us(recorded_at), amount::VARCHAR, payload::VARCHAR FROM "
                        + DuckDb.table(archive.root, "readings") + " WHERE recorded_at >= TIMESTAMPTZ '" + FROM
                        + "+00' AND recorded_at < TIMESTAMPTZ '" + TO + "+00' ORDER BY recorded_at").stream()
                .map(r -> r.get(0) + "|" + new BigDecimal(r.get(1)).stripTrailingZeros().toPlainString() + "|"
                        + json(r.get(2)))
                .toList();
        assertThat(fetched).hasSize(507);
        assertThat(fetched).containsExactlyElementsOf(duck);
    }

    @Test
    void offATerminalOnlyTheSummaryGoesToStderrAndNothingButDataToStdout() {
        FetchCli.Run run = FetchCli.fetch(config, "-t", "public.readings", "--from", FROM, "--to", TO);

        assertThat(run.exit()).isZero();
        // The per-partition progress line is drawn only on a terminal; the summary is always there.
        assertThat(run.stderr().lines().toList()).singleElement().asString()
                .matches("fetched 507 row\\(s\\) from 4 partition\\(s\\) \\(4 file\\(s\\), \\d+ KB\\) in \\d+\\.\\d s");
        assertThat(run.out()).doesNotContain("fetched").doesNotContain("year=");
    }

    @Test
    void jsonIsOneArrayOfTheSameObjectsAsJsonLines() {
        FetchCli.Run lines = FetchCli.fetch(config, "-t", "readings", "--from", FROM, "--to", TO, "--format", "jsonl");
        FetchCli.Run array = FetchCli.fetch(config, "-t", "readings", "--from", FROM, "--to", TO, "--format", "json");

        assertThat(array.exit()).isZero();
        JsonNode parsed = array.json();
        assertThat(parsed.isArray()).isTrue();
        assertThat(parsed).containsExactlyElementsOf(lines.jsonLines());
        assertThat(array.out()).startsWith("[\n{\"recorded_at\":").endsWith("}\n]\n");
    }

    @Test
    void outputFileHoldsTheSameBytesAsStdoutAndNothingElseIsLeftInItsDirectory() throws Exception {
        for (String format : List.of("csv", "json", "jsonl")) {
            Path file = dir.resolve("out." + format);
            FetchCli.Run toStdout = FetchCli.fetch(config, "-t", "readings", "--from", FROM, "--to", TO, "--format", format);
            FetchCli.Run toFile = FetchCli.fetch(config, "-t", "readings", "--from", FROM, "--to", TO, "--format", format,
                    "-o", file.toString());

            assertThat(toFile.exit()).as(toFile.stderr()).isZero();
            assertThat(toFile.stdout()).isEmpty();
            assertThat(Files.readAllBytes(file)).isEqualTo(toStdout.stdout());
            assertThat(toFile.stderr()).contains(" to " + file);
        }
        FetchCli.Run dash = FetchCli.fetch(config, "-t", "readings", "--from", FROM, "--to", TO, "-o", "-");
        assertThat(dash.out()).startsWith(String.join(",", Readings.COLUMNS) + "\n");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("out.csv", "out.json", "out.jsonl");
        }
    }

    @Test
    void csvHasAHeaderAndOneLinePerRowWithExactDecimalsAndIsoTimestamps() {
        FetchCli.Run run = FetchCli.fetch(config, "-t", "readings", "--from", "2024-01-20T00:00:00Z", "--to",
                "2024-01-20T00:10:00Z");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo("recorded_at,sensor_id,value,amount,note,payload,tags,raw,id,day,local_ts\n"
                + "2024-01-20T00:00:00+00:00,1,1.35,1.001,reading 1,\"{\"\"n\"\": 1, \"\"even\"\": false, \"\"ratio\"\": 1.50}\","
                + "\"[\"\"a1\"\",null]\",AAAB,c4ca4238-a0b9-2382-0dcc-509a6f75849b,2024-01-20,2024-01-20T00:00:00\n");
    }

    @Test
    void aRangeWithoutFilesPrintsANoteAndAnEmptyResult() {
        FetchCli.Run csv = FetchCli.fetch(config, "-t", "readings", "--from", "2023-06-01", "--to", "2023-06-03");
        FetchCli.Run json = FetchCli.fetch(config, "-t", "readings", "--from", "2023-06-01", "--to", "2023-06-03",
                "--format", "json");
        FetchCli.Run jsonl = FetchCli.fetch(config, "-t", "readings", "--from", "2023-06-01", "--to", "2023-06-03",
                "--format", "jsonl");

        assertThat(List.of(csv.exit(), json.exit(), jsonl.exit())).containsOnly(0);
        assertThat(csv.out()).isEmpty();
        assertThat(jsonl.out()).isEmpty();
        assertThat(json.out()).isEqualTo("[]\n");
        assertThat(csv.stderr()).contains("note: no files for year=2023/month=06/day=01 to year=2023/month=06/day=02 "
                + "(2 partitions): not archived", "note: no archived files of readings in the range",
                "fetched 0 row(s) from 0 partition(s)");
    }

    @Test
    void aRangeInsideAPartitionWithoutRowsInItIsTheHeaderAlone() {
        FetchCli.Run run = FetchCli.fetch(config, "-t", "readings", "--from", "2024-01-22T10:01:00", "--to",
                "2024-01-22T10:09:00");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo(String.join(",", Readings.COLUMNS) + "\n");
    }

    @Test
    void anUnknownTableIsAUsageErrorNamingTheConfiguredTables() {
        FetchCli.Run run = FetchCli.fetch(config, "-t", "nope", "--from", FROM, "--to", TO);

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.stderr().lines()).singleElement().asString()
                .isEqualTo("error: table 'nope' is not configured; configured tables: public.readings");
    }

    @Test
    void fromNotBeforeToIsAUsageError() {
        FetchCli.Run run = FetchCli.fetch(config, "-t", "readings", "--from", TO, "--to", FROM);

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).startsWith("error: --from ").contains(" must be before --to ");
    }

    private static JsonNode json(String text) {
        try {
            return FetchCli.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
