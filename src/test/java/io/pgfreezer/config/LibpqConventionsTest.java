package io.pgfreezer.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** libpq's conventions for what a DSN leaves out, with the environment passed in, never the process's own. */
class LibpqConventionsTest {
    @TempDir
    Path home;

    private Path pgpass(String text, String permissions) throws IOException {
        Path file = home.resolve(".pgpass");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("HOME", home.toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void pgVariablesFillWhatTheDsnLeavesOutAndNeverOverrideIt() {
        Map<String, String> env = env("PGHOST", "db.internal", "PGPORT", "6432", "PGUSER", "archiver",
                "PGDATABASE", "metrics", "PGPASSWORD", "from-env", "PGSSLMODE", "verify-full");

        PostgresDsn onlyEnv = PostgresDsn.parse("postgresql://", env);
        assertThat(onlyEnv.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/metrics?sslmode=verify-full");
        assertThat(onlyEnv.user()).isEqualTo("archiver");
        assertThat(onlyEnv.password()).isEqualTo("from-env");

        PostgresDsn explicit = PostgresDsn.parse("postgresql://app:pw@h:5433/db?sslmode=disable", env);
        assertThat(explicit.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/db?sslmode=disable");
        assertThat(explicit.user()).isEqualTo("app");
        assertThat(explicit.password()).isEqualTo("pw");

        assertThat(PostgresDsn.parse("", env).jdbcUrl()).isEqualTo(onlyEnv.jdbcUrl());
    }

    @Test
    void keyValueFormWithQuotesAndEscapes() {
        PostgresDsn dsn = PostgresDsn.parse("host=h1,h2 port = 5432,5433 dbname='my db' user=app "
                + "password='it\\'s a s\\\\ecret' application_name=freezer connect_timeout=5", Map.of());

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5433/my%20db?ApplicationName=freezer&connectTimeout=5");
        assertThat(dsn.user()).isEqualTo("app");
        assertThat(dsn.password()).isEqualTo("it's a s\\ecret");
        assertThat(PostgresDsn.parse("host=::1 dbname=d user=u", Map.of()).jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/d");
    }

    @Test
    void unknownKeysAndUnsupportedParametersAreRefusedByName() {
        assertThatThrownBy(() -> PostgresDsn.parse("host=h dbname=d colour=blue", Map.of()))
                .hasMessageContaining("'colour'").hasMessageContaining("no libpq connection parameter");
        assertThatThrownBy(() -> PostgresDsn.parse("postgresql://u@h/d?keepalives_idle=30", Map.of()))
                .hasMessageContaining("keepalives_idle").hasMessageContaining("cannot be honoured");
        assertThatThrownBy(() -> PostgresDsn.parse("host=h dbname=d hostaddr=10.0.0.1", Map.of()))
                .hasMessageContaining("hostaddr");
        assertThatThrownBy(() -> PostgresDsn.parse("postgresql://u@h/d", env("PGTARGETSESSIONATTRS", "standby")))
                .hasMessageContaining("target_session_attrs (from PGTARGETSESSIONATTRS)")
                .hasMessageContaining("pg_is_in_recovery");
        assertThatThrownBy(() -> PostgresDsn.parse("postgresql:///d", env("PGHOST", "/var/run/postgresql")))
                .hasMessageContaining("Unix-domain socket").hasMessageContaining("PGHOST");
    }

    @Test
    void libpqParametersAreTranslatedToTheDriversNames() {
        String url = PostgresDsn.parse("host=h dbname=d target_session_attrs=read-write keepalives=1 "
                + "load_balance_hosts=random gssencmode=disable channel_binding=require sslcompression=0 "
                + "client_encoding=UTF8 krbsrvname=pg options='-c search_path=x'", Map.of()).jdbcUrl();

        assertThat(url).isEqualTo("jdbc:postgresql://h:5432/d?targetServerType=primary&tcpKeepAlive=true"
                + "&loadBalanceHosts=true&gssEncMode=disable&channelBinding=require&kerberosServerName=pg"
                + "&options=-c%20search_path%3Dx");
        assertThat(PostgresDsn.parse("host=h dbname=d target_session_attrs=read-only", Map.of()).jdbcUrl())
                .endsWith("?targetServerType=secondary");
        assertThatThrownBy(() -> PostgresDsn.parse("host=h dbname=d client_encoding=LATIN1", Map.of()))
                .hasMessageContaining("client_encoding");
    }

    @Test
    void serviceFileEntriesComeBetweenTheDsnAndTheEnvironment() throws IOException {
        Path file = home.resolve("services.conf");
        Files.writeString(file, "# shared\n[other]\nhost=wrong\n\n[archive]\nhost = svc-host\nport=7000\ndbname=svcdb\n"
                + "user=svcuser\n");

        PostgresDsn dsn = PostgresDsn.parse("service=archive user=app", env("PGSERVICEFILE", file.toString(),
                "PGHOST", "env-host", "PGSSLMODE", "require"));

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://svc-host:7000/svcdb?sslmode=require");
        assertThat(dsn.user()).isEqualTo("app");

        Files.writeString(home.resolve(".pg_service.conf"), "[archive]\nhost=home-host\ndbname=d\n");
        assertThat(PostgresDsn.parse("postgresql://", env("PGSERVICE", "archive")).jdbcUrl())
                .isEqualTo("jdbc:postgresql://home-host:5432/d");
        assertThatThrownBy(() -> PostgresDsn.parse("service=nope", env()))
                .hasMessageContaining("service \"nope\"").hasMessageContaining(".pg_service.conf");
    }

    @Test
    void pgpassMatchesWithWildcardsAndEscapesFirstLineWins() throws IOException {
        pgpass("# comment\nother:5432:d:u:wrong\ndb\\:x:*:d:u:first\n*:5432:*:u:p\\:a\\\\ss\n*:*:*:*:last\n", "rw-------");

        assertThat(PostgresDsn.parse("postgresql://u@h/d", env()).password()).isEqualTo("p:a\\ss");
        assertThat(PostgresDsn.parse("host=db:x dbname=d user=u", env()).password()).isEqualTo("first");
        assertThat(PostgresDsn.parse("postgresql://someone@h:6000/d", env()).password()).isEqualTo("last");
        assertThat(PostgresDsn.parse("postgresql://u@h/d", env("PGPASSWORD", "env-wins")).password()).isEqualTo("env-wins");
        assertThat(PostgresDsn.parse("postgresql://u:dsn-wins@h/d", env()).password()).isEqualTo("dsn-wins");
    }

    @Test
    void pgpassIsIgnoredWhenOthersMayReadIt() throws IOException {
        pgpass("*:*:*:*:secret\n", "rw-r--r--");
        assertThat(PostgresDsn.parse("postgresql://u@h/d", env()).password()).isNull();

        Path elsewhere = home.resolve("custom-pass");
        Files.writeString(elsewhere, "h:5432:d:u:from-passfile\n");
        Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rw-------"));
        assertThat(PostgresDsn.parse("postgresql://u@h/d", env("PGPASSFILE", elsewhere.toString())).password())
                .isEqualTo("from-passfile");
    }

    @Test
    void pgpassLinesMatchOnlyTheirFields() {
        List<String> lines = List.of("h:5432:d:u:one", "h:5432:d:*:two");
        assertThat(LibpqParameters.match(lines, "h", "5432", "d", "u")).isEqualTo("one");
        assertThat(LibpqParameters.match(lines, "h", "5432", "d", "v")).isEqualTo("two");
        assertThat(LibpqParameters.match(lines, "h", "5433", "d", "u")).isNull();
        assertThat(LibpqParameters.match(List.of("h:5432:d:u"), "h", "5432", "d", "u")).isNull();
    }

    @Test
    void passwordsFromTheEnvironmentAndPgpassNeverShow() throws IOException {
        pgpass("*:*:*:*:pgpass-hunter2\n", "rw-------");
        PostgresDsn dsn = PostgresDsn.parse("postgresql://u@h/d", env());
        assertThat(dsn.toString()).doesNotContain("pgpass-hunter2");
        DatabaseConfig config = new DatabaseConfig("postgresql://u@h/d", dsn.jdbcUrl(), dsn.user(), dsn.password(), 1,
                java.time.Duration.ofSeconds(1));
        assertThat(config.toString()).doesNotContain("pgpass-hunter2");
        assertThat(config.redact("auth failed for pgpass-hunter2")).doesNotContain("pgpass-hunter2");
        assertThatThrownBy(() -> PostgresDsn.parse("host=h dbname=d password=hunter2 keepalives_count=3", env()))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }
}
