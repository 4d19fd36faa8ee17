package io.pgfreezer.fetch;

import io.pgfreezer.FreezerException;

/** A fetch cannot produce a faithful result: the archive's files disagree, or the output failed. */
public class FetchException extends FreezerException {
    private static final long serialVersionUID = 1L;

    public FetchException(String message) {
        super(message);
    }

    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
