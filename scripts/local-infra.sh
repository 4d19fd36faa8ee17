#!/bin/sh
# Local development infrastructure without Docker (see scripts/LocalInfra.java):
#   scripts/local-infra.sh up|down|reset|status
# PostgreSQL on localhost:5432 and an S3 server on localhost:9000, matching docker-compose.yml, so
# scripts/config.dev.yaml works with either. State lives in target/local-infra ('mvn clean' wipes
# it: stop first).
set -eu
cd "$(dirname "$0")/.."
state=target/local-infra
pidfile=$state/pid
classpath=target/local-infra-classpath.txt

running() {
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

up() {
    if running; then
        echo "local infrastructure is already running (pid $(cat "$pidfile"))"
        return
    fi
    if [ ! -f target/pg-freezer.jar ] || [ ! -f target/test-servers/s3proxy.jar ]; then
        mvn -B -q -DskipTests package
    fi
    if [ ! -f "$classpath" ]; then
        mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath"
    fi
    mkdir -p "$state"
    java=java
    if [ -n "${JAVA_HOME:-}" ]; then
        java="$JAVA_HOME/bin/java"
    fi
    nohup "$java" -cp "$(cat "$classpath")" scripts/LocalInfra.java "$state" target/test-servers/s3proxy.jar \
        >"$state/infra.log" 2>&1 &
    echo $! >"$pidfile"
    waited=0
    while [ ! -f "$state/ready" ]; do
        if ! running || [ "$waited" -ge 120 ]; then
            echo "error: local infrastructure did not start; last lines of $state/infra.log:" >&2
            tail -n 20 "$state/infra.log" >&2
            down >/dev/null 2>&1 || true
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    tail -n 1 "$state/infra.log"
}

down() {
    if ! running; then
        echo "local infrastructure is not running"
        rm -f "$pidfile"
        return
    fi
    pid=$(cat "$pidfile")
    kill "$pid"
    waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 30 ]; do
        sleep 1
        waited=$((waited + 1))
    done
    rm -f "$pidfile"
    echo "local infrastructure stopped"
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    reset)
        down
        rm -rf "$state"
        up
        ;;
    status)
        if running; then
            echo "running (pid $(cat "$pidfile")); log: $state/infra.log"
        else
            echo "not running"
        fi
        ;;
    *)
        echo "usage: $0 up|down|reset|status" >&2
        exit 2
        ;;
esac
