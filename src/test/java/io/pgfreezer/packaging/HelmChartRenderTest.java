package io.pgfreezer.packaging;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Renders helm/pg-freezer with {@link HelmSubsetRenderer} and checks the Kubernetes objects it
 * produces. Where helm is installed, {@code task helm:lint} additionally runs the real thing.
 */
class HelmChartRenderTest {
    private static final Path CHART = Path.of("helm/pg-freezer");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final HelmSubsetRenderer RENDERER = HelmSubsetRenderer.load(CHART);

    @Test
    void defaultsScheduleAnHourlyCronJobThatNeverOverlaps() {
        Map<String, Object> cronJob = render(Map.of()).only("CronJob");

        assertThat(at(cronJob, "metadata.name")).isEqualTo("archive-pg-freezer");
        assertThat(at(cronJob, "spec.schedule")).isEqualTo("0 * * * *");
        assertThat(at(cronJob, "spec.concurrencyPolicy")).isEqualTo("Forbid");
        assertThat(at(cronJob, "spec.timeZone")).isEqualTo("UTC");
        assertThat(at(cronJob, "spec.successfulJobsHistoryLimit")).isEqualTo(3);
        assertThat(at(cronJob, "spec.failedJobsHistoryLimit")).isEqualTo(3);
        assertThat(at(cronJob, "spec.jobTemplate.spec.backoffLimit")).isEqualTo(0);
        assertThat(asMap(at(cronJob, "spec.jobTemplate.spec"))).doesNotContainKey("activeDeadlineSeconds");
        assertThat(at(cronJob, "spec.jobTemplate.spec.template.spec.restartPolicy")).isEqualTo("Never");
    }

    @Test
    void imageTagDefaultsToTheChartsAppVersion() {
        Map<String, Object> container = render(Map.of()).container();
        assertThat(container.get("image")).isEqualTo("ghcr.io/your-org/pg-freezer:0.1.0");
        assertThat(container.get("imagePullPolicy")).isEqualTo("IfNotPresent");

        Map<String, Object> pinned = render(Map.of("image", Map.of("repository", "registry.example/pgf", "tag", "1.2.3",
                "pullPolicy", "Always"))).container();
        assertThat(pinned.get("image")).isEqualTo("registry.example/pgf:1.2.3");
        assertThat(pinned.get("imagePullPolicy")).isEqualTo("Always");
    }

    @ParameterizedTest(name = "table={0} dryRun={1} force={2}")
    @CsvSource(delimiter = '|', value = {
            "''              | false | false | run --config /etc/pg-freezer/config.yaml",
            "sensor_readings | false | false | run --config /etc/pg-freezer/config.yaml --table sensor_readings",
            "''              | true  | false | run --config /etc/pg-freezer/config.yaml --dry-run",
            "''              | false | true  | run --config /etc/pg-freezer/config.yaml --force",
            "device_events   | true  | true  | run --config /etc/pg-freezer/config.yaml --table device_events --dry-run --force",
    })
    void argsFollowTableDryRunAndForce(String table, boolean dryRun, boolean force, String expected) {
        Map<String, Object> container = render(Map.of("args", Map.of("table", table, "dryRun", dryRun, "force", force)))
                .container();
        assertThat(container.get("args")).isEqualTo(List.of(expected.split(" ")));
    }

