#!/usr/bin/env bash
# Times `status`, `list --json` and a `run` with nothing to do over one hourly table of N DONE
# manifests (written as the original writes them) on a local S3 server (s3proxy), first without
# a manifest index and then with the one the first run wrote. Commands run in-process, so the
# times exclude JVM start-up. Usage: scripts/benchmark-manifests.sh [N...]   (default 10000 100000)
#
# The server is s3proxy 4.1.0 on its file-system backend (S3PROXY_PROVIDER changes it). Every
# s3proxy backend pays on each listing request for every key in the directory and for every key
# under the requested prefix, where real S3 answers a 1,000-key page in tens of milliseconds
# whatever the prefix holds. Measured with --listing 10000 100000 (file-system backend, idle
# 2 cores): at 100,000 keys 5.0 s for a whole-prefix page, 503 ms for one hex digit's prefix,
# 179 ms for two digits', 150 ms for a prefix no key has. The tool asks for one hex digit's
# prefix after its first page; the figures still measure the server more than the tool, which
# is why each command also prints the CPU time it and the server used. On a file-system backend
# the manifests are written as files directly, after checking that the server lists, heads and
# serves such a file exactly as a PUT one; the in-memory backend is filled by PUTs, 64 in flight.
#
#   PG_FREEZER_MANIFEST_READS   manifest reads in flight (default 32)
#   S3PROXY_PROVIDER            filesystem | filesystem-nio2 | transient | transient-nio2
#   BENCH_JAVA_OPTS             extra JVM options for the benchmark (a flight recording, say)
#   scripts/benchmark-manifests.sh --listing [N...]   cost of one listing request per backend
#   scripts/benchmark-manifests.sh --reads [N [ROUNDS]]   the tool's CPU per manifest read, split
#                                 into garbage collection, JIT compilation and the rest
set -euo pipefail
cd "$(dirname "$0")/.."

main=io.pgfreezer.bench.ManifestBenchmark
if [[ "${1:-}" == "--listing" ]]; then
  main=io.pgfreezer.bench.ListingBenchmark
  shift
elif [[ "${1:-}" == "--reads" ]]; then
  main=io.pgfreezer.bench.ManifestReadBenchmark
  shift
fi

mvn -B -o -q test-compile
mvn -B -o -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt

# shellcheck disable=SC2086
exec java -Xmx1g --add-opens=java.base/java.nio=ALL-UNNAMED ${BENCH_JAVA_OPTS:-} \
  -Dpgfreezer.s3proxy.jar=target/test-servers/s3proxy.jar \
  ${S3PROXY_PROVIDER:+-Dpgfreezer.s3proxy.provider=$S3PROXY_PROVIDER} \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  "$main" "$@"
