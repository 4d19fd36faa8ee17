package io.pgfreezer.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON laid out as the original writes it (pydantic / {@code json.dumps(indent=2)}): two-space
 * indentation, {@code "key": value}, {@code ,} at line ends, {@code []} and {@code {}} for empty
 * containers, {@code \n} line breaks whatever the platform, no trailing newline. Manifests must
 * look like the original's so a diff between a Python-written and a Java-written one shows only
 * real differences; command output uses the same layout for consistency.
 */
public final class PythonStyleJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer(prettyPrinter());

    private PythonStyleJson() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** The parser shared by readers of our JSON (thread-safe once configured). */
    static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(JsonNode node) {
        try {
            return WRITER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            // A tree of plain nodes always serialises; reaching this is a bug, not an operator problem.
            throw new IllegalStateException("cannot serialise JSON tree", e);
        }
    }

    /**
     * A generator writing the same layout as {@link #write} straight to {@code out}, for output
     * too large to build as one tree and one string first. Closing it flushes but leaves
     * {@code out} open.
     */
    public static com.fasterxml.jackson.core.JsonGenerator generator(java.io.Writer out) throws java.io.IOException {
        return WRITER.createGenerator(out).disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter(separators)
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
    }
}
