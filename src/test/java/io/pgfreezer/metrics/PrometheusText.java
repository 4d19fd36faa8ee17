package io.pgfreezer.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, written independently of the
 * production code so that tests check the format itself, not agreement with its writer.
 * It rejects what Prometheus (or node_exporter) would reject or silently mangle: a sample before
 * its family's TYPE, a family split in two, duplicate HELP/TYPE or series, bad names, bad
 * escapes, a value that is not a float, a missing final newline.
 */
public final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + METRIC_NAME.pattern() + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + METRIC_NAME.pattern()
            + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(Inf|NaN|(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)");

    public record Series(String name, Map<String, String> labels, double value) {
    }

    public record Family(String name, String type, String help, List<Series> series) {
        public double value(Map<String, String> labels) {
            return series.stream().filter(s -> s.labels().equals(labels)).findFirst()
                    .orElseThrow(() -> new AssertionError("no series " + name + labels + " in " + series))
                    .value();
        }
    }

    private PrometheusText() {
    }

    public static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("exposition text must end with a newline");
        }
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<String, List<Series>> series = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> seen = new HashSet<>();
        String current = null;
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            String where = "line " + lineNo + " '" + line + "': ";
            if (line.isEmpty()) {
                continue;
            }
            Matcher help = HELP.matcher(line);
            Matcher type = TYPE.matcher(line);
            String family;
            if (help.matches()) {
                family = help.group(1);
                if (helps.put(family, help.group(2)) != null) {
                    throw new AssertionError(where + "second HELP for " + family);
                }
            } else if (type.matches()) {
                family = type.group(1);
                if (series.containsKey(family)) {
                    throw new AssertionError(where + "TYPE after samples of " + family);
                }
                if (types.put(family, type.group(2)) != null) {
                    throw new AssertionError(where + "second TYPE for " + family);
                }
            } else if (line.startsWith("#")) {
                continue;
            } else {
                Series s = sample(line, where);
                family = s.name();
                if (!types.containsKey(family)) {
                    throw new AssertionError(where + "sample before the TYPE of its family");
                }
                if (!seen.add(family + s.labels())) {
                    throw new AssertionError(where + "duplicate series");
                }
                series.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
            }
            if (!family.equals(current)) {
                if (closed.contains(family)) {
                    throw new AssertionError(where + "family " + family + " appears in two places");
                }
                if (current != null) {
                    closed.add(current);
                }
                current = family;
            }
        }
        Map<String, Family> families = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : types.entrySet()) {
            families.put(t.getKey(), new Family(t.getKey(), t.getValue(), helps.get(t.getKey()),
                    List.copyOf(series.getOrDefault(t.getKey(), List.of()))));
        }
        return families;
    }

    private static Series sample(String line, String where) {
        int pos = 0;
        Matcher name = METRIC_NAME.matcher(line);
        if (!name.lookingAt()) {
            throw new AssertionError(where + "no metric name");
        }
        pos = name.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (pos < line.length() && line.charAt(pos) == '{') {
            pos++;
            while (line.charAt(pos) != '}') {
                Matcher label = LABEL_NAME.matcher(line).region(pos, line.length());
                if (!label.lookingAt()) {
                    throw new AssertionError(where + "bad label name at column " + (pos + 1));
                }
                pos = label.end();
                if (!line.startsWith("=\"", pos)) {
                    throw new AssertionError(where + "expected =\" at column " + (pos + 1));
                }
                pos += 2;
                StringBuilder value = new StringBuilder();
                while (true) {
                    if (pos >= line.length()) {
                        throw new AssertionError(where + "unterminated label value");
                    }
                    char c = line.charAt(pos++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char e = line.charAt(pos++);
                        value.append(switch (e) {
                            case '\\' -> '\\';
                            case '"' -> '"';
                            case 'n' -> '\n';
                            default -> throw new AssertionError(where + "invalid escape \\" + e);
                        });
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label.group(), value.toString()) != null) {
                    throw new AssertionError(where + "label " + label.group() + " twice");
                }
                if (line.charAt(pos) == ',') {
                    pos++;
                } else if (line.charAt(pos) != '}') {
                    throw new AssertionError(where + "expected , or } at column " + (pos + 1));
                }
            }
            pos++;
        }
        String[] rest = line.substring(pos).split(" ", -1);
        if (rest.length < 2 || rest.length > 3 || !rest[0].isEmpty()) {
            throw new AssertionError(where + "expected exactly one space, a value and an optional timestamp");
        }
        if (!FLOAT.matcher(rest[1]).matches()) {
            throw new AssertionError(where + "value '" + rest[1] + "' is not a Prometheus float");
        }
        if (rest.length == 3 && !rest[2].matches("-?\\d+")) {
            throw new AssertionError(where + "timestamp '" + rest[2] + "' is not an integer");
        }
        String v = rest[1].replace("Inf", "Infinity");
        return new Series(name.group(), labels, Double.parseDouble(v));
    }
}
