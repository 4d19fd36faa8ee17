package io.pgfreezer.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Reads the version Maven wrote into the jar, so {@code --version} never drifts from the build. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("/pg-freezer-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return new String[] {"pg-freezer " + p.getProperty("version", "unknown")
                + " (Java " + Runtime.version() + ")"};
    }
}
