package io.pgfreezer.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgfreezer.engine.IsoInstants;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Manifest JSON, readable by the original tool and able to read everything it wrote.
 *
 * <p>Writing: the original's fifteen fields first, in its order and its layout (window bounds as
 * {@code 2024-01-15T00:00:00+00:00}, other timestamps with microseconds), then our own fields,
 * which the original's reader ignores. Reading: unknown fields are ignored, {@code Z} and
 * {@code +00:00} offsets and any fraction of a second are accepted, and our fields take their
 * defaults when absent (a manifest the original wrote). Anything else that is wrong is a
 * {@link ManifestException} naming the source and the key, because a manifest we cannot trust
 * must stop the work on its batch rather than be guessed at.
 */
public final class ManifestCodec {
    private ManifestCodec() {
    }

    public static byte[] encode(BatchManifest m) {
        return PythonStyleJson.write(tree(m)).getBytes(StandardCharsets.UTF_8);
    }

    /** The manifest as a JSON tree, as {@link #encode} writes it; the index embeds it unchanged. */
    static ObjectNode tree(BatchManifest m) {
        ObjectNode n = PythonStyleJson.object();
        n.put("version", m.version());
        n.put("batch_id", m.batchId());
        n.put("table", m.table());
        n.put("schema_name", m.schemaName());
        n.put("partition", m.partition());
        n.put("window_start", IsoInstants.format(m.windowStart()));
        n.put("window_end", IsoInstants.format(m.windowEnd()));
        n.put("status", m.status().name());
        n.put("row_count", m.rowCount());
        n.put("parquet_path", m.parquetPath());
        n.put("parquet_size_bytes", m.parquetSizeBytes());
        n.put("exported_at", micros(m.exportedAt()));
        n.put("verified_at", micros(m.verifiedAt()));
        n.put("deleted_at", micros(m.deletedAt()));
        n.put("error", m.error());
        // Ours from here on; the original ignores them.
        n.put("parquet_sha256", m.parquetSha256());
        ArrayNode chunks = n.putArray("delete_chunks");
        for (DeleteChunk c : m.deleteChunks()) {
            chunks.addObject()
                    .put("from", IsoInstants.format(c.from()))
                    .put("to", IsoInstants.format(c.to()))
                    .put("rows", c.rows());
        }
        n.put("chunks_deleted", m.chunksDeleted());
        n.put("kind", m.kind());
        n.put("parent_batch_id", m.parentBatchId());
        // Written only when set: manifests of earlier versions and of the original carry none of these.
        if (m.valueDigest() != null) {
            n.put("value_digest", m.valueDigest());
        }
        if (m.prune() != null) {
            n.putObject("partition_prune")
                    .put("step", m.prune().step().jsonName())
                    .put("partition", m.prune().partition())
                    .put("parent", m.prune().parent())
                    .put("from", IsoInstants.format(m.prune().from()))
                    .put("to", IsoInstants.format(m.prune().to()));
        }
        if (m.prunedBy() != null) {
            n.put("pruned_by", m.prunedBy());
        }
        // Only a restored window carries these, so every other manifest stays as it was.
        if (m.restore() != null) {
            n.put("restore_txid", m.restore().txid());
            n.put("restored_at", micros(m.restore().at()));
            n.put("restored_rows", m.restore().rows());
        }
        // Absent from manifests written before it was recorded; those windows get the full proof.
        if (m.snapshotXmin() != null) {
            n.put("export_snapshot_xmin", m.snapshotXmin());
        }
        return n;
    }

    /**
     * @param source how an operator would find the object (its URI), used in every message
     */
    public static BatchManifest decode(byte[] json, String source) {
        JsonNode root;
        try {
            root = PythonStyleJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new ManifestException("manifest " + source + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ManifestException("manifest " + source + " cannot be read: " + e.getMessage(), e);
        }
        return decode(root, source);
    }

    /** A manifest already parsed, e.g. one embedded in the index; the same checks as for bytes. */
    static BatchManifest decode(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new ManifestException("manifest " + source + " is not a JSON object");
        }
        return new Reader(root, source, "").manifest();
    }

    private static String micros(Instant instant) {
        return instant == null ? null : IsoInstants.formatMicros(instant);
    }

    /**
     * The fields of one JSON object, with messages that name the source and the key's full path
     * ({@code delete_chunks[2].rows} for a nested one).
     */
    private record Reader(JsonNode node, String source, String path) {

        BatchManifest manifest() {
            int version = optionalInt("version", BatchManifest.FORMAT_VERSION);
            if (version != BatchManifest.FORMAT_VERSION) {
                throw invalid("version", "is " + version + "; this pg-freezer reads format version "
                        + BatchManifest.FORMAT_VERSION + " only");
            }
            String batchId = requiredText("batch_id");
            String table = requiredText("table");
            String schema = requiredText("schema_name");
            String partition = requiredText("partition");
            Instant windowStart = requiredInstant("window_start");
            Instant windowEnd = requiredInstant("window_end");
            if (!windowStart.isBefore(windowEnd)) {
                throw invalid("window_end", "is not after 'window_start'");
            }
            List<DeleteChunk> chunks = deleteChunks();
            int chunksDeleted = optionalInt("chunks_deleted", 0);
            if (chunksDeleted > chunks.size()) {
                throw invalid("chunks_deleted", "is " + chunksDeleted + " but there are only " + chunks.size()
                        + " delete chunks");
            }
            return new BatchManifest(
                    version, batchId, table, schema, partition, windowStart, windowEnd,
                    status(),
                    nullableCount("row_count"),
                    nullableText("parquet_path"),
                    nullableCount("parquet_size_bytes"),
                    nullableInstant("exported_at"),
                    nullableInstant("verified_at"),
                    nullableInstant("deleted_at"),
                    nullableText("error"),
                    nullableText("parquet_sha256"),
                    chunks,
                    chunksDeleted,
                    kind(),
                    nullableText("parent_batch_id"),
                    nullableText("value_digest"),
                    prune(),
                    prunedBy(),
                    restore(),
                    nullableCount("export_snapshot_xmin"));
        }

