package io.pgfreezer.format;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One column's fields for a batch of rows, in binary COPY form (length, then bytes; -1 for NULL),
 * held in primitive arrays: the values of a fixed-width form as longs, every other form as one
 * byte buffer with an end offset per row. Rows are put together column by column: each column
 * first adds its fields' sizes to every row's, then writes its fields at each row's cursor, so
 * every loop runs over one column of one type.
 */
abstract class FieldColumn {

    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    /** Clears the column for the next batch. */
    abstract void reset();

    /** Adds the size of row {@code r}'s field to {@code size[r]}, for rows {@code [0, rows)}. */
    abstract void addSizes(int[] size, int rows);

    /** Writes row {@code r}'s field at {@code at[r]} and moves {@code at[r]} past it. */
    abstract void write(byte[] out, int[] at, int rows);

    /** The bytes of memory the column holds. */
    abstract long footprint();

    /** A form of 1, 2, 4 or 8 bytes: the value's low bytes, big-endian. */
    static final class Fixed extends FieldColumn {
        final int width;
        final long[] values;
        final boolean[] nulls;
        boolean anyNull;

        Fixed(int width, int capacity) {
            this.width = width;
            this.values = new long[capacity];
            this.nulls = new boolean[capacity];
        }

        @Override
        void reset() {
            if (anyNull) {
                Arrays.fill(nulls, false);
                anyNull = false;
            }
        }

        @Override
        long footprint() {
            return 9L * values.length;
        }

        void setNull(int row) {
            nulls[row] = true;
            anyNull = true;
        }

        @Override
        void addSizes(int[] size, int rows) {
            int field = 4 + width;
            if (!anyNull) {
                for (int r = 0; r < rows; r++) {
                    size[r] += field;
                }
                return;
            }
            for (int r = 0; r < rows; r++) {
                size[r] += nulls[r] ? 4 : field;
            }
        }

        @Override
        void write(byte[] out, int[] at, int rows) {
            long[] v = values;
            boolean[] n = nulls;
            // One loop per width, as in the decoder: no branch on the width inside the loop over rows.
            switch (width) {
                case 8:
                    for (int r = 0; r < rows; r++) {
                        int p = at[r];
                        if (n[r]) {
                            INT.set(out, p, -1);
                            at[r] = p + 4;
                        } else {
                            INT.set(out, p, 8);
                            LONG.set(out, p + 4, v[r]);
                            at[r] = p + 12;
                        }
                    }
                    break;
                case 4:
                    for (int r = 0; r < rows; r++) {
                        int p = at[r];
                        if (n[r]) {
                            INT.set(out, p, -1);
                            at[r] = p + 4;
                        } else {
                            INT.set(out, p, 4);
                            INT.set(out, p + 4, (int) v[r]);
                            at[r] = p + 8;
                        }
                    }
                    break;
                case 2:
                    for (int r = 0; r < rows; r++) {
                        int p = at[r];
                        if (n[r]) {
                            INT.set(out, p, -1);
                            at[r] = p + 4;
                        } else {
                            INT.set(out, p, 2);
                            SHORT.set(out, p + 4, (short) v[r]);
                            at[r] = p + 6;
                        }
                    }
                    break;
                case 1:
                    for (int r = 0; r < rows; r++) {
                        int p = at[r];
                        if (n[r]) {
                            INT.set(out, p, -1);
                            at[r] = p + 4;
                        } else {
                            INT.set(out, p, 1);
                            out[p + 4] = (byte) v[r];
                            at[r] = p + 5;
                        }
                    }
                    break;
                default:
                    throw new IllegalStateException("no fixed width " + width);
            }
        }
    }

    /** Whole fields one after another in one buffer, each row's end offset beside it. */
    static final class Bytes extends FieldColumn {
        byte[] data = new byte[64 * 1024];
        final int[] ends;
        int used;
        int count;
        private int fieldAt;

        Bytes(int capacity) {
            this.ends = new int[capacity];
        }

        @Override
        void reset() {
            used = 0;
            count = 0;
        }

        @Override
        long footprint() {
            return data.length + 4L * ends.length;
        }

        private void ensure(int extra) {
            if (used + extra > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, used + extra));
            }
        }

        void nullField() {
            ensure(4);
            INT.set(data, used, -1);
            used += 4;
            ends[count++] = used;
        }

        void field(byte[] b, int off, int len) {
            ensure(4 + len);
            INT.set(data, used, len);
            System.arraycopy(b, off, data, used + 4, len);
            used += 4 + len;
            ends[count++] = used;
        }

        /** A whole field already in binary COPY form, length included. */
        void encoded(byte[] field, int off, int len) {
            ensure(len);
            System.arraycopy(field, off, data, used, len);
            used += len;
            ends[count++] = used;
        }

        /** Starts a field whose bytes follow through the put methods; {@link #end()} closes it. */
        void begin(int atMost) {
            ensure(4 + atMost);
            fieldAt = used;
            used += 4;
        }

        void put8(int v) {
            data[used++] = (byte) v;
        }

        void put16(int v) {
            SHORT.set(data, used, (short) v);
            used += 2;
        }

        void put(byte[] b, int off, int len) {
            System.arraycopy(b, off, data, used, len);
            used += len;
        }

        void end() {
            INT.set(data, fieldAt, used - fieldAt - 4);
            ends[count++] = used;
        }

        @Override
        void addSizes(int[] size, int rows) {
            int start = 0;
            for (int r = 0; r < rows; r++) {
                int end = ends[r];
                size[r] += end - start;
                start = end;
            }
        }

        @Override
        void write(byte[] out, int[] at, int rows) {
            int start = 0;
            for (int r = 0; r < rows; r++) {
                int end = ends[r];
                int len = end - start;
                int p = at[r];
                System.arraycopy(data, start, out, p, len);
                at[r] = p + len;
                start = end;
            }
        }
    }
}
