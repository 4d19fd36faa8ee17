package io.pgfreezer.cli;

import io.pgfreezer.testing.ArchiveFixture;

/** {@code verify} on an archive in a local directory. */
class VerifyIT extends VerifyContract {
    @Override
    ArchiveFixture newFixture() {
        return ArchiveFixture.local();
    }
}
