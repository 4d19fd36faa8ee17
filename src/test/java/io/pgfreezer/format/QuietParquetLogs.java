package io.pgfreezer.format;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;

/**
 * Keeps Parquet, Hadoop and Arrow at INFO in format tests. At DEBUG, parquet-java logs every
 * value it writes or reads, which would turn the large-file tests into log-writing tests. Must run
 * before Parquet's classes initialise, since they read the level once.
 */
final class QuietParquetLogs {

    private QuietParquetLogs() {
    }

    static void install() {
        for (String name : new String[] {"org.apache.parquet", "org.apache.hadoop", "org.apache.arrow"}) {
            if (LoggerFactory.getLogger(name) instanceof Logger) {
                ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.INFO);
            }
        }
    }
}
