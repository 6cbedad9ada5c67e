#!/usr/bin/env bats
# The PostgreSQL backend of lib/db.h (lib/db_pg*.c) against a real server
# (tests/pg.bash): binds and rows as SQLite gives them (NULLs, BYTEA with
# zero bytes, int64 extremes, booleans as 1/0), `?`/`?NNN` placeholders,
# changes and transactions, row locks and blob writes, each server error
# as its exit status, and a connection string's password in no message.
# test-tool db drives db.h step by step on one connection.

load pg

setup_file() { pg_start; }

teardown_file() { pg_stop; }

setup() {
	common_setup
	pg_db_fresh
	URI="postgresql:///$PG_TEST_DB?host=$PG_DIR&port=$PG_PORT"
	export GUISE_DB=$URI
}

teardown() { pg_db_drop; }

@test "binds and rows: text, NULL, bytea with zero bytes, int64 extremes, booleans" {
	run_ok test-tool db \
		exec "CREATE TABLE t (id TEXT PRIMARY KEY, b BYTEA, n BIGINT)" \
		query - "INSERT INTO t (id, b, n) VALUES (?1, ?2, ?3)" \
		"t:a,x:00ff0000,i:9223372036854775807" \
		changes \
		query - "INSERT INTO t VALUES (?, ?, ?)" "t:b,x:,i:-9223372036854775808" \
		query - "INSERT INTO t VALUES (?, ?, ?)" "t:c,n,n" \
		query tnxititnx "SELECT id, id, b, n, n, n > 0, n > 0, b, b FROM t ORDER BY id" -
	assert_output - <<- 'EOF'
		changes 1
		["a",false,"00ff0000",9223372036854775807,"9223372036854775807",1,"1",false,"00ff0000"]
		["b",false,"",-9223372036854775808,"-9223372036854775808",0,"0",false,""]
		["c",false,null,0,null,0,null,true,null]
	EOF
}

@test "text with a zero byte inside is refused by the server, not cut short" {
	run_ok test-tool db query t "SELECT ?1 || 'x'" "t:abc"
	assert_output '["abcx"]'
	# a BYTEA keeps a zero byte; text cannot hold one (0x00 is not UTF-8 text)
	run_ok test-tool db query xi "SELECT ?1::bytea, length(?1)" "x:610062"
	assert_output '["610062",3]'
}

@test "a bind's type goes with it: ?2 IS NULL needs no cast, NULL or text" {
	run_ok test-tool db \
		exec "CREATE TABLE t (id TEXT, c TEXT); INSERT INTO t VALUES ('a', 'x'), ('b', NULL)" \
		query i "SELECT count(*) FROM t WHERE ?1 IS NULL OR c = ?1" n \
		query i "SELECT count(*) FROM t WHERE ?1 IS NULL OR c = ?1" t:x \
		query i "SELECT count(*) FROM t WHERE substr(id, 1, length(?1)) = ?1" t:a \
		once i "SELECT count(*) FROM t WHERE ?1 IS NULL OR c = ?1" n
	assert_output - <<- 'EOF'
		[2]
		[1]
		[1]
		[2]
	EOF
	# inside a transaction, where a failed parse would fail it
	run_ok test-tool db begin \
		query i "SELECT count(*) FROM t WHERE ?1 IS NULL OR c = ?1" n \
		once i "SELECT ?1 IS NULL" n \
		query - "INSERT INTO t VALUES (?1, ?2)" t:c,n tx commit \
		query i "SELECT count(*) FROM t WHERE c IS NULL" -
	assert_output - <<- 'EOF'
		[2]
		[1]
		in_transaction 1
		[2]
	EOF
}

@test "placeholders: ? numbers on from the largest, ?NNN as it is, none inside literals or comments" {
	run_ok test-tool db query tttt "SELECT ?2, ?, '?' || \"?\", \$q\$?\$q\$ FROM (SELECT 1 AS \"?\") s -- ?
/* ? /* ? */ ? */" "t:one,t:two,t:three"
	assert_output '["two","three","?1","?"]'
	run_err 70 "test-tool: database '$URI': preparing a statement: a placeholder out of range or next to a word" \
		test-tool db query t "SELECT ?0" -
	run_err 70 "test-tool: database '$URI': column index out of range" \
		test-tool db query t "SELECT ?1" "t:a,t:b"
}

