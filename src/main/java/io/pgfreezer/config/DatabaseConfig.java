package io.pgfreezer.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code database:} section. {@code dsn} is the libpq URI as written by the operator (after
 * environment expansion); {@link #jdbcUrl()}, {@link #user()}, {@link #password()} and
 * {@link #secretParameters()} are its translation for the JDBC driver. The JDBC URL holds no
 * secret and may be shown; {@link #toString()} never shows a secret.
 */
public record DatabaseConfig(
        String dsn,
        String jdbcUrl,
        String user,
        String password,
        int poolSize,
        Duration statementTimeout,
        Map<String, String> secretParameters) {

    public DatabaseConfig {
        secretParameters = Collections.unmodifiableMap(new LinkedHashMap<>(secretParameters));
    }

    /** A connection without secret query parameters. */
    public DatabaseConfig(String dsn, String jdbcUrl, String user, String password, int poolSize,
                          Duration statementTimeout) {
        this(dsn, jdbcUrl, user, password, poolSize, statementTimeout, Map.of());
    }

    /**
     * {@code text} with every secret of this connection replaced by {@code ***}: for messages
     * written by the driver or the pool, which may quote what they were given.
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        List<String> secrets = new ArrayList<>(secretParameters.values());
        if (password != null) {
            secrets.add(password);
        }
        if (dsn != null) {
            secrets.add(dsn);
        }
        // Longest first, so a secret that contains another is replaced whole.
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        String redacted = text;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                redacted = redacted.replace(secret, "***");
            }
        }
        return redacted;
    }

    @Override
    public String toString() {
        return "DatabaseConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "null" : "***")
                + ", poolSize=" + poolSize + ", statementTimeout=" + statementTimeout
                + ", secretParameters=" + secretParameters.keySet() + "]";
    }
}
