package io.pgfreezer.format;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.function.Consumer;

import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/** Parquet values to the Java values {@link ValueKind} promises. */
final class ValueConverters {

    private static final long JULIAN_DAY_OF_EPOCH = 2_440_588L;

    private ValueConverters() {
    }

    /** A converter handing each decoded value of {@code leaf} to {@code out}. */
    static PrimitiveConverter of(PrimitiveType leaf, ValueKind kind, Consumer<Object> out) {
        LogicalTypeAnnotation logical = leaf.getLogicalTypeAnnotation();
        switch (kind) {
            case BOOLEAN:
                return new PrimitiveConverter() {
                    @Override
                    public void addBoolean(boolean value) {
                        out.accept(value);
                    }
                };
            case SHORT:
                return new PrimitiveConverter() {
                    @Override
                    public void addInt(int value) {
                        out.accept((short) value);
                    }
                };
            case INT:
                return new PrimitiveConverter() {
                    @Override
                    public void addInt(int value) {
                        out.accept(value);
                    }
                };
            case LONG:
                return new PrimitiveConverter() {
                    @Override
                    public void addInt(int value) {
                        // Only an unsigned 32-bit column arrives as an int for a long kind.
                        out.accept(Integer.toUnsignedLong(value));
                    }

                    @Override
                    public void addLong(long value) {
                        out.accept(value);
                    }
                };
            case FLOAT:
                return new PrimitiveConverter() {
                    @Override
                    public void addFloat(float value) {
                        out.accept(value);
                    }
                };
            case DOUBLE:
                return new PrimitiveConverter() {
                    @Override
                    public void addDouble(double value) {
                        out.accept(value);
                    }
                };
            case DECIMAL:
                return decimal(((DecimalLogicalTypeAnnotation) logical).getScale(), out);
            case STRING:
                return new DictionaryText(out) {
                    @Override
                    Object value(Binary value) {
                        return value.toStringUsingUTF8();
                    }
                };
            case JSON:
                return new DictionaryText(out) {
                    @Override
                    Object value(Binary value) {
                        return new JsonText(value.toStringUsingUTF8());
                    }
                };
            case BYTES:
                return new PrimitiveConverter() {
                    @Override
                    public void addBinary(Binary value) {
                        // Dictionary pages share one Binary between rows: hand out a private copy.
                        out.accept(value.getBytes().clone());
                    }
                };
            case UUID:
                return new PrimitiveConverter() {
                    @Override
                    public void addBinary(Binary value) {
                        ByteBuffer bytes = ByteBuffer.wrap(value.getBytes());
                        out.accept(new UUID(bytes.getLong(0), bytes.getLong(8)));
                    }
                };
            case DATE:
                return new PrimitiveConverter() {
                    @Override
                    public void addInt(int value) {
                        out.accept(LocalDate.ofEpochDay(value));
                    }
                };
            case TIME:
                return time(((TimeLogicalTypeAnnotation) logical).getUnit(), out);
            case TIMESTAMP_UTC:
            case TIMESTAMP_LOCAL:
                if (logical == null) {
                    return int96(out);
                }
                return timestamp(((TimestampLogicalTypeAnnotation) logical).getUnit(),
                        kind == ValueKind.TIMESTAMP_UTC, out);
            default:
                throw new IllegalStateException("no converter for " + kind);
        }
    }

    /**
     * A text column whose dictionary-encoded pages decode each dictionary entry once per column
     * chunk instead of once per row: a column of a few distinct values (units, tags, states) then
     * costs a lookup per row. The values are immutable, so rows may share them.
     */
    private abstract static class DictionaryText extends PrimitiveConverter {
        private final Consumer<Object> out;
        private Object[] entries;

        DictionaryText(Consumer<Object> out) {
            this.out = out;
        }

        abstract Object value(Binary value);

        @Override
        public boolean hasDictionarySupport() {
            return true;
        }

        @Override
        public void setDictionary(org.apache.parquet.column.Dictionary dictionary) {
            entries = new Object[dictionary.getMaxId() + 1];
            for (int id = 0; id < entries.length; id++) {
                entries[id] = value(dictionary.decodeToBinary(id));
            }
        }

        @Override
        public void addValueFromDictionary(int dictionaryId) {
            out.accept(entries[dictionaryId]);
        }

        @Override
        public void addBinary(Binary value) {
            out.accept(value(value));
        }
    }

    private static PrimitiveConverter decimal(int scale, Consumer<Object> out) {
        return new PrimitiveConverter() {
            @Override
            public void addInt(int value) {
                out.accept(BigDecimal.valueOf(value, scale));
            }

            @Override
            public void addLong(long value) {
                out.accept(BigDecimal.valueOf(value, scale));
            }

            @Override
            public void addBinary(Binary value) {
                out.accept(new BigDecimal(new BigInteger(value.getBytes()), scale));
            }
        };
    }

    private static PrimitiveConverter time(LogicalTypeAnnotation.TimeUnit unit, Consumer<Object> out) {
        long nanosPerUnit = nanosPer(unit);
        return new PrimitiveConverter() {
            @Override
            public void addInt(int value) {
                out.accept(LocalTime.ofNanoOfDay(value * nanosPerUnit));
            }

            @Override
            public void addLong(long value) {
                out.accept(LocalTime.ofNanoOfDay(value * nanosPerUnit));
            }
        };
    }

    private static PrimitiveConverter timestamp(LogicalTypeAnnotation.TimeUnit unit, boolean utc, Consumer<Object> out) {
        long unitsPerSecond = 1_000_000_000L / nanosPer(unit);
        long nanosPerUnit = nanosPer(unit);
        return new PrimitiveConverter() {
            @Override
            public void addLong(long value) {
                long seconds = Math.floorDiv(value, unitsPerSecond);
                int nanos = (int) (Math.floorMod(value, unitsPerSecond) * nanosPerUnit);
                out.accept(utc
                        ? Instant.ofEpochSecond(seconds, nanos)
                        : LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC));
            }
        };
    }

    /** INT96: nanoseconds of the day, then the Julian day number, both little-endian. */
    private static PrimitiveConverter int96(Consumer<Object> out) {
        return new PrimitiveConverter() {
            @Override
            public void addBinary(Binary value) {
                ByteBuffer bytes = ByteBuffer.wrap(value.getBytes()).order(ByteOrder.LITTLE_ENDIAN);
                long nanosOfDay = bytes.getLong(0);
                long epochDay = Integer.toUnsignedLong(bytes.getInt(8)) - JULIAN_DAY_OF_EPOCH;
                out.accept(Instant.ofEpochSecond(epochDay * 86_400L, nanosOfDay));
            }
        };
    }

    private static long nanosPer(LogicalTypeAnnotation.TimeUnit unit) {
        switch (unit) {
            case MILLIS:
                return 1_000_000L;
            case MICROS:
                return 1_000L;
            case NANOS:
                return 1L;
            default:
                throw new IllegalStateException("unknown time unit " + unit);
        }
    }
}
