#!/usr/bin/env bats
# The switch of tests/common.bash that runs the store's suites on either
# store (GUISE_TEST_STORE, issue 17): each db_* and store_* helper gives
# the same answer on a SQLite file and on a PostgreSQL database, checked
# on a table made by hand (no guise command involved). make check runs it
# on SQLite; under GUISE_TEST_STORE=pg it runs against the suite's cluster.

load common

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	common_setup
	local blob=BLOB
	store_is_pg && blob=BYTEA
	db_sql "CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, b $blob,
		CONSTRAINT t_n_small CHECK (n < 100));
		INSERT INTO t VALUES ('a', 1, $(db_blob 00FF41)), ('b', NULL, NULL)"
}

@test "GUISE_DB: a file in the test's directory, or a URI of the cluster's socket" {
	if store_is_pg; then
		assert_regex "$GUISE_DB" "^postgresql:///guise_test_[0-9]+\\?host=/tmp/guise-pg\\.[A-Za-z0-9]+&port=$PG_PORT$"
		run_ok psql -X -At -d "$GUISE_DB" -c 'SELECT current_database()'
		assert_output "$PG_TEST_DB"
	else
		assert_equal "$GUISE_DB" "$BATS_TEST_TMPDIR/guise.db"
	fi
	assert_equal "$(uri_encode '/tmp/a b%c')" '/tmp/a%20b%25c'
}

# What db_sql exits with when its SQL fails: sqlite3's 1, psql's 3 (an
# error in a script, with ON_ERROR_STOP); a crash would be neither.
sql_error_status() {
	if store_is_pg; then echo 3; else echo 1; fi
}

@test "db_sql: sqlite3's rows ('a|b', NULL empty), every statement's, from an argument or stdin" {
	run_ok db_sql "SELECT id, n FROM t ORDER BY id; SELECT count(*) FROM t"
	assert_output $'a|1\nb|\n2'
	run_ok db_sql <<< "UPDATE t SET n = 2 WHERE id = 'a'; SELECT n FROM t WHERE id = 'a'"
	assert_output 2
	run -"$(sql_error_status)" db_sql 'SELECT nothing FROM t'
	[[ $output == *nothing* ]] || fail "not the column's error: $output"
}

@test "db_hex, db_blob, db_zeros, db_bytes_at: bytes alike on both" {
	assert_equal "$(db_sql "SELECT $(db_hex b), length(b) FROM t WHERE id = 'a'")" '00FF41|3'
	assert_equal "$(db_sql "SELECT $(db_bytes_at b A), $(db_bytes_at b Z) FROM t WHERE id = 'a'")" '3|0'
	db_sql "UPDATE t SET b = $(db_zeros 4) WHERE id = 'b'"
	assert_equal "$(db_sql "SELECT $(db_hex b) FROM t WHERE id = 'b'")" 00000000
	assert_equal "$(db_columns t | paste -s -d ' ')" 'id n b'
}

@test "db_sql_refused and db_sql_unguarded: a CHECK refused, then forced past" {
	db_sql_refused "CHECK constraint failed" "UPDATE t SET n = 100 WHERE id = 'a'"
	db_sql_refused "UNIQUE constraint failed" "INSERT INTO t (id) VALUES ('a')"
	store_is_pg || db_sql 'CREATE TRIGGER t_none BEFORE DELETE ON t BEGIN SELECT 1; END'
	db_sql_unguarded t t_none "UPDATE t SET n = 100 WHERE id = 'a'"
	assert_equal "$(db_sql "SELECT n FROM t WHERE id = 'a'")" 100
}

@test "db_dump and store_fingerprint change with the data, not with a rolled-back write" {
	local dump print
	dump=$(db_dump)
	print=$(store_fingerprint)
	[[ $dump == *a* ]] || fail "no row in the dump: $dump"
	run db_sql_refused "UNIQUE constraint failed" "INSERT INTO t (id) VALUES ('a')"
	assert_equal "$(db_dump)" "$dump"
	assert_equal "$(store_fingerprint)" "$print"
	db_sql "UPDATE t SET n = 3 WHERE id = 'a'"
	[[ $(db_dump) != "$dump" ]] || fail "the dump did not change"
	[[ $(db_dump) == *"$(db_dump_row t a)"* ]] || fail "no row a in: $(db_dump)"
}

@test "store_strings and store_has_bytes see what is stored, and only that" {
	db_sql "INSERT INTO t (id) VALUES ('plain-Quokka-canary')"
	run -0 grep -c plain-Quokka-canary <(store_strings)
	run -0 store_has_bytes 00FF41
	run -1 store_has_bytes 0102030405060708090A0B0C0D0E0F
}

@test "the schema version, store_integrity, store_write_free" {
	if store_is_pg; then
		db_sql "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
			INSERT INTO meta VALUES ('schema_version', '9')"
	fi
	db_set_schema_version 99
	assert_equal "$(db_schema_version)" 99
	run_ok store_integrity
	assert_output ok
	run_ok store_write_free
}

@test "store_new, store_save, store_restore, store_reset: other stores of the test's" {
	local main=$GUISE_DB copy
	copy=$(store_save copy)
	db_sql "DELETE FROM t"
	assert_equal "$(GUISE_DB=$copy db_sql 'SELECT count(*) FROM t')" 2
	store_restore copy
	assert_equal "$(db_sql 'SELECT count(*) FROM t')" 2
	store_new other
	[[ $GUISE_DB != "$main" ]] || fail "store_new kept $GUISE_DB"
	run -"$(sql_error_status)" db_sql 'SELECT count(*) FROM t'
	[[ $output == *"no such table: t"* || $output == *'relation "t" does not exist'* ]] ||
		fail "not the table's error: $output"
	GUISE_DB=$main
	store_reset
	run -"$(sql_error_status)" db_sql 'SELECT count(*) FROM t'
	[[ $output == *"no such table: t"* || $output == *'relation "t" does not exist'* ]] ||
		fail "not the table's error: $output"
}

@test "require_sqlite_store skips under pg only" {
	require_sqlite_store "the test of the skip"
	store_is_pg && fail "ran under pg"
	[[ -f $GUISE_DB ]]
}
