package io.pgfreezer.format;

import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/**
 * Feeds Parquet one row of the current Arrow batch at a time; the record Parquet hands back is the
 * row's index in that batch. Only the {@link ParquetConfiguration} variant of {@code init} works.
 */
final class ArrowWriteSupport extends WriteSupport<Integer> {

    private final MessageType schema;
    private final Map<String, String> keyValueMetadata;
    private RecordConsumer consumer;
    private ColumnWriter[] columns;
    private Map<String, String> closing = Map.of();

    ArrowWriteSupport(MessageType schema, Map<String, String> keyValueMetadata) {
        this.schema = schema;
        this.keyValueMetadata = Map.copyOf(keyValueMetadata);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(schema, keyValueMetadata);
    }

    /**
     * The Hadoop variant the abstract class still demands. It fails so that any code path that
     * falls back to Hadoop's {@code Configuration} is caught by the tests rather than shipped.
     */
    @Override
    @SuppressWarnings("deprecation")
    public WriteContext init(Configuration configuration) {
        throw new UnsupportedOperationException("pg-freezer writes Parquet without Hadoop's Configuration");
    }

    @Override
    public String getName() {
        return "pg-freezer";
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    void closingMetadata(Map<String, String> metadata) {
        this.closing = Map.copyOf(metadata);
    }

    @Override
    public FinalizedWriteContext finalizeWrite() {
        return new FinalizedWriteContext(closing);
    }

    /** The batch the next rows come from. */
    void bind(ColumnWriter[] batchColumns) {
        this.columns = batchColumns;
    }

    @Override
    public void write(Integer row) {
        int index = row;
        consumer.startMessage();
        for (ColumnWriter column : columns) {
            column.write(consumer, index);
        }
        consumer.endMessage();
    }
}
