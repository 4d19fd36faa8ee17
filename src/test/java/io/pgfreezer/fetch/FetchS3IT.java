package io.pgfreezer.fetch;

import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.S3ProxyServer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The same fetch against a real S3 API server: listing, ranged footer reads, downloads. */
class FetchS3IT {

    @Test
    void fetchReadsAnArchiveInAnS3Bucket() throws Exception {
        S3ProxyServer.shared();
        ArchiveFixture f = Readings.fixture(ArchiveFixture.s3("fetch-" + UUID.randomUUID().toString().substring(0, 8)));
        List<List<String>> before = Readings.snapshot(f, "2024-01-20T12:00:00Z", "2024-01-23T03:00:00Z");
        Readings.archive(f);
        try (ObjectStorage storage = f.openStorage()) {
            storage.delete("readings/year=2024/month=01/day=21/data.parquet");
        }

        FetchCli.Run run = FetchCli.fetch(FetchCli.config(f), "-t", "readings", "--from", "2024-01-20T12:00:00",
                "--to", "2024-01-23T03:00:00", "--format", "jsonl");

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("note: no files for year=2024/month=01/day=21: its manifest (DONE) records 144 row(s)");
        List<List<String>> expected = before.stream().filter(r -> !r.get(9).equals("2024-01-21")).toList();
        List<JsonNode> rows = run.jsonLines();
        assertThat(rows).hasSize(72 + 144 + 18).hasSameSizeAs(expected);
        for (int i = 0; i < rows.size(); i++) {
            Readings.assertSameRow(rows.get(i), expected.get(i));
        }
    }
}