@test "a kept statement is prepared once per connection, under its own name" {
	run_ok test-tool db query i "SELECT 1" - query i "SELECT 1" - \
		query t "SELECT name FROM pg_prepared_statements ORDER BY name" -
	assert_output - <<- 'EOF'
		[1]
		[1]
		["g1"]
		["g2"]
	EOF
}

@test "changes counts what a statement changed; in_transaction follows BEGIN, COMMIT, ROLLBACK" {
	run_ok test-tool db exec "CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT)" \
		exec "INSERT INTO t VALUES ('a', 1), ('b', 2), ('c', 3)" changes \
		tx begin tx \
		query - "UPDATE t SET n = n + 1 WHERE n > ?1" i:1 changes \
		query i "SELECT count(*) FROM t" - changes \
		query - "INSERT INTO t VALUES ('a', 0) ON CONFLICT DO NOTHING" - changes \
		rollback tx \
		query i "SELECT sum(n) FROM t" -
	assert_output - <<- 'EOF'
		changes 3
		in_transaction 0
		in_transaction 1
		changes 2
		[3]
		changes 2
		changes 0
		in_transaction 0
		[6]
	EOF
}

@test "lock takes the row; blob-write replaces a column's value by id" {
	run_ok test-tool db exec "CREATE TABLE t (id TEXT PRIMARY KEY, b BYTEA)" \
		query - "INSERT INTO t VALUES (?1, ?2)" "t:a,z:4" \
		query x "SELECT b FROM t" - \
		begin lock t a lock t missing blob-write t b a 00010200 commit \
		query x "SELECT b FROM t" -
	assert_output - <<- 'EOF'
		["00000000"]
		["00010200"]
	EOF
	run_err 70 "test-tool: database '$URI': writing a blob: no such row to write" \
		test-tool db blob-write t b nobody 00
}

@test "a row lock holds another writer off until it gives up: 75" {
	psql -XAtqc "CREATE TABLE t (id TEXT PRIMARY KEY); INSERT INTO t VALUES ('a')"
	local fifo=$BATS_TEST_TMPDIR/holder
	mkfifo "$fifo"
	psql -XAtq -f "$fifo" > "$BATS_TEST_TMPDIR/holder.out" 3>&- &
	local holder=$!
	exec {hold}> "$fifo"
	printf '%s\n' "BEGIN;" "SELECT 1 FROM t WHERE id = 'a' FOR UPDATE;" "\\o $BATS_TEST_TMPDIR/locked" \
		"SELECT 1;" >&"$hold"
	wait_until 10 test -s "$BATS_TEST_TMPDIR/locked"
	run_err 75 "test-tool: database '$URI': canceling statement due to lock timeout (try again)" \
		test-tool db exec "SET lock_timeout = 50" begin lock t a
	echo "ROLLBACK;" >&"$hold"
	exec {hold}>&-
	wait "$holder"
}

@test "server errors as exit statuses: constraint 65, bad SQL 70, lost connection 75, no rights 77" {
	psql -XAtqc "CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT CONSTRAINT n_small CHECK (n < 10));
		CREATE ROLE nobody_here LOGIN; INSERT INTO t VALUES ('a', 1)"
	run_err 65 "test-tool: database '$URI': duplicate key value violates unique constraint \"t_pkey\"" \
		test-tool db query - "INSERT INTO t VALUES (?1, 1)" t:a
	run_err 65 "test-tool: database '$URI': new row for relation \"t\" violates check constraint \"n_small\"" \
		test-tool db query - "INSERT INTO t VALUES (?1, ?2)" t:b,i:11
	run_err 70 "test-tool: database '$URI': syntax error at or near \"SELEC\"" \
		test-tool db exec "SELEC 1"
	run_err 70 "test-tool: database '$URI': relation \"nowhere\" does not exist" \
		test-tool db query t "SELECT id FROM nowhere" -
	run_err 75 "test-tool: database '$URI': terminating connection due to administrator command (try again)" \
		test-tool db exec "SELECT pg_terminate_backend(pg_backend_pid())"
	local other="postgresql://nobody_here@/$PG_TEST_DB?host=$PG_DIR&port=$PG_PORT"
	run_err 77 "test-tool: database '$other': permission denied for table t" \
		test-tool db -d "$other" query t "SELECT id FROM t" -
}

