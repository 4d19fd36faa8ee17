package io.pgfreezer.verify;

import io.pgfreezer.manifest.BatchManifest;

/**
 * What {@code verify} found for one object: an object a DONE manifest points at (with what the
 * manifest records and what storage holds), or an object in the table's part of the bucket that
 * no manifest points at.
 *
 * @param table            the configured table name
 * @param key              the object key (for MISSING: where the manifest says it is)
 * @param kind             what the object is to the archive
 * @param result           the verdict
 * @param manifest         the manifest that points at the object; null for orphans, and for
 *                         superseded copies of a batch whose manifest is gone
 * @param size             bytes stored; null when the object is missing
 * @param sha256           hex SHA-256 of the stored bytes; null when they were not read
 * @param rowsDecoded      rows a full decode found ({@code --deep}); null otherwise
 * @param detail           why the verdict, for a human; empty when there is nothing to add
 */
public record ObjectCheck(String table, String key, Kind kind, Result result, BatchManifest manifest,
                          Long size, String sha256, Long rowsDecoded, String detail) {

    public enum Kind {
        /** A window's {@code data.parquet}. */
        DATA,
        /** A {@code late-N.parquet}: rows that reached a window after it was DONE. */
        LATE,
        /** Under the table's data prefix, referenced by no manifest. */
        ORPHAN,
        /** An earlier attempt of a batch, kept under {@code _superseded/} on purpose. */
        SUPERSEDED
    }

    public enum Result {
        OK, MISSING, CORRUPT, ORPHAN, SUPERSEDED;

        /** Whether this verdict means an archived copy is lost or damaged. */
        public boolean isDamage() {
            return this == MISSING || this == CORRUPT;
        }
    }

    /** Whether the manifest carries a checksum; false for manifests the original tool wrote. */
    public boolean checksumRecorded() {
        return manifest != null && manifest.parquetSha256() != null;
    }
}
