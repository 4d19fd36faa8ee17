package io.pgfreezer.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One value of one family, with its labels in output order. */
record Sample(Family family, Map<String, String> labels, double value) {
    static final String TABLE = "table";

    Sample {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    String table() {
        return labels.get(TABLE);
    }

    /** The same sample without its {@code table} label, which a Pushgateway grouping key supplies instead. */
    Sample withoutTable() {
        Map<String, String> rest = new LinkedHashMap<>(labels);
        rest.remove(TABLE);
        return new Sample(family, rest, value);
    }
}
