package io.pgfreezer.source;

import io.pgfreezer.format.PgWire;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;

/**
 * Decodes one column's values from PostgreSQL's binary wire form straight into its Arrow vector:
 * no per-value objects on the common paths. A value the column's archived type cannot hold
 * exactly throws {@link Unrepresentable}; the caller names the row and fails the batch.
 */
abstract class WireDecoder {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** Why a value cannot be archived under its column's type; carries no stack, it is an outcome. */
    static final class Unrepresentable extends Exception {
        private static final long serialVersionUID = 1L;

        Unrepresentable(String problem) {
            super(problem, null, false, false);
        }
    }

    /** Stores the {@code len} bytes at {@code off} as the value of row {@code row}. */
    abstract void decode(byte[] b, int off, int len, int row) throws Unrepresentable;

    /** Stores NULL at {@code row}. */
    abstract void setNull(int row);

    static short int16(byte[] b, int off) {
        return (short) I16.get(b, off);
    }

    static int int32(byte[] b, int off) {
        return (int) I32.get(b, off);
    }

    static long int64(byte[] b, int off) {
        return (long) I64.get(b, off);
    }

    /** The decoder of a column; an array column's decoder fills its list and element vectors. */
    static WireDecoder of(ColumnMapping m, FieldVector vector) {
        if (m.isArray()) {
            ListVector list = (ListVector) vector;
            return new ArrayDecoder(list, m.column().elementOid(), scalar(m, list.getDataVector()));
        }
        return scalar(m, vector);
    }

