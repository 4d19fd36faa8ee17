package io.pgfreezer.packaging;

import com.fasterxml.jackson.databind.MappingIterator;
import com.marcnuri.helm.Helm;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * Renders helm/pg-freezer with Helm itself (its Go library, through helm-java) and checks the
 * Kubernetes objects it produces: {@code helm template} for the manifests, a client-only
 * {@code helm install --dry-run} for NOTES.txt, which {@code template} does not print.
 */
class HelmChartRenderTest {
    static final Path CHART = Path.of("helm/pg-freezer");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

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
        assertThat(r.env("PG_FREEZER_JAVA_OPTS").get("value")).isEqualTo("-XX:MaxRAMPercentage=50");
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
        assertThat(at(render(Map.of(), "pg-freezer", "ops").only("CronJob"), "metadata.name"))
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

    // ------------------------------------------------------------------------------ the seed README, as written

    /** The original README's install command, each --set as Helm parses it. */
    @Test
    void theSeedReadmesInstallCommandRenders() {
        Helm helm = new Helm(CHART);
        String manifests = helm.template().withName("pg-freezer").withNamespace("default")
                .set("secrets.pgDsn", "postgresql://user:pass@postgres:5432/db")
                .set("secrets.s3AccessKey", "AKIA...")
                .set("secrets.s3SecretKey", "...")
                .set("schedule", "0 * * * *")
                .call();
        Rendered r = Rendered.of(manifests, "");

        assertThat(at(r.only("CronJob"), "metadata.name")).isEqualTo("pg-freezer");
        assertThat(at(r.only("CronJob"), "spec.schedule")).isEqualTo("0 * * * *");
        assertThat(at(r.only("Secret"), "stringData")).isEqualTo(Map.of(
                "PG_DSN", "postgresql://user:pass@postgres:5432/db", "AWS_ACCESS_KEY_ID", "AKIA...",
                "AWS_SECRET_ACCESS_KEY", "..."));
    }

