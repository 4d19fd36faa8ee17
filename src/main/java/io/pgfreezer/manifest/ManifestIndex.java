package io.pgfreezer.manifest;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgfreezer.engine.IsoInstants;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The per-table summary of every manifest, stored as {@code _manifest_index/{table}.json.gz}:
 * gzip'd JSON holding, for each manifest, the storage version it had when read and its whole
 * content in manifest JSON form.
 *
 * <p>It is derived data and never the source of truth: an entry only stands in for a manifest
 * whose listed version is exactly the entry's, so a manifest written after the index (by us, by
 * the original, by hand) is always read afresh, and a manifest that is gone from the listing is
 * gone however the index remembers it. It lives outside {@code _manifests/}, so neither the
 * original's manifest listing nor ours can take it for a manifest.
 *
 * <p>Anything unexpected (not gzip, not JSON, another format name, another format version, older
 * or newer, another table's entries, an entry that is not a valid manifest) makes the whole index
 * {@link Unusable}: a half-trusted index would be worse than none.
 */
final class ManifestIndex {
    static final String ROOT = "_manifest_index/";
    static final String SUFFIX = ".json.gz";
    static final String FORMAT = "pg-freezer-manifest-index";
    /** Bump on any change of meaning; readers ignore every other version and rebuild. */
    static final int FORMAT_VERSION = 1;
    static final String CONTENT_TYPE = "application/gzip";

    private static final JsonFactory JSON = PythonStyleJson.mapper().getFactory();

    /** One manifest as the index knows it: its storage version and content. */
    record Entry(String version, BatchManifest manifest) {
    }

    /** The index cannot be trusted at all; the message says why, for the log. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    private ManifestIndex() {
    }

    /** @param entries by object key; every key lies under {@code table}'s manifest prefix */
    static byte[] encode(String table, Map<String, Entry> entries, Instant writtenAt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 1 << 16);
             JsonGenerator out = JSON.createGenerator(gzip, JsonEncoding.UTF8)) {
            out.setCodec(PythonStyleJson.mapper());
            out.writeStartObject();
            out.writeStringField("format", FORMAT);
            out.writeNumberField("format_version", FORMAT_VERSION);
            out.writeStringField("table", table);
            out.writeStringField("written_at", IsoInstants.formatMicros(writtenAt));
            out.writeNumberField("count", entries.size());
            out.writeArrayFieldStart("entries");
            String prefix = StorageManifestStore.prefix(table);
            for (Map.Entry<String, Entry> item : entries.entrySet()) {
                Entry e = item.getValue();
                if (!item.getKey().startsWith(prefix)) {
                    throw new IllegalArgumentException(item.getKey() + " is not a manifest of " + table);
                }
                out.writeStartObject();
                out.writeStringField("name", item.getKey().substring(prefix.length()));
                out.writeStringField("object_version", e.version());
                out.writeFieldName("manifest");
                out.writeTree(ManifestCodec.tree(e.manifest()));
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeEndObject();
        } catch (IOException e) {
            // Writing to memory does not fail; reaching this is a bug.
            throw new UncheckedIOException("cannot encode the manifest index of " + table, e);
        }
        return bytes.toByteArray();
    }

    /**
     * The entries by manifest key ({@code _manifests/{table}/{batch_id}.json}).
     *
     * @param source how an operator finds the index object, for messages
     */
    static Map<String, Entry> decode(byte[] data, String table, String source) throws Unusable {
        Map<String, Entry> entries = new LinkedHashMap<>();
        String format = null;
        Integer formatVersion = null;
        String indexTable = null;
        Long count = null;
        // Streamed, one entry tree at a time: 100,000 entries as one tree would need far more heap.
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data), 1 << 16);
             JsonParser p = JSON.createParser(in)) {
            p.setCodec(PythonStyleJson.mapper());
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Unusable(source + " is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "format" -> format = p.getValueAsString();
                    case "format_version" -> formatVersion = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    case "table" -> indexTable = p.getValueAsString();
                    case "count" -> count = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1L;
                    case "entries" -> {
                        // The header comes first when we write it; anything else is not ours.
                        requireHeader(format, formatVersion, indexTable, table, source);
                        if (value != JsonToken.START_ARRAY) {
                            throw new Unusable(source + ": 'entries' is not an array");
                        }
                        readEntries(p, table, source, entries);
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new Unusable(source + " cannot be read as a manifest index: " + oneLine(e));
        }
        requireHeader(format, formatVersion, indexTable, table, source);
        if (count == null || count != entries.size()) {
            throw new Unusable(source + " says it holds " + count + " entries but holds " + entries.size()
                    + " (cut short?)");
        }
        return entries;
    }

    private static void requireHeader(String format, Integer formatVersion, String indexTable, String table,
                                      String source) throws Unusable {
        if (!FORMAT.equals(format)) {
            throw new Unusable(source + " is not a pg-freezer manifest index (format " + format + ")");
        }
        if (formatVersion == null || formatVersion != FORMAT_VERSION) {
            throw new Unusable(source + " has format version " + formatVersion + "; this pg-freezer reads "
                    + FORMAT_VERSION + " only");
        }
        if (!table.equals(indexTable)) {
            throw new Unusable(source + " belongs to table " + indexTable + ", not " + table);
        }
    }

    private static void readEntries(JsonParser p, String table, String source, Map<String, Entry> entries)
            throws IOException, Unusable {
        String prefix = StorageManifestStore.prefix(table);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            JsonNode node = p.readValueAsTree();
            JsonNode name = node.get("name");
            if (name == null || !name.isTextual() || !StorageManifestStore.isManifestName(name.textValue())) {
                throw new Unusable(source + ": entry " + entries.size() + " has no valid manifest 'name'");
            }
            JsonNode version = node.get("object_version");
            if (version == null || !version.isTextual() || version.textValue().isEmpty()) {
                throw new Unusable(source + ": entry " + entries.size() + " has no 'object_version'");
            }
            BatchManifest m;
            try {
                m = ManifestCodec.decode(node.get("manifest"), source + " entry " + entries.size());
            } catch (ManifestException e) {
                throw new Unusable(e.getMessage());
            }
            // No check of m.table(): the object's place decides which listing it belongs to, as
            // when the manifest is read directly, so the index answers exactly as that read would.
            String key = prefix + name.textValue();
            if (entries.put(key, new Entry(version.textValue(), m)) != null) {
                throw new Unusable(source + " holds " + name.textValue() + " twice");
            }
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new Unusable(source + ": 'entries' holds something that is not an object");
        }
    }

    private static String oneLine(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
