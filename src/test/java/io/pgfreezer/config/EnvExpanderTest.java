package io.pgfreezer.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnvExpanderTest {

    @Test
    void setVariableIsSubstituted() {
        assertThat(EnvExpander.expand("dsn: \"${PG_DSN}\"", Map.of("PG_DSN", "postgresql://h/db")))
                .isEqualTo("dsn: \"postgresql://h/db\"");
    }

    @Test
    void unsetVariableIsAnErrorNamingItAndItsLine() {
        assertThatThrownBy(() -> EnvExpander.expand("a: 1\ndsn: \"${PG_DSN}\"", Map.of()))
                .isInstanceOfSatisfying(ConfigProblem.class, p -> {
                    assertThat(p.location()).isEqualTo("line 2");
                    assertThat(p.problem()).contains("environment variable PG_DSN is not set");
                });
    }

    @Test
    void everyUnsetVariableIsNamedAtOnce() {
        assertThatThrownBy(() -> EnvExpander.expand("a: ${ONE}\nb: ${TWO}", Map.of()))
                .isInstanceOf(ConfigProblem.class)
                .hasMessage("environment variables are not set: ONE (line 1), TWO (line 2)");
    }

    @Test
    void requiredVariableSetToEmptyIsEmpty() {
        assertThat(EnvExpander.expand("k: '${KEY}'", Map.of("KEY", ""))).isEqualTo("k: ''");
    }

    @Test
    void defaultAppliesWhenUnset() {
        assertThat(EnvExpander.expand("dsn: ${PG_DSN:=postgresql://localhost/db}", Map.of()))
                .isEqualTo("dsn: postgresql://localhost/db");
    }

    @Test
    void defaultAppliesWhenEmpty() {
        assertThat(EnvExpander.expand("e: ${S3_ENDPOINT:=http://localhost:9000}", Map.of("S3_ENDPOINT", "")))
                .isEqualTo("e: http://localhost:9000");
    }

    @Test
    void setValueWinsOverDefault() {
        assertThat(EnvExpander.expand("e: ${S3_ENDPOINT:=http://localhost:9000}", Map.of("S3_ENDPOINT", "https://s3")))
                .isEqualTo("e: https://s3");
    }

    @Test
    void emptyDefaultMakesAnOptionalValue() {
        assertThat(EnvExpander.expand("access_key: \"${S3_ACCESS_KEY:=}\"", Map.of()))
                .isEqualTo("access_key: \"\"");
    }

    @Test
    void referencesInCommentsAreLeftAloneAndNeverFail() {
        String text = "# dsn: \"${PG_DSN}\"\nbucket: b   # or ${BUCKET}\n  # ${ALSO_UNSET}";
        assertThat(EnvExpander.expand(text, Map.of())).isEqualTo(text);
    }

    @Test
    void hashInsideQuotesOrDefaultIsNotAComment() {
        assertThat(EnvExpander.expand("f: \"a # ${X}\"", Map.of("X", "1"))).isEqualTo("f: \"a # 1\"");
        assertThat(EnvExpander.expand("f: 'a # ${X}'", Map.of("X", "1"))).isEqualTo("f: 'a # 1'");
        assertThat(EnvExpander.expand("f: ${X:=a #b}", Map.of())).isEqualTo("f: a #b");
    }

    @Test
    void apostropheInPlainTextDoesNotHideAComment() {
        String text = "note: it's fine # ${UNSET}";
        assertThat(EnvExpander.expand(text, Map.of())).isEqualTo(text);
    }

    @Test
    void expandedValuesAreNotExpandedAgain() {
        assertThat(EnvExpander.expand("p: ${PASS}", Map.of("PASS", "a${B}c"))).isEqualTo("p: a${B}c");
    }

    @Test
    void malformedReferenceIsAnErrorThatDoesNotShowTheDefault() {
        assertThatThrownBy(() -> EnvExpander.expand("dsn: ${PG_DSN:-postgresql://u:hunter2@h/db}", Map.of()))
                .isInstanceOfSatisfying(ConfigProblem.class, p -> {
                    assertThat(p.location()).isEqualTo("line 1");
                    assertThat(p.problem()).contains("${PG_DSN").doesNotContain("hunter2");
                });
    }

    @Test
    void windowsLineEndingsAreKept() {
        assertThat(EnvExpander.expand("a: ${X}\r\nb: 2\r\n", Map.of("X", "1"))).isEqualTo("a: 1\r\nb: 2\r\n");
    }
}
