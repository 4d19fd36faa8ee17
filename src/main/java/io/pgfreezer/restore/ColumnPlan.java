package io.pgfreezer.restore;

import io.pgfreezer.format.PgWire;
import io.pgfreezer.source.RestoreTarget.Column;
import io.pgfreezer.source.RestoreTarget.LoadColumn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How one archived file's columns reach the target: which archive columns are sent, in what
 * binary form, and which of them PostgreSQL must cast from text. A column is sent in its own
 * binary form whenever the target column's type takes exactly that form, so the common case is a
 * plain binary COPY straight into the table.
 *
 * @param sent       positions in the file of the columns sent, in stream order
 * @param specs      the wire form each sent column is encoded in (array element oids the target's)
 * @param load       the target column each sent column fills, and its cast when staged
 * @param sameAsFile whether the stream is the file's columns exactly as exported, so the bytes
 *                   sent are the bytes the value digest covers
 */
record ColumnPlan(int[] sent, List<PgWire.Spec> specs, List<String> names, List<LoadColumn> load,
                  boolean sameAsFile) {

    private static final Set<String> TEXT_TYPES = Set.of("text", "varchar", "bpchar", "name");

    /**
     * @param archiveNames file columns in order, and {@code archiveSpecs} their footer wire forms
     * @param extraColumns columns of the file the target lacks: filled with their names when
     *                     {@code ignoreExtra}, else the first one is an error
     */
    static ColumnPlan of(String file, List<String> archiveNames, List<PgWire.Spec> archiveSpecs,
                         Map<String, String> archiveTypes, String target, List<Column> targetColumns,
                         boolean ignoreExtra, List<String> extraColumns) {
        Map<String, Column> byName = new HashMap<>();
        targetColumns.forEach(c -> byName.put(c.name(), c));
        List<Integer> sent = new ArrayList<>();
        List<PgWire.Spec> specs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<LoadColumn> load = new ArrayList<>();
        boolean same = true;
        for (int i = 0; i < archiveNames.size(); i++) {
            String name = archiveNames.get(i);
            PgWire.Spec spec = archiveSpecs.get(i);
            Column t = byName.get(name);
            if (t == null) {
                if (!ignoreExtra) {
                    throw new RestoreException("column \"" + name + "\" (" + archiveTypes.getOrDefault(name, spec.wire().spec())
                            + ") of archived file " + file + " is not in table " + target
                            + ": add it to the table, or pass --ignore-extra-columns to leave its values out");
                }
                extraColumns.add(name);
                same = false;
                continue;
            }
            sent.add(i);
            names.add(name);
            PgWire.Spec sendSpec;
            String stage = null;
            if (spec.array()) {
                if (t.elementOid() != 0 && takes(spec.wire(), t.elementName(), t.elementKind())) {
                    sendSpec = new PgWire.Spec(spec.wire(), true, t.elementOid());
                } else {
                    sendSpec = new PgWire.Spec(spec.wire(), true, spec.wire().typeOid());
                    stage = spec.wire().typeName() + "[]";
                }
            } else {
                sendSpec = spec;
                if (t.elementOid() != 0 || !takes(spec.wire(), t.typeName(), t.typeKind())) {
                    stage = spec.wire().typeName();
                }
            }
            same &= sendSpec.equals(spec);
            specs.add(sendSpec);
            load.add(new LoadColumn(name, stage, t.sqlType()));
        }
        if (sent.isEmpty()) {
            throw new RestoreException("archived file " + file + " has no column that table " + target + " has");
        }
        return new ColumnPlan(sent.stream().mapToInt(Integer::intValue).toArray(), specs, names, load, same);
    }

    /** Whether a column of this type (base type for a domain) takes the wire form as its own binary input. */
    static boolean takes(PgWire wire, String typeName, char typeKind) {
        if (wire == PgWire.TEXT) {
            // An enum's binary input is its label's text.
            return TEXT_TYPES.contains(typeName) || typeKind == 'e';
        }
        return wire.typeName().equals(typeName);
    }

    boolean staged() {
        return load.stream().anyMatch(LoadColumn::staged);
    }
}
