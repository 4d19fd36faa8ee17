package io.pgfreezer.restore;

import io.pgfreezer.FreezerException;

/** A window restore refused or stopped because of what the archive or the target holds. */
public class RestoreException extends FreezerException {
    private static final long serialVersionUID = 1L;

    public RestoreException(String message) {
        super(oneLine(message));
    }
}
