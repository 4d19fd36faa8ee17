package io.pgfreezer.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.JacksonYAMLParseException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses the expanded configuration text into {@link RawConfig} and turns every Jackson failure
 * into a {@link ConfigProblem} located by YAML path (or line and column when the YAML itself is
 * malformed). Values of secret fields are never repeated in a message, and neither are source
 * snippets, since the line in question may hold a password.
 */
final class YamlBinding {
    /** Fields whose values may carry a credential: a DSN password, keys, a webhook's token, basic auth. */
    static final Set<String> SECRET_FIELDS = Set.of("dsn", "access_key", "secret_key", "webhook_url", "pushgateway_url");

    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // A key written twice is almost always an editing mistake; the last one winning silently is worse.
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private YamlBinding() {
    }

    /** @throws ConfigProblem describing the first thing that does not fit */
    static RawConfig parse(String yaml) {
        try (JsonParser parser = MAPPER.createParser(yaml)) {
            JsonNode tree = MAPPER.readTree(parser);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new ConfigProblem("", "holds no configuration (expected database, storage and tables sections)");
            }
            if (parser.nextToken() != null) {
                throw new ConfigProblem(at(parser.currentLocation()),
                        "a second YAML document starts here (after a '---' separator); the file must hold exactly one");
            }
            return MAPPER.treeToValue(tree, RawConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw unknownField(e);
        } catch (InvalidFormatException e) {
            throw invalidValue(e);
        } catch (MismatchedInputException e) {
            throw wrongShape(e);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamReadException cause) {
                throw syntax(cause);
            }
            throw new ConfigProblem(path(e), "is invalid");
        } catch (StreamReadException e) {
            throw syntax(e);
        } catch (JsonProcessingException e) {
            throw new ConfigProblem("", "cannot be read as YAML");
        } catch (IOException e) {
            throw new UncheckedIOException("reading YAML from memory", e); // cannot happen: the text is in memory
        }
    }

    /** Errors of the YAML text itself, located by line and column since there is no field path yet. */
    private static ConfigProblem syntax(StreamReadException e) {
        if (e instanceof JacksonYAMLParseException yaml) {
            return malformed(yaml);
        }
        String location = e.getProcessor() != null ? path(e.getProcessor().getParsingContext()) : "";
        if (location.isEmpty()) {
            location = at(e.getLocation());
        }
        if (e instanceof InputCoercionException) {
            return new ConfigProblem(location, "number is out of range");
        }
        if (e.getOriginalMessage().startsWith("Duplicate field")) {
            return new ConfigProblem(location, "is written twice (the last one would win silently; remove one)");
        }
        // Any other syntax error: Jackson's text quotes keys or single characters, not whole values.
        return new ConfigProblem(location, lowerFirst(e.getOriginalMessage()));
    }

    private static ConfigProblem unknownField(UnrecognizedPropertyException e) {
        String key = e.getPropertyName();
        Collection<Object> known = e.getKnownPropertyIds();
        String suggestion = Suggestions.closest(key, known);
        String hint;
        if (suggestion != null) {
            hint = " (did you mean " + suggestion + "?)";
        } else if (known != null && !known.isEmpty()) {
            hint = " (expected one of: " + String.join(", ", new TreeSet<>(known.stream().map(String::valueOf).toList())) + ")";
        } else {
            hint = "";
        }
        return new ConfigProblem(path(e), "unknown field" + hint);
    }

    private static ConfigProblem invalidValue(InvalidFormatException e) {
        String location = path(e);
        String expected = expected(e.getTargetType());
        if (isSecret(location) || !(e.getValue() instanceof String || e.getValue() instanceof Number)) {
            return new ConfigProblem(location, "is invalid (expected " + expected + ")");
        }
        return new ConfigProblem(location, "'" + e.getValue() + "' is not " + expected);
    }

    private static ConfigProblem wrongShape(MismatchedInputException e) {
        String location = path(e);
        if (location.isEmpty()) {
            return new ConfigProblem("", "must be a mapping with database, storage and tables sections");
        }
        return new ConfigProblem(location, "expected " + expected(e.getTargetType()));
    }

    private static ConfigProblem malformed(JacksonYAMLParseException e) {
        String problem = e.getCause() instanceof MarkedYAMLException marked && marked.getProblem() != null
                ? marked.getProblem()
                : "cannot be parsed";
        return new ConfigProblem(at(e.getLocation()), "malformed YAML: " + problem);
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "a different value";
        }
        if (type == Integer.class || type == int.class || type == Long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a single value, not a list or mapping";
        }
        if (List.class.isAssignableFrom(type) || type.isArray()) {
            return "a list (entries starting with '- ')";
        }
        return "a mapping of fields";
    }

    /** {@code tables[0].partition_by}, from Jackson's reference chain. */
    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** The field path of where a parser stands, {@code tables[0].lag}; empty at the top level. */
    private static String path(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.addFirst("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                parts.addFirst("." + c.getCurrentName());
            }
        }
        String joined = String.join("", parts);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    private static boolean isSecret(String location) {
        String last = location.substring(location.lastIndexOf('.') + 1);
        return SECRET_FIELDS.contains(last);
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
