package io.pgfreezer.storage;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * A streaming write to S3. Bytes are staged in a local file of one part size; an object that ends
 * within its first part goes up as a single PUT at commit. Otherwise each full part is uploaded in
 * the background as a multipart-upload part while writing goes on, and commit completes the upload.
 * At most {@link S3WriteSettings#maxPartsInFlight()} parts upload at once: when the network is
 * slower than the writer, the writer waits, so local disk stays bounded.
 * Every part carries its Content-MD5, so the server refuses bytes corrupted on the way.
 * Not thread-safe: one writer thread, as for any OutputStream.
 */
final class S3ObjectOutput extends ObjectOutput {

    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectOutput.class);
    private static final String OCTET_STREAM = "application/octet-stream";
    private static final int BUFFER_SIZE = 64 * 1024;

    private enum State { OPEN, COMMITTED, ABORTED }

    private final S3Client client;
    private final String bucket;
    private final String key;
    private final String uri;
    private final S3WriteSettings settings;
    private final ExecutorService uploads;
    private final S3Errors errors;
    private final Precondition condition;
    private final Semaphore partsInFlight;
    private final List<CompletableFuture<CompletedPart>> uploadedParts = new ArrayList<>();
    /** Staging files not yet deleted, also those an upload thread still reads. */
    private final Set<Path> stagedFiles = ConcurrentHashMap.newKeySet();

    private StagedPart current;
    private int nextPartNumber = 1;
    private String uploadId;
    private long position;
    private State state = State.OPEN;

    S3ObjectOutput(S3Client client, String bucket, String key, String uri, S3WriteSettings settings,
            ExecutorService uploads, S3Errors errors, Precondition condition) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.uri = uri;
        this.settings = settings;
        this.uploads = uploads;
        this.errors = errors;
        this.condition = condition;
        this.partsInFlight = new Semaphore(settings.maxPartsInFlight());
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        requireOpen();
        while (length > 0) {
            StagedPart part = partWithRoom();
            int n = (int) Math.min(length, settings.partSize() - part.size);
            part.write(bytes, offset, n);
            position += n;
            offset += n;
            length -= n;
        }
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public ObjectInfo commit() {
        requireOpen();
        try {
            checkCondition();
            if (uploadId == null) {
                putWhole();
            } else {
                completeMultipart();
            }
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
        state = State.COMMITTED;
        return verifyStored();
    }

    @Override
    public void abort() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        if (current != null) {
            current.discard();
            current = null;
        }
        // Let running part uploads settle first: a part that lands after the abort would
        // leave an upload behind that S3 keeps (and bills) until a lifecycle rule removes it.
        for (CompletableFuture<CompletedPart> part : uploadedParts) {
            try {
                part.join();
            } catch (RuntimeException e) {
                // Already reported to the writer, or irrelevant now that everything is discarded.
            }
        }
        if (uploadId != null) {
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (SdkException e) {
                LOG.warn("{}; the incomplete multipart upload {} stays in the bucket until removed "
                        + "(an AbortIncompleteMultipartUpload lifecycle rule does that)",
                        errors.translate("AbortMultipartUpload", uri, e).getMessage(), uploadId);
            }
        }
        stagedFiles.forEach(S3ObjectOutput::deleteQuietly);
    }

    @Override
    public void close() {
        abort();
    }

    private StagedPart partWithRoom() {
        if (current != null && current.size == settings.partSize()) {
            // Shipped only once more bytes arrive, so an object of exactly one part is a single PUT.
            uploadInBackground(current);
            current = null;
        }
        if (current == null) {
            current = new StagedPart(nextPartNumber++);
        }
        return current;
    }

    private void uploadInBackground(StagedPart part) {
        part.finish();
        if (part.number > S3WriteSettings.MAX_PARTS) {
            throw errors.failure("UploadPart", uri, "the object outgrew S3's limit of "
                    + S3WriteSettings.MAX_PARTS + " parts of " + settings.partSize() + " bytes", null);
        }
        rethrowBackgroundFailure();
        if (uploadId == null) {
            try {
                uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key)
                        .contentType(OCTET_STREAM)).uploadId();
            } catch (SdkException e) {
                throw errors.translate("CreateMultipartUpload", uri, e);
            }
        }
        try {
            partsInFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw errors.failure("UploadPart", uri, "interrupted while waiting for earlier parts", e);
        }
        try {
            uploadedParts.add(CompletableFuture.supplyAsync(() -> uploadPart(part), uploads));
        } catch (RejectedExecutionException e) {
            partsInFlight.release();
            throw errors.failure("UploadPart", uri, "the storage was closed while writing", e);
        }
    }

    private CompletedPart uploadPart(StagedPart part) {
        String id = uploadId;
        try {
            String eTag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id)
                            .partNumber(part.number).contentLength(part.size).contentMD5(part.md5Base64()),
                    RequestBody.fromFile(part.file)).eTag();
            return CompletedPart.builder().partNumber(part.number).eTag(eTag).build();
        } catch (SdkException e) {
            throw errors.translate("UploadPart #" + part.number + " of", uri, e);
        } finally {
            part.discard();
            partsInFlight.release();
        }
    }

    private void putWhole() {
        StagedPart part = current;
        current = null;
        try {
            RequestBody body;
            String md5;
            if (part == null) {
                body = RequestBody.empty();
                md5 = S3ObjectStorage.md5Base64(new byte[0]);
            } else {
                part.finish();
                body = RequestBody.fromFile(part.file);
                md5 = part.md5Base64();
            }
            client.putObject(b -> S3Conditions.apply(b.bucket(bucket).key(key).contentType(OCTET_STREAM)
                    .contentLength(position).contentMD5(md5), condition), body);
        } catch (SdkException e) {
            throw errors.translate("PutObject", uri, e);
        } finally {
            if (part != null) {
                part.discard();
            }
        }
    }

    private void completeMultipart() {
        if (current != null) {
            uploadInBackground(current);
            current = null;
        }
        List<CompletedPart> parts = new ArrayList<>(uploadedParts.size());
        for (CompletableFuture<CompletedPart> part : uploadedParts) {
            parts.add(awaitPart(part));
        }
        parts.sort(Comparator.comparing(CompletedPart::partNumber));
        try {
            client.completeMultipartUpload(b -> S3Conditions.apply(b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)), condition));
        } catch (SdkException e) {
            throw errors.translate("CompleteMultipartUpload", uri, e);
        }
    }

    /**
     * The request that publishes carries the condition too; this HEAD only turns the usual case
     * (the key is taken) into a clear refusal also on stores that ignore conditional headers.
     */
    private void checkCondition() {
        if (condition.kind() == Precondition.Kind.NONE) {
            return;
        }
        HeadObjectResponse head;
        try {
            head = client.headObject(b -> b.bucket(bucket).key(key));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            head = null;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 404) {
                throw errors.translate("HeadObject", uri, e);
            }
            head = null;
        } catch (SdkException e) {
            throw errors.translate("HeadObject", uri, e);
        }
        S3Conditions.require(uri, condition, head == null ? null : Objects.requireNonNullElse(head.eTag(), ""));
    }

    /** What the server now holds must be what was written, or the caller must not trust it. */
    private ObjectInfo verifyStored() {
        HeadObjectResponse head;
        try {
            head = client.headObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw errors.translate("HeadObject", uri, e);
        }
        if (head.contentLength() == null || head.contentLength() != position) {
            throw errors.failure("PutObject", uri, "the store reports " + head.contentLength()
                    + " bytes after writing " + position, null);
        }
        return new ObjectInfo(key, position, head.lastModified(), head.eTag());
    }

    private void rethrowBackgroundFailure() {
        for (CompletableFuture<CompletedPart> part : uploadedParts) {
            if (part.isCompletedExceptionally()) {
                awaitPart(part);
            }
        }
    }

    private CompletedPart awaitPart(CompletableFuture<CompletedPart> part) {
        try {
            return part.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StorageException storage) {
                throw storage;
            }
            throw errors.failure("UploadPart", uri, String.valueOf(e.getCause()), e.getCause());
        }
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new StorageException("write to " + uri + " already "
                    + (state == State.COMMITTED ? "committed" : "aborted"));
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot remove staging file {}: {}", file, LocalObjectStorage.describe(e));
        }
    }

    /** One part's bytes on local disk, with the MD5 the server checks them against. */
    private final class StagedPart {
        final int number;
        final Path file;
        private final OutputStream out;
        private final MessageDigest md5 = S3ObjectStorage.md5();
        long size;
        private boolean finished;

        StagedPart(int number) {
            this.number = number;
            try {
                this.file = Files.createTempFile(settings.stagingDir(), "pg-freezer-upload-", ".part");
                stagedFiles.add(file);
                this.out = new BufferedOutputStream(Files.newOutputStream(file), BUFFER_SIZE);
            } catch (IOException e) {
                throw errors.failure("staging", uri, "cannot create a staging file in "
                        + settings.stagingDir() + ": " + LocalObjectStorage.describe(e), e);
            }
        }

        void write(byte[] bytes, int offset, int length) {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                throw errors.failure("staging", uri, "cannot write " + file + ": "
                        + LocalObjectStorage.describe(e), e);
            }
            md5.update(bytes, offset, length);
            size += length;
        }

        void finish() {
            if (finished) {
                return;
            }
            finished = true;
            try {
                out.close();
            } catch (IOException e) {
                throw errors.failure("staging", uri, "cannot write " + file + ": "
                        + LocalObjectStorage.describe(e), e);
            }
        }

        String md5Base64() {
            return Base64.getEncoder().encodeToString(md5.digest());
        }

        void discard() {
            try {
                out.close();
            } catch (IOException e) {
                // The file is deleted next; nothing of it is used any more.
            }
            deleteQuietly(file);
            stagedFiles.remove(file);
        }
    }
}
