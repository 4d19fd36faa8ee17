package io.pgfreezer.format;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Writes one top-level column of one Arrow batch, row by row, into a Parquet record. Bound anew to
 * each batch's vectors; what to emit is decided by the column's Parquet type, so the schema
 * mapping has a single source of truth in {@link ArrowToParquet}.
 */
final class ColumnWriter {

    /** Emits the non-null value at {@code index} of the vector it was bound to. */
    @FunctionalInterface
    private interface ValueWriter {
        void write(RecordConsumer consumer, int index);
    }

    private final String name;
    private final int position;
    private final FieldVector vector;
    private final ValueWriter value;
    /** For a list column: its vector and the writer of one element; null otherwise. */
    private final ListVector list;
    private final ValueWriter element;

    private ColumnWriter(String name, int position, FieldVector vector, ValueWriter value, ListVector list,
                         ValueWriter element) {
        this.name = name;
        this.position = position;
        this.vector = vector;
        this.value = value;
        this.list = list;
        this.element = element;
    }

    /** Writers for every column of {@code schema}, reading from {@code vectors} in the same order. */
    static ColumnWriter[] bind(MessageType schema, List<FieldVector> vectors) {
        ColumnWriter[] writers = new ColumnWriter[vectors.size()];
        for (int i = 0; i < writers.length; i++) {
            Type type = schema.getType(i);
            FieldVector vector = vectors.get(i);
            if (type.isPrimitive()) {
                writers[i] = new ColumnWriter(type.getName(), i, vector,
                        primitive(type.getName(), type.asPrimitiveType(), vector), null, null);
            } else {
                ListVector list = (ListVector) vector;
                PrimitiveType elementType = type.asGroupType().getType(0).asGroupType().getType(0).asPrimitiveType();
                writers[i] = new ColumnWriter(type.getName(), i, vector, list(type.getName(), type.asGroupType(), list),
                        list, primitive(type.getName(), elementType, list.getDataVector()));
            }
        }
        return writers;
    }

    /** A null leaves the optional field out of the record, which is how Parquet spells NULL. */
    void write(RecordConsumer consumer, int row) {
        if (vector.isNull(row)) {
            return;
        }
        consumer.startField(name, position);
        value.write(consumer, row);
        consumer.endField(name, position);
    }

    /**
     * Writes rows {@code [0, rows)} of this column straight into its Parquet column writer, with
     * the repetition and definition levels spelled out: one pass per column instead of
     * assembling records field by field.
     *
     * @param maxDefinition the leaf's maximum definition level (a value present at every level)
     */
    void writeColumn(org.apache.parquet.column.ColumnWriter out, int rows, int maxDefinition) {
        LeafConsumer leaf = new LeafConsumer(out);
        if (list == null) {
            leaf.definition = maxDefinition;
            for (int row = 0; row < rows; row++) {
                if (vector.isNull(row)) {
                    out.writeNull(0, maxDefinition - 1);
                } else {
                    value.write(leaf, row);
                }
            }
            return;
        }
        FieldVector elements = list.getDataVector();
        // Levels below the leaf's: element NULL, list empty, list NULL (when the list is optional).
        for (int row = 0; row < rows; row++) {
            if (list.isNull(row)) {
                out.writeNull(0, maxDefinition - 3);
                continue;
            }
            int start = list.getElementStartIndex(row);
            int end = list.getElementEndIndex(row);
            if (start == end) {
                out.writeNull(0, maxDefinition - 2);
                continue;
            }
            for (int i = start; i < end; i++) {
                int repetition = i == start ? 0 : 1;
                if (elements.isNull(i)) {
                    out.writeNull(repetition, maxDefinition - 1);
                } else {
                    leaf.repetition = repetition;
                    leaf.definition = maxDefinition;
                    element.write(leaf, i);
                }
            }
        }
    }

    /** Hands the one value a {@link ValueWriter} emits to a column writer at fixed levels. */
    private static final class LeafConsumer extends RecordConsumer {
        private final org.apache.parquet.column.ColumnWriter out;
        int repetition;
        int definition;

