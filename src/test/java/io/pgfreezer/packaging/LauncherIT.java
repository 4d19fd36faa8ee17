package io.pgfreezer.packaging;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs bin/pg-freezer against the packaged jar, as an operator would. Needs {@code mvn package}
 * first, which is why it is an integration test.
 */
class LauncherIT {
    private static Path JAR;
    private static Path CHECKOUT;
    private static Path LAUNCHER;
    /** A Java 17: the one running the tests, or the system's when the suite itself runs on a newer Java. */
    private static final Path JAVA_17 = Runtime.version().feature() == 17
            ? Path.of(System.getProperty("java.home"))
            : Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    private static final Path JAVA_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final String ARROW_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    private static final String UNSAFE_ALLOW = "--sun-misc-unsafe-memory-access=allow";
    private static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    @TempDir
    Path tmp;

    @BeforeAll
    static void packagedJar() {
        assertThat(JAVA_17.resolve("bin/java")).as("a Java 17 to launch with").isRegularFile();
        JAR = PackagedBuild.shadedJar();
        CHECKOUT = PackagedBuild.checkout();
        LAUNCHER = CHECKOUT.resolve("bin/pg-freezer");
    }

    record Result(int exitCode, String stdout, String stderr) {
    }

    @Test
    void helpListsEveryCommandAndExitsZero() throws Exception {
        Result r = run(LAUNCHER, Map.of(), "--help");

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(commandsListedIn(r.stdout)).contains("run", "status", "list", "fetch", "replay");
    }

    @Test
    void versionPrintsTheBuiltVersion() throws Exception {
        Result r = run(LAUNCHER, Map.of("JAVA_HOME", JAVA_17.toString()), "--version");

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(r.stdout).startsWith("pg-freezer " + builtVersion() + " (Java 17");
        assertThat(r.stderr).isEmpty();
    }

    @Test
    void onJava17ArrowsOpensArePassedAndTheJava23OnlyFlagIsNot() throws Exception {
        List<String> command = dryRun(JAVA_17, Map.of(), "status");

        assertThat(command.get(0)).isEqualTo(JAVA_17.resolve("bin/java").toString());
        assertThat(command).contains(ARROW_OPENS, "-XX:+UseSerialGC").doesNotContain(UNSAFE_ALLOW, NATIVE_ACCESS);
        assertThat(command.subList(command.indexOf("-jar"), command.size()))
                .containsExactly("-jar", JAR.toRealPath().toString(), "status");
    }

    @Test
    @EnabledIf("java25Installed")
    void onJava25TheUnsafeAccessFlagIsAddedAndTheToolRunsWithoutWarnings() throws Exception {
        assertThat(dryRun(JAVA_25, Map.of(), "list")).contains(ARROW_OPENS, UNSAFE_ALLOW, NATIVE_ACCESS);

        Result version = run(LAUNCHER, Map.of("JAVA_HOME", JAVA_25.toString()), "--version");
        assertThat(version.exitCode).as(version.stderr).isZero();
        assertThat(version.stdout).startsWith("pg-freezer " + builtVersion() + " (Java 25");
        assertThat(version.stderr).isEmpty();

        Result help = run(LAUNCHER, Map.of("JAVA_HOME", JAVA_25.toString()), "--help");
        assertThat(help.exitCode).as(help.stderr).isZero();
        assertThat(commandsListedIn(help.stdout)).contains("run", "status", "list", "fetch", "replay");
    }

    static boolean java25Installed() {
        return Files.isExecutable(JAVA_25.resolve("bin/java"));
    }

    @Test
    void operatorOptionsFollowTheDefaultsAndPgFreezerOptionsComeLast() throws Exception {
        List<String> command = dryRun(JAVA_17, Map.of("JAVA_OPTS", "-Xmx300m -Dmark=*", "PG_FREEZER_JAVA_OPTS", "-Xmx400m"),
                "run");

        assertThat(command).containsSubsequence(ARROW_OPENS, "-XX:+UseSerialGC", "-Xmx300m", "-Dmark=*", "-Xmx400m", "-jar");
    }

    @Test
    void theHeapDefaultsTo256MiBUnlessTheOperatorSizesIt() throws Exception {
        assertThat(dryRun(JAVA_17, Map.of(), "run")).contains("-Xmx256m");
        assertThat(dryRun(JAVA_17, Map.of("JAVA_OPTS", "-XX:MaxRAMPercentage=50"), "run")).doesNotContain("-Xmx256m");
        assertThat(dryRun(JAVA_17, Map.of("PG_FREEZER_JAVA_OPTS", "-Xmx1g"), "run")).doesNotContain("-Xmx256m");
    }

    @Test
    void theDefaultHeapStartsSmallUnlessTheOperatorSizesIt() throws Exception {
        assertThat(dryRun(JAVA_17, Map.of(), "run")).containsSubsequence("-Xms32m", "-Xmx256m", "-jar");
        List<String> ownStart = dryRun(JAVA_17, Map.of("JAVA_OPTS", "-Xms128m"), "run");
        assertThat(ownStart).contains("-Xms128m", "-Xmx256m").doesNotContain("-Xms32m");
        assertThat(dryRun(JAVA_17, Map.of("PG_FREEZER_JAVA_OPTS", "-Xmx1g"), "run")).doesNotContain("-Xms32m");
    }

