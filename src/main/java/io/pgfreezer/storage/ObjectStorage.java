package io.pgfreezer.storage;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The object store that holds the archive and the manifests: an S3 bucket or a local directory.
 * Keys are relative, '/'-separated, never start with '/'. Every write is atomic from a reader's
 * view: an object is either absent or complete under its final key.
 * Implementations are thread-safe.
 */
public interface ObjectStorage extends AutoCloseable {

    /**
     * Starts a streaming write of {@code key}. Nothing is visible under the key until
     * {@link ObjectOutput#commit()} returns; {@link ObjectOutput#abort()} (or {@code close()}
     * without commit) publishes nothing and cleans up.
     */
    ObjectOutput create(String key);

    /** Writes a small object in one atomic step (manifests, metrics). */
    void put(String key, byte[] data, String contentType);

    /** Reads a small object whole; empty when it does not exist. */
    Optional<byte[]> get(String key);

    /** Streams an object; {@link ObjectNotFoundException} when it does not exist. */
    InputStream open(String key);

    /**
     * Streams {@code length} bytes of an object from {@code offset}: fewer when the object ends
     * first. Used to read a Parquet footer without downloading the file. Backends override this
     * with a real range read; the default reads through {@link #open(String)} and skips.
     *
     * @throws ObjectNotFoundException when the object does not exist
     */
    default InputStream openRange(String key, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range: offset " + offset + ", length " + length);
        }
        InputStream whole = open(key);
        try {
            whole.skipNBytes(offset);
        } catch (java.io.EOFException e) {
            return InputStream.nullInputStream();
        } catch (java.io.IOException e) {
            try {
                whole.close();
            } catch (java.io.IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new StorageException("cannot read " + uri(key) + ": " + e.getMessage(), e);
        }
        return new BoundedInputStream(whole, length);
    }

    /** Size and modification time of an object, or empty when it does not exist. */
    Optional<ObjectInfo> stat(String key);

    /** Every object whose key starts with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix);

    /**
     * Discards what interrupted writes of {@code key} left behind (a killed process cannot clean
     * up): staged temp files of the local backend, incomplete multipart uploads on S3. Only call
     * it while no other writer of {@code key} can be running, e.g. under the table's lock.
     * Returns how many leftovers were removed.
     */
    int discardUnfinished(String key);

    /** Removes an object; absent objects are not an error. */
    void delete(String key);

    /** How an operator would name the object: {@code s3://bucket/key} or a file path. */
    String uri(String key);

    @Override
    void close();
}
