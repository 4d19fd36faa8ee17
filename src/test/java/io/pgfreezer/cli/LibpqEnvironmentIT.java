package io.pgfreezer.cli;

import io.pgfreezer.testing.ArchiveFixture;
import io.pgfreezer.testing.DuckDb;
import io.pgfreezer.testing.TestPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged binary reaches PostgreSQL through libpq's conventions alone: a config whose DSN is
 * the empty URI {@code postgresql://}, the server named by PG* variables and the password read from
 * {@code ~/.pgpass} in the child's HOME. The role logs in with a password (scram) so the password
 * file is provably what let it in.
 */
class LibpqEnvironmentIT {
    private static final String ROLE = "pgpass_archiver";
    private static final String PASSWORD = "from-the-pgpass-file";

    @BeforeAll
    static void passwordRole() throws Exception {
        try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_roles WHERE rolname = '" + ROLE + "'")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    st.execute("SET password_encryption = 'scram-sha-256'");
                    st.execute("CREATE ROLE " + ROLE + " LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'");
                }
            }
            Path hba;
            try (ResultSet rs = st.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = Path.of(rs.getString(1));
            }
            String rules = Files.readString(hba);
            String line = "host all " + ROLE + " 127.0.0.1/32 scram-sha-256\nhost all " + ROLE + " ::1/128 scram-sha-256\n";
            if (!rules.startsWith(line)) {
                // Only this role needs a password; every other test keeps the server's trust rules.
                Files.writeString(hba, line + rules);
                st.execute("SELECT pg_reload_conf()");
            }
        }
    }

    private static Map<String, String> libpqOnly(ArchiveFixture f, Path home) {
        URI uri = URI.create(f.dsn.replace("postgresql://", "http://"));
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("PGHOST", "127.0.0.1");
        env.put("PGPORT", String.valueOf(uri.getPort()));
        env.put("PGDATABASE", uri.getPath().substring(1));
        env.put("PGUSER", ROLE);
        return env;
    }

    private static BinaryEndToEndIT.Result run(Map<String, String> env, Path config) throws Exception {
        ProcessBuilder pb = BinaryEndToEndIT.launcher(Map.of(), "run", "-c", config.toString());
        // Nothing from the test's own environment may help the child connect.
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") && !k.startsWith("PG_FREEZER"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("pg-freezer-out-", ".txt");
        Path err = Files.createTempFile("pg-freezer-err-", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new BinaryEndToEndIT.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void pgVariablesAndAPgpassFileAreAllItTakesToConnect() throws Exception {
        ArchiveFixture f = ArchiveFixture.local();
        Path config = BinaryEndToEndIT.sensorTable(f, "compression: snappy");
        Files.writeString(config, Files.readString(config).replace(f.dsn, "postgresql://"));
        long archivable = f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at < "
                + "date_trunc('day', now() - interval '2 days')");
        Path home = Files.createTempDirectory("pg-freezer-home-");
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, "# the archiver's password\nother-host:*:*:*:wrong\n127.0.0.1:*:*:" + ROLE + ":"
                + PASSWORD + "\n");
        Map<String, String> env = libpqOnly(f, home);

        // Readable by others: ignored, as libpq ignores it, so the server refuses the login.
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r--r--"));
        BinaryEndToEndIT.Result refused = run(env, config);
        assertThat(refused.exit()).as(refused.stderr()).isNotZero();
        assertThat(refused.stderr()).contains("has group or world access").contains("password")
                .doesNotContain(PASSWORD).doesNotContain("\tat ");

        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        BinaryEndToEndIT.Result run = run(env, config);

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr() + run.stdout()).doesNotContain(PASSWORD);
        List<List<String>> rows = DuckDb.rows("SELECT count(*) FROM " + DuckDb.table(f.root, "sensor_readings"));
        assertThat(rows.get(0).get(0)).isEqualTo(String.valueOf(archivable));
    }

    @Test
    void pgpasswordInTheEnvironmentWorksWithoutAnyFile() throws Exception {
        ArchiveFixture f = ArchiveFixture.local();
        Path config = BinaryEndToEndIT.sensorTable(f, "compression: snappy");
        Files.writeString(config, Files.readString(config).replace(f.dsn, "postgresql://"));
        Map<String, String> env = libpqOnly(f, Files.createTempDirectory("pg-freezer-home-"));
        env.put("PGPASSWORD", PASSWORD);

        BinaryEndToEndIT.Result run = run(env, config);

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stderr() + run.stdout()).doesNotContain(PASSWORD);
        assertThat(f.count("SELECT count(*) FROM sensor_readings WHERE recorded_at < "
                + "date_trunc('day', now() - interval '2 days')")).isZero();
    }
}
