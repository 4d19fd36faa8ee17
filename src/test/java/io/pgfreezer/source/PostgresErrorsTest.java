package io.pgfreezer.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

class PostgresErrorsTest {

    @ParameterizedTest
    @ValueSource(strings = {"08006", "08001", "08003", "57P01", "57P02", "57P03", "40001", "40P01", "55P03", "57014", "53300"})
    void connectionLossRacesTimeoutsAndShortagesAreWorthRetrying(String sqlState) {
        assertThat(new SourceException("x", sqlState, null).isTransient()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"28P01", "28000", "42601", "42P01", "42501", "3D000", "22003", "23505", "XX000"})
    void authenticationSyntaxPrivilegesAndDataErrorsAreNot(String sqlState) {
        assertThat(new SourceException("x", sqlState, null).isTransient()).isFalse();
    }

    @Test
    void aPoolTimeoutWithoutSqlStateIsTransientByItsType() {
        assertThat(new SourceException("x", null, new SQLTransientConnectionException("pool timed out")).isTransient()).isTrue();
        assertThat(new SourceException("x", null, new IllegalStateException("bug")).isTransient()).isFalse();
    }
}
