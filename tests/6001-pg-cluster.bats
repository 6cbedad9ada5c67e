#!/usr/bin/env bats
# The throwaway PostgreSQL cluster of tests/pg.bash, which the PostgreSQL
# store's suites stand on (issue 17): one per suite, a libpq client
# reaches it on its Unix socket and nowhere else, it runs as an
# unprivileged user who owns its data, a test can have a fresh database,
# and stopping it leaves nothing running.

load pg

setup_file() { pg_start; }

teardown_file() { pg_stop; }

setup() { common_setup; }

teardown() {
	[[ -z ${LISTENER-} ]] || kill "$LISTENER"
	pg_db_drop
}

@test "a libpq client reaches the cluster on its Unix socket" {
	[[ -S $PG_DIR/.s.PGSQL.$PG_PORT ]] || fail "no socket in $PG_DIR"
	run_ok psql -XAtc 'select 1'
	assert_output 1
	# inet_server_addr() is NULL on a Unix-socket connection
	run_ok psql -XAtc "select inet_server_addr() is null, current_user, current_database(),
		current_setting('unix_socket_directories'), current_setting('fsync')"
	assert_output "t|postgres|postgres|$PG_DIR|off"
	run_ok pg_isready -q
}

@test "the cluster listens on no TCP port" {
	run_ok psql -XAtc 'show listen_addresses'
	assert_output ''
	run -0 grep -c "^listen_addresses = ''$" "$PGDATA/postgresql.conf"
	assert_output 1
	run_ok pg_tcp_listeners
	assert_output ''
	# and pg_tcp_listeners does see a process's TCP listener: a python one
	# standing in for the postmaster
	local ready=$BATS_TEST_TMPDIR/listening
	python3 -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
open(sys.argv[1], "w").close()
s.accept()' "$ready" 3>&- &
	LISTENER=$!
	wait_until 10 test -e "$ready"
	PG_PID=$LISTENER run_ok pg_tcp_listeners
	assert_output --regexp '^[0-9]+$'
}

@test "the server runs as an unprivileged user who owns its data directory" {
	local user
	user=$(stat -c %U "$PGDATA")
	assert_equal "$user" "$PG_OS_USER"
	assert_equal "$(stat -c %U "/proc/$PG_PID")" "$PG_OS_USER"
	assert_equal "$(stat -c %a "$PGDATA")" 700
	((EUID != 0)) || [[ $user != root ]] || fail "the server runs as root"
	run_ok psql -XAtc "select current_setting('data_directory')"
	assert_output "$PGDATA"
}

@test "pg_db_fresh gives a test its own empty database" {
	run_ok pg_db_fresh
	pg_db_fresh
	assert_equal "$PGDATABASE" "guise_test_$BATS_SUITE_TEST_NUMBER"
	run_ok psql -XAtc "select current_database(), count(*) from pg_tables where schemaname = 'public'"
	assert_output "$PGDATABASE|0"
	run_ok psql -XAtqc 'create table left_behind (x int)'
}

@test "the last test's database was dropped in its teardown" {
	pg_db_fresh
	run_ok psql -XAtc "select string_agg(datname, ',') from pg_database where datname like 'guise\_test\_%'"
	assert_output "$PGDATABASE"
	run_ok psql -XAtc "select to_regclass('left_behind') is null"
	assert_output t
}

@test "pg_stop ends every process of a cluster and removes its directory, beside another cluster" {
	local suite_dir=$PG_DIR pids pid
	pg_start
	[[ $PG_DIR != "$suite_dir" ]] || fail "the second cluster shares the suite's directory"
	run_ok psql -XAtc 'select 2'
	assert_output 2
	pids=$(pg_cluster_pids)
	(($(wc -w <<< "$pids") > 1)) || fail "no postmaster children found: $pids"
	run_ok pg_stop
	[[ ! -e $PG_DIR ]] || fail "$PG_DIR is still there"
	for pid in $pids; do
		! kill -0 "$pid" 2> /dev/null || [[ $(< "/proc/$pid/stat") == *") Z "* ]] ||
			fail "process $pid of the stopped cluster is still running"
	done
	run -2 pg_isready -q
	# the suite's cluster runs on
	PGHOST=$suite_dir run_ok psql -XAtc 'select 1'
	assert_output 1
}
