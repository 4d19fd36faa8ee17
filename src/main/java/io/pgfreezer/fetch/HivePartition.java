package io.pgfreezer.fetch;

import io.pgfreezer.config.Granularity;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.Optional;

/**
 * One Hive partition directory of a table's archive, {@code year=YYYY/month=MM[/day=DD[/hour=HH]]},
 * and the half-open UTC interval it covers. The granularity comes from the path itself, not from
 * the configuration, so partitions written before a change of {@code partition_by} still read.
 *
 * @param path  the directory as stored, e.g. {@code year=2024/month=01/day=15}
 * @param start first instant the partition covers
 * @param end   first instant after it
 */
public record HivePartition(String path, Instant start, Instant end, Granularity granularity) {

    /** Time order; a coarser partition after a finer one that starts at the same instant. */
    static final Comparator<HivePartition> TIME_ORDER =
            Comparator.comparing(HivePartition::start).thenComparing(HivePartition::end);

    private static final String[] KEYS = {"year", "month", "day", "hour"};

    /**
     * @param directory the part of a key between the table prefix and the file name
     * @return empty when it is not a Hive time partition (other levels, bad numbers, a bad date)
     */
    public static Optional<HivePartition> parse(String directory) {
        String[] segments = directory.split("/", -1);
        if (segments.length < 2 || segments.length > KEYS.length) {
            return Optional.empty();
        }
        int[] values = {0, 1, 1, 0};
        for (int i = 0; i < segments.length; i++) {
            String prefix = KEYS[i] + "=";
            if (!segments[i].startsWith(prefix)) {
                return Optional.empty();
            }
            String digits = segments[i].substring(prefix.length());
            if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            values[i] = Integer.parseInt(digits);
        }
        Granularity granularity = switch (segments.length) {
            case 2 -> Granularity.MONTHLY;
            case 3 -> Granularity.DAILY;
            default -> Granularity.HOURLY;
        };
        try {
            ZonedDateTime start = LocalDateTime.of(values[0], values[1], values[2], values[3], 0).atZone(ZoneOffset.UTC);
            ZonedDateTime end = switch (granularity) {
                case MONTHLY -> start.plusMonths(1);
                case DAILY -> start.plusDays(1);
                case HOURLY -> start.plusHours(1);
            };
            return Optional.of(new HivePartition(directory, start.toInstant(), end.toInstant(), granularity));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /** Whether any instant of {@code [from, to)} lies in this partition. */
    boolean intersects(Instant from, Instant to) {
        return start.isBefore(to) && end.isAfter(from);
    }

    /** Whether {@code [from, to)} covers the whole partition, so no row needs a range check. */
    boolean within(Instant from, Instant to) {
        return !start.isBefore(from) && !end.isAfter(to);
    }
}
