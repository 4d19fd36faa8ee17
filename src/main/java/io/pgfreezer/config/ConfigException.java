package io.pgfreezer.config;

import io.pgfreezer.FreezerException;

/** The configuration file or a command-line value is invalid. Always exit code 2. */
public class ConfigException extends FreezerException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, EXIT_USAGE);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause, EXIT_USAGE);
    }
}
