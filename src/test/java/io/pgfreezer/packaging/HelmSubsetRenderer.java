package io.pgfreezer.packaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Renders a Helm chart the way {@code helm template} does, for the subset of Go templates and
 * Sprig functions that the pg-freezer chart is written in. The helm binary is not available to the
 * build, so this is what proves the chart renders to the manifests we mean.
 *
 * <p>Supported: text with {@code {{- }} / {@code -}}} whitespace trimming; comments; pipelines
 * with parenthesised sub-pipelines; {@code .Values.x}, {@code .Release.x}, {@code .Chart.x},
 * {@code .} and {@code $} lookups; string, number and boolean literals; {@code if / else if /
 * else / end}, {@code with [/ else] / end}, {@code range [/ else] / end} over lists and maps,
 * {@code define}; the functions {@code include toYaml nindent indent quote default sha256sum
 * trunc trimSuffix printf contains eq not and or fail}. Anything else (variables, other
 * functions, {@code template}, {@code tpl}, ...) fails with an error that names it, so the chart
 * cannot silently drift outside what is checked here. It is a test aid, not a replacement for
 * {@code helm lint} and {@code helm template}, which should run wherever helm is installed.
 */
final class HelmSubsetRenderer {

    /** The chart uses a construct this renderer does not implement, or a template failed. */
    static final class TemplateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateException(String message) {
            super(message);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // As Go's yaml: a string that reads as a number stays a string ("1", not 1).
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private final Path chartDir;
    private final Map<String, List<Node>> files = new TreeMap<>();
    private final Map<String, List<Node>> defines = new LinkedHashMap<>();

    private HelmSubsetRenderer(Path chartDir) {
        this.chartDir = chartDir;
    }

