package io.pgfreezer.config;

import java.time.Duration;

/**
 * {@code database:} section. {@code dsn} is the libpq URI as written by the operator (after
 * environment expansion); {@link #jdbcUrl()}, {@link #user()} and {@link #password()} are its
 * translation for the JDBC driver. {@link #toString()} never shows the password.
 */
public record DatabaseConfig(
        String dsn,
        String jdbcUrl,
        String user,
        String password,
        int poolSize,
        Duration statementTimeout) {

    @Override
    public String toString() {
        return "DatabaseConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "null" : "***")
                + ", poolSize=" + poolSize + ", statementTimeout=" + statementTimeout + "]";
    }
}
