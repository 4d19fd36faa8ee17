package io.pgfreezer.metrics;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus text exposition format, version 0.0.4: each family once, as {@code # HELP},
 * {@code # TYPE}, then all its samples together (the format forbids splitting a family), in
 * {@link Family} order. Label values are escaped, since table names may hold quotes, backslashes
 * or anything else PostgreSQL allows.
 */
final class TextFormat {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private TextFormat() {
    }

    static String render(List<Sample> samples) {
        StringBuilder out = new StringBuilder();
        for (Family family : Family.values()) {
            List<Sample> own = samples.stream().filter(s -> s.family() == family).toList();
            if (own.isEmpty()) {
                continue;
            }
            out.append("# HELP ").append(family.metricName).append(' ').append(escapeHelp(family.help)).append('\n');
            out.append("# TYPE ").append(family.metricName).append(' ').append(family.type.text()).append('\n');
            for (Sample s : own) {
                out.append(family.metricName);
                if (!s.labels().isEmpty()) {
                    out.append('{');
                    boolean first = true;
                    for (Map.Entry<String, String> label : s.labels().entrySet()) {
                        if (!first) {
                            out.append(',');
                        }
                        first = false;
                        out.append(label.getKey()).append("=\"").append(escapeLabelValue(label.getValue())).append('"');
                    }
                    out.append('}');
                }
                out.append(' ').append(value(s.value())).append('\n');
            }
        }
        return out.toString();
    }

    static String escapeLabelValue(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** Whole numbers without a fraction ({@code 1440}, not {@code 1440.0}); others without an exponent. */
    static String value(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return BigDecimal.valueOf(v).toPlainString();
    }

    /**
     * Reads back the samples of a file this class wrote, so that a run of one table can keep the
     * other tables' samples. Samples of families pg-freezer does not know are dropped.
     *
     * @throws IllegalArgumentException when a line is not a valid sample or comment
     */
    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            try {
                Sample s = new LineParser(line).sample();
                if (s != null) {
                    samples.add(s);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        return samples;
    }

    private static final class LineParser {
        private final String line;
        private int pos;

        LineParser(String line) {
            this.line = line;
        }

        Sample sample() {
            String name = name(true);
            Map<String, String> labels = new LinkedHashMap<>();
            if (peek() == '{') {
                pos++;
                while (peek() != '}') {
                    String label = name(false);
                    expect('=');
                    expect('"');
                    labels.put(label, quoted());
                    if (peek() == ',') {
                        pos++;
                    } else if (peek() != '}') {
                        throw new IllegalArgumentException("expected ',' or '}' at column " + (pos + 1));
                    }
                }
                pos++;
            }
            if (peek() != ' ') {
                throw new IllegalArgumentException("expected a space before the value at column " + (pos + 1));
            }
            String[] rest = line.substring(pos).strip().split(" +");
            if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
                throw new IllegalArgumentException("expected a value and an optional timestamp");
            }
            double value = parseValue(rest[0]);
            Family family = Family.byName(name);
            return family == null ? null : new Sample(family, labels, value);
        }

        private char peek() {
            return pos < line.length() ? line.charAt(pos) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at column " + (pos + 1));
            }
            pos++;
        }

        private String name(boolean metric) {
            int start = pos;
            while (pos < line.length()) {
                char c = line.charAt(pos);
                boolean ok = c == '_' || (metric && c == ':') || Character.isLetter(c) && c < 128
                        || (pos > start && c >= '0' && c <= '9');
                if (!ok) {
                    break;
                }
                pos++;
            }
            if (pos == start) {
                throw new IllegalArgumentException("expected a name at column " + (start + 1));
            }
            return line.substring(start, pos);
        }

        private String quoted() {
            StringBuilder v = new StringBuilder();
            while (true) {
                if (pos >= line.length()) {
                    throw new IllegalArgumentException("unterminated label value");
                }
                char c = line.charAt(pos++);
                if (c == '"') {
                    return v.toString();
                }
                if (c == '\\') {
                    char next = pos < line.length() ? line.charAt(pos++) : '\0';
                    switch (next) {
                        case '\\' -> v.append('\\');
                        case '"' -> v.append('"');
                        case 'n' -> v.append('\n');
                        default -> throw new IllegalArgumentException("invalid escape '\\" + next + "' in a label value");
                    }
                } else {
                    v.append(c);
                }
            }
        }

        private static double parseValue(String text) {
            return switch (text) {
                case "NaN" -> Double.NaN;
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> {
                    try {
                        yield Double.parseDouble(text);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("invalid value '" + text + "'");
                    }
                }
            };
        }
    }
}