    @Test
    void staticCredentialsGoIntoTheChartsSecretAndReachTheContainerAsEnv() {
        Rendered r = render(Map.of("secrets", Map.of(
                "pgDsn", "postgresql://user:p@ss@db:5432/app",
                "s3AccessKey", "AKIAEXAMPLE",
                "s3SecretKey", "secret\"with/quote")));

        Map<String, Object> secret = r.only("Secret");
        assertThat(at(secret, "metadata.name")).isEqualTo("archive-pg-freezer");
        assertThat(at(secret, "stringData")).isEqualTo(Map.of(
                "PG_DSN", "postgresql://user:p@ss@db:5432/app",
                "AWS_ACCESS_KEY_ID", "AKIAEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret\"with/quote"));
        for (String name : List.of("PG_DSN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
            assertThat(at(r.env(name), "valueFrom.secretKeyRef"))
                    .isEqualTo(Map.of("name", "archive-pg-freezer", "key", name));
        }
    }

    @Test
    void emptyS3KeysLeaveStorageCredentialsToIrsa() {
        Rendered r = render(Map.of(
                "secrets", Map.of("pgDsn", "postgresql://user:pass@rds-host:5432/db"),
                "serviceAccount", Map.of("annotations",
                        Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/pg-freezer"))));

        assertThat(r.envNames()).contains("PG_DSN").doesNotContain("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        assertThat(at(r.only("Secret"), "stringData")).isEqualTo(Map.of("PG_DSN", "postgresql://user:pass@rds-host:5432/db"));
        Map<String, Object> sa = r.only("ServiceAccount");
        assertThat(at(sa, "metadata.annotations"))
                .isEqualTo(Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/pg-freezer"));
        assertThat(at(r.podSpec(), "serviceAccountName")).isEqualTo(at(sa, "metadata.name"));
        assertThat(r.notes()).contains("No static S3 keys");
    }

    @Test
    void withNoSecretValuesNoSecretIsCreatedAndNoCredentialEnvIsSet() {
        Rendered r = render(Map.of());
        assertThat(r.all("Secret")).isEmpty();
        assertThat(r.envNames()).doesNotContain("PG_DSN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void anExistingSecretIsReferencedInsteadOfCreatingOne() {
        Rendered r = render(Map.of("secrets", Map.of("existingSecret", "pg-freezer-creds", "pgDsn", "ignored")));

        assertThat(r.all("Secret")).isEmpty();
        assertThat(at(r.env("PG_DSN"), "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "pg-freezer-creds", "key", "PG_DSN"));
        assertThat(at(r.env("AWS_ACCESS_KEY_ID"), "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "pg-freezer-creds", "key", "AWS_ACCESS_KEY_ID", "optional", true));
        assertThat(at(r.env("AWS_SECRET_ACCESS_KEY"), "valueFrom.secretKeyRef.optional")).isEqualTo(true);
    }

    @Test
    void oneStaticS3KeyWithoutTheOtherFailsRenderingNamingBoth() {
        assertThatThrownBy(() -> render(Map.of("secrets", Map.of("s3AccessKey", "AKIAEXAMPLE"))))
                .hasMessageContaining("secrets.s3AccessKey is set but secrets.s3SecretKey is empty");
        assertThatThrownBy(() -> render(Map.of("secrets", Map.of("s3SecretKey", "x"))))
                .hasMessageContaining("secrets.s3SecretKey is set but secrets.s3AccessKey is empty");
    }

    @Test
    void configValueBecomesAConfigMapMountedAtEtcPgFreezerConfigYaml() {
        String config = "database:\n  dsn: \"${PG_DSN}\"\nstorage:\n  protocol: s3\n  bucket: b\n";
        Rendered r = render(Map.of("config", config));

        Map<String, Object> configMap = r.only("ConfigMap");
        assertThat(at(configMap, "data.config.yaml")).isEqualTo(config);
        Map<String, Object> volume = r.named(asList(at(r.podSpec(), "volumes")), "config");
        assertThat(at(volume, "configMap.name")).isEqualTo(at(configMap, "metadata.name"));
        assertThat(at(volume, "configMap.items")).isEqualTo(List.of(Map.of("key", "config.yaml", "path", "config.yaml")));
        Map<String, Object> mount = r.named(asList(r.container().get("volumeMounts")), "config");
        assertThat(mount).containsEntry("mountPath", "/etc/pg-freezer").containsEntry("readOnly", true);
    }

    @Test
    void configChecksumOnThePodTemplateChangesWithTheConfig() throws Exception {
        String config = "tables: []\n";
        Object checksum = at(render(Map.of("config", config)).only("CronJob"),
                "spec.jobTemplate.spec.template.metadata.annotations.checksum/config");
        Object other = at(render(Map.of("config", "tables: [x]\n")).only("CronJob"),
                "spec.jobTemplate.spec.template.metadata.annotations.checksum/config");

        assertThat(checksum).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(config.getBytes(StandardCharsets.UTF_8))));
        assertThat(other).isNotEqualTo(checksum);
    }

    @Test
    void jvmHeapFollowsTheContainerMemoryLimit() {
        Rendered r = render(Map.of());
        assertThat(at(r.container(), "resources.requests.memory")).isEqualTo("256Mi");
        assertThat(at(r.container(), "resources.limits.memory")).isEqualTo("512Mi");
        assertThat(r.env("PG_FREEZER_JAVA_OPTS").get("value")).isEqualTo("-XX:MaxRAMPercentage=75");
        assertThat(r.env("LOG_FORMAT").get("value")).isEqualTo("json");

        Rendered tuned = render(Map.of("jvm", Map.of("maxRAMPercentage", 60, "extraOpts", "-Xss512k"),
                "resources", Map.of("limits", Map.of("memory", "2Gi"))));
        assertThat(tuned.env("PG_FREEZER_JAVA_OPTS").get("value")).isEqualTo("-XX:MaxRAMPercentage=60 -Xss512k");
        assertThat(at(tuned.container(), "resources.limits.memory")).isEqualTo("2Gi");
    }

    @Test
    void extraEnvIsAppendedAfterTheChartsOwnVariables() {
        Rendered r = render(Map.of("extraEnv", List.of(
                Map.of("name", "S3_ENDPOINT", "value", "http://minio:9000"),
                Map.of("name", "PG_PASSWORD", "valueFrom", Map.of("secretKeyRef", Map.of("name", "db", "key", "password"))),
                Map.of("name", "RETRIES", "value", "1"))));
        assertThat(r.envNames()).endsWith("S3_ENDPOINT", "PG_PASSWORD", "RETRIES");
        assertThat(r.env("RETRIES").get("value")).isEqualTo("1");
        assertThat(r.env("S3_ENDPOINT").get("value")).isEqualTo("http://minio:9000");
        assertThat(at(r.env("PG_PASSWORD"), "valueFrom.secretKeyRef.key")).isEqualTo("password");
    }

    @Test
    void schedulingValuesAndPullSecretsPassThroughToThePod() {
        Map<String, Object> affinity = Map.of("nodeAffinity", Map.of("requiredDuringSchedulingIgnoredDuringExecution",
                Map.of("nodeSelectorTerms", List.of(Map.of("matchExpressions",
                        List.of(Map.of("key", "zone", "operator", "In", "values", List.of("a", "b"))))))));
        Rendered r = render(Map.of(
                "nodeSelector", Map.of("kubernetes.io/os", "linux"),
                "tolerations", List.of(Map.of("key", "batch", "operator", "Exists", "effect", "NoSchedule")),
                "affinity", affinity,
                "imagePullSecrets", List.of(Map.of("name", "regcred"))));

        Map<String, Object> pod = r.podSpec();
        assertThat(pod.get("nodeSelector")).isEqualTo(Map.of("kubernetes.io/os", "linux"));
        assertThat(pod.get("tolerations")).isEqualTo(List.of(Map.of("key", "batch", "operator", "Exists", "effect", "NoSchedule")));
        assertThat(pod.get("affinity")).isEqualTo(affinity);
        assertThat(pod.get("imagePullSecrets")).isEqualTo(List.of(Map.of("name", "regcred")));
    }

    @Test
    void emptySchedulingValuesAreLeftOut() {
        assertThat(render(Map.of()).podSpec())
                .doesNotContainKeys("nodeSelector", "tolerations", "affinity", "imagePullSecrets");
    }

    @Test
    void podRunsAsTheImagesNonRootUserWithAReadOnlyRootAndAWritableTmp() {
        Rendered r = render(Map.of());
        assertThat(at(r.podSpec(), "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(at(r.podSpec(), "securityContext.runAsUser")).isEqualTo(10001);
        assertThat(at(r.container(), "securityContext.runAsNonRoot")).isEqualTo(true);
        assertThat(at(r.container(), "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
        assertThat(at(r.container(), "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
        assertThat(r.named(asList(r.container().get("volumeMounts")), "tmp")).containsEntry("mountPath", "/tmp");
        assertThat(r.named(asList(at(r.podSpec(), "volumes")), "tmp")).containsKey("emptyDir");
    }

    @Test
    void activeDeadlineAndSuspendAreRenderedWhenSet() {
        Map<String, Object> cronJob = render(Map.of("activeDeadlineSeconds", 3000, "suspend", true,
                "schedule", "0 2 * * *", "timeZone", "Europe/Berlin")).only("CronJob");
        assertThat(at(cronJob, "spec.jobTemplate.spec.activeDeadlineSeconds")).isEqualTo(3000);
        assertThat(at(cronJob, "spec.suspend")).isEqualTo(true);
        assertThat(at(cronJob, "spec.schedule")).isEqualTo("0 2 * * *");
        assertThat(at(cronJob, "spec.timeZone")).isEqualTo("Europe/Berlin");
    }

    @Test
    void serviceAccountCanBeAnExistingOne() {
        Rendered r = render(Map.of("serviceAccount", Map.of("create", false, "name", "archiver")));
        assertThat(r.all("ServiceAccount")).isEmpty();
        assertThat(at(r.podSpec(), "serviceAccountName")).isEqualTo("archiver");
    }

    @Test
    void namesFollowHelmConventions() {
        assertThat(at(Rendered.of(RENDERER.render(Map.of(), "pg-freezer", "ops")).only("CronJob"), "metadata.name"))
                .isEqualTo("pg-freezer");
        assertThat(at(render(Map.of("fullnameOverride", "freezer")).only("CronJob"), "metadata.name"))
                .isEqualTo("freezer");
        Map<String, Object> labels = asMap(at(render(Map.of()).only("CronJob"), "metadata.labels"));
        assertThat(labels).containsEntry("app.kubernetes.io/name", "pg-freezer")
                .containsEntry("app.kubernetes.io/instance", "archive")
                .containsEntry("app.kubernetes.io/version", "0.1.0")
                .containsEntry("app.kubernetes.io/managed-by", "Helm")
                .containsEntry("helm.sh/chart", "pg-freezer-0.1.0");
    }

    @Test
    void notesTellHowToStartARunByHand() {
        String notes = render(Map.of("args", Map.of("dryRun", true))).notes();
        assertThat(notes).contains("kubectl -n data create job --from=cronjob/archive-pg-freezer archive-pg-freezer-manual")
                .contains("DRY RUN")
                .doesNotContain("{{");
    }

    @Test
    void theDefaultValuesMatchTheDocumentedOnes() throws IOException {
        Map<String, Object> values = asMap(YAML.readValue(CHART.resolve("values.yaml").toFile(), Map.class));
        assertThat(values).containsEntry("schedule", "0 * * * *")
                .containsEntry("concurrencyPolicy", "Forbid")
                .containsEntry("timeZone", "UTC");
        assertThat(at(values, "args")).isEqualTo(Map.of("table", "", "dryRun", false, "force", false));
        assertThat(at(values, "secrets"))
                .isEqualTo(Map.of("existingSecret", "", "pgDsn", "", "s3AccessKey", "", "s3SecretKey", ""));
        assertThat(at(values, "serviceAccount.annotations")).isEqualTo(Map.of());
        Map<String, Object> chart = asMap(YAML.readValue(CHART.resolve("Chart.yaml").toFile(), Map.class));
        assertThat(chart).containsEntry("apiVersion", "v2").containsEntry("appVersion", "0.1.0");
    }

    // ------------------------------------------------------------------------------ helpers

    private static Rendered render(Map<String, Object> overrides) {
        return Rendered.of(RENDERER.render(overrides, "archive", "data"));
    }

    /** Looks up a dotted path; a key may itself contain dots when it is the last one (annotations). */
    static Object at(Object node, String path) {
        Object current = node;
        String rest = path;
        while (!rest.isEmpty()) {
            Map<String, Object> map = asMap(current);
            if (map.containsKey(rest)) {
                return map.get(rest);
            }
            int dot = rest.indexOf('.');
            String key = dot < 0 ? rest : rest.substring(0, dot);
            assertThat(map).as("key %s of path %s", key, path).containsKey(key);
            current = map.get(key);
            rest = dot < 0 ? "" : rest.substring(dot + 1);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> asList(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Map<String, Object>>) o;
    }

    /** The rendered files parsed as Kubernetes objects, as {@code helm template | kubectl} would read them. */
    record Rendered(List<Map<String, Object>> objects, String notes) {
        static Rendered of(Map<String, String> files) {
            List<Map<String, Object>> objects = new ArrayList<>();
            files.forEach((name, text) -> {
                if (name.endsWith(".yaml")) {
                    try (MappingIterator<Object> docs = YAML.readerFor(Object.class).readValues(text)) {
                        while (docs.hasNext()) {
                            Object doc = docs.next();
                            if (doc != null) {
                                objects.add(asMap(doc));
                            }
                        }
                    } catch (IOException e) {
                        throw new AssertionError(name + " does not parse as YAML:\n" + text, e);
                    }
                }
            });
            return new Rendered(objects, Objects.requireNonNull(files.get("NOTES.txt")));
        }

        List<Map<String, Object>> all(String kind) {
            return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Map<String, Object> only(String kind) {
            List<Map<String, Object>> found = all(kind);
            assertThat(found).as("rendered objects of kind %s", kind).hasSize(1);
            return found.get(0);
        }

        Map<String, Object> podSpec() {
            return asMap(at(only("CronJob"), "spec.jobTemplate.spec.template.spec"));
        }

        Map<String, Object> container() {
            List<Map<String, Object>> containers = asList(podSpec().get("containers"));
            assertThat(containers).hasSize(1);
            return containers.get(0);
        }

        List<String> envNames() {
            return asList(container().get("env")).stream().map(e -> (String) e.get("name")).toList();
        }

        Map<String, Object> env(String name) {
            return named(asList(container().get("env")), name);
        }

        Map<String, Object> named(List<Map<String, Object>> items, String name) {
            List<Map<String, Object>> found = items.stream().filter(i -> name.equals(i.get("name"))).toList();
            assertThat(found).as("entries named %s", name).hasSize(1);
            return found.get(0);
        }
    }
}
