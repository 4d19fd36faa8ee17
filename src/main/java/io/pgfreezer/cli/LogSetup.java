package io.pgfreezer.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.pgfreezer.engine.LogEvents;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.bridge.SLF4JBridgeHandler;
import org.slf4j.event.KeyValuePair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Configures Logback from the environment, once, at process start:
 * <ul>
 *   <li>{@code LOG_FORMAT=json|console} picks the renderer; by default console on a terminal,
 *       JSON otherwise (one object per line, for log collectors);</li>
 *   <li>{@code LOG_LEVEL} sets the level (default INFO); chatty libraries stay at WARN;</li>
 *   <li>{@code PG_FREEZER_DEBUG} adds stack traces.</li>
 * </ul>
 * Everything goes to stderr: stdout carries {@code fetch} data and {@code --json} output.
 * Every line of one process carries the same {@code run_id}, so the lines of one cron run can be
 * picked out of a collector that holds months of them.
 */
public final class LogSetup {
    /** The MDC key of the run id; set on the main thread, and handed to the engine's table threads. */
    public static final String RUN_ID = "run_id";
    private static final String PROCESS_RUN_ID = UUID.randomUUID().toString();
    /** {@code -v}: per-batch lines on a terminal too. Set by the command, after configure(). */
    private static volatile boolean verbose;

    /** Libraries that log routine internals at INFO/DEBUG; an operator wants pg-freezer's own events. */
    static final List<String> QUIET_LOGGERS = List.of(
            "software.amazon.awssdk", "org.apache.http", "org.apache.hadoop", "org.apache.parquet",
            "org.apache.arrow", "com.zaxxer.hikari", "io.zonky", "org.hibernate.validator", "org.postgresql",
            "jdk.internal.httpclient", "jdk.httpclient", "java.net.http", "sun.net.www");

    /** The loggers that {@code LOG_LEVEL=debug} and {@code trace} open up. */
    static final String OWN_LOGGERS = "io.pgfreezer";

    private LogSetup() {
    }

    /** Output format of log lines. */
    enum Format { JSON, CONSOLE }

    /** Configures logging from the process environment; call first thing in {@code main}. */
    public static void configure() {
        configure(System.getenv(), System.console() != null);
    }

    /**
     * @param env      the environment ({@code LOG_FORMAT}, {@code LOG_LEVEL}, {@code PG_FREEZER_DEBUG})
     * @param terminal whether stderr is an interactive terminal, which makes console the default format
     */
    static void configure(Map<String, String> env, boolean terminal) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();

        verbose = false;
        MDC.put(RUN_ID, PROCESS_RUN_ID);
        boolean debug = env.get("PG_FREEZER_DEBUG") != null;
        String formatSetting = env.get("LOG_FORMAT");
        Format format = format(formatSetting, terminal);
        String levelSetting = env.get("LOG_LEVEL");
        Level level = level(levelSetting);

        EncoderBase<ILoggingEvent> encoder = format == Format.JSON ? new JsonEncoder(debug) : new ConsoleEncoder(debug);
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("stderr");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        if (format == Format.CONSOLE) {
            Filter<ILoggingEvent> details = new TerminalDetailFilter();
            details.setContext(context);
            details.start();
            appender.addFilter(details);
        }
        appender.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        if (level.isGreaterOrEqual(Level.INFO)) {
            root.setLevel(level);
        } else {
            // Debug output of libraries quotes what they were given: request URLs with webhook
            // tokens, connection URLs, headers. Only pg-freezer's own debug output is opened up.
            root.setLevel(Level.INFO);
            context.getLogger(OWN_LOGGERS).setLevel(level);
        }
        if (!level.isGreaterOrEqual(Level.WARN)) {
            // Only when the root is more verbose: LOG_LEVEL=error must silence them too.
            for (String name : QUIET_LOGGERS) {
                context.getLogger(name).setLevel(Level.WARN);
            }
        }

