package io.pgfreezer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgfreezer.FreezerException;
import io.pgfreezer.config.DatabaseConfig;
import io.pgfreezer.config.FreezerConfig;
import io.pgfreezer.config.GlobalConfig;
import io.pgfreezer.config.Granularity;
import io.pgfreezer.config.StorageConfig;
import io.pgfreezer.config.TableConfig;
import io.pgfreezer.manifest.BatchManifest;
import io.pgfreezer.manifest.StorageManifestStore;
import io.pgfreezer.testing.InMemoryObjectStorage;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * A configuration built in code and manifests in memory, for running {@code status} and
 * {@code list} through their real option parsing without a config file or a bucket. The
 * database settings point nowhere: these commands must never need them.
 */
final class ManifestCommandFixture {
    final InMemoryObjectStorage storage = new InMemoryObjectStorage();
    final FreezerConfig config;
    private final StorageManifestStore store = new StorageManifestStore(storage);

    ManifestCommandFixture(TableConfig... tables) {
        this.config = new FreezerConfig(
                new DatabaseConfig("postgresql://nobody@unreachable.invalid:1/none",
                        "jdbc:postgresql://unreachable.invalid:1/none", "nobody", null, 1, Duration.ofSeconds(1)),
                new StorageConfig(StorageConfig.Protocol.FILE, null, Path.of("/nonexistent"), Optional.empty(),
                        "us-east-1", Optional.empty(), Optional.empty(), false),
                Arrays.asList(tables),
                new GlobalConfig(1, false, Duration.ofHours(1), GlobalConfig.Compression.SNAPPY, 25_000,
                        Optional.empty(), GlobalConfig.Metrics.none()));
    }

    static TableConfig table(String name, Granularity granularity) {
        return new TableConfig(name, "public", "recorded_at", granularity, Duration.ofDays(15), Optional.empty());
    }

    /** A JSON object's keys in the order they were written. */
    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    void save(BatchManifest... manifests) {
        save(List.of(manifests));
    }

    void save(List<BatchManifest> manifests) {
        manifests.forEach(store::save);
    }

    /**
     * Runs the command as the CLI would, each run opening the storage afresh. A failure is kept
     * in the result, with the exit code the CLI maps it to.
     */
    Result run(Function<CommandEnvironment, Callable<Integer>> command, String... args) {
        CommandEnvironment env = new CommandEnvironment(option -> config, storageConfig -> storage.reopen());
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(command.apply(env));
        cmd.setOut(new PrintWriter(out, true));
        StringWriter err = new StringWriter();
        cmd.setErr(new PrintWriter(err, true));
        Exception[] failure = new Exception[1];
        cmd.setExecutionExceptionHandler((e, c, parsed) -> {
            failure[0] = e;
            return e instanceof FreezerException fe ? fe.exitCode() : FreezerException.EXIT_FAILURE;
        });
        int exit = cmd.execute(args);
        return new Result(exit, out.toString(), err.toString(), failure[0]);
    }

    /** @param failure what the command threw, or null */
    record Result(int exitCode, String out, String err, Exception failure) {
        List<String> lines() {
            return out.lines().toList();
        }
    }
}
