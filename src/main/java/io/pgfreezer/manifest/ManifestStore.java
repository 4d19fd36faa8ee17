package io.pgfreezer.manifest;

import java.util.List;
import java.util.Optional;

/** Where batch manifests live: {@code _manifests/{table}/{batch_id}.json} in object storage. */
public interface ManifestStore {

    Optional<BatchManifest> load(String table, String batchId);

    /** Writes the manifest atomically, replacing any previous version. */
    void save(BatchManifest manifest);

    /** Every manifest of one table, downloaded concurrently; unreadable ones fail loudly. */
    List<BatchManifest> list(String table);

    /** Table names that have at least one manifest, sorted. */
    List<String> tables();
}