        // java.util.logging users (some drivers) go through the same appender; the propagator
        // keeps JUL's levels in step so disabled JUL records cost nothing.
        LevelChangePropagator propagator = new LevelChangePropagator();
        propagator.setContext(context);
        propagator.setResetJUL(true);
        propagator.start();
        context.addListener(propagator);
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();

        org.slf4j.Logger log = LoggerFactory.getLogger(LogSetup.class);
        if (formatSetting != null && !formatSetting.isBlank() && parseFormat(formatSetting) == null) {
            log.warn("LOG_FORMAT '{}' is not json or console; using {}", formatSetting, format.name().toLowerCase(Locale.ROOT));
        }
        if (levelSetting != null && !levelSetting.isBlank() && parseLevel(levelSetting) == null) {
            log.warn("LOG_LEVEL '{}' is not one of trace, debug, info, warn, error; using info", levelSetting);
        }
    }

    /** This process's run id, the same on every log line and in the run's summary. */
    public static String runId() {
        return PROCESS_RUN_ID;
    }

    /** Shows per-batch lines on the console as well ({@code -v}); JSON logs always have them. */
    static void verbose(boolean on) {
        verbose = on;
    }

    static Format format(String setting, boolean terminal) {
        Format chosen = setting == null ? null : parseFormat(setting);
        if (chosen != null) {
            return chosen;
        }
        return terminal ? Format.CONSOLE : Format.JSON;
    }

    static Level level(String setting) {
        Level parsed = setting == null ? null : parseLevel(setting);
        return parsed != null ? parsed : Level.INFO;
    }

    private static Format parseFormat(String setting) {
        return switch (setting.strip().toLowerCase(Locale.ROOT)) {
            case "json" -> Format.JSON;
            case "console" -> Format.CONSOLE;
            default -> null;
        };
    }

    private static Level parseLevel(String setting) {
        return switch (setting.strip().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE;
            case "debug" -> Level.DEBUG;
            case "info" -> Level.INFO;
            case "warn", "warning" -> Level.WARN;
            case "error" -> Level.ERROR;
            default -> null;
        };
    }

    /** The exception's own message, or its type when it has none (a bare NullPointerException says nothing). */
    static String errorText(IThrowableProxy error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? simpleName(error.getClassName()) : message;
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** Both renderers write self-contained lines: no header or footer around the stream. */
    abstract static class LineEncoder extends EncoderBase<ILoggingEvent> {
        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
    }

    /** The event name a line carries as a key-value pair, or null. */
    static String eventName(ILoggingEvent event) {
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (LogEvents.KEY.equals(pair.key) && pair.value != null) {
                    return pair.value.toString();
                }
            }
        }
        return null;
    }

    /** Keeps per-batch lines (and the repeated summary) off the terminal unless {@code -v} asked for them. */
    static final class TerminalDetailFilter extends Filter<ILoggingEvent> {
        @Override
        public FilterReply decide(ILoggingEvent event) {
            if (verbose || event.getLevel().isGreaterOrEqual(Level.WARN)) {
                return FilterReply.NEUTRAL;
            }
            String name = eventName(event);
            return name != null && LogEvents.TERMINAL_DETAIL.contains(name) ? FilterReply.DENY : FilterReply.NEUTRAL;
        }
    }

    /**
     * One JSON object per line, in the field names collectors (Filebeat, Fluent Bit, Vector,
     * Datadog, Loki) read without a mapping: {@code @timestamp} (ISO-8601 UTC, milliseconds),
     * {@code level} (lower case, {@code warning} as in the original tool), {@code message},
     * {@code event} (a stable name, {@link LogEvents}), {@code logger}, {@code run_id}, then every
     * MDC entry ({@code table}, {@code batch_id}, {@code window_start}, {@code window}) and
     * structured key-value pair (numbers stay numbers), then {@code error} / {@code error_type}
     * (and {@code stack_trace} in debug mode).
     */
    static final class JsonEncoder extends LineEncoder {
        private static final JsonFactory JSON = new JsonFactory();
        private static final DateTimeFormatter TIMESTAMP =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        /** Context keys cannot overwrite the fixed fields. */
        private static final Set<String> RESERVED = Set.of("@timestamp", "level", "message", "event", "logger",
                RUN_ID, "error", "error_type", "stack_trace");

        private final boolean stackTraces;

        JsonEncoder(boolean stackTraces) {
            this.stackTraces = stackTraces;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringField("@timestamp", TIMESTAMP.format(Instant.ofEpochMilli(event.getTimeStamp())));
                json.writeStringField("level", levelName(event.getLevel()));
                json.writeStringField("message", Redaction.apply(event.getFormattedMessage()));
                String name = eventName(event);
                json.writeStringField("event", name == null ? LogEvents.GENERIC : name);
                json.writeStringField("logger", event.getLoggerName());
                Map<String, String> mdc = event.getMDCPropertyMap();
                json.writeStringField(RUN_ID, mdc.getOrDefault(RUN_ID, PROCESS_RUN_ID));
                for (Map.Entry<String, String> entry : mdc.entrySet()) {
                    if (!RESERVED.contains(entry.getKey())) {
                        json.writeStringField(entry.getKey(), entry.getValue());
                    }
                }
                List<KeyValuePair> pairs = event.getKeyValuePairs();
                if (pairs != null) {
                    for (KeyValuePair pair : pairs) {
                        if (!RESERVED.contains(pair.key)) {
                            writeValue(json, pair.key, pair.value);
                        }
                    }
                }
                IThrowableProxy error = event.getThrowableProxy();
                if (error != null) {
                    json.writeStringField("error", Redaction.apply(errorText(error)));
                    json.writeStringField("error_type", simpleName(error.getClassName()));
                    if (stackTraces) {
                        json.writeStringField("stack_trace", Redaction.apply(ThrowableProxyUtil.asString(error)));
                    }
                }
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException("writing a log line to memory", e);
            }
            out.write('\n');
            return out.toByteArray();
        }

        /** Counts, sizes and durations stay numbers, so a collector can sum and graph them as they come. */
        private static void writeValue(JsonGenerator json, String key, Object value) throws IOException {
            if (value instanceof Long || value instanceof Integer || value instanceof Short) {
                json.writeNumberField(key, ((Number) value).longValue());
            } else if (value instanceof Double d && Double.isFinite(d)) {
                json.writeNumberField(key, d);
            } else if (value instanceof Boolean b) {
                json.writeBooleanField(key, b);
            } else {
                json.writeStringField(key, Redaction.apply(String.valueOf(value)));
            }
        }

        private static String levelName(Level level) {
            return level == Level.WARN ? "warning" : level.toString().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code 14:03:27 INFO  [sensor_readings e4ad1b2a27064d51] message: error}, local time, for a
     * person at a terminal. The message already says in words what the structured key-value
     * pairs carry for machines, so they are left out.
     */
    static final class ConsoleEncoder extends LineEncoder {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

        private final boolean stackTraces;
        private final ZoneId zone = ZoneId.systemDefault();

        ConsoleEncoder(boolean stackTraces) {
            this.stackTraces = stackTraces;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            StringBuilder line = new StringBuilder(128);
            line.append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()).atZone(zone))).append(' ');
            String level = event.getLevel().toString();
            line.append(level).append(" ".repeat(Math.max(1, 6 - level.length())));
            String context = context(event.getMDCPropertyMap());
            if (!context.isEmpty()) {
                line.append('[').append(context).append("] ");
            }
            line.append(Redaction.apply(event.getFormattedMessage()));
            IThrowableProxy error = event.getThrowableProxy();
            if (error != null) {
                line.append(": ").append(Redaction.apply(errorText(error)));
            }
            line.append(System.lineSeparator());
            if (error != null && stackTraces) {
                line.append(Redaction.apply(ThrowableProxyUtil.asString(error))).append(System.lineSeparator());
            }
            return line.toString().getBytes(StandardCharsets.UTF_8);
        }

        private static String context(Map<String, String> mdc) {
            String table = mdc.get("table");
            String batch = mdc.get("batch_id");
            if (table == null) {
                return batch == null ? "" : batch;
            }
            return batch == null ? table : table + " " + batch;
        }
    }
}
