package io.pgfreezer.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic batch ids, identical to the original's: the first 16 hex characters of SHA-256
 * over {@code "{schema}.{table}|{window_start}|{window_end}"} with Python-style ISO instants.
 */
public final class BatchIds {
    private BatchIds() {
    }

    public static String of(String schema, String table, Window window) {
        return sha256Prefix(schema + "." + table + "|" + IsoInstants.format(window.start()) + "|"
                + IsoInstants.format(window.end()));
    }

    /**
     * A batch for rows that reached a window after it was DONE. The original has no such batch;
     * the suffix keeps its id apart from the window's own and from other late batches.
     */
    public static String late(String windowBatchId, int sequence) {
        return sha256Prefix(windowBatchId + "|late|" + sequence);
    }

    static String sha256Prefix(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }
}
