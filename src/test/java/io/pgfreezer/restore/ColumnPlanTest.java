package io.pgfreezer.restore;

import io.pgfreezer.format.PgWire;
import io.pgfreezer.source.RestoreTarget.Column;
import io.pgfreezer.source.RestoreTarget.LoadColumn;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ColumnPlanTest {
    private static Column scalar(String name, String type, char kind, String sql) {
        return new Column(name, type, kind, 0, null, (char) 0, sql, false);
    }

    private static Column array(String name, long elementOid, String element, char kind, String sql) {
        return new Column(name, "_" + element, 'b', elementOid, element, kind, sql, false);
    }

    private static ColumnPlan plan(List<String> names, List<PgWire.Spec> specs, List<Column> target, boolean ignore,
                                   List<String> extra) {
        return ColumnPlan.of("mem://t/data.parquet", names, specs, Map.of("note", "text"), "public.t", target, ignore, extra);
    }

    @Test
    void columnsOfTheirOwnTypeGoStraightInAsBinaryAndTheStreamIsTheExportedOne() {
        ColumnPlan p = plan(List.of("ts", "n", "label", "tags"),
                List.of(PgWire.parse("timestamptz"), PgWire.parse("numeric"), PgWire.parse("text"),
                        PgWire.parse("array:25:text")),
                List.of(scalar("ts", "timestamptz", 'b', "timestamp with time zone"),
                        scalar("n", "numeric", 'b', "numeric(12,2)"), scalar("label", "varchar", 'b', "character varying(5)"),
                        array("tags", 25, "text", 'b', "text[]")), false, new ArrayList<>());

        assertThat(p.staged()).isFalse();
        assertThat(p.sameAsFile()).isTrue();
        assertThat(p.sent()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void textArchivedColumnsAndChangedTypesAreCastByPostgres() {
        ColumnPlan p = plan(List.of("ts", "iv", "sensor"),
                List.of(PgWire.parse("timestamptz"), PgWire.parse("text"), PgWire.parse("int4")),
                List.of(scalar("ts", "timestamptz", 'b', "timestamp with time zone"),
                        scalar("iv", "interval", 'b', "interval"), scalar("sensor", "int8", 'b', "bigint")),
                false, new ArrayList<>());

        assertThat(p.load()).containsExactly(new LoadColumn("ts", null, "timestamp with time zone"),
                new LoadColumn("iv", "text", "interval"), new LoadColumn("sensor", "int4", "bigint"));
    }

    @Test
    void enumsTakeTheirLabelsAsBinaryAndArraysCarryTheTargetsElementType() {
        ColumnPlan p = plan(List.of("e", "ea"), List.of(PgWire.parse("text"), PgWire.parse("array:90001:text")),
                List.of(scalar("e", "mood", 'e', "mood"), array("ea", 91234, "mood", 'e', "mood[]")), false,
                new ArrayList<>());

        assertThat(p.staged()).isFalse();
        assertThat(p.specs().get(1)).isEqualTo(new PgWire.Spec(PgWire.TEXT, true, 91234));
        // The element oid sent differs from the exported one, so the proof re-encodes the file's own columns.
        assertThat(p.sameAsFile()).isFalse();
    }

    @Test
    void anArrayWhoseElementTypeChangedIsStagedAsAnArrayOfTheArchivedType() {
        ColumnPlan p = plan(List.of("ia"), List.of(PgWire.parse("array:23:int4")),
                List.of(array("ia", 20, "int8", 'b', "bigint[]")), false, new ArrayList<>());

        assertThat(p.load()).containsExactly(new LoadColumn("ia", "int4[]", "bigint[]"));
        assertThat(p.specs().get(0)).isEqualTo(new PgWire.Spec(PgWire.INT4, true, 23));
    }

    @Test
    void anArchivedColumnTheTargetLacksIsAnErrorUnlessIgnored() {
        List<String> names = List.of("ts", "note");
        List<PgWire.Spec> specs = List.of(PgWire.parse("timestamptz"), PgWire.parse("text"));
        List<Column> target = List.of(scalar("ts", "timestamptz", 'b', "timestamp with time zone"));

        assertThatThrownBy(() -> plan(names, specs, target, false, new ArrayList<>()))
                .isInstanceOf(RestoreException.class)
                .hasMessage("column \"note\" (text) of archived file mem://t/data.parquet is not in table public.t: "
                        + "add it to the table, or pass --ignore-extra-columns to leave its values out");

        List<String> extra = new ArrayList<>();
        ColumnPlan p = plan(names, specs, target, true, extra);
        assertThat(extra).containsExactly("note");
        assertThat(p.sent()).containsExactly(0);
        assertThat(p.sameAsFile()).isFalse();
    }
}
