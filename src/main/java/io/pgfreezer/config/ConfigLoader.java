package io.pgfreezer.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads, expands, parses and validates the YAML configuration, in that order:
 * <ol>
 *   <li>{@code ${VAR}} / {@code ${VAR:=default}} are expanded in the text ({@link EnvExpander});</li>
 *   <li>the YAML is bound with unknown keys refused ({@link YamlBinding});</li>
 *   <li>presence and range constraints are checked ({@link ConfigValidation});</li>
 *   <li>defaults, conversions and cross-field rules produce the {@link FreezerConfig} ({@link ConfigAssembler}).</li>
 * </ol>
 * Any failure is one {@link ConfigException} line, {@code <file>: <field path>: <problem>}, that
 * never contains a secret.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * @param env the environment for {@code ${VAR}} expansion (the process environment in production)
     * @throws ConfigException with one line naming the field and the problem
     */
    public static FreezerConfig load(Path path, Map<String, String> env) {
        String text = read(path);
        try {
            String expanded = EnvExpander.expand(text, env);
            RawConfig raw = YamlBinding.parse(expanded);
            ConfigValidation.check(raw);
            Path baseDir = path.toAbsolutePath().getParent();
            return new ConfigAssembler(baseDir, env).assemble(raw);
        } catch (ConfigProblem problem) {
            throw new ConfigException(oneLine(path + ": " + problem.describe()));
        }
    }

    /** A quoted value may contain line breaks; the operator still gets exactly one line. */
    private static String oneLine(String message) {
        return message.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    private static String read(Path path) {
        if (Files.isDirectory(path)) {
            throw new ConfigException(path + ": is a directory, not a config file");
        }
        try {
            byte[] bytes = Files.readAllBytes(path);
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + path);
        } catch (AccessDeniedException e) {
            throw new ConfigException(path + ": permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigException(path + ": is not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }
}
