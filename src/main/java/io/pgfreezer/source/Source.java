package io.pgfreezer.source;

import io.pgfreezer.config.TableConfig;

import java.util.Optional;

/** The database that holds the tables to archive. */
public interface Source extends AutoCloseable {

    /**
     * Opens a session on one table and takes its exclusive archiving lock, so two pg-freezer
     * processes never work on the same table at once. Empty when another process holds it.
     */
    Optional<SourceTable> open(TableConfig table);

    @Override
    void close();
}
