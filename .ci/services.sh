#!/usr/bin/env bash
# Make sure the local PostgreSQL and Redis that the tests talk to are up: start
# whichever does not answer, then wait (bounded) until both do.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=${SERVICES_PG_PORT:-5432}
REDIS_HOST=127.0.0.1
REDIS_PORT=${SERVICES_REDIS_PORT:-6379}
WAIT_SECONDS=${SERVICES_WAIT_SECONDS:-30}

say() { printf 'services: %s\n' "$*"; }

postgres_answers() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; }
redis_answers() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

start_postgres() {
  local version
  version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
  say "starting PostgreSQL $version"
  # A cluster that is already starting makes pg_ctlcluster complain; waiting settles it either way.
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || say "pg_ctlcluster exited $?, waiting anyway"
}

start_redis() {
  say "starting Redis"
  # Nothing on disk: the tests use Redis as a broker and a scratch store only.
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --dir /tmp
}

wait_for() {
  local name=$1 probe=$2 deadline=$((SECONDS + WAIT_SECONDS))
  until "$probe"; do
    if ((SECONDS >= deadline)); then
      say "$name did not answer within ${WAIT_SECONDS}s" >&2
      return 1
    fi
    sleep 0.5
  done
  say "$name is up"
}

postgres_answers || start_postgres
redis_answers || start_redis
wait_for "PostgreSQL on $PG_HOST:$PG_PORT" postgres_answers
wait_for "Redis on $REDIS_HOST:$REDIS_PORT" redis_answers
