package io.pgfreezer.packaging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The renderer behind {@link HelmChartRenderTest} follows Go template semantics for what it
 * supports, and refuses what it does not, so the chart cannot pass here and break under helm.
 * Expected outputs are what Go's text/template with Sprig produces for the same input.
 */
class HelmSubsetRendererTest {
    @TempDir
    Path chart;

    private String render(String template, String values) throws IOException {
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: \"2.0\"\n");
        Files.writeString(chart.resolve("values.yaml"), values);
        Files.writeString(chart.resolve("templates/t.yaml"), template);
        return HelmSubsetRenderer.load(chart).render(Map.of(), "rel", "ns").get("t.yaml");
    }

    @Test
    void dashesTrimAllWhitespaceOnTheirSideOnly() throws IOException {
        assertThat(render("a:\n  {{- \"x\" }}\nb: {{ \"y\" -}}\n\n  c", "")).isEqualTo("a:x\nb: yc");
    }

    @Test
    void elseIfChainsShareOneEnd() throws IOException {
        String t = "{{ if eq .Values.n 1 }}one{{ else if eq .Values.n 2 }}two{{ else }}many{{ end }}";
        assertThat(render(t, "n: 2")).isEqualTo("two");
        assertThat(render(t, "n: 1")).isEqualTo("one");
        assertThat(render(t, "n: 7")).isEqualTo("many");
    }

    @Test
    void withRebindsDotAndDollarStaysTheRoot() throws IOException {
        assertThat(render("{{ with .Values.a }}{{ .b }}/{{ $.Chart.Name }}{{ end }}", "a:\n  b: B")).isEqualTo("B/demo");
        assertThat(render("{{ with .Values.missing }}x{{ else }}none{{ end }}", "")).isEqualTo("none");
    }

    @Test
    void rangeVisitsListsInOrderAndMapsBySortedKey() throws IOException {
        assertThat(render("{{ range .Values.l }}[{{ . }}]{{ end }}", "l: [c, a, b]")).isEqualTo("[c][a][b]");
        assertThat(render("{{ range .Values.m }}[{{ . }}]{{ end }}", "m: {z: 1, a: 2}")).isEqualTo("[2][1]");
        assertThat(render("{{ range .Values.l }}x{{ else }}empty{{ end }}", "l: []")).isEqualTo("empty");
    }

    @Test
    void includeRunsANamedTemplateWithTheGivenData() throws IOException {
        Files.createDirectories(chart.resolve("templates"));
        Files.writeString(chart.resolve("templates/_h.tpl"), "{{- define \"greet\" -}}hi {{ .name }}{{- end }}");
        assertThat(render("{{ include \"greet\" .Values }}", "name: bob"))
                .isEqualTo("hi bob");
    }

    @Test
    void sprigFunctionsBehaveAsInHelm() throws IOException {
        assertThat(render("{{ .Values.s | quote }}", "s: 'a\"b\\c'")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(render("{{ .Values.empty | default \"d\" }}|{{ .Values.s | default \"d\" }}", "empty: ''\ns: v"))
                .isEqualTo("d|v");
        assertThat(render("{{ \"abcdef-\" | trunc 7 | trimSuffix \"-\" }}", "")).isEqualTo("abcdef");
        assertThat(render("x:{{ .Values.m | toYaml | nindent 2 }}", "m: {k: v, port: '1'}")).isEqualTo("x:\n  k: v\n  port: \"1\"");
        assertThat(render("{{ \"a\\nb\" | indent 2 }}", "")).isEqualTo("  a\n  b");
        assertThat(render("{{ printf \"%s-%v\" .Chart.Name .Values.n }}", "n: 75")).isEqualTo("demo-75");
        assertThat(render("{{ \"\" | sha256sum }}", ""))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(render("{{ and 1 0 }}|{{ or 0 \"\" 3 }}|{{ not .Values.b }}", "b: false")).isEqualTo("0|3|true");
    }

    @Test
    void missingValuesPrintNothingButTheirFieldsAreAnError() throws IOException {
        assertThat(render("[{{ .Values.nope }}]", "")).isEqualTo("[]");
        assertThatThrownBy(() -> render("{{ .Values.nope.deeper }}", ""))
                .hasMessageContaining("nil pointer evaluating .Values.nope.deeper");
    }

    @Test
    void constructsOutsideTheSubsetAreRefusedByName() {
        assertThatThrownBy(() -> render("{{ .Values.s | upper }}", "s: a")).hasMessageContaining("function 'upper'");
        assertThatThrownBy(() -> render("{{ $x := 1 }}", "")).hasMessageContaining("variables");
        assertThatThrownBy(() -> render("{{ template \"x\" . }}", "")).hasMessageContaining("'template' is not supported");
        assertThatThrownBy(() -> render("{{ .Values.m }}", "m: {a: 1}")).hasMessageContaining("use toYaml");
    }

    @Test
    void failStopsRenderingWithItsMessage() {
        assertThatThrownBy(() -> render("{{ fail \"set x\" }}", "")).hasMessageContaining("set x");
    }
}
