package io.pgfreezer.manifest;

/**
 * A manifest in storage is not the version this process last read or wrote: another writer
 * changed it, or a stale write landed. Saving over it could move the batch's state backwards,
 * so the batch stops until a fresh run reads the manifest again.
 */
public class ManifestConflictException extends ManifestException {
    private static final long serialVersionUID = 1L;

    public ManifestConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
