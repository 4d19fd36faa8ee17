package io.pgfreezer.engine;

import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.ManifestStore;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Saves one batch's manifests on a thread of its own, one at a time and in order, so the
 * conditional write to storage overlaps with the database work that follows it. A save is
 * started only once the one before it is known to have landed.
 */
final class ManifestWriter implements AutoCloseable {
    private final ManifestStore manifests;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pg-freezer-manifest-save");
        t.setDaemon(true);
        return t;
    });
    private Future<?> inFlight;

    ManifestWriter(ManifestStore manifests) {
        this.manifests = manifests;
    }

    /** Starts saving {@code m} after the previous save, which must have landed, has. */
    void saveInBackground(BatchManifest m) {
        awaitSaved();
        inFlight = thread.submit(() -> manifests.save(m));
    }

    /** Returns once every manifest handed over is stored; rethrows what stopped a save. */
    void awaitSaved() {
        Future<?> f = inFlight;
        if (f == null) {
            return;
        }
        try {
            // The save cannot be taken back once sent; learn how it ended before going on.
            Uninterruptibly.await(f, "manifest save");
        } finally {
            inFlight = null;
        }
    }

    /**
     * Waits for a save still in flight, so no caller writes the manifest while it lands; what
     * stopped it is thrown, and is suppressed onto the exception a caller is unwinding with.
     */
    @Override
    public void close() {
        try {
            awaitSaved();
        } finally {
            thread.shutdown();
        }
    }
}
