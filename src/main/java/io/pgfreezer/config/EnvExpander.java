package io.pgfreezer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:=default}} in the configuration text before it is parsed
 * as YAML, as the original tool did. Rules:
 * <ul>
 *   <li>{@code ${VAR}}: VAR must be set (it may be empty); unset is an error naming it, because a
 *       literal {@code ${PG_DSN}} left in place only fails later and less clearly.</li>
 *   <li>{@code ${VAR:=default}}: the default applies when VAR is unset or empty;
 *       {@code ${VAR:=}} is how an optional value is written.</li>
 *   <li>Comments are left alone, so a commented-out line may mention a variable that is not set.
 *       Comment detection is line-based YAML lexing (a {@code #} after whitespace, outside quotes);
 *       it does not follow multi-line quoted scalars, which a configuration has no need for.</li>
 *   <li>Values are inserted verbatim and never re-scanned: a password containing {@code ${} stays
 *       as it is. Quote values that may contain YAML syntax such as {@code #} or {@code : }.</li>
 * </ul>
 */
final class EnvExpander {
    private static final Pattern REFERENCE =
            Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::=([^}]*))?}");
    private static final Pattern NAME_PREFIX = Pattern.compile("\\$\\{[A-Za-z0-9_]*");

    private EnvExpander() {
    }

    /** @throws ConfigProblem located by line when a reference is malformed or a required variable is unset */
    static String expand(String text, Map<String, String> env) {
        String[] lines = text.split("\n", -1);
        List<Unset> missing = new ArrayList<>();
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            String line = lines[i];
            int commentStart = commentStart(line);
            out.append(expandLine(line.substring(0, commentStart), i + 1, env, missing));
            out.append(line, commentStart, line.length());
        }
        if (missing.size() == 1) {
            Unset only = missing.get(0);
            throw new ConfigProblem("line " + only.line(), "environment variable " + only.name()
                    + " is not set (write ${" + only.name() + ":=default} if it is optional)");
        }
        if (!missing.isEmpty()) {
            StringBuilder names = new StringBuilder();
            for (Unset unset : missing) {
                names.append(names.length() == 0 ? "" : ", ").append(unset.name()).append(" (line ")
                        .append(unset.line()).append(')');
            }
            throw new ConfigProblem("", "environment variables are not set: " + names);
        }
        return out.toString();
    }

    /** A required variable that is not set, and where it is referenced. */
    private record Unset(String name, int line) {
    }

    private static String expandLine(String code, int lineNumber, Map<String, String> env, List<Unset> missing) {
        StringBuilder out = new StringBuilder(code.length());
        int from = 0;
        int at;
        while ((at = code.indexOf("${", from)) >= 0) {
            out.append(code, from, at);
            Matcher m = REFERENCE.matcher(code).region(at, code.length());
            if (!m.lookingAt()) {
                // Show only the name part: the rest may be a default value holding a secret.
                Matcher prefix = NAME_PREFIX.matcher(code).region(at, code.length());
                String shown = prefix.lookingAt() ? prefix.group() : "${";
                throw new ConfigProblem("line " + lineNumber, "malformed variable reference '" + shown
                        + "...' (write ${VAR} or ${VAR:=default})");
            }
            String name = m.group(1);
            String value = env.get(name);
            String fallback = m.group(2);
            if (fallback != null) {
                out.append(value == null || value.isEmpty() ? fallback : value);
            } else if (value != null) {
                out.append(value);
            } else {
                missing.add(new Unset(name, lineNumber));
            }
            from = m.end();
        }
        out.append(code, from, code.length());
        return out.toString();
    }

    /**
     * Index where the line's YAML comment starts, or the line length. A {@code #} starts a
     * comment at the start of the line or after whitespace, outside quoted scalars and outside
     * a variable reference (whose default may contain {@code " #"}). A quote only opens a quoted
     * scalar where a scalar can start, so the apostrophe in {@code note: it's} is plain text.
     */
    static int commentStart(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '"') {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quote = 0;
                }
            } else if (quote == '\'') {
                if (c == '\'') {
                    quote = 0; // a doubled '' reopens at once on the next character
                    if (i + 1 < line.length() && line.charAt(i + 1) == '\'') {
                        quote = '\'';
                        i++;
                    }
                }
            } else if (c == '$' && i + 1 < line.length() && line.charAt(i + 1) == '{') {
                int close = line.indexOf('}', i);
                if (close < 0) {
                    return line.length();
                }
                i = close;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return i;
            } else if ((c == '"' || c == '\'') && scalarMayStartAt(line, i)) {
                quote = c;
            }
        }
        return line.length();
    }

    private static boolean scalarMayStartAt(String line, int index) {
        for (int j = index - 1; j >= 0; j--) {
            char p = line.charAt(j);
            if (!Character.isWhitespace(p)) {
                return p == ':' || p == '-' || p == '[' || p == '{' || p == ',' || p == '?';
            }
        }
        return true;
    }
}
