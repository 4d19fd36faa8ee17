package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.engine.RunReport;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.Precondition;
import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pg-freezer verify} through the real command line against a real archive: the engine
 * archives three days of a table (and late rows into one of them) into the backend a subclass
 * provides, then each test damages storage the way time and operators do and runs verify with a
 * config whose database points nowhere, since verify must never need it.
 */
abstract class VerifyContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TABLE = "readings";
    static final String DAY20 = "readings/year=2024/month=01/day=20/data.parquet";
    static final String DAY21 = "readings/year=2024/month=01/day=21/data.parquet";
    static final String DAY22 = "readings/year=2024/month=01/day=22/data.parquet";
    static final String LATE21 = "readings/year=2024/month=01/day=21/late-1.parquet";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-02-01T12:00:00Z"), ZoneOffset.UTC);

    ArchiveFixture archive;
    Path config;

    abstract ArchiveFixture newFixture();

    @BeforeEach
    void archiveThreeDaysAndLateRows() {
        archive = newFixture().clock(CLOCK).table(TABLE, "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        archive.sql("CREATE TABLE readings (recorded_at timestamptz NOT NULL, sensor_id int, value float8, note text)",
                insert("2024-01-20 00:00+00", "2024-01-23 00:00+00"));
        succeeded(archive.runAll());
        archive.sql(insert("2024-01-21 05:00:00.5+00", "2024-01-21 06:00+00"));
        succeeded(archive.runAll());
        config = writeConfig(archive);
    }

    private static String insert(String from, String to) {
        return """
                INSERT INTO readings
                SELECT t, (n %% 7)::int, n * 1.25, CASE WHEN n %% 5 = 0 THEN NULL ELSE 'reading ' || n END
                  FROM generate_series(timestamptz '%s', timestamptz '%s' - interval '1 microsecond',
                                       interval '10 minutes') WITH ORDINALITY AS g(t, n)
                """.formatted(from, to);
    }

    private static void succeeded(RunReport report) {
        assertThat(report.succeeded()).as(report.batches().toString()).isTrue();
    }

    // ---- the claims ----

    @Test
    void anIntactArchiveIsOkEverywhereAndExitsZero() {
        for (String[] mode : List.of(new String[0], new String[] {"--deep"})) {
            Run run = verify(mode);

            assertThat(run.exit()).as(run.toString()).isZero();
            assertThat(run.lines()).as("no line ends in spaces").noneMatch(l -> l.endsWith(" "));
            assertThat(results(run)).containsExactly(
                    Map.entry("year=2024/month=01/day=20/data.parquet", "OK"),
                    Map.entry("year=2024/month=01/day=21/data.parquet", "OK"),
                    Map.entry("year=2024/month=01/day=21/late-1.parquet", "OK"),
                    Map.entry("year=2024/month=01/day=22/data.parquet", "OK"));
            assertThat(run.lines()).anyMatch(l -> l.startsWith("4 object(s) checked"
                    + (mode.length > 0 ? " (deep)" : "") + ": 4 OK, 0 MISSING, 0 CORRUPT; 0 ORPHAN; 0 SUPERSEDED"));
        }
    }

    @Test
    void aDeletedObjectIsMissingAndExitsThree() {
        try (ObjectStorage storage = archive.openStorage()) {
            storage.delete(DAY22);
            storage.delete(LATE21);
        }

        Run run = verify();

        assertThat(run.exit()).isEqualTo(VerifyReport.EXIT_DAMAGED).isEqualTo(3);
        assertThat(results(run)).containsEntry("year=2024/month=01/day=22/data.parquet", "MISSING")
                .containsEntry("year=2024/month=01/day=21/late-1.parquet", "MISSING")
                .containsEntry("year=2024/month=01/day=20/data.parquet", "OK")
                .containsEntry("year=2024/month=01/day=21/data.parquet", "OK");
        assertThat(run.lines()).anyMatch(l -> l.contains("day=22/data.parquet") && l.contains("no object at"));
    }

    @Test
    void oneFlippedByteIsCorruptWithAndWithoutDeep() {
        long size = flipOneByte(DAY21);
        assertThat(stat(DAY21)).as("same size, so only the checksum can tell").isEqualTo(size);

        for (String[] mode : List.of(new String[0], new String[] {"--deep"})) {
            Run run = verify(mode);

            assertThat(run.exit()).isEqualTo(3);
            assertThat(results(run)).containsEntry("year=2024/month=01/day=21/data.parquet", "CORRUPT")
                    .containsEntry("year=2024/month=01/day=20/data.parquet", "OK");
            assertThat(run.lines()).anyMatch(l -> l.contains("day=21/data.parquet") && l.contains("SHA-256"));
        }
    }

    @Test
    void anObjectOfTheWrongSizeIsCorrupt() {
        byte[] bytes = read(DAY20);
        replace(DAY20, java.util.Arrays.copyOf(bytes, bytes.length + 1));

        Run run = verify();

        assertThat(run.exit()).isEqualTo(3);
        assertThat(results(run)).containsEntry("year=2024/month=01/day=20/data.parquet", "CORRUPT");
        assertThat(run.lines()).anyMatch(l -> l.contains("day=20/data.parquet")
                && l.contains((bytes.length + 1) + " bytes stored, the manifest records " + bytes.length));
    }

    @Test
    void anOrphanIsReportedAndSupersededCopiesAreListedApart() {
        byte[] bytes = read(DAY20);
        replace("readings/year=2024/month=01/day=21/stray.parquet", bytes);
        replace("readings/notes.txt", "left here by hand".getBytes(StandardCharsets.UTF_8));
        String batch = manifest(DAY20).batchId();
        replace("_superseded/readings/" + batch + "/20240201T000000Z-data.parquet", bytes);

        Run run = verify();

        assertThat(run.exit()).as("intact, but something unaccounted for").isEqualTo(VerifyReport.EXIT_ORPHANS);
        assertThat(results(run)).containsEntry("year=2024/month=01/day=21/stray.parquet", "ORPHAN")
                .containsEntry("notes.txt", "ORPHAN")
                .containsEntry("_superseded/readings/" + batch + "/20240201T000000Z-data.parquet", "SUPERSEDED")
                .containsEntry("year=2024/month=01/day=20/data.parquet", "OK");
        assertThat(run.lines()).anyMatch(l -> l.contains("4 OK, 0 MISSING, 0 CORRUPT; 2 ORPHAN; 1 SUPERSEDED"));

        Run day20Only = verify("--from", "2024-01-20", "--to", "2024-01-21");
        assertThat(results(day20Only)).containsOnlyKeys("year=2024/month=01/day=20/data.parquet",
                "_superseded/readings/" + batch + "/20240201T000000Z-data.parquet");
        assertThat(day20Only.exit()).as("superseded copies are kept on purpose: not a failure").isZero();
    }

    @Test
    void anOriginalManifestWithoutChecksumIsCheckedBySizeAndByDecodeAndSaysSo() {
        writeAsTheOriginal(DAY20, m -> { });

        Run quick = verify();
        assertThat(quick.exit()).isZero();
        assertThat(results(quick)).containsEntry("year=2024/month=01/day=20/data.parquet", "OK");
        assertThat(quick.lines()).anyMatch(l -> l.contains("day=20/data.parquet")
                && l.contains("checksum not recorded"));
        assertThat(quick.lines()).anyMatch(l -> l.startsWith("1 object(s) of manifests written by the original tool"));

        Run deep = verify("--deep", "--json");
        assertThat(deep.exit()).isZero();
        JsonNode day20 = object(deep.json(), DAY20);
        assertThat(day20.get("result").textValue()).isEqualTo("OK");
        assertThat(day20.get("checksum_recorded").booleanValue()).isFalse();
        assertThat(day20.get("expected_sha256").isNull()).isTrue();
        assertThat(day20.get("rows_decoded").longValue()).isEqualTo(day20.get("rows").longValue()).isEqualTo(144);
        assertThat(day20.get("detail").textValue()).contains("checksum not recorded");
        assertThat(deep.json().get("totals").get("without_checksum").intValue()).isEqualTo(1);
    }

    @Test
    void withoutAChecksumOnlyTheDeepCheckFindsAFlippedByte() {
        writeAsTheOriginal(DAY20, m -> { });
        flipOneByte(DAY20);

        assertThat(verify().exit()).as("size alone cannot tell").isZero();

        Run deep = verify("--deep");
        assertThat(deep.exit()).isEqualTo(3);
        assertThat(results(deep)).containsEntry("year=2024/month=01/day=20/data.parquet", "CORRUPT");
        assertThat(deep.lines()).anyMatch(l -> l.contains("day=20/data.parquet") && l.contains("does not decode")
                && !l.contains("pg-freezer-verify-"));
    }

    @Test
    void deepComparesTheDecodedRowsWithTheManifest() {
        writeAsTheOriginal(DAY22, m -> m.put("row_count", 143));

        assertThat(verify().exit()).isZero();

        Run deep = verify("--deep");
        assertThat(deep.exit()).isEqualTo(3);
        assertThat(deep.lines()).anyMatch(l -> l.contains("day=22/data.parquet") && l.contains("CORRUPT")
                && l.contains("decodes to 144 row(s), the manifest records 143"));
    }

    @Test
    void jsonParsesAndHasTheDocumentedFields() throws Exception {
        try (ObjectStorage storage = archive.openStorage()) {
            storage.delete(DAY22);
        }

        Run run = verify("--json", "--deep");

        assertThat(run.exit()).isEqualTo(3);
        JsonNode json = run.json();
        assertThat(fieldNames(json)).containsExactly("intact", "exit_code", "deep", "objects", "totals");
        assertThat(json.get("intact").booleanValue()).isFalse();
        assertThat(json.get("exit_code").intValue()).isEqualTo(3);
        assertThat(json.get("deep").booleanValue()).isTrue();
        assertThat(json.get("objects")).hasSize(4);
        JsonNode ok = object(json, DAY20);
        assertThat(fieldNames(ok)).containsExactly("table", "key", "kind", "result", "batch_id", "partition",
                "window_start", "window_end", "rows", "rows_decoded", "size", "expected_size", "sha256",
                "expected_sha256", "checksum_recorded", "detail");
        BatchManifest m = manifest(DAY20);
        assertThat(ok.get("table").textValue()).isEqualTo(TABLE);
        assertThat(ok.get("kind").textValue()).isEqualTo("data");
        assertThat(ok.get("result").textValue()).isEqualTo("OK");
        assertThat(ok.get("batch_id").textValue()).isEqualTo(m.batchId());
        assertThat(ok.get("partition").textValue()).isEqualTo("year=2024/month=01/day=20");
        assertThat(ok.get("window_start").textValue()).isEqualTo("2024-01-20T00:00:00+00:00");
        assertThat(ok.get("window_end").textValue()).isEqualTo("2024-01-21T00:00:00+00:00");
        assertThat(ok.get("rows").longValue()).isEqualTo(144);
        assertThat(ok.get("rows_decoded").longValue()).isEqualTo(144);
        assertThat(ok.get("size").longValue()).isEqualTo(m.parquetSizeBytes()).isEqualTo(ok.get("expected_size").longValue());
        assertThat(ok.get("sha256").textValue()).isEqualTo(m.parquetSha256()).hasSize(64);
        assertThat(ok.get("checksum_recorded").booleanValue()).isTrue();
        assertThat(object(json, LATE21).get("kind").textValue()).isEqualTo("late");
        JsonNode missing = object(json, DAY22);
        assertThat(missing.get("result").textValue()).isEqualTo("MISSING");
        assertThat(missing.get("size").isNull()).isTrue();
        assertThat(missing.get("sha256").isNull()).isTrue();
        JsonNode totals = json.get("totals");
        assertThat(fieldNames(totals)).containsExactly("checked", "ok", "missing", "corrupt", "orphan", "superseded",
                "without_checksum", "empty_windows", "rows", "bytes");
        assertThat(totals.get("checked").intValue()).isEqualTo(4);
        assertThat(totals.get("ok").intValue()).isEqualTo(3);
        assertThat(totals.get("missing").intValue()).isEqualTo(1);
        assertThat(totals.get("rows").longValue()).isEqualTo(144 * 3 + 6);
    }

    @Test
    void anUnknownTableIsAUsageError() {
        Run run = verify("-t", "nope");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("'nope'");
    }

    // ---- helpers ----

    record Run(int exit, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not one JSON document: " + out, e);
            }
        }
    }

    Run verify(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> argv = new ArrayList<>(List.of("verify", "-c", config.toString()));
        argv.addAll(List.of(args));
        int exit = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(argv.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** OBJECT column to CHECK column, from the human table. */
    static Map<String, String> results(Run run) {
        Map<String, String> results = new java.util.LinkedHashMap<>();
        for (String line : run.lines()) {
            if (line.startsWith(TABLE + " ")) {
                String[] cells = line.trim().split("\\s+");
                results.put(cells[1], cells[2]);
            }
        }
        return results;
    }

    static JsonNode object(JsonNode json, String key) {
        for (JsonNode o : json.get("objects")) {
            if (o.get("key").textValue().equals(key)) {
                return o;
            }
        }
        throw new AssertionError("no object " + key + " in " + json);
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    BatchManifest manifest(String key) {
        return archive.manifests(TABLE).stream().filter(m -> key.equals(m.parquetPath())).findFirst().orElseThrow();
    }

    /**
     * Replaces the manifest of {@code key} by what the original tool writes: its fifteen fields
     * only, no checksum; {@code edit} may change them further.
     */
    void writeAsTheOriginal(String key, java.util.function.Consumer<ObjectNode> edit) {
        BatchManifest m = manifest(key);
        String manifestKey = StorageManifestStore.key(TABLE, m.batchId());
        try {
            ObjectNode ours = (ObjectNode) JSON.readTree(read(manifestKey));
            ObjectNode original = JSON.createObjectNode();
            for (Iterator<String> names = ours.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                original.set(name, ours.get(name));
                if (name.equals("error")) {
                    break;
                }
            }
            assertThat(fieldNames(original)).hasSize(15).doesNotContain("parquet_sha256");
            edit.accept(original);
            replace(manifestKey, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(original));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(manifest(key).parquetSha256()).isNull();
    }

    byte[] read(String key) {
        try (ObjectStorage storage = archive.openStorage(); InputStream in = storage.open(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long stat(String key) {
        try (ObjectStorage storage = archive.openStorage()) {
            return storage.stat(key).orElseThrow().size();
        }
    }

    void replace(String key, byte[] data) {
        try (ObjectStorage storage = archive.openStorage()) {
            storage.put(key, data, "application/octet-stream", Precondition.NONE);
        }
    }

    /** Flips one byte in the middle of the data pages, keeping the size and the footer readable. */
    long flipOneByte(String key) {
        byte[] bytes = read(key);
        int footerLength = ByteBuffer.wrap(bytes, bytes.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int dataEnd = bytes.length - 8 - footerLength;
        assertThat(dataEnd).isGreaterThan(64);
        bytes[4 + (dataEnd - 4) / 2] ^= (byte) 0x5A;
        replace(key, bytes);
        return bytes.length;
    }

    /** A config file for the fixture's storage and tables, with a database that does not exist. */
    static Path writeConfig(ArchiveFixture f) {
        StringBuilder yaml = new StringBuilder("database:\n  dsn: postgresql://nobody@unreachable.invalid:1/none\n");
        StorageConfig s = f.storageConfig;
        if (s.protocol() == StorageConfig.Protocol.FILE) {
            yaml.append("storage:\n  protocol: file\n  path: \"").append(s.path()).append("\"\n");
        } else {
            yaml.append("storage:\n  protocol: s3\n  endpoint_url: \"").append(s.endpointUrl().orElseThrow())
                    .append("\"\n  bucket: ").append(s.bucket())
                    .append("\n  access_key: \"").append(s.accessKey().orElseThrow())
                    .append("\"\n  secret_key: \"").append(s.secretKey().orElseThrow())
                    .append("\"\n  path_style: true\n  region: ").append(s.region()).append('\n');
        }
        yaml.append("tables:\n");
        for (TableConfig t : f.config().tables()) {
            yaml.append("  - name: \"").append(t.name()).append("\"\n    timestamp_column: \"")
                    .append(t.timestampColumn()).append("\"\n    partition_by: ").append(t.partitionBy().yamlName())
                    .append('\n');
        }
        try {
            Path file = Files.createTempFile("pg-freezer-verify-config-", ".yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
