package io.pgfreezer.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PostgresDsnTest {

    @Test
    void libpqUriBecomesJdbcUrlWithCredentialsSeparate() {
        PostgresDsn dsn = PostgresDsn.parse("postgresql://app:secret@db.example.com:6543/metrics?sslmode=require");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/metrics?sslmode=require");
        assertThat(dsn.user()).isEqualTo("app");
        assertThat(dsn.password()).isEqualTo("secret");
    }

    @Test
    void postgresSchemeIsAccepted() {
        assertThat(PostgresDsn.parse("postgres://app@h/db").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db");
    }

    @Test
    void userAndPasswordArePercentDecoded() {
        PostgresDsn dsn = PostgresDsn.parse("postgresql://us%40er:p%3Aa%2Fs%40s+w%C3%B6rd@h/db");

        assertThat(dsn.user()).isEqualTo("us@er");
        assertThat(dsn.password()).isEqualTo("p:a/s@s+wörd");
        assertThat(dsn.jdbcUrl()).doesNotContain("p%3A").doesNotContain("us%40er");
    }

    @Test
    void unencodedAtSignInPasswordIsTolerated() {
        PostgresDsn dsn = PostgresDsn.parse("postgresql://app:p@ss@h/db");

        assertThat(dsn.password()).isEqualTo("p@ss");
        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db");
    }

    @Test
    void queryParametersAreKeptAndLibpqNamesTranslated() {
        PostgresDsn dsn = PostgresDsn.parse(
                "postgresql://h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=freezer&connect_timeout=10");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?sslmode=verify-full&sslrootcert=/etc/ca.pem"
                + "&ApplicationName=freezer&connectTimeout=10");
    }

    @Test
    void userAndPasswordQueryParametersAreMovedOutOfTheUrl() {
        PostgresDsn dsn = PostgresDsn.parse("postgresql://h/db?user=app&password=s%26cret&sslmode=disable");

        assertThat(dsn.user()).isEqualTo("app");
        assertThat(dsn.password()).isEqualTo("s&cret");
        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?sslmode=disable");
    }

    @Test
    void omittedHostIsLocalhostAndOmittedPortIs5432() {
        assertThat(PostgresDsn.parse("postgresql:///db").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/db");
        assertThat(PostgresDsn.parse("postgresql://:5433/db").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5433/db");
    }

    @Test
    void ipv6HostKeepsItsBrackets() {
        assertThat(PostgresDsn.parse("postgresql://u:p@[::1]:5433/db").jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/db");
        assertThat(PostgresDsn.parse("postgresql://[2001:db8::7]/db").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[2001:db8::7]:5432/db");
    }

    @Test
    void severalHostsAreKeptInOrder() {
        assertThat(PostgresDsn.parse("postgresql://u@h1:5432,h2:5433,h3/db?target_session_attrs=any").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h1:5432,h2:5433,h3:5432/db?targetServerType=any");
    }

    @Test
    void missingDatabaseDefaultsToTheUserNameAsInLibpq() {
        assertThat(PostgresDsn.parse("postgresql://app:pw@h").jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/app");
        assertThat(PostgresDsn.parse("postgresql://app@h?sslmode=require").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h:5432/app?sslmode=require");
    }

    @Test
    void jdbcUrlIsKeptAsWrittenApartFromCredentials() {
        assertThat(PostgresDsn.parse("jdbc:postgresql://h:5432/db?sslmode=require").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h:5432/db?sslmode=require");

        PostgresDsn withCredentials = PostgresDsn.parse("jdbc:postgresql://h/db?user=app&password=pw&ssl=true");
        assertThat(withCredentials.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db?ssl=true");
        assertThat(withCredentials.user()).isEqualTo("app");
        assertThat(withCredentials.password()).isEqualTo("pw");
    }

    @Test
    void secretQueryParametersLeaveTheUrlInAnyPositionAndReachTheDriverDecoded() {
        PostgresDsn dsn = PostgresDsn.parse("postgresql://app@h/db?sslpassword=k%26ey-pass&sslmode=verify-full"
                + "&sslkey=/etc/client.key&password=p%40ss&api_token=t0k");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/db?sslmode=verify-full&sslkey=/etc/client.key");
        assertThat(dsn.password()).isEqualTo("p@ss");
        assertThat(dsn.secretParameters()).containsExactly(
                org.assertj.core.api.Assertions.entry("sslpassword", "k&ey-pass"),
                org.assertj.core.api.Assertions.entry("api_token", "t0k"));
        assertThat(dsn.toString()).doesNotContain("k&ey").doesNotContain("k%26ey").doesNotContain("t0k");
    }

    @Test
    void secretQueryParametersLeaveAJdbcUrlToo() {
        PostgresDsn dsn = PostgresDsn.parse("jdbc:postgresql://h/db?SSLPassword=kp&ssl=true&password=pw");

        assertThat(dsn.jdbcUrl()).isEqualTo("jdbc:postgresql://h/db?ssl=true");
        assertThat(dsn.password()).isEqualTo("pw");
        assertThat(dsn.secretParameters()).containsExactly(org.assertj.core.api.Assertions.entry("SSLPassword", "kp"));
    }

    @Test
    void toStringMasksThePassword() {
        assertThat(PostgresDsn.parse("postgresql://app:hunter2@h/db").toString()).doesNotContain("hunter2").contains("***");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "mysql://app:hunter2@h/db",
            "host=h user=app password='hunter2",
            "host=h user=app password=hunter2 sslmode=maybe",
            "host=h user=app password=hunter2 keepalives_idle=10",
            "postgresql://app:hunter2/db",
            "postgresql://app:hunter2@h:99999/db",
            "postgresql://app:hunter2@h:port/db",
            "postgresql://app:hunter2@[::1/db",
            "postgresql://app:hunter2%zz@h/db",
            "postgresql://app:hunter2@h/db?sslmode",
            "postgresql://app:hunter2@h/db?host=other",
            "postgresql://:hunter2@h",
            "postgresql://app:hunter2@%2Fvar%2Frun%2Fpostgresql/db"})
    void invalidDsnIsRefusedWithoutShowingThePassword(String text) {
        assertThatThrownBy(() -> PostgresDsn.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("hunter2"));
    }
}
