package io.pgfreezer.engine;

import io.pgfreezer.config.Granularity;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/** A half-open UTC interval {@code [start, end)} aligned to its granularity. */
public record Window(Instant start, Instant end, Granularity granularity) {

    /** The window of {@code granularity} that contains {@code instant}. */
    public static Window containing(Instant instant, Granularity granularity) {
        Instant start = floor(instant, granularity);
        return new Window(start, next(start, granularity), granularity);
    }

    /** The window that follows this one. */
    public Window next() {
        return new Window(end, next(end, granularity), granularity);
    }

    /** Start of the window containing {@code instant}. */
    public static Instant floor(Instant instant, Granularity granularity) {
        ZonedDateTime t = instant.atZone(ZoneOffset.UTC);
        return switch (granularity) {
            case HOURLY -> t.truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAILY -> t.truncatedTo(ChronoUnit.DAYS).toInstant();
            case MONTHLY -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
        };
    }

    /** Start of the window after the aligned {@code start}; months by calendar, never 30 days. */
    static Instant next(Instant start, Granularity granularity) {
        ZonedDateTime t = start.atZone(ZoneOffset.UTC);
        return switch (granularity) {
            case HOURLY -> t.plusHours(1).toInstant();
            case DAILY -> t.plusDays(1).toInstant();
            case MONTHLY -> t.plusMonths(1).toInstant();
        };
    }

    /** Hive partition path: {@code year=2024/month=01/day=15[/hour=00]}; monthly has no day. */
    public String partition() {
        ZonedDateTime t = start.atZone(ZoneOffset.UTC);
        String ym = String.format("year=%04d/month=%02d", t.getYear(), t.getMonthValue());
        return switch (granularity) {
            case MONTHLY -> ym;
            case DAILY -> ym + String.format("/day=%02d", t.getDayOfMonth());
            case HOURLY -> ym + String.format("/day=%02d/hour=%02d", t.getDayOfMonth(), t.getHour());
        };
    }

    /** Eligible for archiving when it ended at or before {@code now - lag}. */
    public boolean isClosedBy(Instant cutoff) {
        return !end.isAfter(cutoff);
    }

    @Override
    public String toString() {
        return IsoInstants.format(start) + "/" + IsoInstants.format(end);
    }
}
