package io.pgfreezer.format;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/** The Parquet schema for an Arrow schema, following the table in the package documentation. */
final class ArrowToParquet {

    /** Name of the Parquet message; readers ignore it. */
    static final String MESSAGE_NAME = "pg_freezer";

    private ArrowToParquet() {
    }

    /** @throws FormatException naming the first column whose type has no mapping */
    static MessageType messageType(Schema schema) {
        List<Field> fields = schema.getFields();
        if (fields.isEmpty()) {
            throw new FormatException("cannot write a Parquet file without columns");
        }
        Set<String> seen = new HashSet<>();
        Types.MessageTypeBuilder message = Types.buildMessage();
        for (Field field : fields) {
            if (!seen.add(field.getName())) {
                throw new FormatException("column \"" + field.getName() + "\" appears twice; "
                        + "Parquet column names must be unique");
            }
            message.addField(column(field));
        }
        return message.named(MESSAGE_NAME);
    }

    /** Column name to PostgreSQL type name, for the columns whose Arrow field names one. */
    static Map<String, String> pgTypes(Schema schema) {
        return fieldMetadata(schema, ArchiveMetadata.PG_TYPE);
    }

    /** Column name to the value of one field metadata key, for the fields that carry it. */
    static Map<String, String> fieldMetadata(Schema schema, String key) {
        Map<String, String> types = new LinkedHashMap<>();
        for (Field field : schema.getFields()) {
            String pgType = field.getMetadata().get(key);
            if (pgType != null) {
                types.put(field.getName(), pgType);
            }
        }
        return types;
    }

    /** Bytes of the shortest two's complement integer that holds every unscaled value of p digits. */
    static int decimalBytes(int precision) {
        int bits = BigInteger.TEN.pow(precision).subtract(BigInteger.ONE).bitLength() + 1;
        return (bits + 7) / 8;
    }

    private static Type column(Field field) {
        Repetition repetition = field.isNullable() ? Repetition.OPTIONAL : Repetition.REQUIRED;
        if (field.getType() instanceof ArrowType.List) {
            List<Field> children = field.getChildren();
            Field element = children.get(0);
            if (element.getType() instanceof ArrowType.List) {
                throw unsupported(field, "a list of lists");
            }
            // PostgreSQL arrays may hold NULL elements whatever the column says, hence optional.
            // A logical marker may sit on the element or, for convenience, on the list field.
            String logical = element.getMetadata().getOrDefault(ArchiveMetadata.LOGICAL,
                    field.getMetadata().get(ArchiveMetadata.LOGICAL));
            Type elementType = primitive(field.getName(), element, logical, Repetition.OPTIONAL, "element");
            return Types.buildGroup(repetition)
                    .as(LogicalTypeAnnotation.listType())
                    .addField(Types.repeatedGroup().addField(elementType).named("list"))
                    .named(field.getName());
        }
        return primitive(field.getName(), field, field.getMetadata().get(ArchiveMetadata.LOGICAL),
                repetition, field.getName());
    }

