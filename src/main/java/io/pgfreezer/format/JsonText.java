package io.pgfreezer.format;

import java.util.Objects;

/**
 * The text of a JSON document read from a JSON column, exactly as it was stored. A distinct type
 * so that output writers emit it as JSON rather than as a string that happens to contain JSON.
 */
public record JsonText(String text) {

    public JsonText {
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return text;
    }
}
