package io.pgfreezer.source;

import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ColumnMappingTest {

    /** numeric(p,s)'s typmod as PostgreSQL 15+ stores it. */
    private static int typmod(int precision, int scale) {
        return ((precision << 16) | (scale & 0x7ff)) + 4;
    }

    private static ArrowType numeric(int precision, int scale) {
        SourceColumn c = new SourceColumn("n", "numeric", "numeric", typmod(precision, scale), null, 'b', false);
        return ColumnMapping.of(c).field().getType();
    }

    @Test
    void numericScalesOutsideZeroToPrecisionBecomeDecimalsParquetAllows() {
        assertThat(numeric(12, 2)).isEqualTo(new ArrowType.Decimal(12, 2, 128));
        // Whole multiples of 100 with up to 5 significant digits: up to 7 digits, none after the point.
        assertThat(numeric(5, -2)).isEqualTo(new ArrowType.Decimal(7, 0, 128));
        // Below 0.001 in magnitude, 5 digits after the point.
        assertThat(numeric(3, 5)).isEqualTo(new ArrowType.Decimal(5, 5, 128));
        assertThat(ColumnMapping.decimalScale(typmod(5, -1000))).isEqualTo(-1000);
        assertThat(ColumnMapping.decimalScale(typmod(5, 1000))).isEqualTo(1000);
    }

    @Test
    void numericsWiderThan38DigitsAreKeptAsText() {
        assertThat(numeric(38, -1)).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(numeric(30, 40)).isEqualTo(ArrowType.Utf8.INSTANCE);
        SourceColumn free = new SourceColumn("n", "numeric", "numeric", -1, null, 'b', false);
        ColumnMapping m = ColumnMapping.of(free);
        assertThat(m.selectExpression()).isEqualTo("\"n\"::text");
        assertThat(m.fallbackReason()).contains("exact text");
    }

    @Test
    void uuidAndTimeAreTextEveryEngineReads() {
        SourceColumn uuid = new SourceColumn("u", "uuid", "uuid", -1, null, 'b', false);
        SourceColumn time = new SourceColumn("t", "time", "time without time zone", -1, null, 'b', false);
        assertThat(ColumnMapping.of(uuid).field().getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(ColumnMapping.of(time).field().getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
        assertThat(ColumnMapping.of(uuid).selectExpression()).isEqualTo("\"u\"");
    }
}
