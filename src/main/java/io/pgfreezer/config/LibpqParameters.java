package io.pgfreezer.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The connection parameters of a libpq DSN (URI or {@code key=value} form), completed the way
 * libpq completes them and then translated for the JDBC driver. Order, as in libpq: what the DSN
 * says; then the service's entries ({@code service=} or PGSERVICE, looked up in PGSERVICEFILE or
 * {@code ~/.pg_service.conf}, then {@code $PGSYSCONFDIR/pg_service.conf}); then the PG* variables;
 * then the defaults (localhost, 5432, the user's name as database). A missing password is looked up
 * in the password file ({@code passfile}, PGPASSFILE or {@code ~/.pgpass}), which is ignored with a
 * warning when group or others may read it, as libpq does.
 *
 * <p>Every libpq parameter is either translated to the driver's property of the same meaning or
 * refused with its name and where it was set: a setting such as {@code target_session_attrs} that
 * the driver would not honour must never be dropped without a word. Parameters that are not
 * libpq's (the driver's own, e.g. {@code ApplicationName} or {@code ssl}) pass through as written.
 */
final class LibpqParameters {
    private static final Logger log = LoggerFactory.getLogger(LibpqParameters.class);

    private static final Set<String> LIBPQ = Set.of("host", "hostaddr", "port", "dbname", "user", "password",
            "passfile", "require_auth", "channel_binding", "connect_timeout", "client_encoding", "options",
            "application_name", "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
            "keepalives_count", "tcp_user_timeout", "replication", "gssencmode", "sslmode", "sslnegotiation",
            "sslcompression", "sslcert", "sslkey", "sslkeylogfile", "sslpassword", "sslcertmode", "sslrootcert",
            "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version",
            "min_protocol_version", "max_protocol_version", "krbsrvname", "gsslib", "gssdelegation", "service",
            "target_session_attrs", "load_balance_hosts", "requiressl", "scram_client_key", "scram_server_key");

    /** libpq's environment variables and the parameter each one stands for. */
    private static final Map<String, String> ENVIRONMENT = orderedMap(
            "PGHOST", "host", "PGHOSTADDR", "hostaddr", "PGPORT", "port", "PGDATABASE", "dbname",
            "PGUSER", "user", "PGPASSWORD", "password", "PGPASSFILE", "passfile", "PGOPTIONS", "options",
            "PGAPPNAME", "application_name", "PGSSLMODE", "sslmode", "PGSSLNEGOTIATION", "sslnegotiation",
            "PGSSLCOMPRESSION", "sslcompression", "PGSSLCERT", "sslcert", "PGSSLKEY", "sslkey",
            "PGSSLCERTMODE", "sslcertmode", "PGSSLROOTCERT", "sslrootcert", "PGSSLCRL", "sslcrl",
            "PGSSLCRLDIR", "sslcrldir", "PGSSLSNI", "sslsni", "PGREQUIREPEER", "requirepeer",
            "PGREQUIREAUTH", "require_auth", "PGCHANNELBINDING", "channel_binding",
            "PGSSLMINPROTOCOLVERSION", "ssl_min_protocol_version", "PGSSLMAXPROTOCOLVERSION", "ssl_max_protocol_version",
            "PGGSSENCMODE", "gssencmode", "PGKRBSRVNAME", "krbsrvname", "PGGSSLIB", "gsslib",
            "PGGSSDELEGATION", "gssdelegation", "PGCONNECT_TIMEOUT", "connect_timeout",
            "PGCLIENTENCODING", "client_encoding", "PGTARGETSESSIONATTRS", "target_session_attrs",
            "PGLOADBALANCEHOSTS", "load_balance_hosts");

    /** A parameter's value and where it was set, for messages; {@code raw} is set for pass-through ones. */
    private record Value(String value, String origin, String raw) {
    }

    private final Map<String, Value> params = new LinkedHashMap<>();

    static boolean isLibpq(String key) {
        return LIBPQ.contains(key);
    }

    void put(String key, String value) {
        params.put(key, new Value(value, "the DSN", null));
    }

    void putIfValue(String key, String value) {
        if (!value.isEmpty()) {
            put(key, value);
        }
    }

    void passThrough(String key, String decoded, String raw) {
        params.put(key, new Value(decoded, "the DSN", raw));
    }

