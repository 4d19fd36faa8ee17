package io.pgfreezer.bench;

import io.pgfreezer.storage.ObjectInfo;
import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.testing.S3ProxyServer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Fills a bucket with many small objects: on a file-system backend by writing the files the
 * server would write (once it has shown that it serves such a file exactly as a PUT one), on an
 * in-memory backend by PUTs, many in flight at once.
 */
final class ManifestObjects {
    /**
     * On a local server a PUT is mostly waiting for its turn on the server's CPU; 64 in flight keep
     * it busy without exceeding the client's connection pool by much.
     */
    static final int PUTS_IN_FLIGHT = 64;

    private ManifestObjects() {
    }

    /** N objects named {@code prefix + <16 hex digits> + ".json"}, spread over the hex space as batch ids are. */
    static void fill(S3ProxyServer s3, String bucket, ObjectStorage storage, String prefix, int n,
                     IntFunction<byte[]> body) throws Exception {
        fill(s3, bucket, storage, n, i -> prefix + hexName(i) + ".json", body);
    }

    /** @return how the objects were stored, for the report */
    static String fill(S3ProxyServer s3, String bucket, ObjectStorage storage, int n, IntFunction<String> key,
                       IntFunction<byte[]> body) throws Exception {
        if (!s3.provider().onDisk() || n == 0) {
            put(storage, n, key, body);
            return "PUT, " + PUTS_IN_FLIGHT + " in flight";
        }
        requireServedAsPut(s3, bucket, storage, key.apply(0), body.apply(0));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>(n);
            for (int i = 1; i < n; i++) {
                int item = i;
                writes.add(pool.submit(() -> {
                    s3.writeDirectly(bucket, key.apply(item), body.apply(item), "application/json");
                    return null;
                }));
            }
            for (Future<?> f : writes) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return "files written directly (checked: served as a PUT)";
    }

    /**
     * PUTs one object, notes what the server answers for it, writes the same bytes over it
     * directly and demands the very same answers: listing entry, ETag, content type and bytes.
     */
    private static void requireServedAsPut(S3ProxyServer s3, String bucket, ObjectStorage storage, String key,
                                           byte[] data) {
        storage.put(key, data, "application/json");
        Served put = served(s3, bucket, storage, key);
        s3.writeDirectly(bucket, key, data, "application/json");
        Served direct = served(s3, bucket, storage, key);
        if (!put.equals(direct)) {
            throw new IllegalStateException("s3proxy serves a file written directly differently from a PUT one: "
                    + put + " versus " + direct + "; fill the bucket with PUTs instead");
        }
    }

    private record Served(String listedKey, long listedSize, String listedVersion, String etag, String contentType,
                          long contentLength, String storageClass, int bodyHash) {
    }

    private static Served served(S3ProxyServer s3, String bucket, ObjectStorage storage, String key) {
        List<ObjectInfo> listed = storage.list(key);
        if (listed.size() != 1) {
            throw new IllegalStateException("listing " + key + " shows " + listed);
        }
        ObjectInfo info = listed.get(0);
        try (S3Client client = s3.newClient()) {
            HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
            byte[] body = client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
            return new Served(info.key(), info.size(), info.version(), head.eTag(), head.contentType(),
                    head.contentLength(), head.storageClassAsString(), java.util.Arrays.hashCode(body));
        }
    }

    private static void put(ObjectStorage storage, int n, IntFunction<String> key, IntFunction<byte[]> body)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PUTS_IN_FLIGHT);
        try {
            List<Future<?>> puts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int item = i;
                puts.add(pool.submit(() -> {
                    storage.put(key.apply(item), body.apply(item), "application/json");
                    return null;
                }));
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A well-spread 16-hex-digit name for item i (a 64-bit mix, as a hash would give). */
    private static String hexName(int i) {
        long z = (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return HexFormat.of().toHexDigits(z ^ (z >>> 31));
    }
}
