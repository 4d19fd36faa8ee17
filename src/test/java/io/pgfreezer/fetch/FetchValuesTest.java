package io.pgfreezer.fetch;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.format.JsonText;
import io.pgfreezer.storage.ObjectInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How each kind of value prints, and how partitions are chosen, without any storage. */
class FetchValuesTest {

    private static String csv(List<String> columns, Object[]... rows) throws IOException {
        return write(RowWriter.Format.CSV, columns, rows);
    }

    private static String write(RowWriter.Format format, List<String> columns, Object[]... rows) throws IOException {
        StringWriter out = new StringWriter();
        RowWriter writer = format.on(out);
        writer.begin(columns);
        for (Object[] row : rows) {
            writer.row(row);
        }
        writer.end();
        return out.toString();
    }

    @Test
    void timesCarryMicrosecondsAsSixDigitsNanosecondsAsNineAndNothingWhenWhole() {
        assertThat(ValueText.of(Instant.parse("2024-01-15T10:00:00Z"))).isEqualTo("2024-01-15T10:00:00+00:00");
        assertThat(ValueText.of(Instant.parse("2024-01-15T10:00:00.5Z"))).isEqualTo("2024-01-15T10:00:00.500000+00:00");
        assertThat(ValueText.of(Instant.parse("2024-01-15T10:00:00.123456789Z")))
                .isEqualTo("2024-01-15T10:00:00.123456789+00:00");
        assertThat(ValueText.of(LocalDateTime.parse("1999-12-31T23:59:59.999999"))).isEqualTo("1999-12-31T23:59:59.999999");
        assertThat(ValueText.of(LocalTime.parse("09:05"))).isEqualTo("09:05:00");
        assertThat(ValueText.of(LocalDate.parse("0044-03-15"))).isEqualTo("0044-03-15");
        assertThat(ValueText.of(LocalDate.of(10_000, 1, 1))).isEqualTo("+10000-01-01");
    }

    @Test
    void decimalsBytesAndUuidsPrintExactly() {
        assertThat(ValueText.of(new BigDecimal("1E+30"))).isEqualTo("1000000000000000000000000000000");
        assertThat(ValueText.of(new BigDecimal("0.00000001000"))).isEqualTo("0.00000001000");
        assertThat(ValueText.of(new byte[] {0, -1, 16})).isEqualTo("AP8Q");
        assertThat(ValueText.of(UUID.fromString("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11")))
                .isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    }

    @Test
    void jsonNumbersComeFromExactTextAndNonFiniteFloatsAreStrings() throws IOException {
        String out = write(RowWriter.Format.JSONL, List.of("d", "nan", "inf", "f", "big"),
                new Object[] {new BigDecimal("12345678901234567890.123456789"), Double.NaN, Float.NEGATIVE_INFINITY,
                        0.1f, Long.MIN_VALUE});

        assertThat(out).isEqualTo("{\"d\":12345678901234567890.123456789,\"nan\":\"NaN\",\"inf\":\"-Infinity\","
                + "\"f\":0.1,\"big\":-9223372036854775808}\n");
    }

    @Test
    void jsonDocumentsAreEmbeddedOnOneLineAndListsAreArrays() throws IOException {
        String out = write(RowWriter.Format.JSON, List.of("doc", "tags"),
                new Object[] {new JsonText("{\n  \"a\" : [1.10, true],\n  \"a\": \"dup\"\n}"), Arrays.asList("x", null)},
                new Object[] {null, List.of()});

        assertThat(out).isEqualTo("[\n{\"doc\":{\"a\":[1.10,true],\"a\":\"dup\"},\"tags\":[\"x\",null]},\n"
                + "{\"doc\":null,\"tags\":[]}\n]\n");
    }

