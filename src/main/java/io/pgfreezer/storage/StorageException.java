package io.pgfreezer.storage;

import io.pgfreezer.FreezerException;

/** Object storage refused or failed an operation. The message names the object's URI. */
public class StorageException extends FreezerException {
    private static final long serialVersionUID = 1L;
    private final boolean transientFailure;

    public StorageException(String message) {
        this(message, null, false);
    }

    public StorageException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param transientFailure the store was unreachable, overloaded or failed on its side */
    public StorageException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    @Override
    public boolean isTransient() {
        return transientFailure;
    }
}
