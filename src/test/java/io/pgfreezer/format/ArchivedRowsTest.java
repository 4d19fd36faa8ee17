package io.pgfreezer.format;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchivedRowsTest {
    private static byte[] row(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void add(ArchivedRows set, String text) {
        byte[] b = row(text);
        set.add(b, 0, b.length);
    }

    private static boolean take(ArchivedRows set, String text) {
        byte[] b = row(text);
        return set.take(b, 0, b.length);
    }

    @Test
    void eachArchivedCopyMatchesOneRowOnly() {
        ArchivedRows set = new ArchivedRows(10);
        add(set, "a");
        add(set, "b");
        add(set, "a");

        assertThat(take(set, "a")).isTrue();
        assertThat(take(set, "a")).isTrue();
        assertThat(take(set, "a")).isFalse();
        assertThat(take(set, "b")).isTrue();
        assertThat(take(set, "b")).isFalse();
        assertThat(take(set, "c")).isFalse();
    }

    @Test
    void manyRowsInAnyOrderAreAllFoundOnceAfterSorting() {
        ArchivedRows set = new ArchivedRows(20_000);
        Random random = new Random(7);
        int[] values = new int[20_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(5_000);
            add(set, "row " + values[i]);
        }
        int[] copies = new int[5_000];
        for (int v : values) {
            copies[v]++;
        }
        for (int v = 0; v < copies.length; v++) {
            for (int k = 0; k < copies[v]; k++) {
                assertThat(take(set, "row " + v)).as("copy %d of row %d", k + 1, v).isTrue();
            }
            assertThat(take(set, "row " + v)).isFalse();
        }
    }

    @Test
    void onlyWhatWasAddedMatchesAndPartOfARowIsNotTheRow() {
        ArchivedRows set = new ArchivedRows(10);
        byte[] b = row("xyz");
        set.add(b, 1, 2);

        assertThat(set.take(b, 0, 3)).isFalse();
        assertThat(take(set, "yz")).isTrue();
    }

    @Test
    void moreRowsThanTheCapacityIsAnErrorNamingBoth() {
        ArchivedRows set = new ArchivedRows(2);
        add(set, "a");
        add(set, "b");

        assertThatThrownBy(() -> add(set, "c")).isInstanceOf(ArchivedRows.CapacityExceededException.class)
                .hasMessageContaining("at least 3 rows").hasMessageContaining("2");
        assertThatThrownBy(() -> set.reserve(5)).isInstanceOf(ArchivedRows.CapacityExceededException.class);
    }

    @Test
    void theHeapBoundIsAQuarterOfTheMaximumHeap() {
        assertThat(ArchivedRows.forHeap().capacity())
                .isEqualTo(Math.min(Integer.MAX_VALUE / 2 - 8, Runtime.getRuntime().maxMemory() / 4 / ArchivedRows.BYTES_PER_ROW));
    }

    @Test
    void manyCopiesOfFewRowsSortAndMatchExactlyAsOftenAsAdded() {
        ArchivedRows set = new ArchivedRows(50_000);
        for (int i = 0; i < 50_000; i++) {
            add(set, "row " + (i % 3));
        }
        for (int v = 0; v < 3; v++) {
            int matched = 0;
            while (take(set, "row " + v)) {
                matched++;
            }
            assertThat(matched).isEqualTo(50_000 / 3 + (v < 50_000 % 3 ? 1 : 0));
        }
    }
}