@test "a server that is down: 69 naming where, after the connect timeout" {
	local down="postgresql:///guise?host=$BATS_TEST_TMPDIR&port=$PG_PORT"
	run_err 69 "test-tool: cannot connect to database '$down': connection to server on socket \"$BATS_TEST_TMPDIR/.s.PGSQL.$PG_PORT\" failed: No such file or directory" \
		test-tool db -d "$down" exec "SELECT 1"
}

@test "libpq is loaded only for a PostgreSQL store: where it cannot be, 69; a SQLite store never needs it" {
	# a libpq.so.5 that is no library, found first
	mkdir "$BATS_TEST_TMPDIR/lib"
	echo "not a library" > "$BATS_TEST_TMPDIR/lib/libpq.so.5"
	LD_LIBRARY_PATH=$BATS_TEST_TMPDIR/lib run -69 --separate-stderr test-tool db -d "$URI" exec "SELECT 1"
	assert_output ""
	assert_equal "$stderr" "test-tool: a PostgreSQL store needs libpq, which did not load ($BATS_TEST_TMPDIR/lib/libpq.so.5: file too short)"
	# no command links it: a SQLite store works with it gone
	run ldd "$BUILD/bin/persona"
	refute_output --partial libpq
	GUISE_DB=$BATS_TEST_TMPDIR/x.db LD_LIBRARY_PATH=$BATS_TEST_TMPDIR/lib GUISE_PASSPHRASE=p \
		run_ok persona-encrypt init -u alice
}

@test "a connection string that does not parse: 64 naming it" {
	run_err 64 "test-tool: invalid database 'postgresql://u@[::1/db': end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"postgresql://u@[::1/db\"" \
		test-tool db -d 'postgresql://u@[::1/db' exec "SELECT 1"
	run_err 64 "test-tool: invalid database 'host=x nokey': missing \"=\" after \"nokey\" in connection info string" \
		test-tool db -d 'host=x nokey' exec "SELECT 1"
}

@test "a password, in a URI, a key=value string or PGPASSWORD, is in no message" {
	export PGPASSWORD=env-secret
	local with="postgresql://postgres:uri-secret@/$PG_TEST_DB?host=$PG_DIR&port=$PG_PORT"
	local shown="postgresql://postgres:***@/$PG_TEST_DB?host=$PG_DIR&port=$PG_PORT"
	run_err 70 "test-tool: database '$shown': syntax error at or near \"SELEC\"" \
		test-tool db -d "$with" exec "SELEC"
	run_err 70 "test-tool: database 'host=$PG_DIR dbname=$PG_TEST_DB': syntax error at or near \"SELEC\"" \
		test-tool db -d "host=$PG_DIR password='kv secret' dbname=$PG_TEST_DB" exec "SELEC"
	run -69 --separate-stderr test-tool db \
		-d "postgresql://u:uri-secret@/db?host=$BATS_TEST_TMPDIR&password=q-secret&sslmode=disable" exec "SELECT 1"
	assert_output ''
	[[ $stderr == "test-tool: cannot connect to database 'postgresql://u:***@/db?host=$BATS_TEST_TMPDIR&sslmode=disable': "* ]] ||
		fail "unexpected: $stderr"
	run -64 --separate-stderr test-tool db -d 'postgresql://u:uri-secret@[::1/db' exec "SELECT 1"
	assert_equal "$stderr" "test-tool: invalid database 'postgresql://u:***@[::1/db': end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"...\""
	run -64 --separate-stderr test-tool db -d 'host=x password kv-secret' exec "SELECT 1"
	[[ $stderr != *secret* ]] || fail "a password in: $stderr"
	# every setting named *password (a client key's too), and a key spelt with %XX
	run -69 --separate-stderr test-tool db \
		-d "postgresql:///db?host=$BATS_TEST_TMPDIR&sslpassword=ssl-secret&pass%77ord=pct-secret" exec "SELECT 1"
	assert_output ''
	[[ $stderr == "test-tool: cannot connect to database 'postgresql:///db?host=$BATS_TEST_TMPDIR': "* ]] ||
		fail "unexpected: $stderr"
	run -69 --separate-stderr test-tool db -d "host=$BATS_TEST_TMPDIR sslpassword=ssl-secret dbname=db" exec "SELECT 1"
	[[ $stderr == "test-tool: cannot connect to database 'host=$BATS_TEST_TMPDIR dbname=db': "* ]] ||
		fail "unexpected: $stderr"
}