    @Test
    void aJsonColumnValueThatIsNotJsonIsRefusedNamingTheColumn() {
        assertThatThrownBy(() -> write(RowWriter.Format.JSONL, List.of("payload"), new Object[] {new JsonText("{\"a\": 1} x")}))
                .isInstanceOf(FetchException.class)
                .hasMessageStartingWith("column \"payload\" is a JSON column but holds a value that is not valid JSON");
        assertThatThrownBy(() -> write(RowWriter.Format.JSONL, List.of("payload"), new Object[] {new JsonText("{\"a\": ")}))
                .isInstanceOf(FetchException.class);
    }

    @Test
    void csvQuotesHeaderAndFieldsOnlyWhenNeededAndTellsEmptyFromNull() throws IOException {
        assertThat(csv(List.of("plain", "with,comma", "say \"q\""),
                new Object[] {"", null, "x\ry"},
                new Object[] {List.of(1, 2), new JsonText("{\"k\": \"v\"}"), true}))
                .isEqualTo("plain,\"with,comma\",\"say \"\"q\"\"\"\n"
                        + "\"\",,\"x\ry\"\n"
                        + "\"[1,2]\",\"{\"\"k\"\": \"\"v\"\"}\",true\n");
    }

    @Test
    void emptyResultsAreAHeaderAnEmptyArrayOrNothing() throws IOException {
        assertThat(csv(List.of("a", "b"))).isEqualTo("a,b\n");
        assertThat(csv(List.of())).isEmpty();
        assertThat(write(RowWriter.Format.JSON, List.of())).isEqualTo("[]\n");
        assertThat(write(RowWriter.Format.JSONL, List.of("a"))).isEmpty();
    }

    @Test
    void hivePathsParseToTheirIntervalsAndAnythingElseIsNotAPartition() {
        assertThat(HivePartition.parse("year=2024/month=02/day=29/hour=23")).hasValueSatisfying(p -> {
            assertThat(p.start()).isEqualTo(Instant.parse("2024-02-29T23:00:00Z"));
            assertThat(p.end()).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
            assertThat(p.granularity()).isEqualTo(Granularity.HOURLY);
        });
        assertThat(HivePartition.parse("year=2024/month=12")).hasValueSatisfying(p ->
                assertThat(p.end()).isEqualTo(Instant.parse("2025-01-01T00:00:00Z")));
        assertThat(HivePartition.parse("year=2023/month=02/day=29")).isEmpty();
        assertThat(HivePartition.parse("year=2024")).isEmpty();
        assertThat(HivePartition.parse("year=2024/day=01/month=01")).isEmpty();
        assertThat(HivePartition.parse("year=2024/month=x1")).isEmpty();
        assertThat(HivePartition.parse("region=eu/year=2024/month=01")).isEmpty();
    }

    @Test
    void thePlanSelectsIntersectingPartitionsInTimeOrderAndListsUncoveredWindows() {
        List<ObjectInfo> listing = List.of(
                object("events/year=2024/month=01/day=16/data.parquet"),
                object("events/year=2024/month=01/day=14/data.parquet"),
                object("events/year=2024/month=01/day=13/data.parquet"),
                object("events/year=2024/month=01/day=14/late-1.parquet"),
                object("events/year=2024/month=01/day=14/notes.txt"),
                object("events_old/year=2024/month=01/day=14/data.parquet"));

        FetchPlan plan = FetchPlan.of(listing, "events", Granularity.DAILY, Instant.parse("2024-01-14T12:00:00Z"),
                Instant.parse("2024-01-18T00:00:01Z"));

        assertThat(plan.partitions()).extracting(p -> p.partition().path())
                .containsExactly("year=2024/month=01/day=14", "year=2024/month=01/day=16");
        assertThat(plan.partitions().get(0).files()).extracting(ArchivedFile::name)
                .containsExactly("data.parquet", "late-1.parquet");
        assertThat(plan.missing()).extracting(w -> w.partition())
                .containsExactly("year=2024/month=01/day=15", "year=2024/month=01/day=17", "year=2024/month=01/day=18");
        assertThat(plan.strays()).isEmpty();
    }

    private static ObjectInfo object(String key) {
        return new ObjectInfo(key, 100, Instant.EPOCH);
    }
}
