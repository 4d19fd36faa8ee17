package io.pgfreezer.config;

/**
 * One thing wrong with the configuration, located by its YAML field path ({@code tables[1].lag})
 * or, before the YAML is parsed, by its line ({@code line 7}). {@link ConfigLoader} prefixes the
 * file name and turns it into the {@link ConfigException} the operator sees. The problem text is
 * written so it never carries a secret value.
 */
final class ConfigProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String location;

    ConfigProblem(String location, String problem) {
        super(problem, null, false, false);
        this.location = location;
    }

    /** Field path or line; empty when the problem concerns the whole document. */
    String location() {
        return location;
    }

    String problem() {
        return getMessage();
    }

    /** {@code <location>: <problem>}, or just the problem when there is no location. */
    String describe() {
        return location.isEmpty() ? problem() : location + ": " + problem();
    }
}
