package io.pgfreezer.packaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.pgfreezer.config.ConfigLoader;
import io.pgfreezer.config.FreezerConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.pgfreezer.packaging.HelmChartRenderTest.asMap;
import static io.pgfreezer.packaging.HelmChartRenderTest.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The image, the chart, the Taskfile, the compose file and the dev config each restate a few
 * facts about the others (paths, uid, bucket, credentials). These checks keep them in step.
 */
class PackagingConsistencyTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theImageRunsTheLauncherFromItsLibLayoutWithTheChartsConfigPathAndUser() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Map<String, Object> values = yaml(Path.of("helm/pg-freezer/values.yaml"));
        String ciMaven = Files.readAllLines(Path.of(".ci/run")).stream()
                .filter(line -> line.startsWith("mvn -B ")).findFirst().orElseThrow();

        assertThat(dockerfile)
                .contains("FROM maven:3.9-eclipse-temurin-17 AS build")
                .contains("RUN --mount=type=cache,target=/root/.m2 " + ciMaven + " ${MAVEN_EXTRA_ARGS}")
                .contains("COPY --from=build /src/target/pg-freezer.jar /opt/pg-freezer/lib/pg-freezer.jar")
                .contains("COPY --chmod=0755 bin/pg-freezer /opt/pg-freezer/bin/pg-freezer")
                .contains("ENTRYPOINT [\"/opt/pg-freezer/bin/pg-freezer\"]")
                .contains("CMD [\"run\", \"--config\", \"/etc/pg-freezer/config.yaml\"]")
                .contains("LOG_FORMAT=json")
                .contains("PG_FREEZER_JAVA_OPTS=\"-XX:MaxRAMPercentage=50\"")
                .contains("--uid " + at(values, "podSecurityContext.runAsUser"))
                .contains("USER " + at(values, "podSecurityContext.runAsUser"));
    }

    @Test
    void theBuildContextKeepsWhatTheImageBuildCopiesAndNothingBuilt() throws IOException {
        List<String> rules = Files.readAllLines(Path.of(".dockerignore"));
        // The build stage runs the whole test suite, which reads the scripts, the chart and the CI entry point.
        assertThat(rules).contains("*", "!pom.xml", "!src/", "!bin/", "!scripts/", "!helm/", "!.ci/", "!Taskfile.yml",
                "!docker-compose.yml", "!config.example.yaml", "!Dockerfile", "!LICENSE", "!NOTICE", "**/target/");
    }

    @Test
    void theTaskfileHasEveryDocumentedTaskAndRunsTheLauncherWithTheDevConfig() throws IOException {
        Map<String, Object> taskfile = yaml(Path.of("Taskfile.yml"));
        Map<String, Object> tasks = asMap(taskfile.get("tasks"));

        assertThat(taskfile.get("version")).isEqualTo("3");
        assertThat(tasks).containsKeys("infra:up", "infra:down", "infra:reset", "infra:up:local", "infra:down:local",
                "infra:reset:local", "build", "dev:generate", "dev:generate:quick", "dev:generate:setup-only",
                "dev:export", "dev:export:dry-run", "dev:export:table", "dev:status", "dev:list", "dev:fetch",
                "dev:fetch:file", "dev:replay", "test", "test:cov", "helm:lint");
        // TaskfileIT runs these command lines; here only that each goes through the shared launcher variable.
        tasks.forEach((name, task) -> {
            if (name.startsWith("dev:") && !name.startsWith("dev:generate")) {
                assertThat(asMap(task).get("cmds").toString()).as(name).contains("{{.FREEZER}}");
            }
        });
        for (Path script : List.of(Path.of("scripts/generate.sh"), Path.of("scripts/local-infra.sh"), Path.of("bin/pg-freezer"))) {
            assertThat(Files.isExecutable(script)).as("%s is executable", script).isTrue();
        }
    }

    @Test
    void composeServesTheBucketAndCredentialsTheDevConfigDefaultsTo() throws IOException {
        String devConfig = Files.readString(Path.of("scripts/config.dev.yaml"));
        String compose = Files.readString(Path.of("docker-compose.yml"));

        assertThat(devConfig).contains("${PG_DSN:=postgresql://postgres:postgres@localhost:5432/postgres}")
                .contains("${S3_ENDPOINT:=http://localhost:9000}")
                .contains("${S3_ACCESS_KEY:=minioadmin}")
                .contains("${S3_BUCKET:=pg-freezer}");
        assertThat(compose).contains("image: postgres:16", "POSTGRES_PASSWORD: postgres", "\"5432:5432\"", "\"9000:9000\"",
                "MINIO_ROOT_USER: minioadmin", "MINIO_ROOT_PASSWORD: minioadmin", "mc mb --ignore-existing local/pg-freezer");
    }

    @Test
    void theDevConfigIsAValidConfiguration() {
        FreezerConfig config = load(Path.of("scripts/config.dev.yaml"), Map.of());

        assertThat(config.tables()).extracting(t -> t.name()).containsExactly("sensor_readings", "device_events");
        assertThat(config.storage().endpointUrl()).contains("http://localhost:9000");
        assertThat(config.storage().pathStyle()).isTrue();
    }

    @Test
    void theChartsDefaultConfigIsAValidConfiguration(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("config.yaml"),
                (String) yaml(Path.of("helm/pg-freezer/values.yaml")).get("config"));

        FreezerConfig config = load(file, Map.of("PG_DSN", "postgresql://u:p@db:5432/app"));

        assertThat(config.storage().hasStaticCredentials()).as("credentials left to the AWS default chain").isFalse();
    }

    private static FreezerConfig load(Path file, Map<String, String> env) {
        try {
            return ConfigLoader.load(file, env);
        } catch (UnsupportedOperationException notYet) {
            return abort("the configuration loader is not implemented in this build yet");
        }
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return asMap(YAML.readValue(file.toFile(), Map.class));
    }
}
