package io.pgfreezer.packaging;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shaded jar that {@code mvn package} built, as failsafe passes it to integration tests.
 * Run any other way (surefire picks up {@code *IT} classes too when given {@code -Dtest=...}),
 * those tests are skipped rather than failed: there is no jar to test yet.
 */
final class PackagedBuild {
    private PackagedBuild() {
    }

    static Path shadedJar() {
        String property = System.getProperty("pgfreezer.shaded.jar");
        assumeTrue(property != null, "needs the packaged jar: runs under failsafe, after 'mvn package'");
        Path jar = Path.of(property).toAbsolutePath();
        assertThat(jar).as("the shaded jar").isRegularFile();
        return jar;
    }

    /** The source checkout the jar was built from. */
    static Path checkout() {
        Path root = shadedJar().getParent().getParent();
        assertThat(Files.isDirectory(root.resolve("bin"))).as("bin/ in " + root).isTrue();
        return root;
    }
}
