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
 * brackets and several comma-separated hosts; and a {@code jdbc:postgresql:} URL, kept as written
 * except that {@code user}/{@code password} query parameters are moved out of it. As with libpq,
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
    private static final int DEFAULT_PORT = 5432;

    /** libpq parameter names that pgjdbc spells differently; other parameters pass through as written. */
    private static final Map<String, String> LIBPQ_TO_PGJDBC = Map.of(
            "application_name", "ApplicationName",
            "connect_timeout", "connectTimeout");

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

    /** @throws IllegalArgumentException with a reason that never contains the password */
    static PostgresDsn parse(String dsn) {
        String text = dsn.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql:")) {
            return fromJdbcUrl(text);
        }
        if (lower.startsWith("postgresql://")) {
            return fromUri(text.substring("postgresql://".length()));
        }
        if (lower.startsWith("postgres://")) {
            return fromUri(text.substring("postgres://".length()));
        }
        if (!text.contains("://") && text.contains("=")) {
            throw new IllegalArgumentException("key=value connection strings are not supported; "
                    + "write a URI such as postgresql://user:password@host:5432/dbname");
        }
        throw new IllegalArgumentException("is not a PostgreSQL URI (expected postgresql://user:password@host:5432/dbname, "
                + "postgres://... or jdbc:postgresql://...)");
    }

    private static PostgresDsn fromJdbcUrl(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return new PostgresDsn(url, null, null, Map.of());
        }
        Query query = Query.parse(url.substring(q + 1), false);
        return new PostgresDsn(url.substring(0, q) + query.suffix(), query.user, query.password, query.secrets);
    }

    private static PostgresDsn fromUri(String rest) {
        int firstSlash = rest.indexOf('/');
        String head = firstSlash < 0 ? rest : rest.substring(0, firstSlash);
        int at = head.lastIndexOf('@');
        String user = null;
        String password = null;
        if (at >= 0) {
            String userInfo = head.substring(0, at);
            int colon = userInfo.indexOf(':');
            user = emptyToNull(percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user name"));
            if (colon >= 0) {
                password = emptyToNull(percentDecode(userInfo.substring(colon + 1), "password"));
            }
            rest = rest.substring(at + 1);
        }
        int hostEnd = indexOfAny(rest, '/', '?');
        String hostSpec = rest.substring(0, hostEnd);
        String database = "";
        String queryText = "";
        if (hostEnd < rest.length() && rest.charAt(hostEnd) == '/') {
            String afterSlash = rest.substring(hostEnd + 1);
            int q = afterSlash.indexOf('?');
            database = q < 0 ? afterSlash : afterSlash.substring(0, q);
            queryText = q < 0 ? "" : afterSlash.substring(q + 1);
        } else if (hostEnd < rest.length()) {
            queryText = rest.substring(hostEnd + 1);
        }
        Query query = Query.parse(queryText, true);
        if (query.user != null) {
            user = query.user;
        }
        if (query.password != null) {
            password = query.password;
        }
        if (database.isEmpty()) {
            if (user == null) {
                throw new IllegalArgumentException("names no database (add /dbname after the host)");
            }
            database = user; // libpq's rule: the database defaults to the user name
        }
        String url = "jdbc:postgresql://" + String.join(",", hosts(hostSpec)) + "/" + database + query.suffix();
        return new PostgresDsn(url, user, password, query.secrets);
    }

    private static List<String> hosts(String hostSpec) {
        List<String> hosts = new ArrayList<>();
        for (String entry : hostSpec.split(",", -1)) {
            hosts.add(host(entry));
        }
        return hosts;
    }

    private static String host(String entry) {
        String host;
        String port = null;
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
            port = colon < 0 ? null : entry.substring(colon + 1);
            if (host.startsWith("/")) {
                throw new IllegalArgumentException("names a Unix-domain socket directory; connect over TCP (host:port) instead");
            }
            if (host.isEmpty()) {
                host = "localhost";
            }
        }
        return host + ":" + port(host, port);
    }

    private static int port(String host, String port) {
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

    /** Query parameters with {@code user}, {@code password} and the other secrets taken out. */
    private static final class Query {
        final List<String> kept = new ArrayList<>();
        final Map<String, String> secrets = new LinkedHashMap<>();
        String user;
        String password;

        static Query parse(String text, boolean libpq) {
            Query query = new Query();
            if (text.isEmpty()) {
                return query;
            }
            for (String pair : text.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                if (eq < 0) {
                    throw new IllegalArgumentException("has query parameter '" + key + "' without a value");
                }
                String value = pair.substring(eq + 1);
                switch (key) {
                    case "user" -> query.user = emptyToNull(percentDecode(value, "user name"));
                    case "password" -> query.password = emptyToNull(percentDecode(value, "password"));
                    case "host", "hostaddr", "port", "dbname" -> {
                        if (libpq) {
                            throw new IllegalArgumentException("sets '" + key + "' as a query parameter; "
                                    + "write it in the URI itself (postgresql://user@host:port/dbname)");
                        }
                        query.kept.add(pair);
                    }
                    default -> {
                        String name = libpq ? LIBPQ_TO_PGJDBC.getOrDefault(key, key) : key;
                        if (isSecret(key)) {
                            query.secrets.put(name, percentDecode(value, "value of query parameter '" + key + "'"));
                        } else {
                            query.kept.add(name + "=" + value);
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

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return s.length();
    }

    private static String emptyToNull(String s) {
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
