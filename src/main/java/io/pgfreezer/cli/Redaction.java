package io.pgfreezer.cli;

import java.util.regex.Pattern;

/**
 * The last guard before text reaches stderr or a log collector: credentials in URIs
 * ({@code scheme://user:secret@host}) and {@code name=value} pairs whose name says password,
 * passphrase, secret or token. Components keep secrets out of what they write in the first
 * place; this catches what libraries write about the values they were given.
 */
final class Redaction {
    private static final Pattern URI_PASSWORD =
            Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^\\s/?#:@]*):[^\\s/?#]*@");
    private static final Pattern SECRET_PAIR = Pattern.compile(
            "(?i)(\\b[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|sslfactoryarg)[A-Za-z0-9_.-]*\\s*=\\s*)"
                    + "[^\\s&;,#)'\"]+");

    private Redaction() {
    }

    static String apply(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String redacted = URI_PASSWORD.matcher(text).replaceAll("$1:***@");
        return SECRET_PAIR.matcher(redacted).replaceAll("$1***");
    }
}
