package io.pgfreezer.fetch;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

/**
 * JSON output, one object per row with the columns as keys in output order and every value as
 * {@link JsonValues} writes it. {@code json} is one array with one object per line inside it
 * ({@code []} when there are no rows); {@code jsonl} is one object per line and nothing else.
 * Text is UTF-8 with non-ASCII characters as they are; line breaks inside strings are escaped, so
 * a record never spans two lines.
 */
final class JsonRowWriter implements RowWriter {

    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .rootValueSeparator((String) null)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.AUTO_CLOSE_CONTENT)
            .build();

    private final Writer target;
    private final boolean array;
    private JsonGenerator out;
    private List<String> columns = List.of();
    private boolean first = true;

    private JsonRowWriter(Writer target, boolean array) {
        this.target = target;
        this.array = array;
    }

    static JsonRowWriter array(Writer out) {
        return new JsonRowWriter(out, true);
    }

    static JsonRowWriter lines(Writer out) {
        return new JsonRowWriter(out, false);
    }

    @Override
    public void begin(List<String> columns) throws IOException {
        this.columns = List.copyOf(columns);
        this.out = FACTORY.createGenerator(target);
        if (array) {
            out.writeRaw('[');
        }
    }

    @Override
    public void row(Object[] values) throws IOException {
        if (array) {
            out.writeRaw(first ? "\n" : ",\n");
        }
        first = false;
        out.writeStartObject();
        for (int i = 0; i < values.length; i++) {
            out.writeFieldName(columns.get(i));
            JsonValues.write(out, columns.get(i), values[i]);
        }
        out.writeEndObject();
        if (!array) {
            out.writeRaw('\n');
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void end() throws IOException {
        if (array) {
            out.writeRaw(first ? "]\n" : "\n]\n");
        }
        out.close();
        target.flush();
    }
}
