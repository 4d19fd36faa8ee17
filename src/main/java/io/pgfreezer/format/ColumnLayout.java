package io.pgfreezer.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DateLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.EnumLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.ListLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.StringLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.UUIDLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The shape of one top-level column of a file being read: its description, its leaf type and how
 * lists are nested. Reads files written by this package and by the original Python tool
 * (pyarrow), which may use other time units and the older two-level list layout.
 */
final class ColumnLayout {

    /** How a list column nests its elements. */
    enum Nesting {
        /** A plain value. */
        NONE,
        /** {@code (LIST) { repeated group list { optional <element> } }}, the standard form. */
        THREE_LEVEL,
        /** {@code (LIST) { repeated <element> }}, an older form that cannot hold NULL elements. */
        TWO_LEVEL
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final ArchiveColumn column;
    final PrimitiveType leaf;
    final Nesting nesting;

    private ColumnLayout(ArchiveColumn column, PrimitiveType leaf, Nesting nesting) {
        this.column = column;
        this.leaf = leaf;
        this.nesting = nesting;
    }

    /** @throws FormatException naming the first column of a shape pg-freezer does not read */
    static List<ColumnLayout> of(MessageType schema, Map<String, String> keyValueMetadata) {
        Map<String, String> pgTypes = pgTypes(keyValueMetadata);
        List<ColumnLayout> layouts = new ArrayList<>();
        for (Type field : schema.getFields()) {
            layouts.add(of(field, Optional.ofNullable(pgTypes.get(field.getName()))));
        }
        return layouts;
    }

    static List<ArchiveColumn> columns(List<ColumnLayout> layouts) {
        return layouts.stream().map(layout -> layout.column).toList();
    }

    private static ColumnLayout of(Type field, Optional<String> pgType) {
        boolean nullable = !field.isRepetition(Type.Repetition.REQUIRED);
        if (field.isRepetition(Type.Repetition.REPEATED)) {
            throw unreadable(field, "a repeated field outside a LIST");
        }
        if (field.isPrimitive()) {
            PrimitiveType leaf = field.asPrimitiveType();
            return new ColumnLayout(new ArchiveColumn(field.getName(), nullable, describe(field, leaf, false, pgType)),
                    leaf, Nesting.NONE);
        }
        GroupType group = field.asGroupType();
        if (!(group.getLogicalTypeAnnotation() instanceof ListLogicalTypeAnnotation) || group.getFieldCount() != 1) {
            throw unreadable(field, "a nested group");
        }
        Type repeated = group.getType(0);
        if (!repeated.isRepetition(Type.Repetition.REPEATED)) {
            throw unreadable(field, "a LIST without a repeated field");
        }
        if (repeated.isPrimitive()) {
            PrimitiveType leaf = repeated.asPrimitiveType();
            return new ColumnLayout(new ArchiveColumn(field.getName(), nullable, describe(field, leaf, true, pgType)),
                    leaf, Nesting.TWO_LEVEL);
        }
        GroupType repeatedGroup = repeated.asGroupType();
        if (repeatedGroup.getFieldCount() != 1 || !repeatedGroup.getType(0).isPrimitive()) {
            throw unreadable(field, "a LIST of groups");
        }
        PrimitiveType leaf = repeatedGroup.getType(0).asPrimitiveType();
        return new ColumnLayout(new ArchiveColumn(field.getName(), nullable, describe(field, leaf, true, pgType)),
                leaf, Nesting.THREE_LEVEL);
    }

    private static ColumnType describe(Type field, PrimitiveType leaf, boolean list, Optional<String> pgType) {
        PrimitiveTypeName physical = leaf.getPrimitiveTypeName();
        String physicalName = physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY
                ? physical.name() + "(" + leaf.getTypeLength() + ")"
                : physical.name();
        LogicalTypeAnnotation logical = leaf.getLogicalTypeAnnotation();
        return new ColumnType(kind(field, leaf), list, physicalName, logical == null ? "" : logical.toString(), pgType);
    }

    /** The Java type a leaf reads back as; {@link ValueConverters} must agree. */
    static ValueKind kind(Type field, PrimitiveType leaf) {
        LogicalTypeAnnotation logical = leaf.getLogicalTypeAnnotation();
        PrimitiveTypeName physical = leaf.getPrimitiveTypeName();
        if (logical instanceof DecimalLogicalTypeAnnotation
                && physical != PrimitiveTypeName.FLOAT && physical != PrimitiveTypeName.DOUBLE) {
            return ValueKind.DECIMAL;
        }
        switch (physical) {
            case BOOLEAN:
                return ValueKind.BOOLEAN;
            case INT32:
                if (logical == null) {
                    return ValueKind.INT;
                }
                if (logical instanceof DateLogicalTypeAnnotation) {
                    return ValueKind.DATE;
                }
                if (logical instanceof TimeLogicalTypeAnnotation) {
                    return ValueKind.TIME;
                }
                if (logical instanceof IntLogicalTypeAnnotation) {
                    IntLogicalTypeAnnotation integer = (IntLogicalTypeAnnotation) logical;
                    if (integer.isSigned()) {
                        return integer.getBitWidth() == 16 ? ValueKind.SHORT : ValueKind.INT;
                    }
                    return integer.getBitWidth() == 32 ? ValueKind.LONG : ValueKind.INT;
                }
                break;
            case INT64:
                if (logical == null) {
                    return ValueKind.LONG;
                }
                if (logical instanceof TimestampLogicalTypeAnnotation) {
                    return ((TimestampLogicalTypeAnnotation) logical).isAdjustedToUTC()
                            ? ValueKind.TIMESTAMP_UTC : ValueKind.TIMESTAMP_LOCAL;
                }
                if (logical instanceof TimeLogicalTypeAnnotation) {
                    return ValueKind.TIME;
                }
                if (logical instanceof IntLogicalTypeAnnotation && ((IntLogicalTypeAnnotation) logical).isSigned()) {
                    return ValueKind.LONG;
                }
                break;
            case INT96:
                // Legacy engines stored instants this way.
                return ValueKind.TIMESTAMP_UTC;
            case FLOAT:
                return ValueKind.FLOAT;
            case DOUBLE:
                return ValueKind.DOUBLE;
            case BINARY:
                if (logical == null) {
                    return ValueKind.BYTES;
                }
                if (logical instanceof JsonLogicalTypeAnnotation) {
                    return ValueKind.JSON;
                }
                if (logical instanceof StringLogicalTypeAnnotation || logical instanceof EnumLogicalTypeAnnotation) {
                    return ValueKind.STRING;
                }
                break;
            case FIXED_LEN_BYTE_ARRAY:
                if (logical == null) {
                    return ValueKind.BYTES;
                }
                if (logical instanceof UUIDLogicalTypeAnnotation && leaf.getTypeLength() == 16) {
                    return ValueKind.UUID;
                }
                break;
            default:
                break;
        }
        throw unreadable(field, physical + (logical == null ? "" : " " + logical));
    }

    private static Map<String, String> pgTypes(Map<String, String> keyValueMetadata) {
        String json = keyValueMetadata.get(ArchiveMetadata.PG_TYPES);
        return json == null ? Map.of() : stringMap(json, ArchiveMetadata.PG_TYPES);
    }

    static Map<String, String> stringMap(String json, String key) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() { });
        } catch (JsonProcessingException e) {
            throw new FormatException("the Parquet footer's " + key + " entry is not a JSON object of strings");
        }
    }

    private static FormatException unreadable(Type field, String what) {
        return new FormatException("column \"" + field.getName() + "\" is " + what
                + ", which pg-freezer cannot read");
    }
}
