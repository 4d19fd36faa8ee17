#!/usr/bin/env bash
# One command on a fresh machine with a JDK 17+ and Maven: builds pg-freezer, starts an embedded
# PostgreSQL (no Docker), loads sample data, archives it to .quickstart/archive and prints status.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests package
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt

exec java --add-opens=java.base/java.nio=ALL-UNNAMED \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.pgfreezer.quickstart.QuickStart
