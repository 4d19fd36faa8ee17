/*
 * Test data for pg-freezer: two time-series tables shaped like a small IoT installation.
 *
 *   java -cp target/pg-freezer.jar scripts/GenerateData.java [--mode full|quick|setup-only]
 *        [--dsn postgresql://user:pass@host:5432/db] [--reset]
 *
 * (scripts/generate.sh does this, building the jar first if needed; the jar only supplies the
 * PostgreSQL JDBC driver.)
 *
 * Tables:
 *   sensor_readings(recorded_at timestamptz, sensor_id int, sensor_name text, value double precision, unit text)
 *     8 simulated sensors
 *   device_events(occurred_at timestamptz, device_id int, event_type text, severity text, payload jsonb)
 *     20 devices, JSON payloads
 *
 * Modes:
 *   full        backfill 7 days x 1-minute resolution x 100 rows per minute (~1M rows per table)
 *               ending now, then insert live rows every second until Ctrl-C
 *   quick       ~10k rows per table spread over the last 20 days, so that windows older than the
 *               example lags (15d daily, 6h hourly) exist; then exit
 *   setup-only  the full backfill, then exit
 * --reset empties both tables first; otherwise rows are added to what is there.
 * The DSN defaults to $PG_DSN, then to the local development database.
 */

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

public class GenerateData {
    static final String DEFAULT_DSN = "postgresql://postgres:postgres@localhost:5432/postgres";
    static final int ROWS_PER_MINUTE = 100;
    static final Duration BACKFILL_SPAN = Duration.ofDays(7);
    static final int QUICK_ROWS = 10_000;
    static final Duration QUICK_SPAN = Duration.ofDays(20);

