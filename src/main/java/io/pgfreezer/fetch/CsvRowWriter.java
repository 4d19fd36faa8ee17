package io.pgfreezer.fetch;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * CSV as RFC 4180 describes it, with one deliberate difference: records end with LF, not CRLF, which
 * is what Unix tools, DuckDB, pandas and the original tool's output use (CSV readers accept both).
 * A header row names the columns; fields are separated by commas; a field containing a comma, a
 * double quote, CR or LF is enclosed in double quotes, with its quotes doubled. NULL is an empty
 * field and the empty string is {@code ""}, so the two stay apart (as in PostgreSQL's CSV COPY).
 * JSON documents are written as their stored text, lists as JSON array text; every other value as
 * {@link ValueText} gives it.
 */
final class CsvRowWriter implements RowWriter {

    private static final JsonFactory ARRAYS = new JsonFactory();

    private final Writer out;
    private List<String> columns = List.of();

    CsvRowWriter(Writer out) {
        this.out = out;
    }

    @Override
    public void begin(List<String> columns) throws IOException {
        this.columns = List.copyOf(columns);
        if (columns.isEmpty()) {
            return;
        }
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            field(columns.get(i));
        }
        out.write('\n');
    }

    @Override
    public void row(Object[] values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            Object value = values[i];
            if (value == null) {
                continue;
            }
            String text = value instanceof List<?> ? arrayText(columns.get(i), value) : ValueText.of(value);
            if (text.isEmpty()) {
                out.write("\"\"");
            } else {
                field(text);
            }
        }
        out.write('\n');
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void end() throws IOException {
        out.flush();
    }

    private void field(String text) throws IOException {
        if (!needsQuotes(text)) {
            out.write(text);
            return;
        }
        out.write('"');
        out.write(text.replace("\"", "\"\""));
        out.write('"');
    }

    static boolean needsQuotes(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }

    private static String arrayText(String column, Object list) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = ARRAYS.createGenerator(text)) {
            JsonValues.write(json, column, list);
        }
        return text.toString();
    }
}