        private PartitionPrune prune() {
            JsonNode p = node.get("partition_prune");
            if (p == null || p.isNull()) {
                return null;
            }
            if (!p.isObject()) {
                throw invalid("partition_prune", "must be an object");
            }
            Reader r = new Reader(p, source, "partition_prune.");
            String step = r.requiredText("step");
            PartitionPrune.Step parsed = PartitionPrune.Step.fromJson(step);
            if (parsed == null) {
                throw r.invalid("step", "is '" + step + "', not one of " + PartitionPrune.Step.jsonNames());
            }
            Instant from = r.requiredInstant("from");
            Instant to = r.requiredInstant("to");
            if (!from.isBefore(to)) {
                throw r.invalid("to", "is not after 'from'");
            }
            return new PartitionPrune(parsed, r.requiredText("partition"), r.requiredText("parent"), from, to);
        }

        private String prunedBy() {
            String how = nullableText("pruned_by");
            if (how != null && !List.of(BatchManifest.PRUNED_ROWS, BatchManifest.PRUNED_DETACHED,
                    BatchManifest.PRUNED_DROPPED).contains(how)) {
                throw invalid("pruned_by", "is '" + how + "', not one of " + BatchManifest.PRUNED_ROWS + ", "
                        + BatchManifest.PRUNED_DETACHED + ", " + BatchManifest.PRUNED_DROPPED);
            }
            return how;
        }

        private BatchManifest.Restore restore() {
            Long txid = nullableCount("restore_txid");
            Instant at = nullableInstant("restored_at");
            Long rows = nullableCount("restored_rows");
            if (txid == null) {
                if (at != null || rows != null) {
                    throw missing("restore_txid");
                }
                return null;
            }
            return new BatchManifest.Restore(txid, at, rows);
        }

        private BatchStatus status() {
            String text = requiredText("status");
            try {
                return BatchStatus.valueOf(text);
            } catch (IllegalArgumentException e) {
                throw invalid("status", "is '" + text + "', not one of " + List.of(BatchStatus.values()));
            }
        }

        private String kind() {
            String kind = nullableText("kind");
            if (kind == null) {
                return BatchManifest.KIND_WINDOW;
            }
            if (!kind.equals(BatchManifest.KIND_WINDOW) && !kind.equals(BatchManifest.KIND_LATE)) {
                throw invalid("kind", "is '" + kind + "', not '" + BatchManifest.KIND_WINDOW + "' or '"
                        + BatchManifest.KIND_LATE + "'");
            }
            return kind;
        }

        private List<DeleteChunk> deleteChunks() {
            JsonNode chunksNode = node.get("delete_chunks");
            if (chunksNode == null || chunksNode.isNull()) {
                return List.of();
            }
            if (!chunksNode.isArray()) {
                throw invalid("delete_chunks", "must be an array");
            }
            List<DeleteChunk> chunks = new ArrayList<>(chunksNode.size());
            for (int i = 0; i < chunksNode.size(); i++) {
                JsonNode c = chunksNode.get(i);
                if (!c.isObject()) {
                    throw invalid("delete_chunks[" + i + "]", "must be an object");
                }
                chunks.add(new Reader(c, source, "delete_chunks[" + i + "].").deleteChunk());
            }
            return chunks;
        }

        private DeleteChunk deleteChunk() {
            Instant from = requiredInstant("from");
            Instant to = requiredInstant("to");
            Long rows = nullableCount("rows");
            if (rows == null) {
                throw missing("rows");
            }
            if (!from.isBefore(to)) {
                throw invalid("to", "is not after 'from'");
            }
            return new DeleteChunk(from, to, rows);
        }

        private String requiredText(String key) {
            String value = nullableText(key);
            if (value == null) {
                throw missing(key);
            }
            return value;
        }

        private String nullableText(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                throw invalid(key, "must be a string");
            }
            return v.textValue();
        }

        private Instant requiredInstant(String key) {
            Instant value = nullableInstant(key);
            if (value == null) {
                throw missing(key);
            }
            return value;
        }

        private Instant nullableInstant(String key) {
            String text = nullableText(key);
            if (text == null) {
                return null;
            }
            try {
                return IsoInstants.parse(text);
            } catch (DateTimeException e) {
                throw invalid(key, "is '" + text + "', not an ISO-8601 timestamp with an offset");
            }
        }

        /** A non-negative integer or null. */
        private Long nullableCount(String key) {
            JsonNode v = node.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw invalid(key, "must be a non-negative integer");
            }
            return v.longValue();
        }

        private int optionalInt(String key, int defaultValue) {
            Long value = nullableCount(key);
            if (value == null) {
                return defaultValue;
            }
            if (value > Integer.MAX_VALUE) {
                throw invalid(key, "is too large");
            }
            return value.intValue();
        }

        private ManifestException missing(String key) {
            return new ManifestException("manifest " + source + " has no '" + path + key + "'");
        }

        private ManifestException invalid(String key, String problem) {
            return new ManifestException("manifest " + source + ": '" + path + key + "' " + problem);
        }
    }
}