        LeafConsumer(org.apache.parquet.column.ColumnWriter out) {
            this.out = out;
        }

        @Override
        public void addInteger(int value) {
            out.write(value, repetition, definition);
        }

        @Override
        public void addLong(long value) {
            out.write(value, repetition, definition);
        }

        @Override
        public void addBoolean(boolean value) {
            out.write(value, repetition, definition);
        }

        @Override
        public void addBinary(Binary value) {
            out.write(value, repetition, definition);
        }

        @Override
        public void addFloat(float value) {
            out.write(value, repetition, definition);
        }

        @Override
        public void addDouble(double value) {
            out.write(value, repetition, definition);
        }

        @Override
        public void startMessage() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void endMessage() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void startField(String field, int index) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void endField(String field, int index) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void startGroup() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void endGroup() {
            throw new UnsupportedOperationException();
        }
    }

    /** Nulls in a required column would make Parquet fail mid-record, so they are refused first. */
    void checkRequired(int rows, boolean required) {
        if (required && vector.getNullCount() > 0) {
            for (int row = 0; row < rows; row++) {
                if (vector.isNull(row)) {
                    throw new FormatException("column \"" + name + "\" is NOT NULL but row " + row
                            + " of the batch is null");
                }
            }
        }
    }

    private static ValueWriter list(String column, GroupType listType, ListVector vector) {
        GroupType repeated = listType.getType(0).asGroupType();
        String repeatedName = repeated.getName();
        PrimitiveType elementType = repeated.getType(0).asPrimitiveType();
        String elementName = elementType.getName();
        FieldVector elements = vector.getDataVector();
        ValueWriter element = primitive(column, elementType, elements);
        return (consumer, index) -> {
            int start = vector.getElementStartIndex(index);
            int end = vector.getElementEndIndex(index);
            consumer.startGroup();
            // An empty list is the group without its repeated field; a null one has no group at all.
            if (end > start) {
                consumer.startField(repeatedName, 0);
                for (int i = start; i < end; i++) {
                    consumer.startGroup();
                    if (!elements.isNull(i)) {
                        consumer.startField(elementName, 0);
                        element.write(consumer, i);
                        consumer.endField(elementName, 0);
                    }
                    consumer.endGroup();
                }
                consumer.endField(repeatedName, 0);
            }
            consumer.endGroup();
        };
    }

