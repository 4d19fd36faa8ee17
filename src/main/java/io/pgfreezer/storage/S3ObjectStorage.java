package io.pgfreezer.storage;

import io.pgfreezer.config.StorageConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code protocol: s3}: a bucket on AWS S3 or any S3-compatible store (MinIO, Ceph, ...). A reader
 * sees an object only once its PUT or CompleteMultipartUpload has succeeded, which is what makes
 * every write atomic. Large writes stream as multipart uploads (see {@link S3ObjectOutput}).
 */
public final class S3ObjectStorage implements ObjectStorage {

    private static final String OCTET_STREAM = "application/octet-stream";

    private final S3Client client;
    private final String bucket;
    private final S3WriteSettings writeSettings;
    private final S3Errors errors;
    private final ExecutorService uploads;

    public S3ObjectStorage(StorageConfig config) {
        this(config, S3WriteSettings.defaults());
    }

    public S3ObjectStorage(StorageConfig config, S3WriteSettings writeSettings) {
        if (config.bucket() == null || config.bucket().isBlank()) {
            throw new StorageException("storage.bucket is required for protocol: s3");
        }
        if (config.accessKey().isPresent() != config.secretKey().isPresent()) {
            throw new StorageException("storage.access_key and storage.secret_key must be set together "
                    + "(or both left out to use the default AWS credential chain)");
        }
        this.bucket = config.bucket();
        this.writeSettings = writeSettings;
        String region = S3Clients.region(config);
        this.errors = new S3Errors(bucket, S3Clients.endpointName(config, region), config.secretKey(), System.getenv());
        this.client = S3Clients.build(config, region);
        this.uploads = Executors.newCachedThreadPool(daemonThreads("pg-freezer-s3-upload-"));
        try {
            Files.createDirectories(writeSettings.stagingDir());
        } catch (IOException e) {
            close();
            throw new StorageException("cannot create staging directory " + writeSettings.stagingDir()
                    + " for S3 uploads: " + LocalObjectStorage.describe(e), e);
        }
    }

    public String bucket() {
        return bucket;
    }

    @Override
    public ObjectOutput create(String key, Precondition condition) {
        ObjectKeys.requireValidKey(key);
        return new S3ObjectOutput(client, bucket, key, uri(key), writeSettings, uploads, errors, condition);
    }

    @Override
    public String put(String key, byte[] data, String contentType, Precondition condition) {
        ObjectKeys.requireValidKey(key);
        S3Conditions.checkBeforeWrite(this, key, condition);
        String md5 = md5Base64(data);
        try {
            return client.putObject(b -> S3Conditions.apply(b.bucket(bucket).key(key)
                            .contentType(contentType == null ? OCTET_STREAM : contentType)
                            .contentLength((long) data.length)
                            .contentMD5(md5), condition),
                    RequestBody.fromBytes(data)).eTag();
        } catch (SdkException e) {
            StorageException failure = errors.translate("PutObject", uri(key), e);
            if (failure instanceof PreconditionFailedException) {
                // The SDK retries a PUT whose response was lost; the retry then meets our own
                // first attempt. Only that case is a success: the stored bytes are exactly ours.
                Optional<VersionedBytes> stored = read(key);
                if (stored.isPresent() && java.util.Arrays.equals(stored.get().data(), data)) {
                    return stored.get().version();
                }
            }
            throw failure;
        }
    }

