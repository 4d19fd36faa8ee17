package io.pgfreezer.format;

import static io.pgfreezer.format.ArchiveFiles.comparable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files from other writers read back too: fetch must serve archives the original tool wrote with
 * pyarrow, which uses other time units than ours. DuckDB stands in for such a writer here.
 */
class ParquetArchiveReaderInteropTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    @Test
    void readsAFileAnotherWriterProducedIncludingNanosecondTimestamps() throws Exception {
        Path file = dir.resolve("other.parquet");
        duckDb("COPY (SELECT 42::INTEGER AS i, 'x'::VARCHAR AS s, 7::BIGINT AS n,"
                + " to_timestamp(1705312800.123456) AS tz,"
                + " TIMESTAMP_NS '2024-01-15 10:00:00.123456789' AS ns,"
                + " TIMESTAMP_MS '2024-01-15 10:00:00.123' AS ms,"
                + " 12.34::DECIMAL(10,2) AS d, [1, NULL, 3]::INTEGER[] AS l, DATE '2024-01-15' AS dt,"
                + " '{\"a\": 1}'::JSON AS j, '123e4567-e89b-12d3-a456-426614174000'::UUID AS u,"
                + " 1.5::DOUBLE AS f, NULL::VARCHAR AS missing)"
                + " TO '" + file + "' (FORMAT PARQUET)");

        List<Object[]> rows = ArchiveFiles.readAll(file);

        assertThat(rows).hasSize(1);
        assertThat(comparable(Arrays.asList(rows.get(0)))).isEqualTo(comparable(Arrays.asList(
                42, "x", 7L,
                Instant.parse("2024-01-15T10:00:00.123456Z"),
                LocalDateTime.parse("2024-01-15T10:00:00.123456789"),
                LocalDateTime.parse("2024-01-15T10:00:00.123"),
                new BigDecimal("12.34"), Arrays.asList(1, null, 3), LocalDate.of(2024, 1, 15),
                new JsonText("{\"a\": 1}"), UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
                1.5d, null)));
        assertThat(ParquetArchiveReader.footerSchema(file)).allSatisfy(c -> assertThat(c.type().pgType()).isEmpty());
    }

    @Test
    void aColumnOfAShapeWeDoNotReadIsRefusedNamingIt() throws Exception {
        Path file = dir.resolve("struct.parquet");
        duckDb("COPY (SELECT 1 AS id, {'x': 1, 'y': 'a'} AS point) TO '" + file + "' (FORMAT PARQUET)");

        assertThatThrownBy(() -> ParquetArchiveReader.footerSchema(file))
                .isInstanceOf(FormatException.class)
                .hasMessage("column \"point\" is a nested group, which pg-freezer cannot read");
    }

    private static void duckDb(String sql) throws Exception {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duck.createStatement()) {
            statement.execute(sql);
        }
    }
}
