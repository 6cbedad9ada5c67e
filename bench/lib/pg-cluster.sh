#!/bin/bash
# pg-cluster.sh start | stop: the tests' throwaway PostgreSQL cluster
# (tests/pg.bash: a Unix socket in its own /tmp directory, no TCP port, no
# fsync, run as an unprivileged user under root) for a bench, without bats.
# start prints the assignments a sh caller evals to reach it and stop it
# again (PG_DIR, PGDATA, PG_PID, PG_BINDIR, PG_OS_USER, PG_PORT); on
# failure it says why and exits 69 (no server installed, or it would not
# start), leaving nothing behind. stop takes those from the environment.
set -u
common_setup() { :; } # tests/pg.bash then leaves tests/common.bash (bats) unloaded
# wait_until SECONDS COMMAND...: tests/common.bash's, failing with a
# status rather than bats' fail
wait_until() {
	local deadline=$((SECONDS + $1 + 1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.02
	done
}
# shellcheck source=tests/pg.bash
. "$(cd "$(dirname "$0")/../.." && pwd)/tests/pg.bash"

case ${1-} in
start)
	pg_start >&2 || exit 69
	printf 'PG_DIR=%q PGDATA=%q PG_PID=%q PG_BINDIR=%q PG_OS_USER=%q PG_PORT=%q\n' \
		"$PG_DIR" "$PGDATA" "$PG_PID" "$PG_BINDIR" "$PG_OS_USER" "$PG_PORT"
	;;
stop)
	export PG_DIR PGDATA PG_PID PG_BINDIR PG_OS_USER
	pg_stop
	;;
*)
	echo "usage: pg-cluster.sh start | stop" >&2
	exit 64
	;;
esac
