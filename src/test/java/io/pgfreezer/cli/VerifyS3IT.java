package io.pgfreezer.cli;

import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.S3ProxyServer;

/** {@code verify} on an archive in a bucket of the S3 API server. */
class VerifyS3IT extends VerifyContract {
    @Override
    ArchiveFixture newFixture() {
        return ArchiveFixture.s3(S3ProxyServer.shared().newBucket());
    }
}
