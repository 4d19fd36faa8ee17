package io.pgfreezer.storage;

import io.pgfreezer.FreezerException;

/** Object storage refused or failed an operation. The message names the object's URI. */
public class StorageException extends FreezerException {
    private static final long serialVersionUID = 1L;

    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
