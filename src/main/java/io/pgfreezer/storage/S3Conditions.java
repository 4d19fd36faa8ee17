package io.pgfreezer.storage;

import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * How a {@link Precondition} reaches S3: as {@code If-None-Match: *} or {@code If-Match: ETag} on
 * the request that publishes the object (PutObject or CompleteMultipartUpload), which AWS S3 and
 * current S3-compatible stores enforce atomically. A HEAD before the write also checks it, so a
 * store that ignores the headers still refuses the common case (an object that already exists),
 * though not a write racing ours.
 */
final class S3Conditions {
    private S3Conditions() {
    }

    static PutObjectRequest.Builder apply(PutObjectRequest.Builder request, Precondition condition) {
        return switch (condition.kind()) {
            case NONE -> request;
            case ABSENT -> request.ifNoneMatch("*");
            case MATCHES -> request.ifMatch(condition.version());
        };
    }

    static CompleteMultipartUploadRequest.Builder apply(CompleteMultipartUploadRequest.Builder request,
                                                        Precondition condition) {
        return switch (condition.kind()) {
            case NONE -> request;
            case ABSENT -> request.ifNoneMatch("*");
            case MATCHES -> request.ifMatch(condition.version());
        };
    }

    static void checkBeforeWrite(ObjectStorage storage, String key, Precondition condition) {
        if (condition.kind() == Precondition.Kind.NONE) {
            return;
        }
        Optional<ObjectInfo> current = storage.stat(key);
        require(storage.uri(key), condition, current.isEmpty() ? null : Objects.requireNonNullElse(current.get().version(), ""));
    }

    /**
     * Refuses the write unless an object at {@code currentVersion} (null: absent; empty: present
     * without an ETag) satisfies {@code condition}.
     */
    static void require(String uri, Precondition condition, String currentVersion) {
        if (!condition.admits(currentVersion)) {
            throw new PreconditionFailedException("refusing to write " + uri + " " + condition + ": "
                    + (currentVersion == null ? "it does not exist" : "it already exists (ETag " + currentVersion + ")"));
        }
    }
}
