package io.pgfreezer.manifest;

import java.util.List;
import java.util.Optional;

/** Where batch manifests live: {@code _manifests/{table}/{batch_id}.json} in object storage. */
public interface ManifestStore {

    Optional<BatchManifest> load(String table, String batchId);

    /**
     * Writes the manifest atomically: a new one only where none exists, an existing one only if
     * it is still the version this store last read or wrote.
     *
     * @throws ManifestConflictException when storage holds another version
     */
    void save(BatchManifest manifest);

    /** Every manifest of one table, downloaded concurrently; unreadable ones fail loudly. */
    List<BatchManifest> list(String table);

    /** Table names that have at least one manifest, sorted. */
    List<String> tables();
}
