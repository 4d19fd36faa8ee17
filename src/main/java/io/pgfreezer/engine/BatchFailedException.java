package io.pgfreezer.engine;

import io.pgfreezer.FreezerException;

/**
 * One batch cannot go on: verification or the delete guard found a difference. The batch is
 * marked FAILED with this message and the run continues with other tables.
 */
public class BatchFailedException extends FreezerException {
    private static final long serialVersionUID = 1L;

    public BatchFailedException(String message) {
        super(message);
    }

    public BatchFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
