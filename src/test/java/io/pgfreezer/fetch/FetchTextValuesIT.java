package io.pgfreezer.fetch;

import io.pgfreezer.config.Granularity;
import io.pgfreezer.testing.ArchiveFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Text that breaks naive CSV and JSON writers (commas, quotes, line breaks, non-ASCII, empty
 * strings, JSON documents spread over lines, NaN) fetched from a real archive and parsed back.
 */
class FetchTextValuesIT {
    private static final String SNAPSHOT = "SELECT txt, j::text, f::text FROM notes ORDER BY ts";

    private static ArchiveFixture archive;
    private static Path config;
    private static List<List<String>> before;

    @TempDir
    Path dir;

    @BeforeAll
    static void archiveAwkwardText() {
        archive = ArchiveFixture.local().clock(Readings.CLOCK)
                .table("notes", "ts", Granularity.MONTHLY, Duration.ofHours(6));
        archive.sql("CREATE TABLE notes (ts timestamptz NOT NULL, txt text, j json, f float8)",
                """
                INSERT INTO notes VALUES
                  ('2024-01-01 00:00:01+00', 'plain', '{"a": 1}', 1.5),
                  ('2024-01-01 00:00:02+00', 'a,b', '[1, 2.50, "x,y"]', 'NaN'),
                  ('2024-01-01 00:00:03+00', 'say "hi"', E'{\\n  "multi": "line",\\n  "n": 10.0\\n}', 'Infinity'),
                  ('2024-01-01 00:00:04+00', E'line1\\nline2', '"just a string"', '-Infinity'),
                  ('2024-01-01 00:00:05+00', E'crlf\\r\\nend', 'null', -0.0),
                  ('2024-01-01 00:00:06+00', 'héllo wörld 🎉 日本', '{"emoji": "🎉", "esc": "tab\\there"}', 1e300),
                  ('2024-01-01 00:00:07+00', '', '{}', 0.1),
                  ('2024-01-01 00:00:08+00', NULL, NULL, NULL),
                  ('2024-01-01 00:00:09+00', ' padded ', '{"quote": "say \\"hi\\""}', 2)
                """);
        before = Readings.query(archive, SNAPSHOT);
        assertThat(archive.runAll().succeeded()).isTrue();
        assertThat(archive.count("SELECT count(*) FROM notes")).isZero();
        config = FetchCli.config(archive);
    }

    private static FetchCli.Run fetch(String format) {
        return FetchCli.fetch(config, "-t", "notes", "--from", "2024-01-01", "--to", "2024-02-01", "--format", format);
    }

    @Test
    void csvQuotesWhatNeedsQuotingAndParsesBackToTheSameValues() {
        FetchCli.Run run = fetch("csv");

        assertThat(run.exit()).as(run.stderr()).isZero();
        List<List<String>> records = Rfc4180.parse(run.out());
        assertThat(records.get(0)).containsExactly("ts", "txt", "j", "f");
        assertThat(records).hasSize(before.size() + 1);
        for (int i = 0; i < before.size(); i++) {
            List<String> pg = before.get(i);
            List<String> csv = records.get(i + 1);
            assertThat(csv.get(1)).as("txt of row %d", i).isEqualTo(pg.get(0));
            assertThat(csv.get(2)).as("j of row %d", i).isEqualTo(pg.get(1));
            assertThat(csv.get(3) == null ? null : Double.valueOf(csv.get(3))).as("f of row %d", i)
                    .isEqualTo(pg.get(2) == null ? null : Double.valueOf(pg.get(2)));
        }
        assertThat(run.out()).contains("\n2024-01-01T00:00:02+00:00,\"a,b\",\"[1, 2.50, \"\"x,y\"\"]\",NaN\n",
                "\n2024-01-01T00:00:04+00:00,\"line1\nline2\",\"\"\"just a string\"\"\",-Infinity\n",
                "\n2024-01-01T00:00:05+00:00,\"crlf\r\nend\",null,0.0\n",
                "\n2024-01-01T00:00:07+00:00,\"\",{},0.1\n",
                "\n2024-01-01T00:00:08+00:00,,,\n",
                "\n2024-01-01T00:00:09+00:00, padded ,");
    }