    /** The original README's "Minimal values override", verbatim. */
    @Test
    void theSeedReadmesMyValuesFileRendersItsConfigAndImage() throws IOException {
        Path myValues = Files.writeString(Files.createTempFile("my-values-", ".yaml"), """
                # my-values.yaml
                schedule: "0 2 * * *"   # daily at 02:00 UTC

                image:
                  repository: ghcr.io/your-org/pg-freezer
                  tag: "0.1.0"

                secrets:
                  pgDsn: "postgresql://user:pass@postgres:5432/db"
                  s3AccessKey: "AKIAIOSFODNN7EXAMPLE"
                  s3SecretKey: "wJalrXUtnFEMI/K7MDENG"

                config: |
                  database:
                    dsn: "${PG_DSN}"
                    pool_size: 5
                    statement_timeout: 60s
                  storage:
                    protocol: s3
                    bucket: my-archive-bucket
                    path_style: false
                  tables:
                    - name: sensor_readings
                      schema: public
                      timestamp_column: recorded_at
                      partition_by: daily
                      lag: 15d
                  global:
                    max_table_concurrency: 3
                """);
        Rendered r = Rendered.of(new Helm(CHART).template().withName("pg-freezer").withValuesFile(myValues).call(), "");

        assertThat(at(r.only("CronJob"), "spec.schedule")).isEqualTo("0 2 * * *");
        assertThat(r.container().get("image")).isEqualTo("ghcr.io/your-org/pg-freezer:0.1.0");
        assertThat((String) at(r.only("ConfigMap"), "data.config.yaml")).contains("bucket: my-archive-bucket");
        assertThat(r.envNames()).contains("PG_DSN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    }

    /** The original README's IRSA values, verbatim: no static keys, the role on the service account. */
    @Test
    void theSeedReadmesIrsaValuesRenderWithoutStaticKeys() throws IOException {
        Path irsa = Files.writeString(Files.createTempFile("irsa-", ".yaml"), """
                serviceAccount:
                  annotations:
                    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/pg-freezer

                secrets:
                  pgDsn: "postgresql://user:pass@rds-host:5432/db"
                  # s3AccessKey / s3SecretKey left empty — IRSA provides credentials
                """);
        Helm helm = new Helm(CHART);
        Rendered r = Rendered.of(helm.template().withName("pg-freezer").withValuesFile(irsa).call(),
                notes(helm.install().withName("pg-freezer").withValuesFile(irsa).dryRun().clientOnly().call().getOutput()));

        assertThat(at(r.only("ServiceAccount"), "metadata.annotations"))
                .isEqualTo(Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/pg-freezer"));
        assertThat(r.envNames()).contains("PG_DSN").doesNotContain("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
        assertThat(r.notes()).contains("No static S3 keys").doesNotContain("WARNING: no database DSN");
    }

    // ------------------------------------------------------------------------------ values.schema.json

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "arg.dryRun: true                 | arg",
            "secret.pgDsn: postgresql://x/db  | secret",
            "args.dryrun: true                | dryrun",
            "secrets.pgDSN: postgresql://x/db | pgDSN",
            "args.dryRun: 'yes'               | dryRun",
            "concurrencyPolicy: Allow         | concurrencyPolicy",
            "logFormat: text                  | logFormat",
            "image.pullPolicy: sometimes      | pullPolicy",
            "terminationGracePeriodSeconds: 5 | terminationGracePeriodSeconds",
            "metrics.pushgateway: http://pg:9091 | pushgateway",
    })
    void aMisspeltOrWronglyTypedValueFailsTheInstallNamingIt(String assignment, String named) throws IOException {
        String[] kv = assignment.split(": ", 2);
        String[] path = kv[0].split("\\.");
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < path.length; i++) {
            yaml.append("  ".repeat(i)).append(path[i]).append(':').append(i == path.length - 1 ? " " + kv[1] : "")
                    .append('\n');
        }
        Path typo = Files.writeString(Files.createTempFile("typo-", ".yaml"), yaml);
        Helm helm = new Helm(CHART);

        assertThatThrownBy(() -> helm.template().withName("archive").withValuesFile(typo).call())
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(named);
        assertThatThrownBy(() -> helm.install().withName("archive").withValuesFile(typo).dryRun().clientOnly().call())
                .hasMessageContaining(named);
    }

    @Test
    void theChartLintsCleanlyUnderHelmsStrictLint() {
        var lint = new Helm(CHART).lint().strict().call();

        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    // ------------------------------------------------------------------------------ operations

    @Test
    void aLongReleaseNameIsCutToTheCronJobLimitOf52WithoutATrailingDash() {
        String release = "archive-of-the-sensor-platform-eu-west-production-x";
        Rendered r = render(Map.of(), release, "data");

        String name = (String) at(r.only("CronJob"), "metadata.name");
        assertThat(name).hasSizeLessThanOrEqualTo(52).doesNotEndWith("-");
        assertThat((release + "-pg-freezer")).startsWith(name);
        assertThat(r.notes()).contains("--from=cronjob/" + name + " " + name + "-manual");
        assertThat(at(r.named(asList(at(r.podSpec(), "volumes")), "config"), "configMap.name"))
                .isEqualTo(at(r.only("ConfigMap"), "metadata.name"));
    }

    @Test
    void thePodWaitsForTheBatchInProgressOnTermination() {
        // pg-freezer waits up to 10 minutes for the batch in progress; Kubernetes must wait longer.
        assertThat((Integer) at(render(Map.of()).podSpec(), "terminationGracePeriodSeconds")).isGreaterThan(600);
        assertThat(at(render(Map.of("terminationGracePeriodSeconds", 3600)).podSpec(), "terminationGracePeriodSeconds"))
                .isEqualTo(3600);
    }

    @Test
    void startingDeadlineAndTtlAreRenderedOnlyWhenSet() {
        Map<String, Object> plain = render(Map.of()).only("CronJob");
        assertThat(asMap(plain.get("spec"))).doesNotContainKey("startingDeadlineSeconds");
        assertThat(asMap(at(plain, "spec.jobTemplate.spec"))).doesNotContainKey("ttlSecondsAfterFinished");

        Map<String, Object> set = render(Map.of("startingDeadlineSeconds", 300, "ttlSecondsAfterFinished", 86400))
                .only("CronJob");
        assertThat(at(set, "spec.startingDeadlineSeconds")).isEqualTo(300);
        assertThat(at(set, "spec.jobTemplate.spec.ttlSecondsAfterFinished")).isEqualTo(86400);
    }

    @Test
    void metricsValuesReachTheDefaultConfigThroughTheEnvironment() {
        Rendered off = render(Map.of());
        assertThat(off.envNames()).doesNotContain("PG_FREEZER_PUSHGATEWAY_URL");
        assertThat(off.env("PG_FREEZER_METRICS_JOB").get("value")).isEqualTo("pg_freezer");

        Rendered on = render(Map.of("metrics", Map.of("pushgatewayUrl", "http://pushgateway.monitoring:9091",
                "job", "archiver")));
        assertThat(on.env("PG_FREEZER_PUSHGATEWAY_URL").get("value")).isEqualTo("http://pushgateway.monitoring:9091");
        assertThat(on.env("PG_FREEZER_METRICS_JOB").get("value")).isEqualTo("archiver");
        assertThat((String) at(on.only("ConfigMap"), "data.config.yaml"))
                .contains("pushgateway_url: \"${PG_FREEZER_PUSHGATEWAY_URL:=}\"", "job: \"${PG_FREEZER_METRICS_JOB:=pg_freezer}\"");
    }

    @Test
    void notesExplainTheExitCodesAsTheCliHelpDoes() {
        String notes = render(Map.of()).notes().replaceAll("\\s+", " ");
        java.io.StringWriter help = new java.io.StringWriter();
        io.pgfreezer.cli.Main.commandLine(new java.io.PrintWriter(help, true), new java.io.PrintWriter(new java.io.StringWriter()))
                .execute("run", "--help");

        assertThat(help.toString()).contains("75  the database or storage could not be reached");
        assertThat(notes).contains("1 = a batch FAILED", "75 = the database or storage was unreachable, temporary");
    }

    @Test
    void notesWarnWhenNoDsnIsGiven() {
        assertThat(render(Map.of()).notes()).contains("WARNING: no database DSN given");
        assertThat(render(Map.of("secrets", Map.of("pgDsn", "postgresql://u:p@db/app"))).notes())
                .doesNotContain("WARNING: no database DSN");
        assertThat(render(Map.of("secrets", Map.of("existingSecret", "creds"))).notes())
                .doesNotContain("WARNING: no database DSN");
    }

    /** The chart's words for a dry run are the CLI's: nothing is written, nothing deleted. */
    @Test
    void notesDescribeDryRunAsTheCliHelpDoes() {
        String notes = render(Map.of("args", Map.of("dryRun", true))).notes();
        java.io.StringWriter help = new java.io.StringWriter();
        io.pgfreezer.cli.Main.commandLine(new java.io.PrintWriter(help, true), new java.io.PrintWriter(new java.io.StringWriter()))
                .execute("run", "--help");
        // The option's whole description as --help prints it, wrapped lines joined.
        String printed = help.toString().replaceAll("\\s+", " ");
        int at = printed.indexOf("--dry-run ");
        int next = printed.indexOf(" --", at + 1);
        String dryRunHelp = printed.substring(at, next < 0 ? printed.length() : next);

        assertThat(dryRunHelp).contains("write and delete nothing");
        assertThat(notes.replaceAll("\\s+", " ")).contains("writes nothing to storage and deletes nothing")
                .doesNotContain("export and verify");
    }

    // ------------------------------------------------------------------------------ helpers

    private static Rendered render(Map<String, Object> overrides) {
        return render(overrides, "archive", "data");
    }

    static Rendered render(Map<String, Object> overrides, String release, String namespace) {
        Path values = valuesFile(overrides);
        Helm helm = new Helm(CHART);
        String manifests = helm.template().withName(release).withNamespace(namespace).withValuesFile(values).call();
        String output = helm.install().withName(release).withNamespace(namespace).withValuesFile(values)
                .dryRun().clientOnly().call().getOutput();
        return Rendered.of(manifests, notes(output));
    }

    /** The overrides as a values file, as an operator passes them with {@code -f}. */
    static Path valuesFile(Map<String, Object> overrides) {
        try {
            Path file = Files.createTempFile("pg-freezer-values-", ".yaml");
            YAML.writeValue(file.toFile(), overrides);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The NOTES section of {@code helm install}'s report. */
    static String notes(String installOutput) {
        int at = installOutput.indexOf("NOTES:\n");
        assertThat(at).as("NOTES in:\n" + installOutput).isNotNegative();
        return installOutput.substring(at + "NOTES:\n".length());
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
        static Rendered of(String manifests, String notes) {
            List<Map<String, Object>> objects = new ArrayList<>();
            try (MappingIterator<Object> docs = YAML.readerFor(Object.class).readValues(manifests)) {
                while (docs.hasNext()) {
                    Object doc = docs.next();
                    if (doc != null) {
                        objects.add(asMap(doc));
                    }
                }
            } catch (IOException e) {
                throw new AssertionError("helm template's output does not parse as YAML:\n" + manifests, e);
            }
            return new Rendered(objects, Objects.requireNonNull(notes));
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
