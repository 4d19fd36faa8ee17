package io.pgfreezer.source;

import io.pgfreezer.format.ValueDigest;
import org.postgresql.copy.CopyOut;

import java.sql.SQLException;

/**
 * The byte stream of {@code COPY ... TO STDOUT (FORMAT binary)}: the header, then tuples of
 * (field count, then length and bytes per field), then the end marker. Callers read the current
 * buffer directly through {@link #buf} and {@link #pos} after {@link #fill} makes enough bytes
 * contiguous. Every byte after the header passes through the value digest once, as it arrives.
 */
final class CopyBinaryReader {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final int HEADER = SIGNATURE.length + 8;
    private static final byte[] EMPTY = new byte[0];

    private final CopyOut copy;
    private final ValueDigest digest;
    private boolean digesting;
    byte[] buf = EMPTY;
    int pos;
    int lim;

    /** @param digest null when the caller digests what it keeps itself */
    CopyBinaryReader(CopyOut copy, ValueDigest digest) {
        this.copy = copy;
        this.digest = digest;
    }

    void readHeader() throws SQLException {
        fill(HEADER);
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (buf[pos + i] != SIGNATURE[i]) {
                throw new IllegalStateException("COPY BINARY output does not start with PostgreSQL's signature");
            }
        }
        int flags = WireDecoder.int32(buf, pos + SIGNATURE.length);
        if ((flags & 0xffff0000) != 0) {
            throw new IllegalStateException("COPY BINARY header has critical flags 0x" + Integer.toHexString(flags));
        }
        int extension = WireDecoder.int32(buf, pos + SIGNATURE.length + 4);
        pos += HEADER;
        fill(extension);
        pos += extension;
        if (digest != null) {
            digest.update(buf, pos, lim - pos);
            digesting = true;
        }
    }

    /** Makes at least {@code n} bytes available from {@link #pos}. */
    void fill(int n) throws SQLException {
        while (lim - pos < n) {
            // PostgreSQL sends one message per tuple, so this usually swaps in the next buffer.
            byte[] chunk = copy.readFromCopy();
            if (chunk == null) {
                throw new IllegalStateException("COPY BINARY output ended in the middle of a tuple");
            }
            if (digesting) {
                digest.update(chunk, 0, chunk.length);
            }
            if (pos == lim) {
                buf = chunk;
                pos = 0;
                lim = chunk.length;
            } else {
                byte[] merged = new byte[lim - pos + chunk.length];
                System.arraycopy(buf, pos, merged, 0, lim - pos);
                System.arraycopy(chunk, 0, merged, lim - pos, chunk.length);
                buf = merged;
                pos = 0;
                lim = merged.length;
            }
        }
    }

    /** After the end marker: PostgreSQL must send nothing more. */
    void expectEnd() throws SQLException {
        if (pos != lim || copy.readFromCopy() != null) {
            throw new IllegalStateException("COPY BINARY output continues after its end marker");
        }
    }

    /**
     * Reads the rest of the stream so the session is usable again. The connection holds the
     * table's advisory lock, so it must survive, and cancelling a COPY OUT through the driver
     * left its protocol state out of step with the server's.
     */
    void discardRest(Exception primary) {
        try {
            while (copy.isActive() && copy.readFromCopy() != null) {
                // nothing to keep
            }
        } catch (SQLException e) {
            primary.addSuppressed(e);
        }
    }
}
