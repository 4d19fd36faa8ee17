package io.pgfreezer.fetch;

import io.pgfreezer.engine.RunReport;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.Test;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** How fetch deals with partitions that lack files, or hold more than one. */
class FetchPartitionsIT {

    @Test
    void aPartitionWhoseObjectWasDeletedIsANoteAndTheOtherPartitionsAreReturned() {
        ArchiveFixture f = Readings.fixture(ArchiveFixture.local());
        List<List<String>> before = Readings.snapshot(f, "2024-01-21", "2024-01-24");
        Readings.archive(f);
        try (ObjectStorage storage = f.openStorage()) {
            storage.delete("readings/year=2024/month=01/day=22/data.parquet");
        }

        FetchCli.Run run = FetchCli.fetch(FetchCli.config(f), "-t", "readings", "--from", "2024-01-21", "--to",
                "2024-01-24", "--format", "jsonl");

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("note: no files for year=2024/month=01/day=22: its manifest (DONE) records "
                + "144 row(s) in readings/year=2024/month=01/day=22/data.parquet, but the object is missing");
        List<String> expected = before.stream().filter(r -> !dayOf(r).equals("2024-01-22")).map(r -> r.get(0)).toList();
        assertThat(run.jsonLines()).extracting(row -> String.valueOf(Readings.epochMicros(row.get("recorded_at").textValue())))
                .containsExactlyElementsOf(expected).hasSize(288);
    }

    @Test
    void lateRowsInTheirOwnFileAreMergedIntoThePartitionInTimeOrder() throws Exception {
        ArchiveFixture f = Readings.fixture(ArchiveFixture.local());
        Readings.archive(f);
        f.sql(Readings.insert("2024-01-22 12:05+00", "2024-01-22 13:05+00"),
                "UPDATE readings SET note = 'late ' || note");
        RunReport second = f.runAll();
        assertThat(second.succeeded()).isTrue();
        assertThat(f.root.resolve("readings/year=2024/month=01/day=22/late-1.parquet")).isRegularFile();

        FetchCli.Run run = FetchCli.fetch(FetchCli.config(f), "-t", "readings", "--from", "2024-01-22T11:00:00",
                "--to", "2024-01-22T14:00:00", "--format", "jsonl");

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("fetched 24 row(s) from 1 partition(s) (2 file(s), ");
        List<JsonNode> rows = run.jsonLines();
        List<Long> times = rows.stream().map(r -> Readings.epochMicros(r.get("recorded_at").textValue())).toList();
        assertThat(times).isSorted().hasSize(18 + 6);
        assertThat(rows).extracting(r -> r.get("note").isNull() ? null : r.get("note").textValue())
                .filteredOn(n -> n != null && n.startsWith("late ")).hasSize(6);
        assertThat(rows.subList(6, 9)).extracting(r -> r.get("recorded_at").textValue() + " " + r.get("note").textValue())
                .containsExactly("2024-01-22T12:00:00+00:00 reading 361", "2024-01-22T12:05:00+00:00 late reading 1",
                        "2024-01-22T12:10:00+00:00 reading 362");
    }

    private static String dayOf(List<String> row) {
        return row.get(9);
    }
}
