#!/bin/sh
# Generates test data (see scripts/GenerateData.java): builds the jar first if it is missing, then
# runs the generator with the JDK's source launcher and the jar's PostgreSQL driver.
#   scripts/generate.sh [--mode full|quick|setup-only] [--dsn URI] [--reset]
set -eu
cd "$(dirname "$0")/.."
jar=target/pg-freezer.jar
if [ ! -f "$jar" ]; then
    echo "building $jar (mvn -B -DskipTests package) ..." >&2
    mvn -B -q -DskipTests package
fi
java=java
if [ -n "${JAVA_HOME:-}" ]; then
    java="$JAVA_HOME/bin/java"
fi
exec "$java" -cp "$jar" scripts/GenerateData.java "$@"