    @Test
    void jsonLinesKeepEveryRecordOnOneLineWithDocumentsEmbeddedAsJson() throws Exception {
        FetchCli.Run run = fetch("jsonl");

        assertThat(run.exit()).isZero();
        assertThat(run.out().split("\n")).hasSize(before.size());
        List<JsonNode> rows = run.jsonLines();
        for (int i = 0; i < before.size(); i++) {
            List<String> pg = before.get(i);
            JsonNode row = rows.get(i);
            assertThat(row.get("txt").isNull() ? null : row.get("txt").textValue()).isEqualTo(pg.get(0));
            assertThat(row.get("j")).isEqualTo(pg.get(1) == null ? FetchCli.JSON.nullNode() : FetchCli.JSON.readTree(pg.get(1)));
        }
        assertThat(run.out().lines().map(line -> line.substring(line.lastIndexOf("\"f\":") + 4, line.length() - 1)))
                .containsExactly("1.5", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "0.0", "1.0E300", "0.1", "null", "2.0");
        assertThat(run.out()).contains("\"j\":{\"multi\":\"line\",\"n\":10.0}", "\"j\":[1,2.50,\"x,y\"]",
                "\"txt\":\"héllo wörld 🎉 日本\"", "\"txt\":\"line1\\nline2\"");
        assertThat(run.stdout()).isEqualTo(run.out().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jqReadsBothJsonFormats() throws Exception {
        Optional<Path> jq = onPath("jq");
        assumeTrue(jq.isPresent(), "jq is not installed");
        Path lines = dir.resolve("notes.jsonl");
        Path array = dir.resolve("notes.json");
        FetchCli.fetch(config, "-t", "notes", "--from", "2024-01-01", "--to", "2024-02-01", "--format", "jsonl",
                "-o", lines.toString());
        FetchCli.fetch(config, "-t", "notes", "--from", "2024-01-01", "--to", "2024-02-01", "--format", "json",
                "-o", array.toString());

        assertThat(run(jq.get(), "-c", ".txt", lines)).containsExactly("\"plain\"", "\"a,b\"", "\"say \\\"hi\\\"\"",
                "\"line1\\nline2\"", "\"crlf\\r\\nend\"", "\"héllo wörld 🎉 日本\"", "\"\"", "null", "\" padded \"");
        assertThat(run(jq.get(), "-c", ".[2].j.multi, length, ([.[].j | type] | unique)", array))
                .containsExactly("\"line\"", "9", "[\"array\",\"null\",\"object\",\"string\"]");
    }

    private static List<String> run(Path jq, String flag, String filter, Path input) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(jq.toString(), flag, filter, input.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().toList();
    }

    private static Optional<Path> onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(d -> Path.of(d, program)).filter(Files::isExecutable).findFirst();
    }

    /** An RFC 4180 reader, strict enough to catch a writer's mistakes; empty unquoted fields are null. */
    static final class Rfc4180 {
        static List<List<String>> parse(String text) {
            List<List<String>> records = new ArrayList<>();
            List<String> record = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean wasQuoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        field.append(c);
                    }
                } else if (c == '"') {
                    assertThat(field).as("a quote inside an unquoted field at %d", i).isEmpty();
                    quoted = true;
                    wasQuoted = true;
                } else if (c == ',' || c == '\n') {
                    record.add(field.length() == 0 && !wasQuoted ? null : field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                    if (c == '\n') {
                        records.add(record);
                        record = new ArrayList<>();
                    }
                } else {
                    assertThat(wasQuoted).as("text after a closing quote at %d", i).isFalse();
                    field.append(c);
                }
            }
            assertThat(quoted).as("unterminated quote").isFalse();
            assertThat(record).as("last record ends with a line break").isEmpty();
            return records;
        }
    }
}
