#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the tests and print its URL on stdout.
# initdb refuses to run as root, so the server runs as the `postgres` user, in a private temporary folder.
# Usage: eval "$(bash .ci/postgres.sh)"   -> exports DEPS_TEST_POSTGRES_URL and PGDATA_DIR
set -euo pipefail
port="${PGPORT_TEST:-}"
if [ -z "$port" ]; then
  for candidate in $(seq 54329 54399); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
  done
fi
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
  echo "PostgreSQL server binaries not found; install Debian's postgresql package" >&2
  exit 1
fi
dir=$(mktemp -d)
chmod 755 "$dir"
chown postgres:postgres "$dir"
run() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
run "'$bindir/initdb' -D '$dir/data' -A trust -U postgres --no-sync >'$dir/initdb.log' 2>&1"
run "'$bindir/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-h 127.0.0.1 -p $port -k '$dir' -F\" start >/dev/null"
run "'$bindir/createdb' -h 127.0.0.1 -p $port -U postgres deps_test"
echo "export DEPS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$port/deps_test"
echo "export PGDATA_DIR=$dir/data PG_BINDIR=$bindir"
