package io.pgfreezer.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Runs the Bean Validation constraints declared on {@link RawConfig} and reports them by YAML path. */
final class ConfigValidation {
    /** Sections in the order the documentation lists them, so the first problem reported is the first one read. */
    private static final List<String> SECTION_ORDER = List.of("database", "storage", "tables", "global");
    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private ConfigValidation() {
    }

    /** Built on first use; {@link ParameterMessageInterpolator} avoids needing an EL implementation. */
    private static final class Holder {
        static final Validator VALIDATOR = Validation.byProvider(HibernateValidator.class)
                .configure()
                .messageInterpolator(new ParameterMessageInterpolator())
                .buildValidatorFactory()
                .getValidator();
    }

    /** @throws ConfigProblem for the first violation, mentioning how many more there are */
    static void check(RawConfig raw) {
        Set<ConstraintViolation<RawConfig>> violations = Holder.VALIDATOR.validate(raw);
        if (violations.isEmpty()) {
            return;
        }
        List<ConfigProblem> problems = violations.stream()
                .map(v -> new ConfigProblem(yamlPath(v.getPropertyPath()), v.getMessage()))
                .sorted(Comparator.comparingInt((ConfigProblem p) -> sectionRank(p.location()))
                        .thenComparing(ConfigProblem::location))
                .toList();
        ConfigProblem first = problems.get(0);
        if (problems.size() == 1) {
            throw first;
        }
        int more = problems.size() - 1;
        throw new ConfigProblem(first.location(),
                first.problem() + " (and " + more + " more problem" + (more == 1 ? "" : "s") + ")");
    }

    /** {@code tables[0].timestamp_column} from the validator's {@code tables[0].timestampColumn}. */
    static String yamlPath(Path path) {
        StringBuilder out = new StringBuilder();
        for (Path.Node node : path) {
            if (node.isInIterable()) {
                out.append('[').append(node.getIndex() != null ? node.getIndex() : node.getKey()).append(']');
            }
            if (node.getKind() == ElementKind.PROPERTY) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(SNAKE_CASE.translate(node.getName()));
            }
        }
        return out.toString();
    }

    private static int sectionRank(String location) {
        for (int i = 0; i < SECTION_ORDER.size(); i++) {
            if (location.startsWith(SECTION_ORDER.get(i))) {
                return i;
            }
        }
        return SECTION_ORDER.size();
    }
}
