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
     * Starts a streaming write of a new object: {@link ObjectOutput#commit()} publishes it only if
     * nothing exists under {@code key} at that moment, and throws {@link PreconditionFailedException}
     * otherwise. Archived data is only ever written this way, so it can never replace an object.
     */
    default ObjectOutput create(String key) {
        return create(key, Precondition.ABSENT);
    }

    /**
     * Starts a streaming write of {@code key}. Nothing is visible under the key until
     * {@link ObjectOutput#commit()} returns, and commit publishes only if {@code condition} holds
     * then; {@link ObjectOutput#abort()} (or {@code close()} without commit) publishes nothing
     * and cleans up.
     */
    ObjectOutput create(String key, Precondition condition);

    /** Writes a small object in one atomic step, replacing any previous version. */
    default void put(String key, byte[] data, String contentType) {
        put(key, data, contentType, Precondition.NONE);
    }

    /**
     * Writes a small object in one atomic step if {@code condition} holds, and returns the
     * version now stored.
     *
     * @throws PreconditionFailedException when the key is not in the required state
     */
    String put(String key, byte[] data, String contentType, Precondition condition);

    /** Reads a small object whole; empty when it does not exist. */
    default Optional<byte[]> get(String key) {
        return read(key).map(VersionedBytes::data);
    }

    /** Reads a small object whole with its version; empty when it does not exist. */
    Optional<VersionedBytes> read(String key);

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

    /** Size, modification time and version of an object, or empty when it does not exist. */
    Optional<ObjectInfo> stat(String key);

    /** Every object whose key starts with {@code prefix}, in key order. */
    List<ObjectInfo> list(String prefix);

    /**
     * One page of {@link #list(String)}: at most {@code limit} objects under {@code prefix} whose
     * keys sort after {@code startAfter} (null: from the start), in key order. A caller that knows
     * how keys spread can list several parts of a prefix at once instead of paging through all of
     * it in sequence. Backends with a real ranged listing override this; the default filters the
     * whole listing, which is what a local directory costs anyway.
     */
    default Page listPage(String prefix, String startAfter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        List<ObjectInfo> after = list(prefix).stream()
                .filter(o -> startAfter == null || ObjectKeys.ORDER.compare(o.key(), startAfter) > 0)
                .sorted(java.util.Comparator.comparing(ObjectInfo::key, ObjectKeys.ORDER))
                .toList();
        List<ObjectInfo> page = after.subList(0, Math.min(limit, after.size()));
        return new Page(List.copyOf(page), page.isEmpty() ? startAfter : page.get(page.size() - 1).key(),
                after.size() > limit);
    }

    /**
     * @param objects   in key order
     * @param lastKey   where the next page starts after: the last key the backend returned, which
     *                  may be one it leaves out of {@code objects} (a folder marker)
     * @param truncated whether more objects follow
     */
    record Page(List<ObjectInfo> objects, String lastKey, boolean truncated) {
    }

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
