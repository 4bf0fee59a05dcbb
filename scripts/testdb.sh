#!/bin/sh
# Starts a private PostgreSQL server for the tests (Debian's postgresql
# package) on 127.0.0.1:${MIAOBI_PG_PORT:-55432}, if one is not running
# there already, and prints its URL. The data lives in
# ${TMPDIR:-/tmp}/miaobi-pg; `scripts/testdb.sh stop` stops it.
set -eu
PORT=${MIAOBI_PG_PORT:-55432}
DIR=${TMPDIR:-/tmp}/miaobi-pg
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ]; then
	echo "testdb: PostgreSQL is not installed (apt-get install postgresql)" >&2
	exit 1
fi
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
if [ "${1:-}" = stop ]; then
	as_owner "$BIN/pg_ctl" -D "$DIR/data" stop -m fast >/dev/null 2>&1 || true
	exit 0
fi
if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
	rm -rf "$DIR"
	mkdir -p "$DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$DIR"
	as_owner "$BIN/initdb" -D "$DIR/data" -A trust -U miaobi -E UTF8 --locale C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
		{ cat "$DIR/initdb.log" >&2; exit 1; }
	as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
		-o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ||
		{ cat "$DIR/server.log" >&2; exit 1; }
fi
echo "postgres://miaobi@127.0.0.1:$PORT/postgres?sslmode=disable"
