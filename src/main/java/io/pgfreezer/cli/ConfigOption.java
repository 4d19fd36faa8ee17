package io.pgfreezer.cli;

import io.pgfreezer.config.ConfigLoader;
import io.pgfreezer.config.FreezerConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * {@code -c/--config}, shared by every subcommand. It is also accepted before the subcommand
 * ({@code pg-freezer -c FILE run}), where {@link FreezerCommand} holds it: wrappers such as the
 * Taskfile and cron lines naturally put the global option first. Given in both places, the
 * subcommand's wins, as the more specific one.
 */
final class ConfigOption {
    static final Path DEFAULT = Path.of("config.yaml");

    // No picocli default: an unset value must stay distinguishable so the top-level one can apply.
    @Option(names = {"-c", "--config"}, paramLabel = "PATH",
            description = "Config file (default: config.yaml; may also be given before the command).")
    Path path;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    Path path() {
        if (path != null) {
            return path;
        }
        if (mixee != null && mixee.parent() != null
                && mixee.parent().userObject() instanceof FreezerCommand top && top.config != null) {
            return top.config;
        }
        return DEFAULT;
    }

    FreezerConfig load() {
        return ConfigLoader.load(path(), System.getenv());
    }
}