@test "a database with tables but no guise meta is not ours: 78, nothing touched" {
	psql -XAtqc "CREATE TABLE other (x int)"
	run_err 78 "test-tool: '$URI' is not a guise database" test-tool store-open
	psql -XAtqc "CREATE TABLE meta (k int)"
	run_err 78 "test-tool: '$URI' is not a guise database" test-tool store-open
	run_ok psql -XAtc "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'"
	assert_output 'meta,other'
}

@test "a guise database newer than this build: 78" {
	psql -XAtqc "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
		INSERT INTO meta VALUES ('application', 'guise'), ('schema_version', '99'), ('db_id', 'x')"
	run_err 78 "test-tool: database '$URI' has schema version 99, newer than this guise knows (9): upgrade guise" \
		test-tool store-open
}

@test "an empty database is migrated by PostgreSQL's own files" {
	if ! compgen -G "$TOP/share/sql/pg/0009-*.sql" > /dev/null; then
		run_err 70 "test-tool: database '$URI': no migration of this store reaches schema version 9 (it is at 0)" \
			test-tool store-open
		skip "no share/sql/pg/0009-*.sql in this tree yet"
	fi
	run_ok test-tool store-open
	assert_output --regexp '^\{"schema":9,"migrated":true,"db_id":"[0-9a-f]{32}",'
	run_ok test-tool store-open
	assert_output --regexp '^\{"schema":9,"migrated":false,'
	run_ok psql -XAtc "SELECT value FROM meta WHERE key IN ('application', 'schema_version') ORDER BY key"
	assert_output - <<- 'EOF'
		guise
		9
	EOF
}

@test "of processes migrating an empty database at once, exactly one does it" {
	compgen -G "$TOP/share/sql/pg/0009-*.sql" > /dev/null || skip "no share/sql/pg/0009-*.sql in this tree yet"
	local i pids=()
	for i in 1 2 3 4 5 6 7 8; do
		test-tool store-open > "$BATS_TEST_TMPDIR/open.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fail "a store-open failed: $(cat "$BATS_TEST_TMPDIR"/open.*)"
	done
	run -0 grep -l '"migrated":true' "$BATS_TEST_TMPDIR"/open.1 "$BATS_TEST_TMPDIR"/open.2 \
		"$BATS_TEST_TMPDIR"/open.3 "$BATS_TEST_TMPDIR"/open.4 "$BATS_TEST_TMPDIR"/open.5 \
		"$BATS_TEST_TMPDIR"/open.6 "$BATS_TEST_TMPDIR"/open.7 "$BATS_TEST_TMPDIR"/open.8
	assert_equal "${#lines[@]}" 1
	run -0 grep -c '"schema":9,' "$BATS_TEST_TMPDIR"/open.1 "$BATS_TEST_TMPDIR"/open.8
	assert_output - <<- EOF
		$BATS_TEST_TMPDIR/open.1:1
		$BATS_TEST_TMPDIR/open.8:1
	EOF
}
