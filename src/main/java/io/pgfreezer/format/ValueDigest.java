package io.pgfreezer.format;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The value proof: SHA-256 over a {@code COPY ... TO STDOUT (FORMAT binary)} stream after its
 * header, i.e. every tuple's field count, each field's length and bytes, and the end marker.
 * Export feeds it the bytes PostgreSQL sent; verification feeds it the archived values encoded
 * back into PostgreSQL's binary form, so any value the archive holds differently (a shifted
 * timestamp, a rounded numeric, a float's bit pattern) changes the digest. The encoding is also
 * what restoring an archive into PostgreSQL sends ({@link PgBinaryEncoder}). Not thread-safe.
 */
public final class ValueDigest {
    private static final byte[] END = {(byte) 0xff, (byte) 0xff};

    private final MessageDigest sha = sha256();
    private final PgBinaryEncoder encoder;

    /** For the producing side, which hands over raw stream bytes through {@link #update}. */
    public ValueDigest() {
        this.encoder = new PgBinaryEncoder(List.of(), List.of());
    }

    /** For re-encoding rows of columns with the given wire specs. */
    public ValueDigest(List<String> names, List<String> specs) {
        this.encoder = new PgBinaryEncoder(names, specs.stream().map(PgWire::parse).toList());
    }

    public void update(byte[] bytes, int off, int length) {
        sha.update(bytes, off, length);
    }

    /** The digest of a raw stream fed through {@link #update}, which carried its own end marker. */
    public String streamDigest() {
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The digest of the rows added so far plus the stream's end marker. */
    public String finish() {
        sha.update(END);
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Encodes one archived row as PostgreSQL sends it and adds it to the digest.
     *
     * @throws ValueMismatchException when a value cannot be PostgreSQL's (e.g. malformed time text)
     */
    public void addRow(Object[] row, long rowNumber) {
        encoder.encode(row, rowNumber);
        sha.update(encoder.buffer(), 0, encoder.length());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
