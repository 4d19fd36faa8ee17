package io.pgfreezer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgfreezer.engine.BatchIds;
import io.pgfreezer.engine.Window;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.pgfreezer.manifest.TestManifests.ORIGINAL_DONE;
import static io.pgfreezer.manifest.TestManifests.ORIGINAL_FAILED;
import static io.pgfreezer.manifest.TestManifests.originalBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestCodecTest {
    private static final List<String> ORIGINAL_KEYS = List.of("version", "batch_id", "table", "schema_name",
            "partition", "window_start", "window_end", "status", "row_count", "parquet_path",
            "parquet_size_bytes", "exported_at", "verified_at", "deleted_at", "error");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void originalDoneManifestLoadsFieldByField() {
        BatchManifest m = ManifestCodec.decode(originalBytes(ORIGINAL_DONE), ORIGINAL_DONE);

        Instant at = Instant.parse("2026-11-01T12:00:00.123456Z");
        assertThat(m.version()).isEqualTo(1);
        assertThat(m.batchId()).isEqualTo("e4ad1b2a27064d51");
        assertThat(m.table()).isEqualTo("sensor_readings");
        assertThat(m.schemaName()).isEqualTo("public");
        assertThat(m.partition()).isEqualTo("year=2024/month=01/day=15");
        assertThat(m.windowStart()).isEqualTo(Instant.parse("2024-01-15T00:00:00Z"));
        assertThat(m.windowEnd()).isEqualTo(Instant.parse("2024-01-16T00:00:00Z"));
        assertThat(m.status()).isEqualTo(BatchStatus.DONE);
        assertThat(m.rowCount()).isEqualTo(12_500L);
        assertThat(m.parquetPath()).isEqualTo("sensor_readings/year=2024/month=01/day=15/data.parquet");
        assertThat(m.parquetSizeBytes()).isEqualTo(46_080L);
        assertThat(m.exportedAt()).isEqualTo(at);
        assertThat(m.verifiedAt()).isEqualTo(at);
        assertThat(m.deletedAt()).isEqualTo(at);
        assertThat(m.error()).isNull();
    }

    @Test
    void originalFailedManifestLoadsFieldByField() {
        BatchManifest m = ManifestCodec.decode(originalBytes(ORIGINAL_FAILED), ORIGINAL_FAILED);

        assertThat(m.version()).isEqualTo(1);
        assertThat(m.batchId()).isEqualTo("8eb87d3fb955c751");
        assertThat(m.table()).isEqualTo("device_events");
        assertThat(m.schemaName()).isEqualTo("public");
        assertThat(m.partition()).isEqualTo("year=2024/month=01");
        assertThat(m.windowStart()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(m.windowEnd()).isEqualTo(Instant.parse("2024-02-01T00:00:00Z"));
        assertThat(m.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(m.rowCount()).isNull();
        assertThat(m.parquetPath()).isEqualTo("device_events/year=2024/month=01/data.parquet");
        assertThat(m.parquetSizeBytes()).isNull();
        assertThat(m.exportedAt()).isNull();
        assertThat(m.verifiedAt()).isNull();
        assertThat(m.deletedAt()).isNull();
        assertThat(m.error()).isEqualTo("Verification failed: S3 Parquet has 9800 rows, expected 10000");
    }

    @Test
    void fieldsTheOriginalDoesNotWriteTakeTheirDefaults() {
        BatchManifest m = ManifestCodec.decode(originalBytes(ORIGINAL_DONE), ORIGINAL_DONE);

        assertThat(m.parquetSha256()).isNull();
        assertThat(m.deleteChunks()).isEmpty();
        assertThat(m.chunksDeleted()).isZero();
        assertThat(m.kind()).isEqualTo(BatchManifest.KIND_WINDOW);
        assertThat(m.isLate()).isFalse();
        assertThat(m.parentBatchId()).isNull();
        assertThat(m.snapshotXmin()).isNull();
    }

    @Test
    void fixtureBatchIdsAreTheOnesWeComputeForTheirWindows() {
        assertThat(BatchIds.of("public", "sensor_readings", TestManifests.daily("2024-01-15")))
                .isEqualTo("e4ad1b2a27064d51")
                .isEqualTo(ManifestCodec.decode(originalBytes(ORIGINAL_DONE), ORIGINAL_DONE).batchId());
        assertThat(BatchIds.of("public", "device_events", TestManifests.monthly("2024-01-01")))
                .isEqualTo("8eb87d3fb955c751")
                .isEqualTo(ManifestCodec.decode(originalBytes(ORIGINAL_FAILED), ORIGINAL_FAILED).batchId());
    }

    @Test
    void rewritingAnOriginalManifestKeepsItsFifteenFieldsByteForByteThenAddsOurs() {
        for (String fixture : List.of(ORIGINAL_DONE, ORIGINAL_FAILED)) {
            String original = new String(originalBytes(fixture), StandardCharsets.UTF_8);
            String body = original.substring(0, original.lastIndexOf("\n}"));

            String written = encodeToString(ManifestCodec.decode(originalBytes(fixture), fixture));

            assertThat(written).as(fixture).startsWith(body + ",\n  \"parquet_sha256\": null,\n");
            assertThat(written).as(fixture).endsWith("\n}").doesNotContain("\r");
        }
    }

    @Test
    void writtenManifestKeepsTheOriginalKeyOrderThenOurs() throws Exception {
        JsonNode written = JSON.readTree(ManifestCodec.encode(sampleLateBatch()));

        List<String> keys = new ArrayList<>();
        written.fieldNames().forEachRemaining(keys::add);
        assertThat(keys.subList(0, 15)).isEqualTo(ORIGINAL_KEYS);
        assertThat(keys.subList(15, keys.size()))
                .containsExactly("parquet_sha256", "delete_chunks", "chunks_deleted", "kind", "parent_batch_id");
    }

    /** What the original's pydantic model needs: every field present, with the JSON type it declares. */
    @Test
    void everyOriginalFieldIsWrittenWithTheTypeTheOriginalReads() throws Exception {
        for (BatchManifest m : List.of(sampleLateBatch(),
                TestManifests.failedExport("public", "device_events", TestManifests.monthly("2024-01-01"), "boom"))) {
            JsonNode n = JSON.readTree(ManifestCodec.encode(m));

            assertThat(n.get("version").isInt()).isTrue();
            for (String key : List.of("batch_id", "table", "schema_name", "partition", "status",
                    "window_start", "window_end")) {
                assertThat(n.get(key).isTextual()).as(key).isTrue();
            }
            for (String key : List.of("row_count", "parquet_size_bytes")) {
                assertThat(n.get(key).isIntegralNumber() || n.get(key).isNull()).as(key).isTrue();
            }
            for (String key : List.of("parquet_path", "exported_at", "verified_at", "deleted_at", "error")) {
                assertThat(n.get(key).isTextual() || n.get(key).isNull()).as(key).isTrue();
            }
            for (String key : List.of("exported_at", "verified_at", "deleted_at")) {
                if (n.get(key).isTextual()) {
                    assertThat(n.get(key).textValue()).as(key)
                            .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00");
                }
            }
        }
    }

    @Test
    void windowBoundsAreWrittenLikePythonIsoformatAndOtherTimesWithMicroseconds() throws Exception {
        BatchManifest m = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"),
                10, 100, Instant.parse("2024-01-30T12:00:00Z"));

        JsonNode n = JSON.readTree(ManifestCodec.encode(m));

        assertThat(n.get("window_start").textValue()).isEqualTo("2024-01-15T00:00:00+00:00");
        assertThat(n.get("window_end").textValue()).isEqualTo("2024-01-16T00:00:00+00:00");
        assertThat(n.get("exported_at").textValue()).isEqualTo("2024-01-30T12:00:00.000000+00:00");
    }

    @Test
    void ourFieldsSurviveARoundTrip() {
        BatchManifest m = sampleLateBatch();

        BatchManifest read = ManifestCodec.decode(ManifestCodec.encode(m), "round-trip");

        assertThat(read).isEqualTo(m);
        assertThat(read.isLate()).isTrue();
        assertThat(read.deleteChunks()).hasSize(2);
    }

    @Test
    void aRestoreIsWrittenAfterEverythingElseAndSurvivesARoundTrip() throws Exception {
        BatchManifest done = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"),
                10, 100, Instant.parse("2024-01-30T12:00:00Z"));
        BatchManifest started = done.withRestore(new BatchManifest.Restore(987_654_321L, null, null));
        BatchManifest finished = done.withRestore(new BatchManifest.Restore(987_654_321L,
                Instant.parse("2024-03-01T10:00:00.5Z"), 10L));

        for (BatchManifest m : List.of(started, finished)) {
            assertThat(ManifestCodec.decode(ManifestCodec.encode(m), "round-trip")).isEqualTo(m);
        }
        JsonNode n = JSON.readTree(ManifestCodec.encode(finished));
        List<String> keys = new ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        assertThat(keys.subList(0, 15)).isEqualTo(ORIGINAL_KEYS);
        assertThat(keys.subList(keys.size() - 3, keys.size())).containsExactly("restore_txid", "restored_at", "restored_rows");
        assertThat(n.get("restored_at").textValue()).isEqualTo("2024-03-01T10:00:00.500000+00:00");
        // A window never restored writes none of the restore keys: its manifest is what it always was.
        assertThat(encodeToString(done)).doesNotContain("restore");
    }

    @Test
    void aRestoreTimeWithoutItsTransactionIsRefused() {
        String json = encodeToString(TestManifests.done("public", "t", TestManifests.daily("2024-01-15"), 1, 1,
                Instant.parse("2024-01-30T12:00:00Z")));
        String broken = json.substring(0, json.lastIndexOf("\n}")) + ",\n  \"restored_at\": \"2024-03-01T10:00:00+00:00\"\n}";

        assertThatThrownBy(() -> decode(broken)).hasMessageContaining("restore_txid");
    }

    @Test
    void aPartitionPrunedManifestKeepsTheOriginalsKeysFirstAndRoundTripsItsOwn() throws Exception {
        Window day = TestManifests.daily("2024-01-22");
        BatchManifest m = TestManifests.done("public", "metrics", day, 144, 4096, Instant.parse("2024-01-30T12:00:00Z"))
                .withValueDigest("ab".repeat(32))
                .withPrune(new PartitionPrune(PartitionPrune.Step.DETACHING, "\"public\".\"metrics_20240122\"",
                        "\"public\".\"metrics\"", day.start(), day.end()))
                .withPrunedBy(BatchManifest.PRUNED_DROPPED);

        JsonNode written = JSON.readTree(ManifestCodec.encode(m));
        BatchManifest read = ManifestCodec.decode(ManifestCodec.encode(m), "round-trip");

        List<String> keys = new ArrayList<>();
        written.fieldNames().forEachRemaining(keys::add);
        assertThat(keys.subList(0, 15)).isEqualTo(ORIGINAL_KEYS);
        assertThat(keys.subList(20, keys.size())).containsExactly("value_digest", "partition_prune", "pruned_by");
        assertThat(written.get("partition_prune").get("step").textValue()).isEqualTo("detaching");
        assertThat(read).isEqualTo(m);
    }

    @Test
    void theExportSnapshotXminIsWrittenLastAsA64BitNumberAndOnlyWhenRecorded() throws Exception {
        Window day = TestManifests.daily("2024-01-22");
        BatchManifest plain = TestManifests.done("public", "metrics", day, 144, 4096, Instant.parse("2024-01-30T12:00:00Z"))
                .withValueDigest("ab".repeat(32));
        // An epoch above zero: more than 2^32 transactions since initdb.
        BatchManifest m = plain.withSnapshotXmin(5_000_000_123L);

        JsonNode written = JSON.readTree(ManifestCodec.encode(m));
        List<String> keys = new ArrayList<>();
        written.fieldNames().forEachRemaining(keys::add);

        assertThat(keys.subList(0, 15)).isEqualTo(ORIGINAL_KEYS);
        assertThat(keys.get(keys.size() - 1)).isEqualTo("export_snapshot_xmin");
        assertThat(written.get("export_snapshot_xmin").longValue()).isEqualTo(5_000_000_123L);
        assertThat(ManifestCodec.decode(ManifestCodec.encode(m), "round-trip")).isEqualTo(m);
        assertThat(encodeToString(plain)).doesNotContain("export_snapshot_xmin");
        assertThat(ManifestCodec.decode(ManifestCodec.encode(plain), "round-trip").snapshotXmin()).isNull();
    }

    @Test
    void aNegativeExportSnapshotXminIsAnErrorNamingTheKey() {
        String base = encodeToString(TestManifests.pending("public", "t", TestManifests.daily("2024-01-15")));
        String broken = base.substring(0, base.lastIndexOf("\n}")) + ",\n  \"export_snapshot_xmin\": -5\n}";

        assertThatThrownBy(() -> ManifestCodec.decode(broken.getBytes(StandardCharsets.UTF_8), "m.json"))
                .hasMessageContaining("'export_snapshot_xmin' must be a non-negative integer");
    }

    @Test
    void unknownPruneStepOrPrunedByIsAnErrorNamingTheKey() {
        String base = encodeToString(TestManifests.pending("public", "t", TestManifests.daily("2024-01-15")));
        String withBadBy = base.substring(0, base.lastIndexOf("\n}")) + ",\n  \"pruned_by\": \"vanished\"\n}";
        String withBadStep = base.substring(0, base.lastIndexOf("\n}")) + ",\n  \"partition_prune\": {\"step\": \"x\", "
                + "\"partition\": \"p\", \"parent\": \"t\", \"from\": \"2024-01-15T00:00:00Z\", \"to\": \"2024-01-16T00:00:00Z\"}\n}";

        assertThatThrownBy(() -> ManifestCodec.decode(withBadBy.getBytes(StandardCharsets.UTF_8), "m.json"))
                .hasMessageContaining("'pruned_by' is 'vanished', not one of rows_deleted, partition_detached, partition_dropped");
        assertThatThrownBy(() -> ManifestCodec.decode(withBadStep.getBytes(StandardCharsets.UTF_8), "m.json"))
                .hasMessageContaining("'partition_prune.step' is 'x', not one of awaiting, detaching");
    }

    @Test
    void emptyDeleteChunksAreWrittenAsPythonWould() {
        String written = encodeToString(TestManifests.pending("public", "t", TestManifests.daily("2024-01-15")));

        assertThat(written).contains("\n  \"delete_chunks\": [],\n");
    }

    @Test
    void zuluOffsetsAndTimesWithoutFractionsAreAccepted() {
        String json = replace(ORIGINAL_DONE, Map.of(
                "\"window_start\": \"2024-01-15T00:00:00+00:00\"", "\"window_start\": \"2024-01-15T00:00:00Z\"",
                "\"exported_at\": \"2026-11-01T12:00:00.123456+00:00\"", "\"exported_at\": \"2026-11-01T12:00:00Z\"",
                "\"verified_at\": \"2026-11-01T12:00:00.123456+00:00\"", "\"verified_at\": \"2026-11-01T12:00:00.5Z\""));

        BatchManifest m = ManifestCodec.decode(json.getBytes(StandardCharsets.UTF_8), "test");

        assertThat(m.windowStart()).isEqualTo(Instant.parse("2024-01-15T00:00:00Z"));
        assertThat(m.exportedAt()).isEqualTo(Instant.parse("2026-11-01T12:00:00Z"));
        assertThat(m.verifiedAt()).isEqualTo(Instant.parse("2026-11-01T12:00:00.5Z"));
    }

    @Test
    void unknownFieldsAreIgnored() {
        String json = replace(ORIGINAL_DONE, Map.of("\"version\": 1,",
                "\"version\": 1,\n  \"written_by\": \"someone else\",\n  \"extra\": {\"nested\": [1, 2]},"));

        BatchManifest m = ManifestCodec.decode(json.getBytes(StandardCharsets.UTF_8), "test");

        assertThat(m.batchId()).isEqualTo("e4ad1b2a27064d51");
    }

    @Test
    void missingRequiredFieldIsAnErrorNamingTheKeyAndTheSource() {
        String json = replace(ORIGINAL_DONE, Map.of("\"window_end\": \"2024-01-16T00:00:00+00:00\",", ""));

        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(ManifestException.class)
                .hasMessage("manifest mem://test/m.json has no 'window_end'");
    }

    @Test
    void wrongTypeIsAnErrorNamingTheKey() {
        assertThatThrownBy(() -> decode(replace(ORIGINAL_DONE, Map.of("12500", "\"12500\""))))
                .isInstanceOf(ManifestException.class)
                .hasMessage("manifest mem://test/m.json: 'row_count' must be a non-negative integer");
        assertThatThrownBy(() -> decode(replace(ORIGINAL_DONE, Map.of("\"table\": \"sensor_readings\"", "\"table\": 7"))))
                .hasMessage("manifest mem://test/m.json: 'table' must be a string");
    }

    @Test
    void unreadableTimestampIsAnErrorNamingTheKey() {
        String json = replace(ORIGINAL_DONE, Map.of("\"deleted_at\": \"2026-11-01T12:00:00.123456+00:00\"",
                "\"deleted_at\": \"2026-11-01 12:00\""));

        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("'deleted_at'")
                .hasMessageContaining("2026-11-01 12:00");
    }

    @Test
    void timestampWithoutOffsetIsRejectedRatherThanGuessed() {
        String json = replace(ORIGINAL_DONE, Map.of("\"2024-01-15T00:00:00+00:00\"", "\"2024-01-15T00:00:00\""));

        assertThatThrownBy(() -> decode(json)).hasMessageContaining("'window_start'");
    }

    @Test
    void unknownStatusIsAnErrorNamingIt() {
        assertThatThrownBy(() -> decode(replace(ORIGINAL_DONE, Map.of("\"DONE\"", "\"FINISHED\""))))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("'status' is 'FINISHED'");
    }

    @Test
    void newerFormatVersionIsRefused() {
        assertThatThrownBy(() -> decode(replace(ORIGINAL_DONE, Map.of("\"version\": 1", "\"version\": 2"))))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("'version' is 2");
    }

    @Test
    void invalidJsonAndNonObjectsAreErrorsNamingTheSource() {
        assertThatThrownBy(() -> decode("{\"version\": 1,"))
                .isInstanceOf(ManifestException.class)
                .hasMessageStartingWith("manifest mem://test/m.json is not valid JSON");
        assertThatThrownBy(() -> decode("[1, 2]"))
                .hasMessage("manifest mem://test/m.json is not a JSON object");
        assertThatThrownBy(() -> decode(""))
                .hasMessageStartingWith("manifest mem://test/m.json is not");
    }

    @Test
    void brokenDeleteChunkIsAnErrorNamingItsPath() {
        String json = encodeToString(sampleLateBatch()).replace("\"rows\": 30", "\"rows\": -1");

        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("'delete_chunks[1].rows' must be a non-negative integer");
    }

    @Test
    void resumePointBeyondTheDeleteChunksIsRefused() {
        String json = encodeToString(sampleLateBatch()).replace("\"chunks_deleted\": 2", "\"chunks_deleted\": 3");

        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(ManifestException.class)
                .hasMessageContaining("'chunks_deleted' is 3 but there are only 2 delete chunks");
    }

    @Test
    void unknownKindIsRefused() {
        String json = encodeToString(sampleLateBatch()).replace("\"kind\": \"late\"", "\"kind\": \"other\"");

        assertThatThrownBy(() -> decode(json)).hasMessageContaining("'kind' is 'other'");
    }

    /** A late batch with two delete chunks, every field of ours set. */
    private static BatchManifest sampleLateBatch() {
        BatchManifest window = TestManifests.done("public", "sensor_readings", TestManifests.daily("2024-01-15"),
                12_500, 46_080, Instant.parse("2024-01-30T12:00:00.654321Z"));
        BatchManifest late = TestManifests.lateDone(window, 1, 50, 2_048, Instant.parse("2024-02-02T08:30:00Z"));
        Instant mid = window.windowStart().plusSeconds(43_200);
        return late.withExport(50, late.parquetPath(), 2_048, "ab".repeat(32), List.of(
                        new DeleteChunk(window.windowStart(), mid, 20),
                        new DeleteChunk(mid, window.windowEnd(), 30)),
                Instant.parse("2024-02-02T08:30:00.000001Z"))
                .withChunksDeleted(2);
    }

    private static String encodeToString(BatchManifest m) {
        return new String(ManifestCodec.encode(m), StandardCharsets.UTF_8);
    }

    private static BatchManifest decode(String json) {
        return ManifestCodec.decode(json.getBytes(StandardCharsets.UTF_8), "mem://test/m.json");
    }

    private static String replace(String fixture, Map<String, String> replacements) {
        String text = new String(originalBytes(fixture), StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            assertThat(text).as("fixture text to replace").contains(e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        return text;
    }
}
