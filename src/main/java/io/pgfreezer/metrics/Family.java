package io.pgfreezer.metrics;

/**
 * The metric families pg-freezer publishes, in output order. All are gauges describing the
 * most recent run of each table: every run is a new process that overwrites what the previous
 * one published, so a monotonic counter cannot be kept honestly (two runs archiving the same
 * number of rows would look like no progress at all to {@code increase()}). None ends in
 * {@code _total}, which Prometheus reserves for counters.
 */
enum Family {
    ROWS_ARCHIVED("pg_freezer_rows_archived",
            "Rows archived, verified and deleted from PostgreSQL by the last run of the table."),
    BYTES_ARCHIVED("pg_freezer_bytes_archived",
            "Parquet bytes written to storage by the last run of the table."),
    BATCHES("pg_freezer_batches",
            "Batches of the last run of the table, by outcome: done, failed, skipped_failed, error, dry_run."),
    PHASE_SECONDS("pg_freezer_phase_seconds",
            "Seconds the last run of the table spent in each phase (export, verify, delete), summed over its batches."),
    LAST_RUN_TIMESTAMP("pg_freezer_last_run_timestamp_seconds",
            "Unix time at which the last run of the table finished."),
    LAST_RUN_SUCCESS("pg_freezer_last_run_success",
            "1 when the last run of the table needed no attention, 0 when a batch failed, was skipped as FAILED or stopped on an error."),
    TABLE_BUSY("pg_freezer_table_busy",
            "1 when the last run skipped the table because another pg-freezer process held its lock.");

    final String metricName;
    final String help;

    Family(String metricName, String help) {
        this.metricName = metricName;
        this.help = help;
    }

    static Family byName(String metricName) {
        for (Family f : values()) {
            if (f.metricName.equals(metricName)) {
                return f;
            }
        }
        return null;
    }
}
