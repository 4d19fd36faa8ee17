package io.pgfreezer.storage;

/**
 * A conditional write found the key in another state than it required: the object exists where
 * it must not, or it changed since it was read. Nothing was published.
 */
public class PreconditionFailedException extends StorageException {
    private static final long serialVersionUID = 1L;

    public PreconditionFailedException(String message) {
        super(message);
    }

    public PreconditionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
