package io.pgfreezer.engine;

import io.pgfreezer.manifest.BatchManifest;

/**
 * A guard stopped the removal of a verified window's rows: the manifest to fail is the one that
 * records what was already removed, not the copy the batch started with.
 */
final class GuardTripped extends BatchFailedException {
    private static final long serialVersionUID = 1L;
    private final transient BatchManifest manifest;

    GuardTripped(BatchManifest manifest, String message) {
        super(message);
        this.manifest = manifest;
    }

    BatchManifest manifest() {
        return manifest;
    }
}