    private static Type primitive(String column, Field field, String logical, Repetition repetition, String name) {
        ArrowType type = field.getType();
        if (logical != null && !(type instanceof ArrowType.Utf8 && logical.equals(ArchiveMetadata.LOGICAL_JSON)
                || type instanceof ArrowType.FixedSizeBinary && logical.equals(ArchiveMetadata.LOGICAL_UUID))) {
            throw new FormatException("column \"" + column + "\": Arrow type " + type + " cannot carry "
                    + ArchiveMetadata.LOGICAL + "=" + logical);
        }
        switch (type.getTypeID()) {
            case Bool:
                return Types.primitive(PrimitiveTypeName.BOOLEAN, repetition).named(name);
            case Int: {
                ArrowType.Int integer = (ArrowType.Int) type;
                if (!integer.getIsSigned()) {
                    throw unsupported(column, type);
                }
                switch (integer.getBitWidth()) {
                    case 16:
                        return Types.primitive(PrimitiveTypeName.INT32, repetition)
                                .as(LogicalTypeAnnotation.intType(16, true)).named(name);
                    case 32:
                        return Types.primitive(PrimitiveTypeName.INT32, repetition).named(name);
                    case 64:
                        return Types.primitive(PrimitiveTypeName.INT64, repetition).named(name);
                    default:
                        throw unsupported(column, type);
                }
            }
            case FloatingPoint: {
                FloatingPointPrecision precision = ((ArrowType.FloatingPoint) type).getPrecision();
                if (precision == FloatingPointPrecision.SINGLE) {
                    return Types.primitive(PrimitiveTypeName.FLOAT, repetition).named(name);
                }
                if (precision == FloatingPointPrecision.DOUBLE) {
                    return Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(name);
                }
                throw unsupported(column, type);
            }
            case Utf8:
                return Types.primitive(PrimitiveTypeName.BINARY, repetition)
                        .as(logical == null ? LogicalTypeAnnotation.stringType() : LogicalTypeAnnotation.jsonType())
                        .named(name);
            case Binary:
                return Types.primitive(PrimitiveTypeName.BINARY, repetition).named(name);
            case FixedSizeBinary: {
                int width = ((ArrowType.FixedSizeBinary) type).getByteWidth();
                if (logical == null) {
                    return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition)
                            .length(width).named(name);
                }
                if (width != 16) {
                    throw new FormatException("column \"" + column + "\": a UUID takes 16 bytes, not " + width);
                }
                return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition)
                        .length(16).as(LogicalTypeAnnotation.uuidType()).named(name);
            }
            case Decimal: {
                ArrowType.Decimal decimal = (ArrowType.Decimal) type;
                int precision = decimal.getPrecision();
                LogicalTypeAnnotation annotation =
                        LogicalTypeAnnotation.decimalType(decimal.getScale(), precision);
                if (precision <= 9) {
                    return Types.primitive(PrimitiveTypeName.INT32, repetition).as(annotation).named(name);
                }
                if (precision <= 18) {
                    return Types.primitive(PrimitiveTypeName.INT64, repetition).as(annotation).named(name);
                }
                return Types.primitive(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY, repetition)
                        .length(decimalBytes(precision)).as(annotation).named(name);
            }
            case Date:
                if (((ArrowType.Date) type).getUnit() != DateUnit.DAY) {
                    throw unsupported(column, type);
                }
                return Types.primitive(PrimitiveTypeName.INT32, repetition)
                        .as(LogicalTypeAnnotation.dateType()).named(name);
            case Timestamp: {
                ArrowType.Timestamp timestamp = (ArrowType.Timestamp) type;
                if (timestamp.getUnit() != TimeUnit.MICROSECOND) {
                    throw unsupported(column, type);
                }
                // Arrow stores zoned timestamps as UTC instants whatever the zone's name.
                boolean adjustedToUtc = timestamp.getTimezone() != null;
                return Types.primitive(PrimitiveTypeName.INT64, repetition)
                        .as(LogicalTypeAnnotation.timestampType(adjustedToUtc, LogicalTypeAnnotation.TimeUnit.MICROS))
                        .named(name);
            }
            case Time: {
                ArrowType.Time time = (ArrowType.Time) type;
                if (time.getUnit() != TimeUnit.MICROSECOND || time.getBitWidth() != 64) {
                    throw unsupported(column, type);
                }
                return Types.primitive(PrimitiveTypeName.INT64, repetition)
                        .as(LogicalTypeAnnotation.timeType(false, LogicalTypeAnnotation.TimeUnit.MICROS))
                        .named(name);
            }
            default:
                throw unsupported(column, type);
        }
    }

    private static FormatException unsupported(String column, ArrowType type) {
        return new FormatException("column \"" + column + "\": Arrow type " + type
                + " has no Parquet mapping in pg-freezer");
    }

    private static FormatException unsupported(Field field, String what) {
        return new FormatException("column \"" + field.getName() + "\": " + what
                + " has no Parquet mapping in pg-freezer");
    }
}