    /**
     * libpq's {@code key=value} form: pairs separated by whitespace, spaces allowed around
     * {@code =}, values in single quotes when they hold spaces, {@code \'} and {@code \\} escaped.
     */
    static LibpqParameters fromKeyValue(String text) {
        LibpqParameters p = new LibpqParameters();
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return p;
            }
            int keyStart = i;
            while (i < n && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String key = text.substring(keyStart, i);
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n || text.charAt(i) != '=') {
                throw new IllegalArgumentException("has '" + key + "' without '=' and a value in its key=value form");
            }
            i++;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(text.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    // The value is not echoed: it may be the password.
                    throw new IllegalArgumentException("has an unterminated quoted value for '" + key + "'");
                }
            } else {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = text.charAt(i++);
                    }
                    value.append(c);
                }
            }
            if (!isLibpq(key)) {
                throw new IllegalArgumentException("has '" + key + "', which is no libpq connection parameter");
            }
            p.put(key, value.toString());
        }
    }

    /** Completes the parameters from the service file, the environment and the password file. */
    PostgresDsn resolve(Map<String, String> env) {
        Value service = params.get("service");
        String serviceName = service != null ? service.value() : blankToNull(env.get("PGSERVICE"));
        if (serviceName != null) {
            applyService(serviceName, env);
        }
        ENVIRONMENT.forEach((variable, key) -> {
            String value = env.get(variable);
            if (!params.containsKey(key) && value != null && !value.isEmpty()) {
                params.put(key, new Value(value, variable, null));
            }
        });

        String user = value("user");
        List<String> hosts = new ArrayList<>(List.of(valueOr("host", "localhost").split(",", -1)));
        List<String> ports = new ArrayList<>(List.of(valueOr("port", "").split(",", -1)));
        if (ports.size() != 1 && ports.size() != hosts.size()) {
            throw new IllegalArgumentException("names " + hosts.size() + " hosts but " + ports.size() + " ports");
        }
        List<String> hostPorts = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i).strip();
            if (host.isEmpty()) {
                host = "localhost";
            }
            hosts.set(i, host);
            if (host.startsWith("/")) {
                throw new IllegalArgumentException("names a Unix-domain socket directory as host" + from("host")
                        + "; connect over TCP (host:port) instead");
            }
            String port = (ports.size() == 1 ? ports.get(0) : ports.get(i)).strip();
            String bracketed = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            hostPorts.add(bracketed + ":" + PostgresDsn.port(bracketed, port));
        }
        String database = value("dbname");
        if (database == null) {
            if (user == null) {
                throw new IllegalArgumentException("names no database (add /dbname after the host or dbname=, "
                        + "or set PGDATABASE)");
            }
            database = user; // libpq's rule: the database defaults to the user name
        }
        String password = value("password");
        if (password == null) {
            password = passwordFromFile(env, hosts, ports, database, user);
        }

        List<String> query = new ArrayList<>();
        Map<String, String> secrets = new LinkedHashMap<>();
        boolean applicationName = params.containsKey("application_name");
        for (Map.Entry<String, Value> e : params.entrySet()) {
            String key = e.getKey();
            Value v = e.getValue();
            if (v.raw() != null) {
                if (key.equals("user") || key.equals("password")) {
                    continue;
                }
                if (PostgresDsn.isSecret(key)) {
                    secrets.put(key, v.value());
                } else {
                    query.add(key + "=" + v.raw());
                }
                continue;
            }
            switch (key) {
                case "host", "port", "dbname", "user", "password", "passfile", "service" -> {
                    // Part of the URL or the credentials, or already used.
                }
                case "fallback_application_name" -> {
                    if (!applicationName) {
                        query.add("ApplicationName=" + encode(v.value()));
                    }
                }
                case "sslpassword" -> secrets.put("sslpassword", v.value());
                default -> {
                    String mapped = translate(key, v);
                    if (mapped != null) {
                        query.add(mapped);
                    }
                }
            }
        }
        String url = "jdbc:postgresql://" + String.join(",", hostPorts) + "/" + encode(database)
                + (query.isEmpty() ? "" : "?" + String.join("&", query));
        return new PostgresDsn(url, user, password, secrets);
    }

    /** The driver's {@code name=value} for a libpq parameter, or null when nothing needs saying. */
    private String translate(String key, Value v) {
        String value = v.value();
        return switch (key) {
            case "connect_timeout" -> "connectTimeout=" + encode(value);
            case "application_name" -> "ApplicationName=" + encode(value);
            case "options" -> "options=" + encode(value);
            case "sslmode" -> {
                oneOf(key, v, "disable", "allow", "prefer", "require", "verify-ca", "verify-full");
                yield "sslmode=" + value;
            }
            case "sslcert", "sslkey", "sslrootcert" -> key + "=" + encode(value);
            case "sslnegotiation" -> {
                oneOf(key, v, "postgres", "direct");
                yield "sslNegotiation=" + value;
            }
            case "sslcompression" -> {
                // Compression is off in every current server and in the driver; asking for it is not honoured.
                oneOf(key, v, "0");
                yield null;
            }
            case "channel_binding" -> {
                oneOf(key, v, "disable", "prefer", "require");
                yield "channelBinding=" + value;
            }
            case "gssencmode" -> {
                oneOf(key, v, "disable", "prefer", "require", "allow");
                yield "gssEncMode=" + value;
            }
            case "krbsrvname" -> "kerberosServerName=" + encode(value);
            case "gsslib" -> {
                oneOf(key, v, "gssapi", "sspi");
                yield "gsslib=" + value;
            }
            case "keepalives" -> {
                oneOf(key, v, "0", "1");
                yield "tcpKeepAlive=" + value.equals("1");
            }
            case "load_balance_hosts" -> {
                oneOf(key, v, "disable", "random");
                yield "loadBalanceHosts=" + value.equals("random");
            }
            case "client_encoding" -> {
                if (!value.equalsIgnoreCase("UTF8") && !value.equalsIgnoreCase("UTF-8")) {
                    throw unsupported(key, v, "the JDBC driver always uses UTF8");
                }
                yield null;
            }
            case "target_session_attrs" -> switch (value) {
                case "any" -> "targetServerType=any";
                // The driver decides both through transaction_read_only, exactly as libpq does for these two.
                case "read-write" -> "targetServerType=primary";
                case "read-only" -> "targetServerType=secondary";
                case "primary", "standby", "prefer-standby" -> throw unsupported(key, v, "the JDBC driver cannot "
                        + "check pg_is_in_recovery(); read-write or read-only select by transaction_read_only, "
                        + "which it can");
                default -> throw new IllegalArgumentException("has target_session_attrs" + origin(v)
                        + " set to an unknown value; use any, read-write or read-only");
            };
            default -> throw unsupported(key, v, "the JDBC driver has no equivalent");
        };
    }

    private static void oneOf(String key, Value v, String... allowed) {
        for (String a : allowed) {
            if (a.equals(v.value())) {
                return;
            }
        }
        throw new IllegalArgumentException("has " + key + origin(v) + " set to a value it does not take here; use "
                + String.join(", ", allowed));
    }

    private static IllegalArgumentException unsupported(String key, Value v, String why) {
        return new IllegalArgumentException("sets libpq parameter " + key + origin(v) + ", which cannot be honoured: "
                + why + "; remove it");
    }

    private static String origin(Value v) {
        return v.origin().equals("the DSN") ? "" : " (from " + v.origin() + ")";
    }

    private String from(String key) {
        Value v = params.get(key);
        return v == null ? "" : origin(v);
    }

    private String value(String key) {
        Value v = params.get(key);
        return v == null || v.value().isEmpty() ? null : v.value();
    }

    private String valueOr(String key, String fallback) {
        String v = value(key);
        return v == null ? fallback : v;
    }

    // ---- service file

    private void applyService(String name, Map<String, String> env) {
        List<Path> files = new ArrayList<>();
        String serviceFile = blankToNull(env.get("PGSERVICEFILE"));
        if (serviceFile != null) {
            files.add(Path.of(serviceFile));
        } else {
            home(env).ifPresent(h -> files.add(h.resolve(".pg_service.conf")));
        }
        String sysconf = blankToNull(env.get("PGSYSCONFDIR"));
        if (sysconf != null) {
            files.add(Path.of(sysconf, "pg_service.conf"));
        }
        for (Path file : files) {
            Map<String, String> entries = serviceEntries(file, name);
            if (entries != null) {
                String origin = "service \"" + name + "\" in " + file;
                entries.forEach((key, value) -> {
                    if (key.equals("service")) {
                        throw new IllegalArgumentException(origin + " names another service; libpq does not "
                                + "allow nested service definitions");
                    }
                    if (!isLibpq(key)) {
                        throw new IllegalArgumentException(origin + " sets '" + key
                                + "', which is no libpq connection parameter");
                    }
                    params.putIfAbsent(key, new Value(value, origin, null));
                });
                return;
            }
        }
        throw new IllegalArgumentException("names service \"" + name + "\", which is defined in none of "
                + (files.isEmpty() ? "the service files (set PGSERVICEFILE or HOME)" : files));
    }

    /** The entries of a section of a service file, or null when the file or the section does not exist. */
    private static Map<String, String> serviceEntries(Path file, String name) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("names a service, and the service file " + file + " cannot be read: "
                    + e.getMessage());
        }
        Map<String, String> entries = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (entries != null) {
                    return entries;
                }
                if (!line.endsWith("]")) {
                    throw new IllegalArgumentException("names a service, and line " + (i + 1) + " of " + file
                            + " is a section header without ']'");
                }
                if (line.substring(1, line.length() - 1).strip().equals(name)) {
                    entries = new LinkedHashMap<>();
                }
                continue;
            }
            if (entries != null) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("names a service, and line " + (i + 1) + " of " + file
                            + " is not key=value");
                }
                entries.putIfAbsent(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return entries;
    }

    // ---- password file

    private String passwordFromFile(Map<String, String> env, List<String> hosts, List<String> ports, String database,
                                    String user) {
        String configured = value("passfile");
        Path file;
        if (configured != null) {
            file = Path.of(configured);
        } else {
            java.util.Optional<Path> home = home(env);
            if (home.isEmpty()) {
                return null;
            }
            file = home.get().resolve(".pgpass");
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
            return null;
        }
        if (!Files.isRegularFile(file)) {
            log.warn("password file \"{}\" is not a plain file; it is ignored", file);
            return null;
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!java.util.Collections.disjoint(permissions, GROUP_OR_OTHERS)) {
                log.warn("password file \"{}\" has group or world access; permissions should be u=rw (0600) or less; "
                        + "it is ignored", file);
                return null;
            }
        } catch (UnsupportedOperationException e) {
            // No POSIX permissions on this file system (Windows): libpq does not check there either.
        } catch (IOException e) {
            log.warn("password file \"{}\" cannot be checked ({}); it is ignored", file, e.getMessage());
            return null;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            log.warn("password file \"{}\" cannot be read ({}); it is ignored", file, e.getMessage());
            return null;
        }
        String found = null;
        for (int h = 0; h < hosts.size(); h++) {
            String host = hosts.get(h);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            String port = ports.size() == 1 ? ports.get(0) : ports.get(h);
            String password = match(lines, host, port.isEmpty() ? String.valueOf(PostgresDsn.DEFAULT_PORT) : port,
                    database, user == null ? "" : user);
            if (password != null && found != null && !found.equals(password)) {
                throw new IllegalArgumentException("leaves the password to " + file + ", which gives different "
                        + "passwords for its hosts; the JDBC driver uses one password for all, so set it in the DSN or "
                        + "PGPASSWORD");
            }
            if (password != null) {
                found = password;
            }
        }
        return found;
    }

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /**
     * The password of the first line of a .pgpass file matching the connection: fields
     * {@code host:port:database:user:password}, {@code *} matching anything in the first four,
     * {@code \:} and {@code \\} escaping a colon and a backslash.
     */
    static String match(List<String> lines, String host, String port, String database, String user) {
        String[] wanted = {host, port, database, user};
        for (String line : lines) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            List<String> fields = fields(line);
            if (fields.size() < 5) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i < 4 && matches; i++) {
                matches = fields.get(i).equals("*") || fields.get(i).equals(wanted[i]);
            }
            if (matches) {
                return fields.get(4);
            }
        }
        return null;
    }

    /** The line's first four colon-separated fields unescaped, then the rest of the line unescaped. */
    private static List<String> fields(String line) {
        List<String> fields = new ArrayList<>(5);
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                current.append(line.charAt(++i));
            } else if (c == ':' && fields.size() < 4) {
                fields.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        fields.add(current.toString());
        return fields;
    }

    private static java.util.Optional<Path> home(Map<String, String> env) {
        return java.util.Optional.ofNullable(blankToNull(env.get("HOME"))).map(Path::of);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Percent-encodes what a JDBC URL's path or query cannot hold as is; the driver decodes it. */
    static String encode(String value) {
        StringBuilder b = new StringBuilder();
        for (byte x : value.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/:,".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return b.toString();
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
