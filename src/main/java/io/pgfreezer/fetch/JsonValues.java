package io.pgfreezer.fetch;

import io.pgfreezer.format.JsonText;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * One value as a JSON value: numbers as numbers (decimals from their exact text, never through a
 * double), {@code NaN} and the infinities as the strings {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"} (JSON has no such numbers, and {@code null} would lose them), JSON documents
 * embedded as JSON, lists as arrays, everything else as the string {@link ValueText} gives.
 *
 * <p>A JSON document is copied token by token: the value, key order, duplicate keys and the text
 * of every number stay as stored; only insignificant whitespace goes, so a document with line
 * breaks still fits on one JSON Lines line, and a document that is not valid JSON is refused
 * instead of corrupting the output.
 */
final class JsonValues {

    private static final JsonFactory DOCUMENTS = JsonFactory.builder()
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .build();

    private JsonValues() {
    }

    static void write(JsonGenerator out, String column, Object value) throws IOException {
        if (value == null) {
            out.writeNull();
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (Object element : list) {
                write(out, column, element);
            }
            out.writeEndArray();
        } else if (value instanceof JsonText json) {
            document(out, column, json.text());
        } else if (value instanceof Boolean b) {
            out.writeBoolean(b);
        } else if (value instanceof Short || value instanceof Integer || value instanceof Long) {
            out.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigDecimal decimal) {
            out.writeNumber(decimal.toPlainString());
        } else if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                out.writeString(d.toString());
            } else {
                out.writeNumber(d);
            }
        } else if (value instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                out.writeString(f.toString());
            } else {
                out.writeNumber(f);
            }
        } else {
            out.writeString(ValueText.of(value));
        }
    }

    private static void document(JsonGenerator out, String column, String text) throws IOException {
        try (JsonParser in = DOCUMENTS.createParser(text)) {
            JsonToken token = in.nextToken();
            if (token == null) {
                throw notJson(column, "it is empty");
            }
            int depth = 0;
            while (true) {
                out.copyCurrentEventExact(in);
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
                if (depth == 0) {
                    break;
                }
                token = in.nextToken();
            }
            if (in.nextToken() != null) {
                throw notJson(column, "text follows the document");
            }
        } catch (JsonParseException e) {
            throw notJson(column, e.getOriginalMessage());
        }
    }

    private static FetchException notJson(String column, String why) {
        return new FetchException("column \"" + column + "\" is a JSON column but holds a value that is not "
                + "valid JSON (" + why + ")");
    }
}
