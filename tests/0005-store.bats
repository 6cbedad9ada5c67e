#!/usr/bin/env bats
# The store (DESIGN.md §5): file modes, the connection recipe, migrations
# racing, refusing newer or foreign files, and schema v1's tables,
# columns and constraints, checked with the sqlite3 command on real files.
# Under GUISE_TEST_STORE=pg the tests whose point carries over run against
# PostgreSQL (the migration race, a newer schema, a foreign database, the
# columns, the constraints); those about the SQLite file itself skip.

load common

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { common_setup; }

mode() { stat -c %a "$1"; }

@test "a new database is 0600 in a 0700 directory whatever the umask" {
	require_sqlite_store "the modes of the database file, its directory, -wal and -shm"
	local db=$BATS_TEST_TMPDIR/new/dir/guise.db
	run_ok sh -c "umask 022 && test-tool store-open -d '$db'"
	assert_equal "$(mode "$db")" 600
	assert_equal "$(mode "${db%/*}")" 700
	assert_equal "$(mode "$BATS_TEST_TMPDIR/new")" 700
	db=$BATS_TEST_TMPDIR/open/guise.db
	run_ok sh -c "umask 000 && test-tool store-open -d '$db'"
	assert_equal "$(mode "$db")" 600
	assert_equal "$(mode "${db%/*}")" 700
	# SQLite gives its -wal and -shm the database's mode
	mkfifo "$BATS_TEST_TMPDIR/sql"
	(umask 022 && sqlite3 "$db" < "$BATS_TEST_TMPDIR/sql") &
	exec 5> "$BATS_TEST_TMPDIR/sql"
	echo "INSERT INTO meta VALUES ('k', 'v');" >&5
	wait_until 10 test -e "$db-shm"
	assert_equal "$(mode "$db-wal")" 600
	assert_equal "$(mode "$db-shm")" 600
	exec 5>&-
	wait
}

@test "the default path is created under XDG_DATA_HOME or HOME" {
	unset GUISE_DB
	run_ok test-tool store-open
	[[ -f $HOME/.local/share/guise/guise.db ]]
	assert_equal "$(mode "$HOME/.local/share/guise")" 700
	XDG_DATA_HOME=$BATS_TEST_TMPDIR/xdg run_ok test-tool store-open
	[[ -f $BATS_TEST_TMPDIR/xdg/guise/guise.db ]]
}

@test "every connection: WAL, foreign keys, trusted_schema off, secure_delete, 10 s busy timeout, reads mapped" {
	require_sqlite_store "SQLite's connection PRAGMAs"
	run -0 --separate-stderr test-tool store-open -y
	assert_output --regexp '^---
schema: 9
migrated: true
db_id: "?[0-9a-f]{32}"?
journal_mode: wal
foreign_keys: "1"
trusted_schema: "0"
secure_delete: "1"
busy_timeout: "10000"
mmap_size: "268435456"
application_id: "1735747955"
user_version: "9"$'
	assert_equal "$stderr" ""
	run_ok test-tool store-open
	assert_output --partial '"migrated":false'
}

@test "8 processes opening a fresh database at once: exactly one migrates, none fails" {
	local round i
	for round in 1 2 3 4 5; do
		store_reset
		for i in 1 2 3 4 5 6 7 8; do
			test-tool store-open > "$BATS_TEST_TMPDIR/out.$i" 2> "$BATS_TEST_TMPDIR/err.$i" &
		done
		for i in 1 2 3 4 5 6 7 8; do wait -n || fail "round $round: a process failed: $(cat "$BATS_TEST_TMPDIR"/err.*)"; done
		assert_equal "$(cat "$BATS_TEST_TMPDIR"/err.*)" ""
		assert_equal "$(grep -l '"migrated":true' "$BATS_TEST_TMPDIR"/out.* | wc -l)" 1
		assert_equal "$(grep -l '"migrated":false' "$BATS_TEST_TMPDIR"/out.* | wc -l)" 7
		# all saw the same database
		assert_equal "$(grep -o '"db_id":"[0-9a-f]*"' "$BATS_TEST_TMPDIR"/out.* | cut -d: -f2- | sort -u | wc -l)" 1
	done
}

@test "a database with a newer schema is refused with 78 and left untouched" {
	run -0 test-tool store-open
	# a file without WAL, to see that opening it does not turn WAL on
	store_is_pg || db_sql 'PRAGMA journal_mode=DELETE' > /dev/null
	db_set_schema_version 99
	local before
	before=$(store_fingerprint)
	run_err 78 "test-tool: database '$GUISE_DB' has schema version 99, newer than this guise knows (9): upgrade guise" test-tool store-open
	assert_equal "$(store_fingerprint)" "$before"
	store_is_pg && return
	[[ ! -e $GUISE_DB-wal && ! -e $GUISE_DB-shm ]]
	assert_equal "$(db_sql 'PRAGMA journal_mode')" delete
}

@test "a file that is not a guise database is refused with 78" {
	if store_is_pg; then
		# a database with tables but no guise meta
		db_sql 'CREATE TABLE other (x INTEGER)'
		run_err 78 "test-tool: '$GUISE_DB' is not a guise database" test-tool store-open
		return
	fi
	printf 'not a database at all, just text that is long enough to be read\n%.0s' {1..20} > "$GUISE_DB"
	run_err 78 "test-tool: '$GUISE_DB' is not a guise database" test-tool store-open
	rm "$GUISE_DB"
	db_sql 'CREATE TABLE other (x)'
	run -78 --separate-stderr test-tool store-open
	assert_equal "$stderr" "test-tool: '$GUISE_DB' is not a guise database"
	rm "$GUISE_DB"
	db_sql 'PRAGMA application_id=42'
	run -78 --separate-stderr test-tool store-open
	assert_equal "$stderr" "test-tool: '$GUISE_DB' is not a guise database"
}

@test "a damaged database is an I/O error (74)" {
	require_sqlite_store "garbage written over the file's pages"
	run -0 test-tool store-open
	head -c 12288 /dev/zero | tr '\0' '\377' | dd of="$GUISE_DB" bs=4096 seek=1 conv=notrunc 2> /dev/null
	run -74 --separate-stderr test-tool store-open
	assert_output ""
	[[ $stderr == "test-tool: database '$GUISE_DB': "*"database disk image is malformed" ]] || fail "$stderr"
}

@test "a database that cannot be created is an I/O error (74)" {
	run_err 74 "test-tool: cannot create directory for '/proc/guise/guise.db': No such file or directory" test-tool store-open -d /proc/guise/guise.db
}

# Columns of DESIGN.md §5; "enc:" marks an encrypted column (with _nonce).
# A card row's encrypted columns are the V3 fields of lib/card_fields.h
# with origin, card_raw, avatar and extra, as the vault lists them (held to
# the schema by 1018-card-fields.bats).
CARD_COLUMNS="id user_id spec spec_version created_at updated_at content_hash
	$(test-tool vault-columns characters | sed 's/^/enc:/')"

# column_names TABLE: its columns, space-separated; column_type TABLE
# COLUMN: its declared type, as the store names it
column_names() { db_columns "$1" | paste -s -d ' '; }

column_type() {
	if store_is_pg; then
		db_sql "SELECT data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = '$1' AND column_name = '$2'"
	else
		db_sql "SELECT type FROM pragma_table_info('$1') WHERE name = '$2'"
	fi
}

# foreign_keys TABLE: "table.column->ON DELETE action" of its foreign keys
foreign_keys() {
	if store_is_pg; then
		db_sql "SELECT c.confrelid::regclass || '.' || a.attname || '->' ||
				CASE c.confdeltype WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT'
					WHEN 'c' THEN 'CASCADE' WHEN 'd' THEN 'SET DEFAULT' ELSE 'NO ACTION' END
			FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
			WHERE c.conrelid = '$1'::regclass AND c.contype = 'f' ORDER BY 1"
	else
		db_sql "SELECT \"table\" || '.' || \"from\" || '->' || \"on_delete\" FROM pragma_foreign_key_list('$1') ORDER BY 1"
	fi
}

assert_columns() {
	local table=$1 col have blob=BLOB
	store_is_pg && blob=bytea
	shift
	have=" $(column_names "$table") "
	for col in $*; do
		if [[ $col == enc:* ]]; then
			col=${col#enc:}
			[[ $have == *" ${col}_nonce "* ]] || fail "$table.${col}_nonce missing"
			assert_equal "$(column_type "$table" "$col")" "$blob"
		fi
		[[ $have == *" $col "* ]] || fail "$table.$col missing"
	done
}

@test "schema v1 has every table and column of DESIGN.md §5, all STRICT" {
	run -0 test-tool store-open
	assert_columns meta key value
	assert_columns users id username email role account_status created_at \
		updated_at kdf_alg kdf_opslimit kdf_memlimit kek_salt dek_wrapped \
		dek_nonce dek_version recovery_dek_wrapped recovery_nonce default_persona_id
	assert_columns characters $CARD_COLUMNS
	assert_columns user_personas $CARD_COLUMNS position depth role
	assert_columns chat_sessions id user_id character_id enc:title settings \
		history_limit context_tokens model_name created_at updated_at \
		active_custom_persona_id active_impersonated_character_id
	assert_columns chat_messages id session_id user_id seq role enc:content \
		speaker_kind speaker_id enc:speaker_name status model input_tokens \
		output_tokens created_at swipe_index swipe_count
	assert_columns chat_swipes id message_id user_id swipe_index enc:content \
		speaker_kind speaker_id enc:speaker_name status model input_tokens \
		output_tokens created_at
	store_is_pg ||
		assert_equal "$(db_sql "SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' AND strict = 0")" 0
	assert_equal "$(db_sql "SELECT count(*) FROM meta WHERE key = 'db_id' AND length(value) = 32")" 1
	assert_equal "$(foreign_keys chat_sessions)" \
		"characters.active_impersonated_character_id->SET NULL
characters.character_id->RESTRICT
user_personas.active_custom_persona_id->SET NULL
users.user_id->CASCADE"
}

# Rows for two users, made with the sqlite3 command (psql) as an attacker
# would.
seed() {
	local zero
	zero=$(db_blob 00)
	db_sql_fk <<SQL
INSERT INTO users (id, username, created_at, updated_at, kdf_alg, kdf_opslimit, kdf_memlimit, kek_salt, dek_wrapped, dek_nonce)
VALUES ('u1', 'alice', 't', 't', 'argon2id13', 1, 8192, $zero, $zero, $zero),
       ('u2', 'bob', 't', 't', 'argon2id13', 1, 8192, $zero, $zero, $zero);
INSERT INTO characters (id, user_id, created_at, updated_at) VALUES
	('c1', 'u1', 't', 't'), ('c2', 'u1', 't', 't'), ('c3', 'u2', 't', 't');
INSERT INTO user_personas (id, user_id, created_at, updated_at) VALUES
	('p1', 'u1', 't', 't'), ('p3', 'u2', 't', 't');
INSERT INTO chat_sessions (id, user_id, character_id, created_at, updated_at)
VALUES ('s1', 'u1', 'c1', 't', 't');
SQL
}

# sqlite3 with foreign keys on, as guise's connections have them
sql() { db_sql_fk "$@"; }

# sql_refused WORDS SQL: sql SQL fails on a constraint, WORDS in its error
sql_refused() { db_sql_refused "$@"; }

@test "constraints: one active persona at most, never the session's own character" {
	run -0 test-tool store-open
	seed
	sql_refused "CHECK constraint failed" "UPDATE chat_sessions SET active_custom_persona_id = 'p1', active_impersonated_character_id = 'c2' WHERE id = 's1'"
	sql_refused "CHECK constraint failed" "UPDATE chat_sessions SET active_impersonated_character_id = 'c1' WHERE id = 's1'"
	run_ok sql "UPDATE chat_sessions SET active_impersonated_character_id = 'c2' WHERE id = 's1'"
	run_ok sql "UPDATE chat_sessions SET active_impersonated_character_id = NULL, active_custom_persona_id = 'p1' WHERE id = 's1'"
	assert_equal "$(sql "SELECT active_custom_persona_id FROM chat_sessions")" p1
}

@test "constraints: nothing of another user can be bound, even by hand" {
	run -0 test-tool store-open
	seed
	sql_refused "session binds an object of another user" "UPDATE chat_sessions SET active_custom_persona_id = 'p3' WHERE id = 's1'"
	sql_refused "session binds an object of another user" "UPDATE chat_sessions SET active_impersonated_character_id = 'c3' WHERE id = 's1'"
	sql_refused "session binds an object of another user" "INSERT INTO chat_sessions (id, user_id, character_id, created_at, updated_at) VALUES ('s2', 'u2', 'c1', 't', 't')"
	sql_refused "default persona belongs to another user" "UPDATE users SET default_persona_id = 'p3' WHERE id = 'u1'"
	sql_refused "message belongs to another user than its session" "INSERT INTO chat_messages (id, session_id, user_id, seq, role, created_at) VALUES ('m1', 's1', 'u2', 1, 'user', 't')"
	assert_equal "$(sql "SELECT count(*) FROM chat_messages")" 0
}

@test "constraints: deleting binds to SET NULL, RESTRICT and CASCADE as §5 says" {
	run -0 test-tool store-open
	seed
	sql "UPDATE chat_sessions SET active_custom_persona_id = 'p1' WHERE id = 's1'"
	sql "UPDATE users SET default_persona_id = 'p1' WHERE id = 'u1'"
	sql "INSERT INTO chat_messages (id, session_id, user_id, seq, role, created_at) VALUES ('m1', 's1', 'u1', 1, 'user', 't')"
	sql_refused "UNIQUE constraint failed" "INSERT INTO chat_messages (id, session_id, user_id, seq, role, created_at) VALUES ('m2', 's1', 'u1', 1, 'user', 't')"
	sql "DELETE FROM user_personas WHERE id = 'p1'"
	assert_equal "$(sql "SELECT coalesce(active_custom_persona_id, 'NULL') FROM chat_sessions")" NULL
	assert_equal "$(sql "SELECT coalesce(default_persona_id, 'NULL') FROM users WHERE id = 'u1'")" NULL
	sql_refused "FOREIGN KEY constraint failed" "DELETE FROM characters WHERE id = 'c1'"
	sql "DELETE FROM users WHERE id = 'u1'"
	assert_equal "$(sql "SELECT (SELECT count(*) FROM characters) || ' ' || (SELECT count(*) FROM chat_sessions) || ' ' || (SELECT count(*) FROM chat_messages)")" "1 0 0"
}

@test "an encrypted column and its nonce are set together or not at all" {
	run -0 test-tool store-open
	seed
	sql_refused "CHECK constraint failed" "UPDATE characters SET name = $(db_blob 01) WHERE id = 'c1'"
	run_ok sql "UPDATE characters SET name = $(db_blob 01), name_nonce = $(db_blob 02) WHERE id = 'c1'"
	# a STRICT table's type check (PostgreSQL reads a quoted literal as bytea)
	store_is_pg ||
		sql_refused "cannot store TEXT value in BLOB column" "UPDATE characters SET name = 'text', name_nonce = x'02' WHERE id = 'c1'"
}

@test "a migration runs with foreign keys off: a row left pointing nowhere before (by hand) does not stop it, the upgrade keeps it as it was" {
	require_sqlite_store "a SQLite file of schema 3 upgraded"
	db_sql < "$DATA/schema3/alice.sql"
	# the sqlite3 command has foreign keys off: a character of no user
	db_sql "INSERT INTO characters (id, user_id, created_at, updated_at)
		VALUES ('dangling', 'no-such-user', 't', 't')"
	run_ok test-tool store-open
	assert_output --partial '"migrated":true'
	assert_equal "$(db_sql 'PRAGMA user_version')" 9
	assert_equal "$(db_sql 'PRAGMA foreign_key_check' | cut -d'|' -f1 | sort -u)" characters
	assert_equal "$(db_sql "SELECT user_id FROM characters WHERE id = 'dangling'")" no-such-user
}
