package io.pgfreezer.packaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgfreezer.testing.S3ProxyServer;
import io.pgfreezer.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.pgfreezer.packaging.HelmChartRenderTest.asMap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the Taskfile's {@code dev:*} tasks for real against an embedded PostgreSQL and the S3 API
 * server, the way {@code task} would: go-task is not part of the build's toolchain, so the test
 * expands the task's variables itself (the few template forms the Taskfile uses; anything else
 * fails the test, so a new form cannot slip through unexpanded) and hands each command line to
 * {@code sh -c} in the checkout, with the environment the dev config reads.
 */
class TaskfileIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Tasks that run the generator for good (full) or load a million rows: too slow for the build. */
    private static final Set<String> NOT_RUN_HERE = Set.of("dev:generate", "dev:generate:setup-only");

    record Result(int exit, String stdout, String stderr) {
    }

    private final Path checkout = PackagedBuild.checkout();
    private final Set<String> ran = new LinkedHashSet<>();
    private Map<String, Object> taskfile;
    private Map<String, String> env;

    @Test
    void everyDevTaskRunsAgainstTheEmbeddedServices(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        taskfile = asMap(YAML.readValue(checkout.resolve("Taskfile.yml").toFile(), Map.class));
        S3ProxyServer s3 = S3ProxyServer.shared();
        String bucket = s3.newBucket();
        env = Map.of("PG_DSN", TestPostgres.newDatabase(), "S3_ENDPOINT", s3.endpoint(), "S3_BUCKET", bucket,
                "S3_ACCESS_KEY", s3.accessKey(), "S3_SECRET_KEY", s3.secretKey(), "LOG_FORMAT", "json");

        assertThat(task("dev:generate:quick", Map.of(), "--reset").exit()).isZero();

        Result dry = task("dev:export:dry-run", Map.of());
        assertThat(dry.exit()).as(dry.stderr()).isZero();
        assertThat(objects(s3, bucket)).as("a dry run writes nothing").isEmpty();

        Result one = task("dev:export:table", Map.of("TABLE", "sensor_readings"));
        assertThat(one.exit()).as(one.stderr()).isZero();
        assertThat(objects(s3, bucket)).isNotEmpty().allMatch(key -> !key.contains("device_events"));

        Result all = task("dev:export", Map.of());
        assertThat(all.exit()).as(all.stderr()).isZero();
        assertThat(objects(s3, bucket)).anyMatch(key -> key.startsWith("device_events/"));

        Result status = task("dev:status", Map.of(), "--json");
        assertThat(status.exit()).as(status.stderr()).isZero();
        assertThat(status.stdout()).contains("public.sensor_readings", "public.device_events");

        Result list = task("dev:list", Map.of("TABLE", "sensor_readings", "STATUS", "DONE"));
        assertThat(list.exit()).as(list.stderr()).isZero();
        assertThat(list.stdout()).contains("sensor_readings", "DONE").doesNotContain("device_events");
        assertThat(task("dev:list", Map.of()).exit()).isZero();

        Map<String, String> range = Map.of("TABLE", "sensor_readings", "FROM", "2000-01-01", "TO", "2100-01-01");
        Result fetched = task("dev:fetch", with(range, "FMT", "jsonl"));
        assertThat(fetched.exit()).as(fetched.stderr()).isZero();
        long rows = fetched.stdout().lines().count();
        assertThat(rows).isPositive();
        Result csv = task("dev:fetch", range);
        assertThat(csv.exit()).as(csv.stderr()).isZero();
        assertThat(csv.stdout().lines().count()).as("CSV by default: a header, then the rows").isEqualTo(rows + 1);

        Path file = tmp.resolve("readings.json");
        Result toFile = task("dev:fetch:file", with(with(range, "OUTPUT", file.toString()), "FMT", "json"));
        assertThat(toFile.exit()).as(toFile.stderr()).isZero();
        assertThat(YAML.readTree(file.toFile())).hasSize((int) rows);

        Result replay = task("dev:replay", with(range, "FORCE", "1"));
        assertThat(replay.exit()).as(replay.stderr()).isZero();

        Set<String> devTasks = new LinkedHashSet<>();
        asMap(taskfile.get("tasks")).keySet().stream().filter(name -> name.startsWith("dev:")).forEach(devTasks::add);
        devTasks.removeAll(NOT_RUN_HERE);
        assertThat(ran).as("every dev task was run").containsAll(devTasks);
    }

    private static Map<String, String> with(Map<String, String> vars, String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(vars);
        more.put(name, value);
        return more;
    }

    private static List<String> objects(S3ProxyServer s3, String bucket) {
        try (S3Client client = s3.newClient()) {
            return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(o -> o.key()).toList();
        }
    }

    /** {@code task NAME VAR=value... -- CLI_ARGS}: the task's command lines, expanded, run in order. */
    private Result task(String name, Map<String, String> taskVars, String... cliArgs) throws IOException, InterruptedException {
        Map<String, Object> task = asMap(asMap(taskfile.get("tasks")).get(name));
        Map<String, String> vars = new LinkedHashMap<>();
        asMap(taskfile.getOrDefault("vars", Map.of())).forEach((k, v) -> vars.put(k, String.valueOf(v)));
        vars.putAll(taskVars);
        vars.put("CLI_ARGS", String.join(" ", cliArgs));
        if (task.get("requires") != null) {
            for (Object required : (List<?>) asMap(task.get("requires")).get("vars")) {
                assertThat(vars).as("%s requires %s", name, required).containsKey((String) required);
            }
        }
        ran.add(name);
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (Object cmd : (List<?>) task.get("cmds")) {
            assertThat(cmd).as("%s: a shell command, not a task call", name).isInstanceOf(String.class);
            String line = expand((String) cmd, vars);
            Result r = sh(line);
            out.append(r.stdout());
            err.append("$ ").append(line).append('\n').append(r.stderr());
            if (r.exit() != 0) {
                return new Result(r.exit(), out.toString(), err.toString());
            }
        }
        return new Result(0, out.toString(), err.toString());
    }

    private Result sh(String line) throws IOException, InterruptedException {
        Path out = Files.createTempFile("task-out-", ".txt");
        Path err = Files.createTempFile("task-err-", ".txt");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", line).directory(checkout.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("finished: " + line).isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static final Pattern IF = Pattern.compile("\\{\\{if \\.(\\w+)}}(.*?)\\{\\{end}}", Pattern.DOTALL);
    private static final Pattern DEFAULT = Pattern.compile("\\{\\{\\.(\\w+) \\| default \"([^\"]*)\"}}");
    private static final Pattern VAR = Pattern.compile("\\{\\{\\.(\\w+)}}");

    /** go-task's templating, as far as the Taskfile uses it; an unset variable is empty, as in go-task. */
    static String expand(String template, Map<String, String> vars) {
        String text = replace(IF, template, m -> isSet(vars, m.group(1)) ? m.group(2) : "");
        text = replace(DEFAULT, text, m -> isSet(vars, m.group(1)) ? vars.get(m.group(1)) : m.group(2));
        // Twice: a top-level variable may itself name another ({{.FREEZER}} holding {{.DEV_CONFIG}}).
        for (int i = 0; i < 2; i++) {
            text = replace(VAR, text, m -> vars.getOrDefault(m.group(1), ""));
        }
        assertThat(text).as("template forms this test does not expand, in: " + template).doesNotContain("{{");
        return text.replaceAll("\\s+", " ").trim();
    }

    private static boolean isSet(Map<String, String> vars, String name) {
        return vars.get(name) != null && !vars.get(name).isEmpty();
    }

    private static String replace(Pattern pattern, String text, java.util.function.Function<Matcher, String> by) {
        Matcher m = pattern.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(by.apply(m)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
