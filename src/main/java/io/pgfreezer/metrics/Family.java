package io.pgfreezer.metrics;

/**
 * The metric families pg-freezer publishes, in output order, named by Prometheus' naming guide:
 * the {@code pg_freezer_} prefix, the unit as suffix ({@code _seconds}, {@code _bytes},
 * {@code _rows}), {@code _total} on counters only.
 * <p>
 * Every run is a new process, so a counter cannot be kept in memory across runs. The two
 * counters are instead read from the archive's durable history, the DONE manifests, which only
 * ever grow: {@code rate()} and {@code increase()} over them are honest. Everything else is a
 * gauge about the table's last run or its state after it.
 */
enum Family {
    ARCHIVED_ROWS_TOTAL("pg_freezer_archived_rows_total", Type.COUNTER,
            "Rows of the table archived, verified and deleted from PostgreSQL, over all runs (from the DONE manifests)."),
    ARCHIVED_BYTES_TOTAL("pg_freezer_archived_bytes_total", Type.COUNTER,
            "Parquet bytes of the table in storage, over all runs (from the DONE manifests)."),
    LAST_RUN_ARCHIVED_ROWS("pg_freezer_last_run_archived_rows", Type.GAUGE,
            "Rows archived, verified and deleted from PostgreSQL by the last run of the table."),
    LAST_RUN_ARCHIVED_BYTES("pg_freezer_last_run_archived_bytes", Type.GAUGE,
            "Parquet bytes written to storage by the last run of the table."),
    LAST_RUN_BATCHES("pg_freezer_last_run_batches", Type.GAUGE,
            "Batches of the last run of the table, by outcome: done, failed, skipped_failed, error, transient, dry_run."),
    LAST_RUN_PHASE_SECONDS("pg_freezer_last_run_phase_seconds", Type.GAUGE,
            "Seconds the last run of the table spent in each phase (export, verify, delete), summed over its batches."),
    LAST_RUN_TIMESTAMP("pg_freezer_last_run_timestamp_seconds", Type.GAUGE,
            "Unix time at which the last run of the table finished."),
    LAST_RUN_SUCCESS("pg_freezer_last_run_success", Type.GAUGE,
            "1 when the last run of the table needed no attention, 0 when a batch failed, was skipped as FAILED or stopped on an error."),
    TABLE_BUSY("pg_freezer_table_busy", Type.GAUGE,
            "1 when the last run skipped the table because another pg-freezer process held its lock."),
    BACKLOG_WINDOWS("pg_freezer_backlog_windows", Type.GAUGE,
            "Windows of the table that were due at the last run but are not DONE after it (failed, skipped or not reached)."),
    BACKLOG_ROWS("pg_freezer_backlog_rows", Type.GAUGE,
            "Rows of the table still in PostgreSQL after the last run that were old enough to archive (before now minus lag)."),
    BACKLOG_OLDEST_ROW_AGE_SECONDS("pg_freezer_backlog_oldest_row_age_seconds", Type.GAUGE,
            "Age at the end of the last run of the oldest of those rows, 0 when there are none.");

    enum Type {
        COUNTER, GAUGE;

        String text() {
            return this == COUNTER ? "counter" : "gauge";
        }
    }

    final String metricName;
    final Type type;
    final String help;

    Family(String metricName, Type type, String help) {
        this.metricName = metricName;
        this.type = type;
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
