package io.pgfreezer.config;

/**
 * What happens to a table's rows once their window is archived and verified. On a table that is
 * not partitioned, {@link #DETACH} and {@link #DROP} act as {@link #DELETE}.
 */
public enum Retention {
    /** The guarded chunked row delete. */
    DELETE,
    /** A partition whose range is archived whole is detached and kept (optionally moved to another schema). */
    DETACH,
    /** As {@link #DETACH}, then the detached table is dropped. */
    DROP;

    /** The YAML spelling: {@code delete}, {@code detach}, {@code drop}. */
    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
