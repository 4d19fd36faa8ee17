package io.pgfreezer.format;

import static io.pgfreezer.format.ArchiveFiles.comparable;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.pgfreezer.config.GlobalConfig.Compression;

class ParquetArchiveRoundTripTest {

    @BeforeAll
    static void quietParquetLogs() {
        QuietParquetLogs.install();
    }

    private static final List<TypeCases.Case> CASES = TypeCases.all();

    @TempDir
    Path dir;

    @Test
    void everyTypeReadsBackAsWrittenWithNullsAndEdgeValues() throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);

        List<Object[]> rows = ArchiveFiles.readAll(file);

        assertThat(rows).hasSize(TypeCases.ROWS);
        for (int row = 0; row < TypeCases.ROWS; row++) {
            Object[] expected = TypeCases.expectedRow(CASES, row);
            Object[] actual = rows.get(row);
            for (int column = 0; column < expected.length; column++) {
                assertThat(comparable(actual[column]))
                        .as("row %d column %s", row, columnName(column))
                        .isEqualTo(comparable(expected[column]));
            }
        }
    }

    @Test
    void duckDbReadsExactlyTheSameValues() throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);

        String select = CASES.stream()
                .map(c -> String.format(c.duckSql(), quote(c.name())) + ", "
                        + "list_transform(" + quote(c.name() + "_list") + ", lambda x: " + String.format(c.duckSql(), "x") + ")")
                .collect(Collectors.joining(", "));
        String sql = "SELECT " + select + " FROM read_parquet('" + file + "', file_row_number = true)"
                + " ORDER BY file_row_number";

        int rowsSeen = 0;
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duck.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                int row = rowsSeen++;
                for (int c = 0; c < CASES.size(); c++) {
                    TypeCases.Case tc = CASES.get(c);
                    Object scalar = tc.scalar(row);
                    assertThat(comparable(rs.getObject(2 * c + 1)))
                            .as("DuckDB row %d column %s", row, tc.name())
                            .isEqualTo(scalar == null ? null : comparable(tc.duck().apply(scalar)));

                    List<Object> list = tc.list(row);
                    Array array = rs.getArray(2 * c + 2);
                    Object actualList = array == null ? null : comparable(array.getArray());
                    Object expectedList = list == null ? null : comparable(
                            list.stream().map(e -> e == null ? null : tc.duck().apply(e))
                                    .collect(ArrayList::new, ArrayList::add, ArrayList::addAll));
                    assertThat(actualList).as("DuckDB row %d column %s_list", row, tc.name()).isEqualTo(expectedList);
                }
            }
        }
        assertThat(rowsSeen).isEqualTo(TypeCases.ROWS);
    }

    @Test
    void footerDeclaresExactlyTheSpecifiedPhysicalAndLogicalTypes() throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);

        StringBuilder expected = new StringBuilder("message pg_freezer {\n");
        for (TypeCases.Case c : CASES) {
            expected.append("  optional ").append(String.format(c.parquet(), c.name())).append(";\n");
        }
        for (TypeCases.Case c : CASES) {
            expected.append("  optional group ").append(c.name()).append("_list (LIST) {\n")
                    .append("    repeated group list {\n")
                    .append("      optional ").append(String.format(c.parquet(), "element")).append(";\n")
                    .append("    }\n  }\n");
        }
        expected.append("}\n");

        MessageType actual = ArchiveFiles.footer(file).getFileMetaData().getSchema();

        assertThat(actual.toString()).isEqualTo(MessageTypeParser.parseMessageType(expected.toString()).toString());
        assertThat(actual).isEqualTo(MessageTypeParser.parseMessageType(expected.toString()));
    }

    @Test
    void decimalsUseInt32ThenInt64ThenTheFewestFixedBytes() {
        assertThat(ArrowToParquet.decimalBytes(19)).isEqualTo(9);
        assertThat(ArrowToParquet.decimalBytes(20)).isEqualTo(9);
        assertThat(ArrowToParquet.decimalBytes(38)).isEqualTo(16);
        assertThat(ArrowToParquet.decimalBytes(39)).isEqualTo(17);
    }

    @Test
    void footerKeepsEachColumnsPostgresTypeAndTheCallersMetadata() throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);

        Map<String, String> keyValues = ArchiveFiles.footer(file).getFileMetaData().getKeyValueMetaData();
        @SuppressWarnings("unchecked")
        Map<String, Object> pgTypes = new ObjectMapper().readValue(keyValues.get(ArchiveMetadata.PG_TYPES), Map.class);

        assertThat(keyValues).containsEntry("pg_freezer.batch_id", "e4ad1b2a27064d51");
        assertThat(pgTypes).containsEntry("j", "jsonb").containsEntry("u", "uuid")
                .containsEntry("tstz", "timestamp with time zone").containsEntry("i32_list", "integer[]");
        assertThat(pgTypes).hasSize(2 * CASES.size());
    }

    @Test
    void readerDescribesEachColumnForFetch() throws Exception {
        Path file = dir.resolve("data.parquet");
        ArchiveFiles.writeFixture(file, Compression.SNAPPY);

        List<ArchiveColumn> columns = ParquetArchiveReader.footerSchema(file);

        assertThat(columns).hasSize(2 * CASES.size());
        assertThat(column(columns, "j").type().kind()).isEqualTo(ValueKind.JSON);
        assertThat(column(columns, "j").type().pgType()).contains("jsonb");
        assertThat(column(columns, "tstz").type()).isEqualTo(new ColumnType(ValueKind.TIMESTAMP_UTC, false,
                "INT64", "TIMESTAMP(MICROS,true)", java.util.Optional.of("timestamp with time zone")));
        assertThat(column(columns, "ts").type().kind()).isEqualTo(ValueKind.TIMESTAMP_LOCAL);
        assertThat(column(columns, "d38").type().physicalType()).isEqualTo("FIXED_LEN_BYTE_ARRAY(16)");
        assertThat(column(columns, "u_list").type()).satisfies(t -> {
            assertThat(t.list()).isTrue();
            assertThat(t.kind()).isEqualTo(ValueKind.UUID);
        });
        for (int i = 0; i < CASES.size(); i++) {
            Object sample = CASES.get(i).nonNull().get(0);
            assertThat(sample).as(columns.get(i).name()).isInstanceOf(columns.get(i).type().kind().javaType());
        }
    }

    @Test
    void checksumCoversExactlyTheBytesWritten() throws Exception {
        Path file = dir.resolve("data.parquet");

        WrittenFile written = ArchiveFiles.writeFixture(file, Compression.ZSTD);

        assertThat(written.sha256Hex()).isEqualTo(ArchiveFiles.sha256(file));
        assertThat(written.bytes()).isEqualTo(Files.size(file));
        assertThat(written.rows()).isEqualTo(TypeCases.ROWS);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void everyCodecWritesAndReadsBack(Compression codec) throws Exception {
        Path file = dir.resolve(codec + ".parquet");

        WrittenFile written = ArchiveFiles.writeFixture(file, codec);

        ParquetMetadata footer = ArchiveFiles.footer(file);
        for (BlockMetaData block : footer.getBlocks()) {
            for (ColumnChunkMetaData chunk : block.getColumns()) {
                assertThat(chunk.getCodec()).isEqualTo(CompressionCodecName.valueOf(codec.name()));
            }
        }
        assertThat(ParquetArchiveReader.verify(file)).isEqualTo(new VerifiedFile(TypeCases.ROWS, TypeCases.ROWS, 1));
        List<Object[]> rows = ArchiveFiles.readAll(file);
        assertThat(rows).hasSize(TypeCases.ROWS);
        assertThat(comparable(rows.get(3))).isEqualTo(comparable(TypeCases.expectedRow(CASES, 3)));
        assertThat(written.sha256Hex()).isEqualTo(ArchiveFiles.sha256(file));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duck.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*), sum(i32), max(s) FROM read_parquet('" + file + "')")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(TypeCases.ROWS);
        }
    }

    private static ArchiveColumn column(List<ArchiveColumn> columns, String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static String columnName(int column) {
        int n = CASES.size();
        return column < n ? CASES.get(column).name() : CASES.get(column - n).name() + "_list";
    }

    private static String quote(String identifier) {
        return '"' + identifier + '"';
    }
}