    @Override
    public Optional<VersionedBytes> read(String key) {
        ObjectKeys.requireValidKey(key);
        try {
            var response = client.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return Optional.of(new VersionedBytes(response.asByteArray(), response.response().eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw errors.translate("GetObject", uri(key), e);
        }
    }

    @Override
    public InputStream open(String key) {
        ObjectKeys.requireValidKey(key);
        try {
            ResponseInputStream<GetObjectResponse> response = client.getObject(b -> b.bucket(bucket).key(key));
            return new S3ObjectInputStream(response);
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(uri(key));
        } catch (SdkException e) {
            throw errors.translate("GetObject", uri(key), e);
        }
    }

    @Override
    public InputStream openRange(String key, long offset, long length) {
        ObjectKeys.requireValidKey(key);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range: offset " + offset + ", length " + length);
        }
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        String range = "bytes=" + offset + "-" + (offset + length - 1);
        try {
            ResponseInputStream<GetObjectResponse> response =
                    client.getObject(b -> b.bucket(bucket).key(key).range(range));
            return new S3ObjectInputStream(response);
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(uri(key));
        } catch (S3Exception e) {
            // 416: the range starts at or after the end of the object; there is nothing to read.
            if (e.statusCode() == 416) {
                return InputStream.nullInputStream();
            }
            throw errors.translate("GetObject", uri(key), e);
        } catch (SdkException e) {
            throw errors.translate("GetObject", uri(key), e);
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        ObjectKeys.requireValidKey(key);
        try {
            HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(key, head.contentLength(), head.lastModified(), head.eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            // A HEAD response has no body, so some stores answer 404 without the NoSuchKey code.
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw errors.translate("HeadObject", uri(key), e);
        } catch (SdkException e) {
            throw errors.translate("HeadObject", uri(key), e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        String validPrefix = ObjectKeys.requireValidPrefix(prefix);
        List<ObjectInfo> found = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(validPrefix))
                    .contents()) {
                // "folder" markers (made by consoles, and by some stores for directories) are not
                // objects pg-freezer could have written: its keys never end with '/'.
                if (object.key().endsWith("/")) {
                    continue;
                }
                found.add(new ObjectInfo(object.key(), object.size(), object.lastModified(), object.eTag()));
            }
        } catch (SdkException e) {
            throw errors.translate("ListObjectsV2", "s3://" + bucket + "/" + validPrefix, e);
        }
        return List.copyOf(found);
    }

    @Override
    public Page listPage(String prefix, String startAfter, int limit) {
        String validPrefix = ObjectKeys.requireValidPrefix(prefix);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        try {
            var response = client.listObjectsV2(b -> b.bucket(bucket).prefix(validPrefix).startAfter(startAfter)
                    .maxKeys(limit));
            List<ObjectInfo> found = new ArrayList<>(response.contents().size());
            String last = startAfter;
            for (S3Object object : response.contents()) {
                last = object.key();
                if (!object.key().endsWith("/")) {
                    found.add(new ObjectInfo(object.key(), object.size(), object.lastModified(), object.eTag()));
                }
            }
            return new Page(List.copyOf(found), last, Boolean.TRUE.equals(response.isTruncated()));
        } catch (SdkException e) {
            throw errors.translate("ListObjectsV2", "s3://" + bucket + "/" + validPrefix, e);
        }
    }

    @Override
    public int discardUnfinished(String key) {
        ObjectKeys.requireValidKey(key);
        int removed = 0;
        String keyMarker = null;
        String uploadIdMarker = null;
        try {
            // No prefix filter: some S3-compatible stores reject it on this call, and a bucket
            // rarely holds more than a handful of unfinished uploads.
            while (true) {
                String km = keyMarker;
                String um = uploadIdMarker;
                var page = client.listMultipartUploads(b -> b.bucket(bucket).keyMarker(km).uploadIdMarker(um));
                for (var upload : page.uploads()) {
                    if (upload.key().equals(key)) {
                        abortUpload(key, upload.uploadId());
                        removed++;
                    }
                }
                if (!Boolean.TRUE.equals(page.isTruncated())) {
                    return removed;
                }
                keyMarker = page.nextKeyMarker();
                uploadIdMarker = page.nextUploadIdMarker();
            }
        } catch (SdkException e) {
            throw errors.translate("ListMultipartUploads", uri(key), e);
        }
    }

    private void abortUpload(String key, String uploadId) {
        // Some stores refuse an abort while a part of the same upload is still arriving; the part
        // finishes within moments, so a few short retries settle it.
        for (int attempt = 1; ; attempt++) {
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                return;
            } catch (software.amazon.awssdk.services.s3.model.NoSuchUploadException e) {
                // Gone already: an earlier attempt that reported an error did abort it.
                return;
            } catch (SdkException e) {
                if (attempt == 5) {
                    throw errors.translate("AbortMultipartUpload " + uploadId, uri(key), e);
                }
            }
            try {
                Thread.sleep(200L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while aborting upload " + uploadId + " of " + uri(key), e);
            }
        }
    }

    @Override
    public void delete(String key) {
        ObjectKeys.requireValidKey(key);
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw errors.translate("DeleteObject", uri(key), e);
        }
    }

    @Override
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public void close() {
        // Writes still open were abandoned by their owners; their parts are aborted by close() there.
        uploads.shutdownNow();
        client.close();
    }

    static String md5Base64(byte[] data) {
        return Base64.getEncoder().encodeToString(md5().digest(data));
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides MD5", e);
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
