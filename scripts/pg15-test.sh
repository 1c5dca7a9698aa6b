#!/usr/bin/env bash
# Runs the test suite against Debian's PostgreSQL 15 instead of the embedded one:
#   scripts/pg15-test.sh [jest arguments, e.g. test/import-lifecycle.e2e-spec.ts]
# Installs postgresql-15 when it is missing, starts a throwaway cluster (loopback only, a free
# port, a random password) in a temporary folder, runs `npm test` against it, then stops and
# removes the cluster whatever happened, and exits with the suite's exit code.
# PG_MAJOR=NN picks another major version that apt offers as postgresql-NN.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_MAJOR="${PG_MAJOR:-15}"
BIN="/usr/lib/postgresql/$PG_MAJOR/bin"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x "$BIN/initdb" ] || [ ! -x "$BIN/pg_ctl" ]; then
  echo "pg-test: installing postgresql-$PG_MAJOR" >&2
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "postgresql-$PG_MAJOR"
fi

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres account.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ] && ! id -u postgres >/dev/null 2>&1; then
  groupadd --system postgres 2>/dev/null || true
  useradd --system --gid postgres --no-create-home --shell /usr/sbin/nologin postgres
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rostersync-pg$PG_MAJOR-XXXXXX")"
chmod 755 "$WORK"
DATA="$WORK/data"
LOG="$WORK/postgres.log"
STARTED=
cleanup() {
  local rc=$?
  if [ -n "$STARTED" ]; then
    as_pg "$BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null 2>&1 || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$LOG" ]; then
    echo "pg-test: the last lines of the PostgreSQL $PG_MAJOR log:" >&2
    tail -n 20 "$LOG" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PASSWORD="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
printf '%s\n' "$PASSWORD" > "$WORK/pwfile"
chmod 600 "$WORK/pwfile"
mkdir -m 700 "$DATA"
if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$DATA" "$WORK/pwfile" && chown postgres "$WORK"; fi
as_pg "$BIN/initdb" -D "$DATA" -U postgres --auth=scram-sha-256 --pwfile="$WORK/pwfile" \
  --encoding=UTF8 --locale=C >/dev/null
rm -f "$WORK/pwfile"

PORT="$(node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")"
STARTED=1
as_pg "$BIN/pg_ctl" start -D "$DATA" -w -t 120 -l "$LOG" -o "-p $PORT -c listen_addresses=127.0.0.1 \
-c unix_socket_directories='' -c max_connections=300 -c shared_buffers=256MB -c max_wal_size=4GB" >/dev/null
echo "pg-test: $("$BIN/postgres" --version) on 127.0.0.1:$PORT" >&2

set +e
TEST_DATABASE_URL="postgres://postgres:$PASSWORD@127.0.0.1:$PORT/postgres" TEST_POSTGRES_INSTALLATION="/usr/lib/postgresql/$PG_MAJOR" npm test -- "$@"
rc=$?
set -e
exit "$rc"
