# A throwaway PostgreSQL cluster for the suites that need a server (issue
# 17): one per suite, started by pg_start in setup_file and stopped by
# pg_stop in teardown_file, with a fresh database per test if the suite
# asks (pg_db_fresh). The server listens on a Unix socket in its own temp
# directory only (no TCP port), trusts whoever reaches that socket, and
# runs without fsync: it holds nothing worth keeping. postgres refuses to
# run as root, so under root (CI) initdb and pg_ctl run as an unprivileged
# user, who owns the data directory.
# shellcheck shell=bash
declare -F common_setup > /dev/null || load common

# The bootstrap superuser, the database libpq clients get by default, and
# the port (the socket's name: .s.PGSQL.<port>, in the cluster's own
# directory, so suites running at once never meet).
PG_SUPERUSER=postgres
PG_PORT=5432

# pg_bindir: the newest installed server's programs (Debian keeps initdb
# and pg_ctl off PATH, under /usr/lib/postgresql/<major>/bin)
pg_bindir() {
	local dirs
	dirs=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	[[ -x $dirs/initdb && -x $dirs/pg_ctl ]] || {
		echo "pg_bindir: no PostgreSQL server under /usr/lib/postgresql: run scripts/install-deps" >&2
		return 1
	}
	echo "$dirs"
}

# pg_os_user: who runs the server: ourselves, or under root the postgres
# account the package creates (nobody where it is missing)
pg_os_user() {
	if ((EUID != 0)); then
		id -un
	elif id -u postgres > /dev/null 2>&1; then
		echo postgres
	else
		echo nobody
	fi
}

# pg_as CMD...: run one of the server's programs as the server's user, from
# its directory (one the user can enter), without bats' fd 3 (a server
# holding it would keep bats waiting)
pg_as() {
	local prog=$PG_BINDIR/$1
	shift
	if ((EUID == 0)); then
		(cd "$PG_DIR" && runuser -u "$PG_OS_USER" -- "$prog" "$@" 3>&-)
	else
		(cd "$PG_DIR" && "$prog" "$@" 3>&-)
	fi
}

# pg_start: a new cluster, running and accepting connections; exports
# PG_DIR (its directory and socket directory), PGDATA, PG_PID (the
# postmaster) and, for every libpq client, PGHOST, PGPORT, PGUSER and
# PGDATABASE. On failure it says why, with the server's log, and leaves
# nothing behind.
pg_start() {
	PG_BINDIR=$(pg_bindir) || return 1
	PG_OS_USER=$(pg_os_user)
	# /tmp, not bats' own temp dirs: the server's user must be able to
	# enter it, and a socket path must stay under 108 bytes
	PG_DIR=$(mktemp -d /tmp/guise-pg.XXXXXX)
	PGDATA=$PG_DIR/data
	PG_PID=
	export PG_BINDIR PG_OS_USER PG_DIR PGDATA PG_PID
	((EUID != 0)) || chown "$PG_OS_USER:" "$PG_DIR"
	# nothing from the caller's environment steers the clients elsewhere
	unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE \
		PGOPTIONS PGSSLMODE PGREQUIRESSL PGCONNECT_TIMEOUT PGTARGETSESSIONATTRS
	export PGHOST=$PG_DIR PGPORT=$PG_PORT PGUSER=$PG_SUPERUSER PGDATABASE=postgres

	if ! pg_as initdb -D "$PGDATA" -U "$PG_SUPERUSER" -A trust -E UTF8 \
		--locale=C --no-sync --no-instructions > "$PG_DIR/initdb.log" 2>&1; then
		pg_start_failed "initdb failed" "$PG_DIR/initdb.log"
		return 1
	fi
	cat >> "$PGDATA/postgresql.conf" <<- EOF
		# tests/pg.bash: a Unix socket only, and speed over durability
		listen_addresses = ''
		unix_socket_directories = '$PG_DIR'
		port = $PG_PORT
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		shared_buffers = 16MB
	EOF
	if ! pg_as pg_ctl -D "$PGDATA" -l "$PG_DIR/server.log" -W start > /dev/null; then
		pg_start_failed "pg_ctl start failed" "$PG_DIR/server.log"
		return 1
	fi
	if ! (wait_until 30 pg_isready -q); then
		pg_start_failed "the server did not become ready" "$PG_DIR/server.log"
		return 1
	fi
	read -r PG_PID < "$PGDATA/postmaster.pid"
	export PG_PID
}

