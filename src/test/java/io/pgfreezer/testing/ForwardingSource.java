package io.pgfreezer.testing;

import io.pgfreezer.config.TableConfig;
import io.pgfreezer.source.Source;
import io.pgfreezer.source.SourceTable;

import java.util.Optional;

/**
 * Passes everything to the real database; {@link #wrap} lets a test put a
 * {@link ForwardingSourceTable} with one faulty step around the session of one table.
 */
public class ForwardingSource implements Source {
    protected final Source delegate;

    public ForwardingSource(Source delegate) {
        this.delegate = delegate;
    }

    /** The session the engine gets for {@code table}; the default is the real one. */
    protected SourceTable wrap(TableConfig table, SourceTable real) {
        return real;
    }

    @Override
    public Optional<SourceTable> open(TableConfig table) {
        return delegate.open(table).map(real -> wrap(table, real));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
