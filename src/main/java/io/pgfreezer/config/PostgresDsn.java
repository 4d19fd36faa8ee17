package io.pgfreezer.config;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Translates the operator's connection string into what pgjdbc takes: a JDBC URL without
 * credentials, plus the user and password as separate values, so the password never sits in a
 * URL that might be logged.
 *
 * <p>Accepted forms: the libpq URI {@code postgresql://user:pass@host:5432/db?sslmode=require}
 * (also {@code postgres://}), with hosts omitted (localhost), ports omitted (5432), IPv6 hosts in
 * brackets and several comma-separated hosts; libpq's {@code host=... dbname=... user=...}
 * key/value form; and a {@code jdbc:postgresql:} URL, kept as written except that
 * {@code user}/{@code password} query parameters are moved out of it. For the two libpq forms,
 * what the DSN leaves out comes from libpq's conventions, in libpq's order (see
 * {@link LibpqParameters}): the service file, the PG* environment variables, then the password
 * file. As with libpq,
 * characters such as {@code @ : / ?} inside a user name or password must be percent-encoded
 * (a stray {@code @} in the password is tolerated: the last one ends the credentials).
 *
 * <p>Secret-bearing query parameters ({@code sslpassword}, the passphrase of {@code sslkey}, and
 * any other whose name says password, passphrase, secret or token) are taken out of the URL
 * too and handed to the driver as connection properties: the URL is shown in errors and
 * drivers and pools log it, so it must never hold a secret.
 *
 * <p>Error messages describe what is wrong without echoing the DSN, which may hold a password.
 */
record PostgresDsn(String jdbcUrl, String user, String password, Map<String, String> secretParameters) {
    static final int DEFAULT_PORT = 5432;

    PostgresDsn {
        secretParameters = Collections.unmodifiableMap(new LinkedHashMap<>(secretParameters));
    }

    @Override
    public String toString() {
        return "PostgresDsn[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "null" : "***")
                + ", secretParameters=" + secretParameters.keySet() + "]";
    }

    /**
     * Whether a query parameter carries a secret. Matched loosely and case-insensitively on
     * purpose: a parameter wrongly taken for a secret still reaches the driver, a secret
     * wrongly taken for an ordinary parameter would be printed.
     */
    static boolean isSecret(String parameter) {
        String name = parameter.toLowerCase(Locale.ROOT);
        return name.contains("password") || name.contains("passwd") || name.contains("passphrase")
                || name.contains("secret") || name.contains("token") || name.equals("sslfactoryarg");
    }

    /** As {@link #parse(String, Map)} with no environment and no files (PG* variables, .pgpass) consulted. */
    static PostgresDsn parse(String dsn) {
        return parse(dsn, Map.of());
    }

    /**
     * @param env the environment: PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE and the
     *            other PG* variables fill what the DSN leaves out, PGSERVICE/PGSERVICEFILE and
     *            PGPASSFILE or HOME locate the service and password files
     * @throws IllegalArgumentException with a reason that never contains the password
     */
    static PostgresDsn parse(String dsn, Map<String, String> env) {
        String text = dsn.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return fromJdbcUrl(text);
        }
        LibpqParameters params;
        if (lower.startsWith("postgresql://")) {
            params = fromUri(text.substring("postgresql://".length()));
        } else if (lower.startsWith("postgres://")) {
            params = fromUri(text.substring("postgres://".length()));
        } else if (!text.contains("://") && (text.contains("=") || text.isEmpty())) {
            params = LibpqParameters.fromKeyValue(text);
        } else {
            throw new IllegalArgumentException("is not a PostgreSQL connection string (expected "
                    + "postgresql://user:password@host:5432/dbname, host=... dbname=... user=..., or jdbc:postgresql://...)");
        }
        return params.resolve(env);
    }

    private static PostgresDsn fromJdbcUrl(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return new PostgresDsn(url, null, null, Map.of());
        }
        Query query = Query.parse(url.substring(q + 1));
        return new PostgresDsn(url.substring(0, q) + query.suffix(), query.user, query.password, query.secrets);
    }

    private static LibpqParameters fromUri(String rest) {
        LibpqParameters params = new LibpqParameters();
        int firstSlash = rest.indexOf('/');
        String head = firstSlash < 0 ? rest : rest.substring(0, firstSlash);
        int at = head.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = head.substring(0, at);
            int colon = userInfo.indexOf(':');
            params.putIfValue("user", percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user name"));
            if (colon >= 0) {
                params.putIfValue("password", percentDecode(userInfo.substring(colon + 1), "password"));
            }
            rest = rest.substring(at + 1);
        }
        int hostEnd = indexOfAny(rest, '/', '?');
        String hostSpec = rest.substring(0, hostEnd);
        String queryText = "";
        if (hostEnd < rest.length() && rest.charAt(hostEnd) == '/') {
            String afterSlash = rest.substring(hostEnd + 1);
            int q = afterSlash.indexOf('?');
            params.putIfValue("dbname", percentDecode(q < 0 ? afterSlash : afterSlash.substring(0, q), "database name"));
            queryText = q < 0 ? "" : afterSlash.substring(q + 1);
        } else if (hostEnd < rest.length()) {
            queryText = rest.substring(hostEnd + 1);
        }
        if (!hostSpec.isEmpty()) {
            List<String> hosts = new ArrayList<>();
            List<String> ports = new ArrayList<>();
            for (String entry : hostSpec.split(",", -1)) {
                splitHost(entry, hosts, ports);
            }
            if (!String.join("", hosts).isEmpty()) {
                params.put("host", String.join(",", hosts));
            }
            if (!String.join("", ports).isEmpty()) {
                params.put("port", String.join(",", ports));
            }
        }
        for (QueryPair pair : queryPairs(queryText)) {
            String key = pair.key();
            switch (key) {
                case "host", "hostaddr", "port", "dbname" -> throw new IllegalArgumentException("sets '" + key
                        + "' as a query parameter; write it in the URI itself (postgresql://user@host:port/dbname)");
                default -> {
                    String decoded = percentDecode(pair.value(), "value of query parameter '" + key + "'");
                    if (LibpqParameters.isLibpq(key)) {
                        params.put(key, decoded);
                    } else {
                        // Not libpq's: one of the JDBC driver's own properties, passed on as written.
                        params.passThrough(key, decoded, pair.value());
                    }
                }
            }
        }
        return params;
    }

    /** One host of a URI's host list, with its port or an empty port; brackets kept on IPv6 addresses. */
    private static void splitHost(String entry, List<String> hosts, List<String> ports) {
        String host;
        String port = "";
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0 || close == 1) {
                throw new IllegalArgumentException("has an unterminated or empty IPv6 address in brackets");
            }
            host = entry.substring(0, close + 1);
            String after = entry.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("has unexpected text after the IPv6 address " + host);
                }
                port = after.substring(1);
            }
        } else {
            int colon = entry.indexOf(':');
            host = percentDecode(colon < 0 ? entry : entry.substring(0, colon), "host name");
            port = colon < 0 ? "" : entry.substring(colon + 1);
        }
        if (!port.isEmpty()) {
            port(host, port);
        }
        hosts.add(host);
        ports.add(port);
    }

    static int port(String host, String port) {
        if (port == null || port.isEmpty()) {
            return DEFAULT_PORT;
        }
        // The text is not echoed: a password written without '@' would end up parsed as a port.
        String problem = "has a port for host " + host + " that is not a number between 1 and 65535";
        if (port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(problem);
        }
        int value = Integer.parseInt(port);
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException(problem);
        }
        return value;
    }

    /** Query parameters of a JDBC URL with {@code user}, {@code password} and the other secrets taken out. */
    private static final class Query {
        final List<String> kept = new ArrayList<>();
        final Map<String, String> secrets = new LinkedHashMap<>();
        String user;
        String password;

        static Query parse(String text) {
            Query query = new Query();
            for (QueryPair pair : queryPairs(text)) {
                String key = pair.key();
                String value = pair.value();
                switch (key) {
                    case "user" -> query.user = emptyToNull(percentDecode(value, "user name"));
                    case "password" -> query.password = emptyToNull(percentDecode(value, "password"));
                    default -> {
                        if (isSecret(key)) {
                            query.secrets.put(key, percentDecode(value, "value of query parameter '" + key + "'"));
                        } else {
                            query.kept.add(pair.text());
                        }
                    }
                }
            }
            return query;
        }

        String suffix() {
            return kept.isEmpty() ? "" : "?" + String.join("&", kept);
        }
    }

    /** One {@code key=value} of a URI's query, value still percent-encoded, and its text as written. */
    private record QueryPair(String key, String value, String text) {
    }

    /** A query's pairs in order, empty ones skipped; a key without '=' is refused, naming it. */
    private static List<QueryPair> queryPairs(String text) {
        List<QueryPair> pairs = new ArrayList<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("has query parameter '" + pair + "' without a value");
            }
            pairs.add(new QueryPair(pair.substring(0, eq), pair.substring(eq + 1), pair));
        }
        return pairs;
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return s.length();
    }

    static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }

    /** RFC 3986 percent-decoding as UTF-8; unlike URLDecoder, '+' stays a plus sign. */
    static String percentDecode(String s, String what) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException("has an invalid percent-encoding in the " + what);
                }
                bytes.write(hi * 16 + lo);
                i += 3;
            } else {
                byte[] encoded = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
                i += Character.charCount(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("has a percent-encoded " + what + " that is not valid UTF-8");
        }
    }
}
