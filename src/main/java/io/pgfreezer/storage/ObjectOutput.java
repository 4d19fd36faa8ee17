package io.pgfreezer.storage;

import java.io.OutputStream;

/**
 * A streaming write to object storage. Bytes written are staged (a temp file, or multipart
 * parts uploaded while writing goes on) so memory stays bounded whatever the object's size.
 * Exactly one of {@link #commit()} or {@link #abort()} decides the outcome; {@link #close()}
 * after neither aborts, so a writer that fails mid-file never publishes a partial object.
 */
public abstract class ObjectOutput extends OutputStream {

    /** Bytes written so far; Parquet needs it as the file position. */
    public abstract long position();

    /** Publishes the object under its key and returns what was stored. */
    public abstract ObjectInfo commit();

    /** Discards everything written; publishes nothing. Safe to call more than once. */
    public abstract void abort();

    /**
     * Aborts unless committed. Declared without {@code IOException}: closing only ever discards,
     * and failures of the store are {@link StorageException}s like everywhere else.
     */
    @Override
    public abstract void close();
}
