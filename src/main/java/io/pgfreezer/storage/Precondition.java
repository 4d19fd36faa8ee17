package io.pgfreezer.storage;

import java.util.Objects;

/**
 * What must hold of a key for a write to take effect, checked by the store at the moment of
 * publishing where the store can (S3 conditional writes: {@code If-None-Match: *} and
 * {@code If-Match}; a local directory: a hard link that fails on an existing name). A write whose
 * precondition does not hold publishes nothing and throws {@link PreconditionFailedException}.
 *
 * <p>Archived data is written {@link #ABSENT} only, so no object that may be the last copy of
 * deleted rows can ever be replaced by accident; manifests are replaced only at the version last
 * read or written, so a delayed or stale write can never move a batch's state backwards.
 */
public record Precondition(Kind kind, String version) {

    public enum Kind {
        /** Replace whatever is there. Only for objects that hold nothing irreplaceable. */
        NONE,
        /** The key must not exist. */
        ABSENT,
        /** The key must exist at exactly {@link #version()}. */
        MATCHES
    }

    public static final Precondition NONE = new Precondition(Kind.NONE, null);
    public static final Precondition ABSENT = new Precondition(Kind.ABSENT, null);

    public Precondition {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.MATCHES) != (version != null)) {
            throw new IllegalArgumentException("a version is given exactly for MATCHES");
        }
    }

    public static Precondition matches(String version) {
        return new Precondition(Kind.MATCHES, Objects.requireNonNull(version, "version"));
    }

    /** Whether an object at {@code currentVersion} (null: absent) lets this write through. */
    public boolean admits(String currentVersion) {
        return switch (kind) {
            case NONE -> true;
            case ABSENT -> currentVersion == null;
            case MATCHES -> version.equals(currentVersion);
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "unconditional";
            case ABSENT -> "only if absent";
            case MATCHES -> "only at version " + version;
        };
    }
}
