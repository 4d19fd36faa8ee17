package io.pgfreezer.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import java.util.List;

/**
 * The YAML document as the operator wrote it, before defaults and conversions. Jackson binds it
 * (component names map to the snake_case keys; unknown keys are refused) and Hibernate Validator
 * checks what annotations can express. Everything is text or boxed so that "missing" stays
 * visible; {@link ConfigAssembler} applies the defaults and turns it into {@link FreezerConfig}.
 */
record RawConfig(
        @NotNull(message = RawConfig.REQUIRED) @Valid Database database,
        @NotNull(message = RawConfig.REQUIRED) @Valid Storage storage,
        @NotEmpty(message = "must list at least one table")
        List<@NotNull(message = "is empty (each table needs at least name and timestamp_column)") @Valid Table> tables,
        @Valid Global global) {

    static final String REQUIRED = "is required";
    static final String AT_LEAST = "must be at least {value}";

    record Database(
            @NotBlank(message = REQUIRED) String dsn,
            @Min(value = 1, message = AT_LEAST) Integer poolSize,
            String statementTimeout) {
    }

    record Storage(
            @NotBlank(message = REQUIRED + " (s3 or file)") String protocol,
            String endpointUrl,
            String bucket,
            String accessKey,
            String secretKey,
            Boolean pathStyle,
            String region,
            String path) {
    }

    record Table(
            @NotBlank(message = REQUIRED) String name,
            String schema,
            @NotBlank(message = REQUIRED) String timestampColumn,
            String partitionBy,
            String lag,
            String extraFilters,
            String retention,
            String retentionSchema) {
    }

    record Global(
            @Min(value = 1, message = AT_LEAST) Integer maxTableConcurrency,
            Boolean dryRun,
            String checkInterval,
            String compression,
            @Min(value = 1, message = AT_LEAST) Integer deleteChunkRows,
            // "notify" cannot be a component name: it would clash with Object.notify().
            @JsonProperty("notify") Notify notifications,
            Metrics metrics,
            Retry retry) {
    }

    record Retry(Integer attempts, String initialDelay, String maxDelay) {
    }

    record Notify(String webhookUrl) {
    }

    record Metrics(String textfilePath, String pushgatewayUrl, String job) {
    }
}
