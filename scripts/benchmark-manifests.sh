#!/usr/bin/env bash
# Times `status`, `list --json` and a `run` with nothing to do over one hourly table of N DONE
# manifests (written as the original writes them) on a local S3 server (s3proxy), first without
# a manifest index and then with the one the first run wrote. Commands run in-process, so the
# times exclude JVM start-up. Usage: scripts/benchmark-manifests.sh [N...]   (default 10000 100000)
# PG_FREEZER_MANIFEST_READS sets the manifest reads in flight (default 32).
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -B -q -DskipTests package
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt

exec java -Xmx1g --add-opens=java.base/java.nio=ALL-UNNAMED \
  -Dpgfreezer.s3proxy.jar=target/test-servers/s3proxy.jar \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.pgfreezer.bench.ManifestBenchmark "$@"
