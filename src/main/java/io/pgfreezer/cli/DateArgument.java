package io.pgfreezer.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** {@code YYYY-MM-DD}, {@code YYYY-MM-DDTHH:MM:SS} or the same with {@code Z}; always UTC. */
final class DateArgument implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
        String v = value.trim();
        try {
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (v.endsWith("Z") || v.endsWith("z")) {
                v = v.substring(0, v.length() - 1);
            }
            return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + value + "' is not a date: use YYYY-MM-DD, "
                    + "YYYY-MM-DDTHH:MM:SS or YYYY-MM-DDTHH:MM:SSZ (UTC)");
        }
    }
}
