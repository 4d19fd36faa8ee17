package io.pgfreezer.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** The independent reader: DuckDB over the archive directory, with Hive partitioning. */
public final class DuckDb {
    private DuckDb() {
    }

    /** {@code read_parquet(...)} of every Parquet file of a table, with its partition columns. */
    public static String table(Path root, String table) {
        return "read_parquet('" + root.resolve(table).toAbsolutePath() + "/**/*.parquet', hive_partitioning = true)";
    }

    /** Runs a query and returns each row's columns as strings (null stays null). */
    public static List<List<String>> rows(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return collect(rs);
        } catch (SQLException e) {
            throw new IllegalStateException("DuckDB: " + e.getMessage() + "\n" + sql, e);
        }
    }

    public static List<List<String>> collect(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<List<String>> rows = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                row.add(rs.getString(i));
            }
            rows.add(row);
        }
        return rows;
    }
}