    public static void main(String[] args) {
        String mode = "full";
        String dsn = null;
        boolean reset = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mode" -> mode = value(args, ++i, "--mode");
                case "--dsn" -> dsn = value(args, ++i, "--dsn");
                case "--reset" -> reset = true;
                case "-h", "--help" -> {
                    System.out.println("usage: GenerateData [--mode full|quick|setup-only] [--dsn URI] [--reset]");
                    return;
                }
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (!mode.equals("full") && !mode.equals("quick") && !mode.equals("setup-only")) {
            usage("--mode must be full, quick or setup-only, not " + mode);
        }
        if (dsn == null) {
            String env = System.getenv("PG_DSN");
            dsn = env == null || env.isBlank() ? DEFAULT_DSN : env;
        }

        Dsn target;
        try {
            target = Dsn.parse(dsn);
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
            return;
        }
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.properties())) {
            System.out.println("generating test data in " + target.describe() + " (mode " + mode + ")");
            createTables(c, reset);
            Generator gen = new Generator(new Random(42));
            Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
            if (mode.equals("quick")) {
                backfill(c, gen, end.minus(QUICK_SPAN), end, QUICK_ROWS);
            } else {
                int rows = (int) BACKFILL_SPAN.toMinutes() * ROWS_PER_MINUTE;
                backfill(c, gen, end.minus(BACKFILL_SPAN), end, rows);
            }
            if (mode.equals("full")) {
                live(c, new Generator(new Random()));
            }
        } catch (SQLException e) {
            // The driver's message never carries the password; the DSN is not repeated here.
            System.err.println("error: " + target.describe() + ": " + e.getMessage());
            System.exit(1);
        }
    }

    static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            usage(option + " needs a value");
        }
        return args[i];
    }

    static void usage(String problem) {
        System.err.println("error: " + problem);
        System.err.println("usage: GenerateData [--mode full|quick|setup-only] [--dsn URI] [--reset]");
        System.exit(2);
    }

    static void createTables(Connection c, boolean reset) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS sensor_readings (
                        recorded_at timestamptz NOT NULL,
                        sensor_id   integer,
                        sensor_name text,
                        value       double precision,
                        unit        text)""");
            s.execute("CREATE INDEX IF NOT EXISTS sensor_readings_recorded_at_idx ON sensor_readings (recorded_at)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS device_events (
                        occurred_at timestamptz NOT NULL,
                        device_id   integer,
                        event_type  text,
                        severity    text,
                        payload     jsonb)""");
            s.execute("CREATE INDEX IF NOT EXISTS device_events_occurred_at_idx ON device_events (occurred_at)");
            if (reset) {
                s.execute("TRUNCATE sensor_readings, device_events");
            }
        }
    }

    /** {@code rows} rows per table, evenly spaced over [start, end), streamed with COPY. */
    static void backfill(Connection c, Generator gen, Instant start, Instant end, int rows) throws SQLException {
        long stepNanos = Duration.between(start, end).toNanos() / rows;
        long began = System.nanoTime();
        copy(c, "COPY sensor_readings (recorded_at, sensor_id, sensor_name, value, unit) FROM STDIN WITH (FORMAT csv)",
                rows, i -> gen.sensorCsv(start.plusNanos(stepNanos * i)));
        copy(c, "COPY device_events (occurred_at, device_id, event_type, severity, payload) FROM STDIN WITH (FORMAT csv)",
                rows, i -> gen.eventCsv(start.plusNanos(stepNanos * i)));
        System.out.printf(Locale.ROOT, "backfilled %,d rows per table from %s to %s in %.1f s%n",
                rows, start, end, (System.nanoTime() - began) / 1e9);
    }

    interface Row {
        String csv(int index);
    }

    static void copy(Connection c, String sql, int rows, Row row) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
            for (int i = 0; i < rows; i++) {
                byte[] line = row.csv(i).getBytes(StandardCharsets.UTF_8);
                buf.write(line, 0, line.length);
                if (buf.size() >= (1 << 20) - 512) {
                    in.writeToCopy(buf.toByteArray(), 0, buf.size());
                    buf.reset();
                }
            }
            in.writeToCopy(buf.toByteArray(), 0, buf.size());
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** About ROWS_PER_MINUTE rows per table per minute, stamped now, until Ctrl-C. */
    static void live(Connection c, Generator gen) throws SQLException {
        AtomicBoolean running = new AtomicBoolean(true);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.set(false);
            try {
                main.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("inserting live rows every second; Ctrl-C to stop");
        long second = 0;
        long total = 0;
        try (PreparedStatement sensors = c.prepareStatement(
                "INSERT INTO sensor_readings (recorded_at, sensor_id, sensor_name, value, unit) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement events = c.prepareStatement(
                     "INSERT INTO device_events (occurred_at, device_id, event_type, severity, payload) VALUES (?, ?, ?, ?, ?::jsonb)")) {
            while (running.get()) {
                Instant now = Instant.now();
                // ROWS_PER_MINUTE spread over 60 ticks: some seconds get one row more than others.
                long rows = (second + 1) * ROWS_PER_MINUTE / 60 - second * ROWS_PER_MINUTE / 60;
                for (int i = 0; i < rows; i++) {
                    gen.bindSensor(sensors, now);
                    sensors.addBatch();
                    gen.bindEvent(events, now);
                    events.addBatch();
                }
                sensors.executeBatch();
                events.executeBatch();
                total += rows;
                if (++second % 60 == 0) {
                    System.out.printf(Locale.ROOT, "%s  %,d live rows per table%n", now.truncatedTo(ChronoUnit.SECONDS), total);
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    break;
                }
            }
        }
        System.out.printf(Locale.ROOT, "stopped after %,d live rows per table%n", total);
    }

    record Sensor(String name, String unit, double base, double dailySwing, double noise) {
    }

    /** Plausible values: a daily cycle plus noise, per sensor; events weighted towards the harmless. */
    static final class Generator {
        static final Sensor[] SENSORS = {
                new Sensor("temp-hall-01", "celsius", 21.0, 3.0, 0.4),
                new Sensor("temp-roof-02", "celsius", 12.0, 8.0, 0.8),
                new Sensor("humidity-hall-01", "percent", 45.0, 10.0, 2.0),
                new Sensor("pressure-roof-01", "hPa", 1013.0, 4.0, 0.6),
                new Sensor("co2-office-01", "ppm", 600.0, 250.0, 30.0),
                new Sensor("flow-pump-01", "l_per_min", 120.0, 40.0, 5.0),
                new Sensor("voltage-main-01", "volt", 230.0, 2.0, 0.7),
                new Sensor("vibration-pump-01", "mm_per_s", 2.5, 1.0, 0.3),
        };
        static final int DEVICES = 20;
        static final String[] EVENT_TYPES = {"heartbeat", "heartbeat", "heartbeat", "measurement", "measurement",
                "connect", "disconnect", "config_change", "firmware_update", "alert"};
        static final String[] SEVERITIES = {"debug", "info", "info", "info", "info", "info", "warning", "warning", "error", "critical"};
        static final String[] FIRMWARE = {"1.4.2", "1.4.3", "1.5.0"};
        static final String[] ZONES = {"north", "south", "east", "west"};

        final Random random;
        long sequence;

        Generator(Random random) {
            this.random = random;
        }

        Sensor sensor() {
            return SENSORS[random.nextInt(SENSORS.length)];
        }

        static int sensorId(Sensor s) {
            for (int i = 0; i < SENSORS.length; i++) {
                if (SENSORS[i] == s) {
                    return i + 1;
                }
            }
            throw new IllegalStateException(s.name());
        }

        double value(Sensor s, Instant at) {
            double dayFraction = (at.getEpochSecond() % 86_400) / 86_400.0;
            double v = s.base() + s.dailySwing() * Math.sin(2 * Math.PI * (dayFraction - 0.25)) + random.nextGaussian() * s.noise();
            return Math.round(v * 1000) / 1000.0;
        }

        String sensorCsv(Instant at) {
            Sensor s = sensor();
            return at + "," + sensorId(s) + "," + s.name() + "," + value(s, at) + "," + s.unit() + "\n";
        }

        void bindSensor(PreparedStatement ps, Instant at) throws SQLException {
            Sensor s = sensor();
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setInt(2, sensorId(s));
            ps.setString(3, s.name());
            ps.setDouble(4, value(s, at));
            ps.setString(5, s.unit());
        }

        record Event(int deviceId, String type, String severity, String payload) {
        }

        Event event() {
            int device = 1 + random.nextInt(DEVICES);
            String type = EVENT_TYPES[random.nextInt(EVENT_TYPES.length)];
            String severity = type.equals("alert") ? (random.nextBoolean() ? "error" : "critical")
                    : SEVERITIES[random.nextInt(SEVERITIES.length - 2)];
            StringBuilder json = new StringBuilder(160);
            json.append("{\"device\":\"dev-").append(String.format(Locale.ROOT, "%02d", device)).append('"')
                    .append(",\"seq\":").append(++sequence)
                    .append(",\"firmware\":\"").append(FIRMWARE[device % FIRMWARE.length]).append('"')
                    .append(",\"battery\":").append(Math.round((40 + random.nextDouble() * 60) * 10) / 10.0)
                    .append(",\"rssi\":").append(-40 - random.nextInt(60))
                    .append(",\"tags\":[\"zone-").append(ZONES[device % ZONES.length]).append("\",\"fleet-a\"]");
            switch (type) {
                case "measurement" -> json.append(",\"reading\":{\"temperature\":")
                        .append(Math.round((18 + random.nextGaussian() * 3) * 100) / 100.0)
                        .append(",\"humidity\":").append(Math.round((45 + random.nextGaussian() * 8) * 100) / 100.0).append('}');
                case "alert" -> json.append(",\"alert\":{\"code\":\"E").append(100 + random.nextInt(20))
                        .append("\",\"message\":\"threshold exceeded, check \\\"sensor\\\" wiring\"}");
                case "firmware_update" -> json.append(",\"from\":\"1.4.2\",\"to\":\"1.5.0\"");
                case "config_change" -> json.append(",\"changed\":{\"interval_s\":").append(15 * (1 + random.nextInt(4))).append('}');
                default -> { }
            }
            json.append('}');
            return new Event(device, type, severity, json.toString());
        }

        String eventCsv(Instant at) {
            Event e = event();
            return at + "," + e.deviceId() + "," + e.type() + "," + e.severity() + ",\"" + e.payload().replace("\"", "\"\"") + "\"\n";
        }

        void bindEvent(PreparedStatement ps, Instant at) throws SQLException {
            Event e = event();
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setInt(2, e.deviceId());
            ps.setString(3, e.type());
            ps.setString(4, e.severity());
            ps.setString(5, e.payload());
        }
    }

    /** A libpq URI (postgresql:// or postgres://) or a jdbc:postgresql: URL, as the JDBC driver needs it. */
    record Dsn(String jdbcUrl, Properties properties, String describe) {
        static Dsn parse(String dsn) {
            Properties props = new Properties();
            if (dsn.startsWith("jdbc:postgresql:")) {
                return new Dsn(dsn, props, dsn.replaceAll("password=[^&]*", "password=***"));
            }
            URI uri;
            try {
                uri = URI.create(dsn);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the DSN is not a valid postgresql:// URI");
            }
            if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
                throw new IllegalArgumentException("the DSN must start with postgresql:// or postgres://");
            }
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                props.setProperty("user", percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
                if (colon >= 0) {
                    props.setProperty("password", percentDecode(userInfo.substring(colon + 1)));
                }
            }
            String host = uri.getHost() == null ? "localhost" : uri.getHost();
            String hostPort = host + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
            String db = uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "" : uri.getRawPath().substring(1);
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            String describe = "postgresql://" + (props.containsKey("user") ? props.getProperty("user") + "@" : "") + hostPort + "/" + db;
            return new Dsn("jdbc:postgresql://" + hostPort + "/" + db + query, props, describe);
        }

        /** Unlike URLDecoder, keeps '+' as it is: libpq URIs only use %XX escapes. */
        static String percentDecode(String s) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '%') {
                    if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                        throw new IllegalArgumentException("the DSN has an invalid %-escape in its user or password");
                    }
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    byte[] b = String.valueOf(ch).getBytes(StandardCharsets.UTF_8);
                    out.write(b, 0, b.length);
                }
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