    @Test
    void aCollectorChosenByTheOperatorReplacesTheSerialDefault() throws Exception {
        List<String> command = dryRun(JAVA_17, Map.of("PG_FREEZER_JAVA_OPTS", "-XX:+UseParallelGC"), "run");
        assertThat(command).contains("-XX:+UseParallelGC").doesNotContain("-XX:+UseSerialGC");

        Result r = run(LAUNCHER, Map.of("JAVA_OPTS", "-XX:+UseG1GC"), "--version");
        assertThat(r.exitCode).as(r.stderr).isZero();
    }

    @Test
    void theImageLayoutFindsTheJarInLibNextToBin() throws Exception {
        Path launcher = installed(tmp.resolve("opt/pg-freezer"), true);

        Result r = run(launcher, Map.of(), "--version");

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(r.stdout).startsWith("pg-freezer " + builtVersion());
    }

    @Test
    void pgFreezerHomePointsAtAnInstallation() throws Exception {
        Path home = tmp.resolve("home");
        installed(home, true);

        Result r = run(LAUNCHER, Map.of("PG_FREEZER_HOME", home.toString(), "PG_FREEZER_LAUNCHER_DRY_RUN", "1"), "run");

        assertThat(r.stdout).contains(home.resolve("lib/pg-freezer.jar").toString());
    }

    @Test
    void aSymlinkToTheLauncherStillFindsTheCheckoutsJar() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("pg-freezer"), LAUNCHER);

        Result r = run(link, Map.of(), "--version");

        assertThat(r.exitCode).as(r.stderr).isZero();
        assertThat(r.stdout).startsWith("pg-freezer " + builtVersion());
    }

    @Test
    void aMissingJarIsOneLineThatSaysHowToBuildIt() throws Exception {
        Path launcher = installed(tmp.resolve("empty"), false);

        Result r = run(launcher, Map.of(), "--version");

        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.stderr.lines()).singleElement().asString()
                .startsWith("pg-freezer: cannot find pg-freezer.jar")
                .contains("mvn -B -DskipTests package");
    }

    @Test
    void aWrongJavaHomeIsNamed() throws Exception {
        Result r = run(LAUNCHER, Map.of("JAVA_HOME", tmp.toString()), "--version");

        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.stderr).isEqualTo("pg-freezer: JAVA_HOME is set to '" + tmp + "', but it has no bin/java\n");
    }

    /**
     * The launcher must become the JVM (exec), or SIGTERM from Kubernetes or systemd would stop
     * only the shell and leave the JVM running. The JVM is held at start-up so there is time to look.
     */
    @Test
    void theLauncherBecomesTheJvmSoSigtermReachesIt() throws Exception {
        Path pauseFile = tmp.resolve("vm.paused");
        Process p = start(LAUNCHER, Map.of("JAVA_OPTS",
                "-XX:+UnlockDiagnosticVMOptions -XX:+PauseAtStartup -XX:PauseAtStartupFile=" + pauseFile), "--version");
        try {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (!Files.exists(pauseFile) && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
            assertThat(pauseFile).as("the JVM reached its start-up pause").exists();
            assertThat(p.toHandle().info().command()).hasValueSatisfying(c -> assertThat(c).endsWith("/bin/java"));

            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(128 + 15);
        } finally {
            p.destroyForcibly();
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /** A copy of the launcher in {@code root/bin}, with the jar linked into {@code root/lib} if asked. */
    private static Path installed(Path root, boolean withJar) throws IOException {
        Files.createDirectories(root.resolve("bin"));
        Path launcher = Files.copy(LAUNCHER, root.resolve("bin/pg-freezer"));
        if (withJar) {
            Files.createDirectories(root.resolve("lib"));
            Files.createSymbolicLink(root.resolve("lib/pg-freezer.jar"), JAR);
        }
        return launcher;
    }

    private static List<String> dryRun(Path javaHome, Map<String, String> env, String... args) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("JAVA_HOME", javaHome.toString());
        all.put("PG_FREEZER_LAUNCHER_DRY_RUN", "1");
        Result r = run(LAUNCHER, all, args);
        assertThat(r.exitCode).as(r.stderr).isZero();
        return r.stdout.lines().toList();
    }

    private static List<String> commandsListedIn(String help) {
        List<String> commands = new ArrayList<>();
        boolean inCommands = false;
        for (String line : help.lines().toList()) {
            if (line.startsWith("Commands:")) {
                inCommands = true;
            } else if (inCommands && line.matches("^  \\S.*")) {
                commands.add(line.trim().split("\\s+")[0]);
            }
        }
        return commands;
    }

    private static String builtVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = LauncherIT.class.getResourceAsStream("/pg-freezer-version.properties")) {
            p.load(in);
        }
        return p.getProperty("version");
    }

    private static Process start(Path launcher, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(CHECKOUT.toFile());
        // A clean slate: only what the test sets may influence the launcher.
        pb.environment().keySet().removeIf(k -> k.startsWith("PG_FREEZER_") || k.equals("JAVA_OPTS")
                || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        pb.environment().put("JAVA_HOME", JAVA_17.toString());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static Result run(Path launcher, Map<String, String> env, String... args) throws Exception {
        Process p = start(launcher, env, args);
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
