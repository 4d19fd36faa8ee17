package io.pgfreezer.testing;

import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.ManifestStore;

import java.util.List;
import java.util.Optional;

/** Passes everything to a real store; tests override the save hooks to inject a fault around a save. */
public class ForwardingManifestStore implements ManifestStore {
    private final ManifestStore delegate;

    public ForwardingManifestStore(ManifestStore delegate) {
        this.delegate = delegate;
    }

    /** Called before the manifest is saved; throwing here means it never was. */
    protected void beforeSave(BatchManifest manifest) {
    }

    /** Called after the manifest is saved. */
    protected void afterSave(BatchManifest manifest) {
    }

    @Override
    public Optional<BatchManifest> load(String table, String batchId) {
        return delegate.load(table, batchId);
    }

    @Override
    public void save(BatchManifest manifest) {
        beforeSave(manifest);
        delegate.save(manifest);
        afterSave(manifest);
    }

    @Override
    public List<BatchManifest> list(String table) {
        return delegate.list(table);
    }

    @Override
    public List<String> tables() {
        return delegate.tables();
    }
}