    private static WireDecoder scalar(ColumnMapping m, FieldVector vector) {
        PgWire wire = m.wire();
        return switch (wire) {
            case BOOL -> new Fixed(vector, 1) {
                @Override
                void value(byte[] b, int off, int row) {
                    ((BitVector) vector).setSafe(row, b[off] != 0 ? 1 : 0);
                }
            };
            case INT2 -> new Fixed(vector, 2) {
                @Override
                void value(byte[] b, int off, int row) {
                    ((SmallIntVector) vector).setSafe(row, int16(b, off));
                }
            };
            case INT4 -> new Fixed(vector, 4) {
                @Override
                void value(byte[] b, int off, int row) {
                    ((IntVector) vector).setSafe(row, int32(b, off));
                }
            };
            case INT8 -> new Fixed(vector, 8) {
                @Override
                void value(byte[] b, int off, int row) {
                    ((BigIntVector) vector).setSafe(row, int64(b, off));
                }
            };
            case OID -> new Fixed(vector, 4) {
                @Override
                void value(byte[] b, int off, int row) {
                    ((BigIntVector) vector).setSafe(row, Integer.toUnsignedLong(int32(b, off)));
                }
            };
            case FLOAT4 -> new Fixed(vector, 4) {
                @Override
                void value(byte[] b, int off, int row) {
                    ((Float4Vector) vector).setSafe(row, Float.intBitsToFloat(int32(b, off)));
                }
            };
            case FLOAT8 -> new Fixed(vector, 8) {
                @Override
                void value(byte[] b, int off, int row) {
                    ((Float8Vector) vector).setSafe(row, Double.longBitsToDouble(int64(b, off)));
                }
            };
            case DATE -> new Fixed(vector, 4) {
                @Override
                void value(byte[] b, int off, int row) throws Unrepresentable {
                    int days = int32(b, off);
                    if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
                        throw new Unrepresentable((days > 0 ? "infinity" : "-infinity") + ", which a Parquet DATE cannot hold");
                    }
                    // PostgreSQL's range (4713 BC to 5874897 AD) stays within int32 after the shift.
                    ((DateDayVector) vector).setSafe(row, days + PgWire.PG_EPOCH_DAYS);
                }
            };
            case TIMESTAMP, TIMESTAMPTZ -> new Fixed(vector, 8) {
                @Override
                void value(byte[] b, int off, int row) throws Unrepresentable {
                    ((TimeStampVector) vector).setSafe(row, unixMicros(int64(b, off)));
                }
            };
            case TIME -> new Fixed(vector, 8) {
                private final byte[] text = new byte[15];

                @Override
                void value(byte[] b, int off, int row) throws Unrepresentable {
                    long micros = int64(b, off);
                    if (micros < 0 || micros > PgWire.MICROS_PER_DAY) {
                        throw new Unrepresentable(micros + " microseconds, not a time of day");
                    }
                    ((VarCharVector) vector).setSafe(row, text, 0, PgWire.formatTime(micros, text));
                }
            };
            case UUID -> new Fixed(vector, 16) {
                private final byte[] text = new byte[36];

                @Override
                void value(byte[] b, int off, int row) {
                    PgWire.formatUuid(b, off, text);
                    ((VarCharVector) vector).setSafe(row, text, 0, 36);
                }
            };
            case TEXT, JSON -> new Variable(vector) {
                @Override
                void decode(byte[] b, int off, int len, int row) {
                    ((VarCharVector) vector).setSafe(row, b, off, len);
                }
            };
            case JSONB -> new Variable(vector) {
                @Override
                void decode(byte[] b, int off, int len, int row) throws Unrepresentable {
                    if (len < 1 || b[off] != 1) {
                        throw new Unrepresentable("a jsonb value of unknown binary version " + (len < 1 ? "(empty)" : b[off]));
                    }
                    ((VarCharVector) vector).setSafe(row, b, off + 1, len - 1);
                }
            };
            case BYTEA -> new Variable(vector) {
                @Override
                void decode(byte[] b, int off, int len, int row) {
                    ((VarBinaryVector) vector).setSafe(row, b, off, len);
                }
            };
            case NUMERIC -> new NumericDecoder((DecimalVector) vector);
        };
    }

    /** PostgreSQL counts microseconds from 2000-01-01, Parquet from 1970-01-01. */
    static long unixMicros(long pgMicros) throws Unrepresentable {
        if (pgMicros == Long.MAX_VALUE || pgMicros == Long.MIN_VALUE) {
            throw new Unrepresentable((pgMicros > 0 ? "infinity" : "-infinity")
                    + ", which a Parquet TIMESTAMP cannot hold");
        }
        long unix = pgMicros + PgWire.PG_EPOCH_MICROS;
        if (pgMicros > 0 && unix < 0) {
            throw new Unrepresentable("a timestamp after 294247-01-10, beyond a Parquet TIMESTAMP(MICROS)");
        }
        return unix;
    }

    private abstract static class Fixed extends WireDecoder {
        final FieldVector vector;
        private final int width;

        Fixed(FieldVector vector, int width) {
            this.vector = vector;
            this.width = width;
        }

        abstract void value(byte[] b, int off, int row) throws Unrepresentable;

        @Override
        final void decode(byte[] b, int off, int len, int row) throws Unrepresentable {
            if (len != width) {
                throw new Unrepresentable("a " + len + "-byte value where the wire form has " + width);
            }
            value(b, off, row);
        }

        @Override
        void setNull(int row) {
            vector.setNull(row);
        }
    }

    private abstract static class Variable extends WireDecoder {
        final FieldVector vector;

        Variable(FieldVector vector) {
            this.vector = vector;
        }

        @Override
        void setNull(int row) {
            vector.setNull(row);
        }
    }

    /**
     * numeric's binary form: digit count, weight (of the first base-10000 digit), sign, display
     * scale, then the digits. The column's DECIMAL holds the unscaled value at its own scale.
     */
    private static final class NumericDecoder extends Variable {
        private final DecimalVector decimals;
        private final int precision;
        private final int scale;

        NumericDecoder(DecimalVector vector) {
            super(vector);
            this.decimals = vector;
            this.precision = vector.getPrecision();
            this.scale = vector.getScale();
        }

        @Override
        void decode(byte[] b, int off, int len, int row) throws Unrepresentable {
            if (len < 8) {
                throw new Unrepresentable("a truncated numeric");
            }
            int ndigits = int16(b, off);
            int weight = int16(b, off + 2);
            int sign = int16(b, off + 4) & 0xffff;
            switch (sign) {
                case 0xC000 -> throw new Unrepresentable("NaN, which a Parquet DECIMAL cannot hold");
                case 0xD000 -> throw new Unrepresentable("Infinity, which a Parquet DECIMAL cannot hold");
                case 0xF000 -> throw new Unrepresentable("-Infinity, which a Parquet DECIMAL cannot hold");
                case 0x0000, 0x4000 -> { }
                default -> throw new Unrepresentable("a numeric of unknown sign 0x" + Integer.toHexString(sign));
            }
            if (len != 8 + 2 * ndigits) {
                throw new Unrepresentable("a numeric whose length does not match its digit count");
            }
            if (precision <= 18) {
                decodeLong(b, off, ndigits, weight, sign, row);
                return;
            }
            decodeBig(b, off, ndigits, weight, sign, row);
        }

        private void decodeLong(byte[] b, int off, int ndigits, int weight, int sign, int row) throws Unrepresentable {
            long acc = 0;
            try {
                for (int i = 0; i < ndigits; i++) {
                    int digit = int16(b, off + 8 + 2 * i);
                    int e = 4 * (weight - i) + scale;
                    long part;
                    if (e >= 0) {
                        if (e > 18) {
                            throw tooWide();
                        }
                        part = Math.multiplyExact((long) digit, POW10[e]);
                    } else if (e >= -3 && digit % POW10[-e] == 0) {
                        part = digit / POW10[-e];
                    } else {
                        throw tooFine();
                    }
                    acc = Math.addExact(acc, part);
                }
            } catch (ArithmeticException e) {
                throw tooWide();
            }
            if (acc >= POW10[precision]) {
                throw tooWide();
            }
            decimals.setSafe(row, sign == 0 ? acc : -acc);
        }

        private void decodeBig(byte[] b, int off, int ndigits, int weight, int sign, int row) throws Unrepresentable {
            BigInteger acc = BigInteger.ZERO;
            for (int i = 0; i < ndigits; i++) {
                int digit = int16(b, off + 8 + 2 * i);
                int e = 4 * (weight - i) + scale;
                if (e >= 0) {
                    acc = acc.add(BigInteger.valueOf(digit).multiply(BigInteger.TEN.pow(e)));
                } else if (e >= -3 && digit % POW10[-e] == 0) {
                    acc = acc.add(BigInteger.valueOf(digit / POW10[-e]));
                } else {
                    throw tooFine();
                }
            }
            if (acc.compareTo(BigInteger.TEN.pow(precision)) >= 0) {
                throw tooWide();
            }
            decimals.setBigEndianSafe(row, (sign == 0 ? acc : acc.negate()).toByteArray());
        }

        private Unrepresentable tooWide() {
            return new Unrepresentable("a numeric with more than " + precision + " digits");
        }

        private Unrepresentable tooFine() {
            return new Unrepresentable("a numeric with more than " + scale + " fractional digits");
        }
    }

    /** A one-dimensional array with lower bound 1 (or an empty one) becomes a Parquet LIST. */
    private static final class ArrayDecoder extends WireDecoder {
        private final ListVector list;
        private final long elementOid;
        private final WireDecoder element;

        ArrayDecoder(ListVector list, long elementOid, WireDecoder element) {
            this.list = list;
            this.elementOid = elementOid;
            this.element = element;
        }

        @Override
        void decode(byte[] b, int off, int len, int row) throws Unrepresentable {
            int ndim = int32(b, off);
            long oid = Integer.toUnsignedLong(int32(b, off + 8));
            if (oid != elementOid) {
                throw new Unrepresentable("an array of element type oid " + oid + " where the column's is " + elementOid);
            }
            if (ndim == 0) {
                list.startNewValue(row);
                list.endValue(row, 0);
                return;
            }
            if (ndim != 1) {
                throw new Unrepresentable("a " + ndim + "-dimensional array, which a Parquet LIST cannot hold "
                        + "with its shape");
            }
            int size = int32(b, off + 12);
            int lowerBound = int32(b, off + 16);
            if (lowerBound != 1) {
                throw new Unrepresentable("an array with lower bound " + lowerBound
                        + ", which a Parquet LIST (always starting at 1) cannot hold");
            }
            int start = list.startNewValue(row);
            int p = off + 20;
            for (int i = 0; i < size; i++) {
                int elen = int32(b, p);
                p += 4;
                if (elen < 0) {
                    element.setNull(start + i);
                } else {
                    element.decode(b, p, elen, start + i);
                    p += elen;
                }
            }
            list.endValue(row, size);
        }

        @Override
        void setNull(int row) {
            list.setNull(row);
        }
    }
}