    /** Parses every file under {@code templates/}; named templates from all of them are shared. */
    static HelmSubsetRenderer load(Path chartDir) {
        HelmSubsetRenderer renderer = new HelmSubsetRenderer(chartDir);
        try (Stream<Path> paths = Files.list(chartDir.resolve("templates"))) {
            for (Path p : paths.sorted().toList()) {
                String name = p.getFileName().toString();
                renderer.files.put(name, renderer.parse(name, Files.readString(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return renderer;
    }

    /**
     * Renders every template that Helm would output (not the {@code _*.tpl} helpers).
     *
     * @param overrides merged over values.yaml like {@code -f my-values.yaml}; a null value
     *                  removes the key, as in Helm
     * @return file name (e.g. {@code cronjob.yaml}, {@code NOTES.txt}) to rendered text
     */
    Map<String, String> render(Map<String, Object> overrides, String releaseName, String namespace) {
        Map<String, Object> values = deepMerge(readYamlMap(chartDir.resolve("values.yaml")), overrides);
        Map<String, Object> chartYaml = readYamlMap(chartDir.resolve("Chart.yaml"));
        Map<String, Object> chart = new LinkedHashMap<>();
        chart.put("Name", chartYaml.get("name"));
        chart.put("Version", chartYaml.get("version"));
        chart.put("AppVersion", chartYaml.get("appVersion"));
        chart.put("Description", chartYaml.get("description"));
        Map<String, Object> release = new LinkedHashMap<>();
        release.put("Name", releaseName);
        release.put("Namespace", namespace);
        release.put("Service", "Helm");
        release.put("IsInstall", true);
        release.put("IsUpgrade", false);
        release.put("Revision", 1);
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("Values", values);
        top.put("Chart", chart);
        top.put("Release", release);

        Map<String, String> out = new TreeMap<>();
        files.forEach((name, nodes) -> {
            if (!name.startsWith("_")) {
                StringBuilder sb = new StringBuilder();
                execute(nodes, new Scope(top, top), sb, name);
                out.put(name, sb.toString());
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- lexing and parsing

    private sealed interface Node permits Text, Output, If, With, Range {
    }

    private record Text(String text) implements Node {
    }

    private record Output(Pipeline pipeline) implements Node {
    }

    private record If(Pipeline condition, List<Node> then, List<Node> otherwise) implements Node {
    }

    private record With(Pipeline value, List<Node> body, List<Node> otherwise) implements Node {
    }

    private record Range(Pipeline value, List<Node> body, List<Node> otherwise) implements Node {
    }

    /** One lexical piece of a template: literal text, or the tokens of one action. */
    private record Piece(String text, List<Tok> action, int line) {
        boolean isText() {
            return action == null;
        }

        String keyword() {
            return action.isEmpty() || action.get(0).kind != TokKind.IDENT ? "" : action.get(0).text;
        }
    }

    private enum TokKind { IDENT, FIELD, ROOT, STRING, NUMBER, LPAREN, RPAREN, PIPE }

    private record Tok(TokKind kind, String text) {
    }

    private List<Node> parse(String file, String source) {
        List<Piece> pieces = lex(file, source);
        Cursor cursor = new Cursor(file, pieces);
        Parsed top = parseList(cursor, Set.of());
        return top.nodes;
    }

    private static List<Piece> lex(String file, String src) {
        List<Piece> pieces = new ArrayList<>();
        int i = 0;
        boolean trimNextText = false;
        while (i < src.length()) {
            int open = src.indexOf("{{", i);
            String text = src.substring(i, open < 0 ? src.length() : open);
            if (trimNextText) {
                text = stripLeading(text);
            }
            if (open < 0) {
                pieces.add(new Piece(text, null, 0));
                break;
            }
            int line = lineOf(src, open);
            int start = open + 2;
            boolean trimBefore = src.startsWith("- ", start) || src.startsWith("-\n", start)
                    || src.startsWith("-\t", start);
            if (trimBefore) {
                text = stripTrailing(text);
                start += 1;
            }
            pieces.add(new Piece(text, null, line));
            int close = findClose(src, start, file, line);
            int end = close;
            boolean trimAfter = close - 1 > start && src.charAt(close - 1) == '-'
                    && Character.isWhitespace(src.charAt(close - 2));
            if (trimAfter) {
                end = close - 1;
            }
            String body = src.substring(start, end).trim();
            if (!(body.startsWith("/*") && body.endsWith("*/"))) {
                pieces.add(new Piece(null, tokenize(body, file, line), line));
            }
            trimNextText = trimAfter;
            i = close + 2;
        }
        return pieces;
    }

    private static int findClose(String src, int from, String file, int line) {
        char quote = 0;
        for (int k = from; k < src.length() - 1; k++) {
            char ch = src.charAt(k);
            if (quote != 0) {
                if (ch == '\\' && quote == '"') {
                    k++;
                } else if (ch == quote) {
                    quote = 0;
                }
            } else if (ch == '"' || ch == '`') {
                quote = ch;
            } else if (ch == '}' && src.charAt(k + 1) == '}') {
                return k;
            }
        }
        throw new TemplateException(file + ":" + line + ": unclosed action");
    }

    private static List<Tok> tokenize(String s, String file, int line) {
        List<Tok> toks = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (Character.isWhitespace(ch)) {
                i++;
            } else if (ch == '(') {
                toks.add(new Tok(TokKind.LPAREN, "("));
                i++;
            } else if (ch == ')') {
                toks.add(new Tok(TokKind.RPAREN, ")"));
                i++;
            } else if (ch == '|') {
                toks.add(new Tok(TokKind.PIPE, "|"));
                i++;
            } else if (ch == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char c = s.charAt(i);
                    if (c == '\\') {
                        char e = s.charAt(++i);
                        sb.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case '"', '\\' -> e;
                            default -> throw new TemplateException(file + ":" + line + ": unsupported escape \\" + e);
                        });
                    } else {
                        sb.append(c);
                    }
                    i++;
                }
                toks.add(new Tok(TokKind.STRING, sb.toString()));
                i++;
            } else if (ch == '`') {
                int end = s.indexOf('`', i + 1);
                toks.add(new Tok(TokKind.STRING, s.substring(i + 1, end)));
                i = end + 1;
            } else if (ch == '.' || ch == '$') {
                int end = i + 1;
                while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_'
                        || s.charAt(end) == '.')) {
                    end++;
                }
                String word = s.substring(i, end);
                if (ch == '$') {
                    if (!word.equals("$") && !word.startsWith("$.")) {
                        throw new TemplateException(file + ":" + line + ": template variables are not supported: " + word);
                    }
                    toks.add(new Tok(TokKind.ROOT, word.substring(1)));
                } else {
                    toks.add(new Tok(TokKind.FIELD, word));
                }
                i = end;
            } else if (Character.isDigit(ch) || (ch == '-' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                int end = i + 1;
                while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.')) {
                    end++;
                }
                toks.add(new Tok(TokKind.NUMBER, s.substring(i, end)));
                i = end;
            } else if (Character.isLetter(ch)) {
                int end = i + 1;
                while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                    end++;
                }
                toks.add(new Tok(TokKind.IDENT, s.substring(i, end)));
                i = end;
            } else {
                throw new TemplateException(file + ":" + line + ": unsupported syntax '" + s.substring(i)
                        + "' (variables and assignments are outside the supported subset)");
            }
        }
        return toks;
    }

    private static final class Cursor {
        final String file;
        final List<Piece> pieces;
        int pos;

        Cursor(String file, List<Piece> pieces) {
            this.file = file;
            this.pieces = pieces;
        }

        TemplateException error(Piece at, String message) {
            return new TemplateException(file + ":" + at.line + ": " + message);
        }
    }

    /** A parsed list and the action that ended it ({@code else ...} or {@code end}), if any. */
    private record Parsed(List<Node> nodes, Piece terminator) {
    }

    private Parsed parseList(Cursor c, Set<String> terminators) {
        List<Node> nodes = new ArrayList<>();
        while (c.pos < c.pieces.size()) {
            Piece p = c.pieces.get(c.pos++);
            if (p.isText()) {
                if (!p.text.isEmpty()) {
                    nodes.add(new Text(p.text));
                }
                continue;
            }
            String kw = p.keyword();
            if (terminators.contains(kw)) {
                return new Parsed(nodes, p);
            }
            switch (kw) {
                case "if" -> nodes.add(parseIf(c, p, p.action.subList(1, p.action.size())));
                case "with", "range" -> {
                    Pipeline value = parsePipeline(c, p, p.action.subList(1, p.action.size()));
                    Parsed body = parseList(c, Set.of("else", "end"));
                    List<Node> otherwise = List.of();
                    if (body.terminator == null) {
                        throw c.error(p, "'" + kw + "' without 'end'");
                    }
                    if (body.terminator.keyword().equals("else")) {
                        if (body.terminator.action.size() > 1) {
                            throw c.error(body.terminator, "'else " + body.terminator.action.get(1).text
                                    + "' inside '" + kw + "' is not supported");
                        }
                        otherwise = expectEnd(c, p, parseList(c, Set.of("end"))).nodes;
                    }
                    nodes.add(kw.equals("with") ? new With(value, body.nodes, otherwise)
                            : new Range(value, body.nodes, otherwise));
                }
                case "define" -> {
                    if (p.action.size() != 2 || p.action.get(1).kind != TokKind.STRING) {
                        throw c.error(p, "define needs exactly one quoted name");
                    }
                    defines.put(p.action.get(1).text, expectEnd(c, p, parseList(c, Set.of("end"))).nodes);
                }
                case "else", "end" -> throw c.error(p, "unexpected '" + kw + "'");
                default -> {
                    if (p.action.isEmpty()) {
                        throw c.error(p, "empty action");
                    }
                    if (kw.equals("template") || kw.equals("block")) {
                        throw c.error(p, "'" + kw + "' is not supported; use include");
                    }
                    nodes.add(new Output(parsePipeline(c, p, p.action)));
                }
            }
        }
        return new Parsed(nodes, null);
    }

    private Parsed expectEnd(Cursor c, Piece opener, Parsed parsed) {
        if (parsed.terminator == null) {
            throw c.error(opener, "'" + opener.keyword() + "' without 'end'");
        }
        return parsed;
    }

    /** {@code else if} becomes an {@code if} nested in the else branch that shares the one {@code end}. */
    private If parseIf(Cursor c, Piece opener, List<Tok> condition) {
        Pipeline cond = parsePipeline(c, opener, condition);
        Parsed then = expectEnd(c, opener, parseList(c, Set.of("else", "end")));
        Piece term = then.terminator;
        if (term.keyword().equals("end")) {
            return new If(cond, then.nodes, List.of());
        }
        if (term.action.size() == 1) {
            return new If(cond, then.nodes, expectEnd(c, opener, parseList(c, Set.of("end"))).nodes);
        }
        if (term.action.get(1).kind == TokKind.IDENT && term.action.get(1).text.equals("if")) {
            return new If(cond, then.nodes, List.of(parseIf(c, term, term.action.subList(2, term.action.size()))));
        }
        throw c.error(term, "only 'else' and 'else if' are supported");
    }

    // ---------------------------------------------------------------- pipelines

    private sealed interface Operand permits Literal, Field, Call, Sub {
    }

    private record Literal(Object value) implements Operand {
    }

    /** {@code .a.b} (root false) or {@code $.a.b} (root true); an empty path is the value itself. */
    private record Field(boolean root, List<String> path) implements Operand {
    }

    private record Call(String function, List<Operand> args) implements Operand {
    }

    private record Sub(Pipeline pipeline) implements Operand {
    }

    private record Pipeline(List<Operand> commands) {
    }

    private static final Set<String> FUNCTIONS = Set.of("include", "toYaml", "nindent", "indent", "quote",
            "default", "sha256sum", "trunc", "trimSuffix", "printf", "contains", "eq", "not", "and", "or", "fail");

    private Pipeline parsePipeline(Cursor c, Piece at, List<Tok> toks) {
        int[] pos = {0};
        Pipeline p = parsePipeline(c, at, toks, pos);
        if (pos[0] != toks.size()) {
            throw c.error(at, "unexpected '" + toks.get(pos[0]).text + "'");
        }
        return p;
    }

    private Pipeline parsePipeline(Cursor c, Piece at, List<Tok> toks, int[] pos) {
        List<Operand> commands = new ArrayList<>();
        while (true) {
            List<Operand> operands = new ArrayList<>();
            while (pos[0] < toks.size() && toks.get(pos[0]).kind != TokKind.PIPE && toks.get(pos[0]).kind != TokKind.RPAREN) {
                operands.add(parseOperand(c, at, toks, pos));
            }
            if (operands.isEmpty()) {
                throw c.error(at, "missing value in pipeline");
            }
            Operand first = operands.get(0);
            if (first instanceof Call call && call.args.isEmpty()) {
                commands.add(new Call(call.function, operands.subList(1, operands.size())));
            } else if (operands.size() == 1 && commands.isEmpty()) {
                commands.add(first);
            } else {
                throw c.error(at, "a command must start with a function name");
            }
            if (pos[0] < toks.size() && toks.get(pos[0]).kind == TokKind.PIPE) {
                pos[0]++;
                continue;
            }
            return new Pipeline(commands);
        }
    }

    private Operand parseOperand(Cursor c, Piece at, List<Tok> toks, int[] pos) {
        Tok t = toks.get(pos[0]++);
        return switch (t.kind) {
            case STRING -> new Literal(t.text);
            case NUMBER -> new Literal(t.text.contains(".") ? (Object) Double.parseDouble(t.text) : (Object) Long.parseLong(t.text));
            case FIELD -> new Field(false, splitPath(t.text));
            case ROOT -> new Field(true, splitPath(t.text));
            case LPAREN -> {
                Pipeline inner = parsePipeline(c, at, toks, pos);
                if (pos[0] >= toks.size() || toks.get(pos[0]).kind != TokKind.RPAREN) {
                    throw c.error(at, "missing ')'");
                }
                pos[0]++;
                yield new Sub(inner);
            }
            case IDENT -> switch (t.text) {
                case "true" -> new Literal(Boolean.TRUE);
                case "false" -> new Literal(Boolean.FALSE);
                case "nil" -> new Literal(null);
                default -> {
                    if (!FUNCTIONS.contains(t.text)) {
                        throw c.error(at, "function '" + t.text + "' is outside the supported subset");
                    }
                    yield new Call(t.text, List.of());
                }
            };
            default -> throw c.error(at, "unexpected '" + t.text + "'");
        };
    }

    private static List<String> splitPath(String dotted) {
        List<String> path = new ArrayList<>();
        for (String part : dotted.split("\\.")) {
            if (!part.isEmpty()) {
                path.add(part);
            }
        }
        return path;
    }

    // ---------------------------------------------------------------- execution

    /** {@code dot} is {@code .}; {@code root} is {@code $}, the data the template was called with. */
    private record Scope(Object dot, Object root) {
        Scope withDot(Object newDot) {
            return new Scope(newDot, root);
        }
    }

    private void execute(List<Node> nodes, Scope scope, StringBuilder out, String where) {
        for (Node node : nodes) {
            if (node instanceof Text t) {
                out.append(t.text);
            } else if (node instanceof Output o) {
                out.append(print(eval(o.pipeline, scope, where), where));
            } else if (node instanceof If i) {
                execute(truthy(eval(i.condition, scope, where)) ? i.then : i.otherwise, scope, out, where);
            } else if (node instanceof With w) {
                Object v = eval(w.value, scope, where);
                if (truthy(v)) {
                    execute(w.body, scope.withDot(v), out, where);
                } else {
                    execute(w.otherwise, scope, out, where);
                }
            } else if (node instanceof Range r) {
                Object v = eval(r.value, scope, where);
                Collection<?> items = v instanceof Map<?, ?> m ? new TreeMap<>(m).values()
                        : v instanceof Collection<?> col ? col
                        : v == null ? List.of()
                        : null;
                if (items == null) {
                    throw new TemplateException(where + ": range over " + v.getClass().getSimpleName());
                }
                if (items.isEmpty()) {
                    execute(r.otherwise, scope, out, where);
                }
                for (Object item : items) {
                    execute(r.body, scope.withDot(item), out, where);
                }
            }
        }
    }

    private Object eval(Pipeline p, Scope scope, String where) {
        Object value = null;
        boolean piped = false;
        for (Operand command : p.commands) {
            if (command instanceof Call call) {
                List<Object> args = new ArrayList<>();
                for (Operand a : call.args) {
                    args.add(evalOperand(a, scope, where));
                }
                if (piped) {
                    args.add(value);
                }
                value = call(call.function, args, where);
            } else {
                value = evalOperand(command, scope, where);
            }
            piped = true;
        }
        return value;
    }

    private Object evalOperand(Operand o, Scope scope, String where) {
        if (o instanceof Literal l) {
            return l.value;
        }
        if (o instanceof Sub sub) {
            return eval(sub.pipeline, scope, where);
        }
        if (o instanceof Call c) {
            return call(c.function, List.of(), where);
        }
        Field f = (Field) o;
        Object v = f.root ? scope.root : scope.dot;
        StringBuilder walked = new StringBuilder(f.root ? "$" : "");
        for (String key : f.path) {
            if (v == null) {
                // As Helm: a field of a missing value is an error, not an empty string.
                throw new TemplateException(where + ": nil pointer evaluating " + walked + "." + key);
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw new TemplateException(where + ": can't evaluate field " + key + " in " + walked);
            }
            v = m.get(key);
            walked.append('.').append(key);
        }
        return v;
    }

    private Object call(String fn, List<Object> a, String where) {
        switch (fn) {
            case "include" -> {
                arity(fn, a, 2, where);
                List<Node> body = defines.get(str(a.get(0)));
                if (body == null) {
                    throw new TemplateException(where + ": no template named " + a.get(0));
                }
                StringBuilder sb = new StringBuilder();
                execute(body, new Scope(a.get(1), a.get(1)), sb, where + " > " + a.get(0));
                return sb.toString();
            }
            case "toYaml" -> {
                arity(fn, a, 1, where);
                try {
                    return YAML.writeValueAsString(a.get(0)).replaceFirst("\n$", "");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case "indent", "nindent" -> {
                arity(fn, a, 2, where);
                String pad = " ".repeat(((Number) a.get(0)).intValue());
                String indented = pad + str(a.get(1)).replace("\n", "\n" + pad);
                return fn.equals("nindent") ? "\n" + indented : indented;
            }
            case "quote" -> {
                List<String> quoted = new ArrayList<>();
                for (Object v : a) {
                    if (v != null) {
                        quoted.add(goQuote(str(v)));
                    }
                }
                return String.join(" ", quoted);
            }
            case "default" -> {
                return a.size() < 2 || !truthy(a.get(1)) ? a.get(0) : a.get(1);
            }
            case "sha256sum" -> {
                arity(fn, a, 1, where);
                try {
                    byte[] digest = MessageDigest.getInstance("SHA-256").digest(str(a.get(0)).getBytes(StandardCharsets.UTF_8));
                    return HexFormat.of().formatHex(digest);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            case "trunc" -> {
                arity(fn, a, 2, where);
                int n = ((Number) a.get(0)).intValue();
                String s = str(a.get(1));
                if (n >= 0) {
                    return s.length() > n ? s.substring(0, n) : s;
                }
                return s.length() + n > 0 ? s.substring(s.length() + n) : s;
            }
            case "trimSuffix" -> {
                arity(fn, a, 2, where);
                String suffix = str(a.get(0));
                String s = str(a.get(1));
                return s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "printf" -> {
                return goSprintf(str(a.get(0)), a.subList(1, a.size()), where);
            }
            case "contains" -> {
                arity(fn, a, 2, where);
                return str(a.get(1)).contains(str(a.get(0)));
            }
            case "eq" -> {
                arity(fn, a, 2, where);
                return normalise(a.get(0)).equals(normalise(a.get(1)));
            }
            case "not" -> {
                arity(fn, a, 1, where);
                return !truthy(a.get(0));
            }
            case "and" -> {
                Object last = null;
                for (Object v : a) {
                    if (!truthy(v)) {
                        return v;
                    }
                    last = v;
                }
                return last;
            }
            case "or" -> {
                Object last = null;
                for (Object v : a) {
                    if (truthy(v)) {
                        return v;
                    }
                    last = v;
                }
                return last;
            }
            case "fail" -> throw new TemplateException(where + ": execution error: " + str(a.get(0)));
            default -> throw new TemplateException(where + ": function '" + fn + "' is outside the supported subset");
        }
    }

    private static void arity(String fn, List<Object> args, int n, String where) {
        if (args.size() != n) {
            throw new TemplateException(where + ": " + fn + " takes " + n + " arguments, got " + args.size());
        }
    }

    /** Go's truth: false, 0, nil and empty strings, lists and maps are false. */
    static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    private static Object normalise(Object v) {
        return v instanceof Number n ? (Object) n.doubleValue() : v == null ? "" : v;
    }

    /** What {@code {{ x }}} prints. Helm turns a missing value into an empty string. */
    private static String print(Object v, String where) {
        if (v instanceof Map<?, ?> || v instanceof Collection<?>) {
            throw new TemplateException(where + ": printing a map or list as Go text; use toYaml");
        }
        return str(v);
    }

    private static String str(Object v) {
        if (v == null) {
            return "";
        }
        if ((v instanceof Double || v instanceof Float) && ((Number) v).doubleValue() == Math.rint(((Number) v).doubleValue())) {
            return Long.toString(((Number) v).longValue());
        }
        return v.toString();
    }

    private static String goSprintf(String format, List<Object> args, String where) {
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char ch = format.charAt(i);
            if (ch != '%') {
                sb.append(ch);
                continue;
            }
            char verb = format.charAt(++i);
            if (verb == '%') {
                sb.append('%');
            } else if (verb == 's' || verb == 'v' || verb == 'd') {
                sb.append(str(args.get(next++)));
            } else {
                throw new TemplateException(where + ": printf verb %" + verb + " is outside the supported subset");
            }
        }
        return sb.toString();
    }

    /** Go's strconv.Quote, whose output is also a valid YAML double-quoted scalar. */
    private static String goQuote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.append('"').toString();
    }

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripTrailing(String s) {
        int i = s.length();
        while (i > 0 && " \t\r\n".indexOf(s.charAt(i - 1)) >= 0) {
            i--;
        }
        return s.substring(0, i);
    }

    private static int lineOf(String s, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    // ---------------------------------------------------------------- values

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readYamlMap(Path file) {
        try {
            String text = Files.readString(file);
            Map<String, Object> map = text.isBlank() ? null : YAML.readValue(text, Map.class);
            return map == null ? new LinkedHashMap<>() : map;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Helm's coalescing of user values over the chart's: maps merge, anything else replaces. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> overrides) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        overrides.forEach((key, value) -> {
            if (value == null) {
                merged.remove(key);
            } else if (value instanceof Map<?, ?> m && merged.get(key) instanceof Map<?, ?> existing) {
                merged.put(key, deepMerge((Map<String, Object>) existing, (Map<String, Object>) m));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }
}
