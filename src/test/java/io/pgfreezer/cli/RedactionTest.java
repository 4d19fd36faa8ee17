package io.pgfreezer.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RedactionTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "connecting to postgresql://app:hunter2@db:5432/x | connecting to postgresql://app:***@db:5432/x",
            "url postgresql://app:hun@ter2@db/x?a=1 | url postgresql://app:***@db/x?a=1",
            "jdbc:postgresql://db/x?ssl=true&sslpassword=hunter2&a=1 | jdbc:postgresql://db/x?ssl=true&sslpassword=***&a=1",
            "jdbc:postgresql://db/x?password=hunter2 | jdbc:postgresql://db/x?password=***",
            "https://hooks.example/x?token=hunter2 | https://hooks.example/x?token=***",
            "Password = hunter2, next | Password = ***, next",
            "key client_secret=hunter2; done | key client_secret=***; done"})
    void secretsInUrisAndNamedPairsAreMasked(String text, String expected) {
        assertThat(Redaction.apply(text)).isEqualTo(expected).doesNotContain("hunter2").doesNotContain("ter2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://localhost:9000/bucket/key",
            "storage.secret_key: is empty but access_key is set (set both, or neither)",
            "s3://archive/sensor_readings/year=2024/month=01/day=15/data.parquet",
            "exported 12500 rows"})
    void textWithoutSecretsIsUnchanged(String text) {
        assertThat(Redaction.apply(text)).isEqualTo(text);
    }
}
