package io.pgfreezer.fetch;

import io.pgfreezer.cli.Main;
import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.testing.ArchiveFixture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs {@code pg-freezer fetch} through the real command line: a config file written here (the
 * database points nowhere, since fetch must not need it), the real option parsing and config
 * loader, stdout captured as bytes and stderr as text, apart.
 */
final class FetchCli {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private FetchCli() {
    }

    /** A config file for the fixture's storage and tables. */
    static Path config(ArchiveFixture f) {
        StringBuilder yaml = new StringBuilder("database:\n  dsn: postgresql://nobody@unreachable.invalid:1/none\n");
        StorageConfig s = f.storageConfig;
        if (s.protocol() == StorageConfig.Protocol.FILE) {
            yaml.append("storage:\n  protocol: file\n  path: \"").append(s.path()).append("\"\n");
        } else {
            yaml.append("storage:\n  protocol: s3\n  endpoint_url: \"").append(s.endpointUrl().orElseThrow())
                    .append("\"\n  bucket: ").append(s.bucket())
                    .append("\n  access_key: \"").append(s.accessKey().orElseThrow())
                    .append("\"\n  secret_key: \"").append(s.secretKey().orElseThrow())
                    .append("\"\n  path_style: true\n  region: ").append(s.region()).append('\n');
        }
        yaml.append("tables:\n");
        for (TableConfig t : f.config().tables()) {
            yaml.append("  - name: \"").append(t.name()).append("\"\n    schema: \"").append(t.schema())
                    .append("\"\n    timestamp_column: \"").append(t.timestampColumn())
                    .append("\"\n    partition_by: ").append(t.partitionBy().yamlName()).append('\n');
        }
        try {
            Path file = Files.createTempFile("pg-freezer-fetch-config-", ".yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Run fetch(Path config, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        List<String> argv = new ArrayList<>(List.of("fetch", "-c", config.toString()));
        argv.addAll(List.of(args));
        int exit = Main.commandLine(outWriter, new PrintWriter(err, true)).execute(argv.toArray(String[]::new));
        outWriter.flush();
        return new Run(exit, out.toByteArray(), err.toString());
    }

    record Run(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        List<JsonNode> jsonLines() {
            List<JsonNode> rows = new ArrayList<>();
            for (String line : out().split("\n", -1)) {
                if (!line.isEmpty()) {
                    try {
                        rows.add(JSON.readTree(line));
                    } catch (IOException e) {
                        throw new AssertionError("not a JSON line: " + line, e);
                    }
                }
            }
            return rows;
        }

        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("stdout is not one JSON document: " + out(), e);
            }
        }
    }
}
