package io.pgfreezer.fetch;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

import static org.apache.parquet.schema.LogicalTypeAnnotation.dateType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.decimalType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.intType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.jsonType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.listType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.stringType;
import static org.apache.parquet.schema.LogicalTypeAnnotation.timestampType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The external-table DDL documented for Trino (Hive connector) matches the archive: each column
 * of a real archived file has the Parquet physical and logical type that the Trino type declared
 * for its PostgreSQL type reads. DuckDB, reading the same file, infers the same types.
 */
class FetchTrinoDdlIT {

    /** What a Trino column type needs to find in the Parquet footer. */
    private record Needs(String trino, String duckdb, PrimitiveTypeName physical, int length,
                         LogicalTypeAnnotation logical) {
    }

    private static Needs needs(String trino, String duckdb, PrimitiveTypeName physical, LogicalTypeAnnotation logical) {
        return new Needs(trino, duckdb, physical, 0, logical);
    }

    /** PostgreSQL column (and type) to the DDL the documentation gives. */
    private static final Map<String, Needs> DDL = new LinkedHashMap<>();

    static {
        DDL.put("recorded_at", needs("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", PrimitiveTypeName.INT64,
                timestampType(true, TimeUnit.MICROS)));
        DDL.put("sensor_id", needs("INTEGER", "INTEGER", PrimitiveTypeName.INT32, null));
        DDL.put("sensor_name", needs("VARCHAR", "VARCHAR", PrimitiveTypeName.BINARY, stringType()));
        DDL.put("value", needs("DOUBLE", "DOUBLE", PrimitiveTypeName.DOUBLE, null));
        DDL.put("unit", needs("VARCHAR", "VARCHAR", PrimitiveTypeName.BINARY, stringType()));
        DDL.put("amount", needs("DECIMAL(9,2)", "DECIMAL(9,2)", PrimitiveTypeName.INT32, decimalType(2, 9)));
        DDL.put("total", needs("DECIMAL(18,4)", "DECIMAL(18,4)", PrimitiveTypeName.INT64, decimalType(4, 18)));
        DDL.put("big", new Needs("DECIMAL(38,10)", "DECIMAL(38,10)", PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, 16,
                decimalType(10, 38)));
        DDL.put("reading_date", needs("DATE", "DATE", PrimitiveTypeName.INT32, dateType()));
        DDL.put("counter", needs("BIGINT", "BIGINT", PrimitiveTypeName.INT64, null));
        DDL.put("ok", needs("BOOLEAN", "BOOLEAN", PrimitiveTypeName.BOOLEAN, null));
        DDL.put("raw", needs("VARBINARY", "BLOB", PrimitiveTypeName.BINARY, null));
        // Text, not FIXED_LEN_BYTE_ARRAY(16) / UUID: Spark refuses the UUID annotation.
        DDL.put("id", needs("VARCHAR", "VARCHAR", PrimitiveTypeName.BINARY, stringType()));
        DDL.put("doc", needs("VARCHAR", "JSON", PrimitiveTypeName.BINARY, jsonType()));
        DDL.put("docb", needs("VARCHAR", "JSON", PrimitiveTypeName.BINARY, jsonType()));
        DDL.put("small", needs("SMALLINT", "SMALLINT", PrimitiveTypeName.INT32, intType(16, true)));
        DDL.put("ratio", needs("REAL", "FLOAT", PrimitiveTypeName.FLOAT, null));
        DDL.put("local_ts", needs("TIMESTAMP", "TIMESTAMP", PrimitiveTypeName.INT64, timestampType(false, TimeUnit.MICROS)));
        DDL.put("at_time", needs("VARCHAR", "VARCHAR", PrimitiveTypeName.BINARY, stringType()));
        DDL.put("tags", needs("ARRAY(VARCHAR)", "VARCHAR[]", PrimitiveTypeName.BINARY, stringType()));
    }

    @Test
    void everyColumnHasTheParquetTypeItsDocumentedTrinoTypeReads() throws Exception {
        ArchiveFixture f = ArchiveFixture.local().clock(Readings.CLOCK)
                .table("sensor_readings", "recorded_at", Granularity.DAILY, Duration.ofDays(2));
        f.sql("""
                CREATE TABLE sensor_readings (recorded_at timestamptz NOT NULL, sensor_id int4, sensor_name text,
                  value float8, unit varchar(10), amount numeric(9, 2), total numeric(18, 4), big numeric(38, 10),
                  reading_date date, counter int8, ok bool, raw bytea, id uuid, doc json, docb jsonb, small int2, ratio float4,
                  local_ts timestamp, at_time time, tags text[])
                """, """
                INSERT INTO sensor_readings VALUES ('2024-01-15 10:00:00.123456+00', 7, 'boiler', 21.5, '°C', 1234567.89,
                  12345678901234.5678, 1234567890123456789012345678.0123456789, '2024-01-15', 9007199254740993, true,
                  '\\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": 2}', -3, 0.5,
                  '2024-01-15 10:00:00.5', '24:00:00', ARRAY['x', NULL])
                """);
        assertThat(f.runAll().succeeded()).isTrue();
        Path file = f.root.resolve("sensor_readings/year=2024/month=01/day=15/data.parquet");

        MessageType schema;
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
                ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
            schema = reader.getFileMetaData().getSchema();
        }

        assertThat(schema.getFields()).extracting(Type::getName).containsExactlyElementsOf(DDL.keySet());
        for (Map.Entry<String, Needs> column : DDL.entrySet()) {
            Needs needs = column.getValue();
            Type field = schema.getType(column.getKey());
            PrimitiveType leaf;
            if (needs.trino().startsWith("ARRAY(")) {
                assertThat(field.getLogicalTypeAnnotation()).isEqualTo(listType());
                GroupType repeated = field.asGroupType().getType(0).asGroupType();
                assertThat(repeated.isRepetition(Type.Repetition.REPEATED)).isTrue();
                leaf = repeated.getType(0).asPrimitiveType();
            } else {
                leaf = field.asPrimitiveType();
            }
            assertThat(leaf.getPrimitiveTypeName()).as(column.getKey()).isEqualTo(needs.physical());
            if (needs.length() > 0) {
                assertThat(leaf.getTypeLength()).as(column.getKey()).isEqualTo(needs.length());
            }
            LogicalTypeAnnotation logical = leaf.getLogicalTypeAnnotation();
            if (needs.logical() == null) {
                // Plain INT32/INT64 or their signed INT annotation of the same width: Trino reads both.
                assertThat(logical == null || logical.equals(intType(needs.physical() == PrimitiveTypeName.INT32 ? 32 : 64, true)))
                        .as(column.getKey() + " is " + logical).isTrue();
            } else {
                assertThat(logical).as(column.getKey()).isEqualTo(needs.logical());
            }
        }

        List<List<String>> described = DuckDb.rows("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('"
                + file.toAbsolutePath() + "', hive_partitioning = false))");
        assertThat(described).containsExactlyElementsOf(DDL.entrySet().stream()
                .map(e -> List.of(e.getKey(), e.getValue().duckdb())).toList());
    }
}
