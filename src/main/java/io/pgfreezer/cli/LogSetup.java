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
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.LoggerFactory;
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

/**
 * Configures Logback from the environment, once, at process start:
 * <ul>
 *   <li>{@code LOG_FORMAT=json|console} picks the renderer; by default console on a terminal,
 *       JSON otherwise (one object per line, for log collectors);</li>
 *   <li>{@code LOG_LEVEL} sets the level (default INFO); chatty libraries stay at WARN;</li>
 *   <li>{@code PG_FREEZER_DEBUG} adds stack traces.</li>
 * </ul>
 * Everything goes to stderr: stdout carries {@code fetch} data and {@code --json} output.
 */
public final class LogSetup {
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

    /**
     * One JSON object per line: {@code timestamp} (ISO-8601 UTC, milliseconds), {@code level}
     * (lower case, {@code warning} as in the original tool), {@code event}, {@code logger}, then
     * every MDC entry ({@code table}, {@code batch_id}, {@code window}) and structured key-value
     * pair, then {@code error} / {@code error_type} (and {@code stack_trace} in debug mode).
     */
    static final class JsonEncoder extends LineEncoder {
        private static final JsonFactory JSON = new JsonFactory();
        private static final DateTimeFormatter TIMESTAMP =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        /** Context keys cannot overwrite the fixed fields. */
        private static final Set<String> RESERVED =
                Set.of("timestamp", "level", "event", "logger", "error", "error_type", "stack_trace");

        private final boolean stackTraces;

        JsonEncoder(boolean stackTraces) {
            this.stackTraces = stackTraces;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringField("timestamp", TIMESTAMP.format(Instant.ofEpochMilli(event.getTimeStamp())));
                json.writeStringField("level", levelName(event.getLevel()));
                json.writeStringField("event", Redaction.apply(event.getFormattedMessage()));
                json.writeStringField("logger", event.getLoggerName());
                for (Map.Entry<String, String> entry : event.getMDCPropertyMap().entrySet()) {
                    if (!RESERVED.contains(entry.getKey())) {
                        json.writeStringField(entry.getKey(), entry.getValue());
                    }
                }
                List<KeyValuePair> pairs = event.getKeyValuePairs();
                if (pairs != null) {
                    for (KeyValuePair pair : pairs) {
                        if (!RESERVED.contains(pair.key)) {
                            json.writeStringField(pair.key, String.valueOf(pair.value));
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

        private static String levelName(Level level) {
            return level == Level.WARN ? "warning" : level.toString().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code 14:03:27 INFO  [sensor_readings e4ad1b2a27064d51] message: error}, local time, for a
     * person at a terminal. Structured key-value pairs follow as {@code key=value}.
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
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair pair : pairs) {
                    line.append(' ').append(pair.key).append('=').append(pair.value);
                }
            }
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