# pg_start_failed WHY LOG: say so with the log, and clean up
pg_start_failed() {
	{
		echo "pg_start: $1 ($PG_DIR):"
		cat "$2" 2> /dev/null
	} >&2
	pg_stop || true
}

# pg_cluster_pids: the postmaster and its children, read from /proc (no
# procps on a bare image)
pg_cluster_pids() {
	[[ -n ${PG_PID-} ]] && kill -0 "$PG_PID" 2> /dev/null || return 0
	echo "$PG_PID"
	local stat line fields
	for stat in /proc/[0-9]*/stat; do
		read -r line 2> /dev/null < "$stat" || continue
		# after "pid (comm) ": the state, then the parent's pid
		read -r -a fields <<< "${line##*) }"
		[[ ${fields[1]} != "$PG_PID" ]] || echo "${stat//[!0-9]/}"
	done
}

# pg_alive "PIDS": those of PIDS still running (a zombie has ended: only
# its reaping is left, which is its parent's, or init's, business)
pg_alive() {
	local pid line
	for pid in $1; do
		read -r line 2> /dev/null < "/proc/$pid/stat" || continue
		[[ ${line##*) } == Z* ]] || printf ' %s' "$pid"
	done
}

pg_gone() { [[ -z $(pg_alive "$1") ]]; }

# pg_stop: the cluster stopped (fast: connections cut, no waiting for
# clients) and its directory removed. Fails loudly, after killing them,
# if any of the cluster's processes outlived the stop.
pg_stop() {
	[[ -n ${PG_DIR-} && -d $PG_DIR ]] || return 0
	local pids left
	pids=$(pg_cluster_pids)
	if [[ -f $PGDATA/postmaster.pid ]]; then
		pg_as pg_ctl -D "$PGDATA" -m fast -w -t 30 stop > /dev/null ||
			pg_as pg_ctl -D "$PGDATA" -m immediate -w -t 10 stop > /dev/null || true
	fi
	# the postmaster removes its pid file a moment before it exits
	(wait_until 10 pg_gone "$pids") 2> /dev/null || true
	left=$(pg_alive "$pids")
	if [[ -n $left ]]; then
		# shellcheck disable=SC2086 # one pid a word
		kill -KILL $left 2> /dev/null || true
	fi
	rm -rf "$PG_DIR"
	[[ -z $left ]] || {
		echo "pg_stop: processes of the cluster in $PG_DIR outlived the stop (killed):$left" >&2
		return 1
	}
}

# pg_db_fresh: a new, empty database for this test, made the default
# (PGDATABASE); pg_db_drop (from teardown) drops it again
pg_db_fresh() {
	PG_TEST_DB=guise_test_${BATS_SUITE_TEST_NUMBER:-0}
	PGOPTIONS='-c client_min_messages=warning' \
		dropdb --if-exists --force "$PG_TEST_DB" || return 1
	createdb "$PG_TEST_DB" || return 1
	export PG_TEST_DB PGDATABASE=$PG_TEST_DB
}

# pg_db_sweep: every test database (guise_test_*) dropped, for a suite whose
# teardowns do not drop theirs (they may still read them)
pg_db_sweep() {
	local db
	for db in $(psql -X -At -d postgres -c "SELECT datname FROM pg_database WHERE datname LIKE 'guise\_test\_%'"); do
		PGOPTIONS='-c client_min_messages=warning' dropdb --if-exists --force "$db" || return 1
	done
}

pg_db_drop() {
	[[ -n ${PG_TEST_DB-} ]] || return 0
	PGOPTIONS='-c client_min_messages=warning' \
		dropdb --if-exists --force "$PG_TEST_DB"
}

# pg_tcp_listeners: the TCP sockets the cluster's processes listen on, one
# "inode" a line (none, with listen_addresses = ''): their socket inodes
# from /proc/<pid>/fd matched against /proc/net/tcp{,6} in state LISTEN
pg_tcp_listeners() {
	local pid fd inodes=
	for pid in $(pg_cluster_pids); do
		for fd in /proc/"$pid"/fd/*; do
			fd=$(readlink "$fd" 2> /dev/null) || continue
			[[ $fd == socket:\[*\] ]] && inodes="$inodes ${fd//[!0-9]/}"
		done
	done
	awk -v inodes="$inodes" '
		BEGIN { n = split(inodes, list, " "); for (i = 1; i <= n; i++) ours[list[i]] = 1 }
		FNR > 1 && $4 == "0A" && ($10 in ours) { print $10 }
	' /proc/net/tcp /proc/net/tcp6 2> /dev/null
}
