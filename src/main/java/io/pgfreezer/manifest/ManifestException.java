package io.pgfreezer.manifest;

import io.pgfreezer.FreezerException;

/** A manifest is unreadable, or a state change it was asked for is not allowed. */
public class ManifestException extends FreezerException {
    private static final long serialVersionUID = 1L;

    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
