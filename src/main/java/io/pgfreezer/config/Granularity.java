package io.pgfreezer.config;

/** How a table is cut into windows and partitions. All arithmetic is in UTC, months by calendar. */
public enum Granularity {
    HOURLY, DAILY, MONTHLY;

    /** The YAML spelling: {@code hourly}, {@code daily}, {@code monthly}. */
    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
