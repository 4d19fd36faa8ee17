package io.pgfreezer.config;

import java.nio.file.Path;
import java.util.Map;

/** Reads, expands, parses and validates the YAML configuration. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * @param env the environment for {@code ${VAR}} expansion (the process environment in production)
     * @throws ConfigException with one line naming the field and the problem
     */
    public static FreezerConfig load(Path path, Map<String, String> env) {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
