#!/usr/bin/env bash
# Measures export, delete and restore against baselines taken in the same run (COPY ... TO STDOUT
# (FORMAT binary), a plain DELETE, COPY ... FROM STDIN (FORMAT binary) into the archived table in
# the state restore loads into), verification on one and two decoding threads, verify --deep against
# one read of the objects from local storage and from an S3 API server (s3proxy, started here), and
# the peak heap for two window sizes, on an embedded PostgreSQL; then one day
# of a day-partitioned table: pg-freezer's prune step (retention: drop) against a plain DELETE on an
# unpartitioned copy and a bare DROP TABLE of the partition, with the dead tuples each leaves; then
# the peak RSS of bin/pg-freezer run as a child process for 1,000,000 rows and for [rows].
# Usage: scripts/benchmark.sh [rows] [--no-rss | --rss-only]   (default 2000000; heap capped at 256 MiB)
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests package
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt

exec java -Xmx256m -XX:+UseSerialGC --add-opens=java.base/java.nio=ALL-UNNAMED \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  -Dpgfreezer.s3proxy.jar=target/test-servers/s3proxy.jar io.pgfreezer.bench.Benchmark "${1:-2000000}" "${2:-}"