    private static ValueWriter primitive(String column, PrimitiveType type, FieldVector vector) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
            return decimal(column, type, vector);
        }
        switch (type.getPrimitiveTypeName()) {
            case BOOLEAN: {
                BitVector bits = (BitVector) vector;
                return (consumer, index) -> consumer.addBoolean(bits.get(index) != 0);
            }
            case INT32:
                if (vector instanceof SmallIntVector) {
                    SmallIntVector shorts = (SmallIntVector) vector;
                    return (consumer, index) -> consumer.addInteger(shorts.get(index));
                }
                if (vector instanceof DateDayVector) {
                    DateDayVector days = (DateDayVector) vector;
                    return (consumer, index) -> consumer.addInteger(days.get(index));
                }
                IntVector ints = (IntVector) vector;
                return (consumer, index) -> consumer.addInteger(ints.get(index));
            case INT64:
                if (vector instanceof TimeStampVector) {
                    TimeStampVector timestamps = (TimeStampVector) vector;
                    return (consumer, index) -> consumer.addLong(timestamps.get(index));
                }
                if (vector instanceof TimeMicroVector) {
                    TimeMicroVector times = (TimeMicroVector) vector;
                    return (consumer, index) -> consumer.addLong(times.get(index));
                }
                BigIntVector longs = (BigIntVector) vector;
                return (consumer, index) -> consumer.addLong(longs.get(index));
            case FLOAT: {
                Float4Vector floats = (Float4Vector) vector;
                return (consumer, index) -> consumer.addFloat(floats.get(index));
            }
            case DOUBLE: {
                Float8Vector doubles = (Float8Vector) vector;
                return (consumer, index) -> consumer.addDouble(doubles.get(index));
            }
            case BINARY:
                // One buffer per column, refilled for each value: Parquet copies a Binary marked
                // as reused wherever it keeps one (dictionary entries, statistics), so no value
                // needs an array of its own.
                if (vector instanceof VarCharVector || vector instanceof VarBinaryVector) {
                    ReusedBytes reused = new ReusedBytes((BaseVariableWidthVector) vector);
                    return (consumer, index) -> consumer.addBinary(reused.get(index));
                }
                throw new IllegalStateException("no writer for " + type + " from " + vector.getClass().getSimpleName());
            case FIXED_LEN_BYTE_ARRAY: {
                FixedSizeBinaryVector fixed = (FixedSizeBinaryVector) vector;
                return (consumer, index) -> consumer.addBinary(Binary.fromConstantByteArray(fixed.get(index)));
            }
            default:
                throw new IllegalStateException("no writer for " + type);
        }
    }

    /** The bytes of one variable-width value at a time, in a buffer reused from value to value. */
    private static final class ReusedBytes {
        private final BaseVariableWidthVector vector;
        private byte[] buffer = new byte[64];

        ReusedBytes(BaseVariableWidthVector vector) {
            this.vector = vector;
        }

        Binary get(int index) {
            int start = vector.getStartOffset(index);
            int length = vector.getEndOffset(index) - start;
            if (length > buffer.length) {
                buffer = new byte[Math.max(length, buffer.length * 2)];
            }
            vector.getDataBuffer().getBytes(start, buffer, 0, length);
            return Binary.fromReusedByteArray(buffer, 0, length);
        }
    }

    private static ValueWriter decimal(String column, PrimitiveType type, FieldVector vector) {
        if (!(vector.getField().getType() instanceof ArrowType.Decimal)) {
            throw new IllegalStateException("column " + column + " is not a decimal vector");
        }
        switch (type.getPrimitiveTypeName()) {
            case INT32:
                return (consumer, index) -> {
                    BigInteger unscaled = unscaled(column, vector, index);
                    if (unscaled.bitLength() > 31) {
                        throw tooWide(column, unscaled);
                    }
                    consumer.addInteger(unscaled.intValue());
                };
            case INT64:
                return (consumer, index) -> {
                    BigInteger unscaled = unscaled(column, vector, index);
                    if (unscaled.bitLength() > 63) {
                        throw tooWide(column, unscaled);
                    }
                    consumer.addLong(unscaled.longValue());
                };
            case FIXED_LEN_BYTE_ARRAY: {
                int length = type.getTypeLength();
                return (consumer, index) ->
                        consumer.addBinary(Binary.fromConstantByteArray(fixedWidth(column, unscaled(column, vector, index), length)));
            }
            default:
                throw new IllegalStateException("no decimal writer for " + type);
        }
    }

    /** Arrow decoding handles the buffer's byte order; both Decimal vectors return BigDecimal. */
    private static BigInteger unscaled(String column, FieldVector vector, int index) {
        return ((BigDecimal) vector.getObject(index)).unscaledValue();
    }

    /** Big-endian two's complement padded with the sign to exactly {@code length} bytes. */
    private static byte[] fixedWidth(String column, BigInteger unscaled, int length) {
        byte[] minimal = unscaled.toByteArray();
        if (minimal.length > length) {
            throw tooWide(column, unscaled);
        }
        byte[] padded = new byte[length];
        byte sign = (byte) (unscaled.signum() < 0 ? -1 : 0);
        int pad = length - minimal.length;
        for (int i = 0; i < pad; i++) {
            padded[i] = sign;
        }
        System.arraycopy(minimal, 0, padded, pad, minimal.length);
        return padded;
    }

    private static FormatException tooWide(String column, BigInteger unscaled) {
        return new FormatException("column \"" + column + "\": decimal value " + unscaled
                + " (unscaled) exceeds the column's declared precision");
    }
}
