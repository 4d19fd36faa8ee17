package io.pgfreezer.manifest;

import io.pgfreezer.storage.ObjectStorage;
import io.pgfreezer.storage.ObjectStorages;
import io.pgfreezer.testing.S3ProxyServer;

/** The manifest index on a real S3 API server, where versions are the listing's and GET's ETags. */
class S3ManifestIndexIT extends ManifestIndexContract {
    private final S3ProxyServer server = S3ProxyServer.shared();

    @Override
    protected ObjectStorage openStorage() {
        return ObjectStorages.open(server.storageConfig(server.newBucket()));
    }
}
