#!/usr/bin/env bash
# Debian services for the tests: install PostgreSQL and Chromium, start and stop a
# throwaway PostgreSQL cluster.
#
#   services.sh install          install the Debian packages (needs root or sudo)
#   services.sh start-postgres   start a cluster; prints `export PLANNER_TEST_DATABASE_URL=...`
#   services.sh stop-postgres    stop it and delete its files
set -euo pipefail

PG_DIR=${PLANNER_PG_DIR:-/tmp/planner-ci-postgres}
PG_PORT=${PLANNER_PG_PORT:-55432}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
    ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1
}

case "${1:-}" in
install)
    if [ -x /usr/bin/chromium ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        exit 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    packages="postgresql chromium"
    if ! as_root apt-get install -y -q $packages >/dev/null; then
        as_root apt-get update -q >/dev/null
        as_root apt-get install -y -q $packages >/dev/null
    fi
    ;;
start-postgres)
    bin=$(pg_bin)
    as_root rm -rf "$PG_DIR"
    as_root mkdir -p "$PG_DIR"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
    as_postgres "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=localhost" start >/dev/null
    as_postgres "$bin/createdb" -h localhost -p "$PG_PORT" -U postgres planner_test
    echo "export PLANNER_TEST_DATABASE_URL=postgresql+psycopg://postgres@localhost:$PG_PORT/planner_test"
    ;;
stop-postgres)
    if [ -d "$PG_DIR/data" ]; then
        as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
        as_root rm -rf "$PG_DIR"
    fi
    ;;
*)
    echo "usage: $0 install | start-postgres | stop-postgres" >&2
    exit 2
    ;;
esac
