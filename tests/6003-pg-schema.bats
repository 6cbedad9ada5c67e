#!/usr/bin/env bats
# The PostgreSQL schema (share/sql/pg, issue 17) against SQLite's: the
# files applied to a fresh database as the runner applies them, then
# compared with a real SQLite store made by persona-encrypt init. Every
# list (tables, columns, CHECKs, keys, indexes, triggers) is read from both
# catalogs, never copied by hand, so a SQLite migration without its
# PostgreSQL pair fails here. Then the same statements go to both stores:
# what SQLite refuses PostgreSQL refuses, the ownership rules in the same
# words, and what a delete does to other rows is the same on both.

load pg

setup_file() {
	pg_start
	# the SQLite store to match, made as a user makes one
	export SQLITE_REF=$BATS_FILE_TMPDIR/ref.db
	printf 'a passphrase\n' > "$BATS_FILE_TMPDIR/pass"
	HOME=$BATS_FILE_TMPDIR GUISE_KDF=min GUISE_PASSPHRASE_FILE=$BATS_FILE_TMPDIR/pass \
		persona-encrypt init -d "$SQLITE_REF" -u alice > /dev/null
}

teardown_file() { pg_stop; }

setup() {
	common_setup
	pg_db_fresh
}

teardown() {
	pg_db_drop
	((${#REFUSED[@]} == 0)) || fail "refusals queued, never checked: ${REFUSED[*]}"
}

# pq ARGS...: psql on the test's database: unaligned, tuples only, quiet,
# stopping at the first error
pq() { psql -XAtq -v ON_ERROR_STOP=1 "$@"; }

# sq SQL: sqlite3 on the test's copy of the SQLite store, with foreign keys
# on as guise's connections have them
sq() { sqlite3 -cmd 'PRAGMA foreign_keys = ON' "$GUISE_DB" "$@"; }

# schema_apply: every file of share/sql/pg in order, each in its own
# transaction, then the version the runner writes after it
schema_apply() {
	local f n
	for f in "$TOP"/share/sql/pg/[0-9][0-9][0-9][0-9]-*.sql; do
		n=${f##*/}
		n=$((10#${n%%-*}))
		pq -1 -f "$f" || return 1
		pq -c "INSERT INTO meta (key, value) VALUES ('schema_version', '$n')
			ON CONFLICT (key) DO UPDATE SET value = excluded.value" || return 1
	done
}

# sql_for ENGINE SQL: SQL with @b (a one-byte blob) as ENGINE writes it
SQLITE_BLOB="x'01'"
PG_BLOB="'\x01'::bytea"
sql_for() {
	case $1 in
	sqlite) printf '%s' "${2//@b/$SQLITE_BLOB}" ;;
	pg) printf '%s' "${2//@b/$PG_BLOB}" ;;
	esac
}

# both SQL: SQL succeeds on both stores (after the refusals queued before)
both() {
	refused_check
	run_ok pq -c "$(sql_for pg "$1")"
	run_ok sq "$(sql_for sqlite "$1")"
}

# SEED: two users and one of each object for each, the same on both
SEED="
INSERT INTO users (id, username, created_at, updated_at, kdf_alg, kdf_opslimit,
	kdf_memlimit, kek_salt, dek_wrapped, dek_nonce)
VALUES ('u1', 'ann', 't', 't', 'a', 1, 8192, @b, @b, @b),
	('u2', 'bob', 't', 't', 'a', 1, 8192, @b, @b, @b);
INSERT INTO characters (id, user_id, created_at, updated_at)
VALUES ('c1', 'u1', 't', 't'), ('c2', 'u1', 't', 't'), ('c3', 'u2', 't', 't');
INSERT INTO user_personas (id, user_id, created_at, updated_at)
VALUES ('p1', 'u1', 't', 't'), ('p3', 'u2', 't', 't');
INSERT INTO chat_sessions (id, user_id, character_id, created_at, updated_at)
VALUES ('s1', 'u1', 'c1', 't', 't'), ('s3', 'u2', 'c3', 't', 't');
INSERT INTO chat_messages (id, session_id, user_id, seq, role, created_at)
VALUES ('m1', 's1', 'u1', 1, 'user', 't'), ('m3', 's3', 'u2', 1, 'user', 't');
UPDATE chat_messages SET swipe_count = 2 WHERE id = 'm1';
INSERT INTO chat_swipes (id, message_id, user_id, swipe_index, created_at)
VALUES ('w1', 'm1', 'u1', 1, 't');
INSERT INTO lorebooks (id, user_id, created_at, updated_at)
VALUES ('b1', 'u1', 't', 't'), ('b3', 'u2', 't', 't');
INSERT INTO lore_bindings (book_id, user_id, session_id, created_at)
VALUES ('b1', 'u1', 's1', 't');
"

# seeded: the schema on PostgreSQL and a copy of the SQLite store, both
# holding SEED
seeded() {
	schema_apply
	cp "$SQLITE_REF" "$GUISE_DB"
	both "$SEED"
}

# refused STATE WORDS SQLITE_WORDS SQL: SQL is to be refused by both
# stores: on PostgreSQL with SQLSTATE STATE and exactly WORDS as the
# message (what the store shows), on SQLite as a constraint (19) with
# SQLITE_WORDS in its message. Queued, and run by refused_check (one
# connection and one sqlite3 for them all: a refused statement changes
# nothing, so they need not run one at a time).
REFUSED=()
refused() { REFUSED+=("$1 $2"$'\t'"$3"$'\t'"${4//[$'\n\t']/ }"); }

refused_check() {
	local queued=("${REFUSED[@]}") r state words sql pg_sql='' lite_sql='' want='' n=0
	REFUSED=()
	((${#queued[@]})) || return 0
	for r in "${queued[@]}"; do
		IFS=$'\t' read -r state words sql <<< "$r"
		pg_sql+="${sql//@b/$PG_BLOB};"$'\n''\echo :SQLSTATE :LAST_ERROR_MESSAGE'$'\n'
		lite_sql+="${sql//@b/$SQLITE_BLOB};"$'\n'
		want+="$state"$'\n'
	done
	run -0 --separate-stderr pq -v ON_ERROR_STOP=0 <<< "$pg_sql"
	assert_output "${want%$'\n'}"
	# one error a statement, in order: "... near line N: ...WORDS... (19)"
	# (a CHECK's message quotes its text, new lines and all: joined)
	run -1 --separate-stderr sq <<< "$lite_sql"
	assert_output ""
	local errs
	mapfile -t errs < <(awk '/near line [0-9]+: / { if (n++) print r; r = $0; next }
		{ r = r " " $0 } END { if (n) print r }' <<< "$stderr")
	assert_equal "${#errs[@]}" "${#queued[@]}"
	for r in "${queued[@]}"; do
		IFS=$'\t' read -r state words sql <<< "$r"
		n=$((n + 1))
		[[ ${errs[n - 1]} == *"near line $n: "*"$words"*" (19)" ]] ||
			fail "sqlite3, statement $n: '${errs[n - 1]}', not '$words': $sql"
	done
}

# census: how many rows each table holds, and the links a delete may null,
# as one line that both stores print alike
CENSUS="SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM characters)
	|| ' ' || (SELECT count(*) FROM user_personas) || ' ' || (SELECT count(*) FROM chat_sessions)
	|| ' ' || (SELECT count(*) FROM chat_messages) || ' ' || (SELECT count(*) FROM chat_swipes)
	|| ' ' || (SELECT count(*) FROM lorebooks) || ' ' || (SELECT count(*) FROM lore_bindings)
	|| ' ' || coalesce((SELECT default_persona_id FROM users WHERE id = 'u1'), '-')
	|| ' ' || coalesce((SELECT active_custom_persona_id FROM chat_sessions WHERE id = 's1'), '-')
	|| ' ' || coalesce((SELECT active_impersonated_character_id FROM chat_sessions
		WHERE id = 's1'), '-')"

# census_is WANT: both stores hold WANT (the SQLite one also alice)
census_is() {
	local want=$1 users=${1%% *}
	assert_equal "$(pq -c "$CENSUS")" "$want"
	assert_equal "$(sq "$CENSUS")" "$((users + 1))${want#"$users"}"
}

# the two sides of a comparison, each in C order by its first field only
# (a table's rows keep their order)
by_table() { LC_ALL=C sort -s -t '|' -k 1,1; }

@test "the schema applies in one transaction to an empty database, and marks it guise's" {
	local files
	files=$(cd "$TOP/share/sql/pg" && printf '%s\n' [0-9]*.sql)
	# the first file brings an empty database to SQLite's newest version
	assert_equal "${files%%$'\n'*}" 0009-schema.sql
	local sqlite_files=("$TOP"/share/sql/[0-9]*.sql)
	assert_equal "$(sqlite3 "$SQLITE_REF" 'PRAGMA user_version')" "${#sqlite_files[@]}"
	local last=${files##*$'\n'}
	assert_equal "$((10#${last%%-*}))" "$(sqlite3 "$SQLITE_REF" 'PRAGMA user_version')"
	# the runner owns the transaction and the version
	run -1 grep -iE '^[[:space:]]*(BEGIN|COMMIT|ROLLBACK)[[:space:]]*;|schema_version' \
		<(sed 's/--.*//' "$TOP"/share/sql/pg/*.sql)
	run_ok pq -1 -f "$TOP/share/sql/pg/0009-schema.sql"
	assert_output ""
	run_ok pq -c "SELECT key || '=' || value FROM meta WHERE key <> 'db_id' ORDER BY key"
	assert_output "application=guise"
	local id
	id=$(pq -c "SELECT value FROM meta WHERE key = 'db_id'")
	assert_regex "$id" '^[0-9a-f]{32}$'
	# each database its own id
	createdb "${PGDATABASE}_b"
	PGDATABASE=${PGDATABASE}_b run_ok pq -1 -f "$TOP/share/sql/pg/0009-schema.sql"
	run_ok psql -XAtc "SELECT value FROM meta WHERE key = 'db_id'" "${PGDATABASE}_b"
	dropdb "${PGDATABASE}_b"
	assert_regex "$output" '^[0-9a-f]{32}$'
	[[ $output != "$id" ]] || fail "two databases share db_id $id"
}

@test "every table and column of the SQLite store, in its order, type, NOT NULL and default" {
	schema_apply
	local want got
	want=$(sqlite3 "$SQLITE_REF" "SELECT m.name, p.name,
		CASE p.type WHEN 'TEXT' THEN 'text' WHEN 'INTEGER' THEN 'bigint'
			WHEN 'BLOB' THEN 'bytea' ELSE 'unmapped ' || p.type END,
		p.\"notnull\" OR p.pk, ifnull(p.dflt_value, '')
		FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' ORDER BY m.name, p.cid" | by_table)
	got=$(pq -c "SELECT table_name, column_name, data_type, (is_nullable = 'NO')::int,
		coalesce(regexp_replace(column_default, '::text$', ''), '')
		FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name <> 'rowid'
		ORDER BY table_name, ordinal_position" | by_table)
	assert_equal "$got" "$want"
	# text orders bytewise, as SQLite's does
	run_ok pq -c "SELECT table_name || '.' || column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND data_type = 'text'
		AND collation_name IS DISTINCT FROM 'C'"
	assert_output ""
	run_ok pq -c "SELECT string_agg(x, ' ' ORDER BY x) FROM unnest(ARRAY['b', 'B', 'a', '_']) x"
	assert_output "B _ a b"
}

@test "rowid: where lib/ orders by it, a column numbering rows as inserted, not writable" {
	seeded
	# the tables named in lib/'s statements (C strings, adjacent ones
	# joined) that say rowid, and the two card tables its %s stands for
	local named
	named=$(perl -0777 -ne "s/'(?:[^'\\\\]|\\\\.)'//g;"' while (/((?:"(?:[^"\\]|\\.)*"\s*)+)/g) {
		my $s = $1; $s =~ s/"\s*"//g;
		if ($s =~ /rowid/) { print "$1\n" while $s =~ /\bFROM ([a-z_]+)/g } }' \
		"$TOP"/lib/*.c | sort -u)
	[[ -n $named ]] || fail "no rowid in lib/"
	run_ok pq -c "SELECT table_name FROM information_schema.columns
		WHERE table_schema = 'public' AND column_name = 'rowid'
		AND data_type = 'bigint' AND is_identity = 'YES' AND identity_generation = 'ALWAYS'
		ORDER BY 1"
	assert_output "$(printf '%s\n' "$named" characters user_personas | sort -u)"
	# last, after SQLite's columns
	run_ok pq -c "SELECT DISTINCT c.ordinal_position = (SELECT max(ordinal_position)
		FROM information_schema.columns x WHERE x.table_name = c.table_name)
		FROM information_schema.columns c WHERE c.column_name = 'rowid'"
	assert_output t
	# ids against their order: rowid keeps the insertion order
	both "INSERT INTO lorebooks (id, user_id, created_at, updated_at)
		VALUES ('z', 'u1', 't', 't'), ('y', 'u1', 't', 't'), ('x', 'u1', 't', 't');
		INSERT INTO lore_bindings (book_id, user_id, created_at)
		VALUES ('z', 'u1', 't'), ('x', 'u1', 't'), ('y', 'u1', 't')"
	local q
	for q in "SELECT id FROM lorebooks WHERE user_id = 'u1' ORDER BY rowid" \
		"SELECT book_id FROM lore_bindings WHERE user_id = 'u1' ORDER BY rowid"; do
		assert_equal "$(pq -c "$q" | paste -sd ' ')" "$(sq "$q" | paste -sd ' ')"
	done
	assert_equal "$(pq -c "SELECT id FROM lorebooks WHERE rowid > (SELECT rowid FROM lorebooks
		WHERE id = 'z') ORDER BY rowid" | paste -sd ' ')" "y x"
	run -1 --separate-stderr pq -c "UPDATE lorebooks SET rowid = 1 WHERE id = 'z'"
	assert_regex "$stderr" 'column "rowid" can only be updated to DEFAULT'
}

@test "CHECKs: as many on each table as SQLite's, every one named" {
	schema_apply
	local want got
	want=$(sqlite3 "$SQLITE_REF" "SELECT name,
		(length(sql) - length(replace(sql, 'CHECK (', ''))) / length('CHECK (')
		FROM sqlite_schema WHERE type = 'table' ORDER BY name")
	got=$(pq -c "SELECT t.relname, count(c.oid) FROM pg_class t
		LEFT JOIN pg_constraint c ON c.conrelid = t.oid AND c.contype = 'c'
		WHERE t.relnamespace = 'public'::regnamespace AND t.relkind = 'r'
		GROUP BY t.relname ORDER BY t.relname COLLATE \"C\"")
	assert_equal "$got" "$want"
	# named in the file: none left with PostgreSQL's made-up <table>_check<N>
	run_ok pq -c "SELECT conname FROM pg_constraint WHERE contype = 'c'
		AND connamespace = 'public'::regnamespace AND (conname !~ ('^' || conrelid::regclass::text || '_[a-z_]+$')
		OR conname ~ '_check[0-9]*$' AND conname !~ ('^' || conrelid::regclass::text
		|| '_(' || (SELECT string_agg(attname, '|') FROM pg_attribute
		WHERE attrelid = conrelid AND attnum > 0) || ')_check$'))"
	assert_output ""
}

@test "foreign keys: the same columns, targets and ON DELETE as SQLite's" {
	schema_apply
	local want got
	want=$(sqlite3 "$SQLITE_REF" "SELECT m.name, f.\"from\", f.\"table\", f.\"to\",
		f.on_delete, f.on_update
		FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table'" | LC_ALL=C sort)
	got=$(pq -c "SELECT c.conrelid::regclass, a.attname, c.confrelid::regclass, r.attname,
		d.action, u.action
		FROM pg_constraint c
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1]
		JOIN (VALUES ('a', 'NO ACTION'), ('r', 'RESTRICT'), ('c', 'CASCADE'),
			('n', 'SET NULL'), ('d', 'SET DEFAULT')) d (t, action) ON d.t = c.confdeltype
		JOIN (VALUES ('a', 'NO ACTION'), ('r', 'RESTRICT'), ('c', 'CASCADE'),
			('n', 'SET NULL'), ('d', 'SET DEFAULT')) u (t, action) ON u.t = c.confupdtype
		WHERE c.contype = 'f' AND cardinality(c.conkey) = 1" | LC_ALL=C sort)
	assert_equal "$got" "$want"
	run_ok pq -c "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND cardinality(conkey) <> 1"
	assert_output 0
}

@test "keys and indexes: SQLite's unique keys, and its indexes by name on the same columns" {
	schema_apply
	local want got
	# primary keys and UNIQUE: the columns they cover
	want=$(sqlite3 "$SQLITE_REF" "SELECT m.name, i.\"unique\", (SELECT group_concat(name, ',')
		FROM (SELECT name FROM pragma_index_info(i.name) ORDER BY seqno))
		FROM sqlite_schema m, pragma_index_list(m.name) i
		WHERE m.type = 'table' AND i.origin IN ('pk', 'u')" | LC_ALL=C sort)
	got=$(pq -c "SELECT c.conrelid::regclass, 1, (SELECT string_agg(attname, ',' ORDER BY k.n)
		FROM unnest(c.conkey) WITH ORDINALITY k (attnum, n)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
		FROM pg_constraint c WHERE c.contype IN ('p', 'u')
		AND c.connamespace = 'public'::regnamespace" | grep -v '|1|rowid$' | LC_ALL=C sort)
	assert_equal "$got" "$want"
	# CREATE INDEX ones: name, uniqueness and columns (<expr> for an expression)
	want=$(sqlite3 "$SQLITE_REF" "SELECT m.tbl_name, m.name, i.\"unique\",
		(SELECT group_concat(ifnull(name, '<expr>'), ',')
		FROM (SELECT name FROM pragma_index_info(m.name) ORDER BY seqno))
		FROM sqlite_schema m, pragma_index_list(m.tbl_name) i
		WHERE m.type = 'index' AND m.sql IS NOT NULL AND i.name = m.name" | LC_ALL=C sort)
	got=$(pq -c "SELECT t.relname, i.relname, x.indisunique::int,
		(SELECT string_agg(coalesce(a.attname, '<expr>'), ',' ORDER BY k.n)
		FROM unnest(x.indkey::int2[]) WITH ORDINALITY k (attnum, n)
		LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		WHERE t.relnamespace = 'public'::regnamespace
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)" |
		LC_ALL=C sort)
	assert_equal "$got" "$want"
}

@test "triggers: SQLite's, by name, on the same events, raising the same words" {
	schema_apply
	local want got
	# name|BEFORE event ON table|message
	want=$(sqlite3 "$SQLITE_REF" "SELECT name, replace(replace(sql, char(10), ' '), char(9), ' ')
		FROM sqlite_schema WHERE type = 'trigger'" |
		sed -E "s/^([a-z_]+)\|.* BEFORE ([A-Z]+( OF [a-z_]+)?) ON ([a-z_]+) .*RAISE\(ABORT, '([^']*)'\).*/\1|\2 \4|\5/" |
		LC_ALL=C sort)
	got=$(pq -c "SELECT t.tgname, substring(pg_get_triggerdef(t.oid)
		FROM 'BEFORE (.*) ON ') || ' ' || t.tgrelid::regclass,
		substring(p.prosrc FROM 'RAISE EXCEPTION ''([^'']*)''')
		FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal" |
		LC_ALL=C sort)
	assert_equal "$got" "$want"
	assert_equal "$(wc -l <<< "$got")" 11
}

@test "the ownership triggers refuse what SQLite's refuse, in the same words, class 23" {
	seeded
	local other='default persona belongs to another user'
	refused 23000 "$other" "$other" "UPDATE users SET default_persona_id = 'p3' WHERE id = 'u1'"
	refused 23000 "$other" "$other" "INSERT INTO users (id, username, created_at, updated_at,
		kdf_alg, kdf_opslimit, kdf_memlimit, kek_salt, dek_wrapped, dek_nonce,
		default_persona_id) VALUES ('u9', 'eve', 't', 't', 'a', 1, 1, @b, @b, @b, 'p3')"
	other='session binds an object of another user'
	refused 23000 "$other" "$other" "UPDATE chat_sessions SET active_custom_persona_id = 'p3'
		WHERE id = 's1'"
	refused 23000 "$other" "$other" "UPDATE chat_sessions
		SET active_impersonated_character_id = 'c3' WHERE id = 's1'"
	refused 23000 "$other" "$other" "UPDATE chat_sessions SET character_id = 'c3' WHERE id = 's1'"
	refused 23000 "$other" "$other" "INSERT INTO chat_sessions (id, user_id, character_id,
		created_at, updated_at) VALUES ('s9', 'u2', 'c1', 't', 't')"
	other='message belongs to another user than its session'
	refused 23000 "$other" "$other" "INSERT INTO chat_messages (id, session_id, user_id, seq,
		role, created_at) VALUES ('m9', 's1', 'u2', 2, 'user', 't')"
	refused 23000 "$other" "$other" "UPDATE chat_messages SET user_id = 'u2' WHERE id = 'm1'"
	other='swipe belongs to another user than its message'
	refused 23000 "$other" "$other" "INSERT INTO chat_swipes (id, message_id, user_id,
		swipe_index, created_at) VALUES ('w9', 'm1', 'u2', 0, 't')"
	refused 23000 "$other" "$other" "UPDATE chat_swipes SET message_id = 'm3' WHERE id = 'w1'"
	other='lore binding binds an object of another user'
	refused 23000 "$other" "$other" "INSERT INTO lore_bindings (book_id, user_id, created_at)
		VALUES ('b3', 'u1', 't')"
	local place
	for place in "session_id, 's3'" "persona_id, 'p3'" "character_id, 'c3'"; do
		refused 23000 "$other" "$other" "INSERT INTO lore_bindings (book_id, user_id,
			${place%%,*}, created_at) VALUES ('b1', 'u1', ${place#*, }, 't')"
	done
	refused 23000 "$other" "$other" "UPDATE lore_bindings SET book_id = 'b3'"
	refused 23000 "$other" "$other" "UPDATE lore_bindings SET session_id = 's3'"
	refused 23000 "$other" "$other" "UPDATE lorebooks SET user_id = 'u2' WHERE id = 'b1'"
	# and what is the owner's goes through, on both
	both "UPDATE users SET default_persona_id = 'p1' WHERE id = 'u1';
		UPDATE chat_sessions SET active_impersonated_character_id = 'c2' WHERE id = 's1';
		UPDATE lorebooks SET user_id = 'u2' WHERE id = 'b3'"
	census_is "2 3 2 2 2 1 2 1 p1 - c2"
}

@test "each CHECK refuses what SQLite's refuses, by its name" {
	seeded
	local c='CHECK constraint failed' v='new row for relation'
	refused 23514 "$v \"users\" violates check constraint \"users_dek_version_check\"" "$c" \
		"UPDATE users SET dek_version = 0"
	refused 23514 "$v \"users\" violates check constraint \"users_legacy_rows_check\"" "$c" \
		"UPDATE users SET legacy_rows = 2"
	refused 23514 "$v \"users\" violates check constraint \"users_recovery_pair\"" "$c" \
		"UPDATE users SET recovery_dek_wrapped = @b"
	local t=user_personas
	refused 23514 "$v \"$t\" violates check constraint \"${t}_position_check\"" "$c" \
		"UPDATE $t SET position = 'above'"
	refused 23514 "$v \"$t\" violates check constraint \"${t}_depth_check\"" "$c" \
		"UPDATE $t SET depth = -1"
	refused 23514 "$v \"$t\" violates check constraint \"${t}_role_check\"" "$c" \
		"UPDATE $t SET role = 'tool'"
	t=chat_sessions
	refused 23514 "$v \"$t\" violates check constraint \"${t}_history_limit_check\"" "$c" \
		"UPDATE $t SET history_limit = -1"
	refused 23514 "$v \"$t\" violates check constraint \"${t}_context_tokens_check\"" "$c" \
		"UPDATE $t SET context_tokens = 0"
	refused 23514 "$v \"$t\" violates check constraint \"${t}_one_active_persona\"" "$c" \
		"UPDATE $t SET active_custom_persona_id = 'p1', active_impersonated_character_id = 'c2'
		WHERE id = 's1'"
	refused 23514 "$v \"$t\" violates check constraint \"${t}_impersonated_not_own\"" "$c" \
		"UPDATE $t SET active_impersonated_character_id = 'c1' WHERE id = 's1'"
	local col bad
	for t in chat_messages chat_swipes; do
		for col in "swipe_index -1" "role 'tool'" "speaker_kind 'other'" "status 'done'" \
			"input_tokens -1" "output_tokens -1" "seq 0" "swipe_count 0"; do
			bad=${col#* }
			col=${col%% *}
			[[ $t == chat_messages || $col != @(role|seq|swipe_count) ]] || continue
			refused 23514 "$v \"$t\" violates check constraint \"${t}_${col}_check\"" "$c" \
				"UPDATE $t SET $col = $bad"
		done
	done
	t=chat_messages
	refused 23514 "$v \"$t\" violates check constraint \"${t}_swipe_count_check\"" "$c" \
		"UPDATE $t SET swipe_index = 2 WHERE id = 'm1'"
	t=lore_bindings
	refused 23514 "$v \"$t\" violates check constraint \"${t}_one_target\"" "$c" \
		"INSERT INTO $t (book_id, user_id, session_id, persona_id, created_at)
		VALUES ('b1', 'u1', 's1', 'p1', 't')"
	# the widest values pass on both: the persona positions of version 6
	both "UPDATE user_personas SET position = 'an_top' WHERE id = 'p1';
		UPDATE user_personas SET position = 'an_bottom' WHERE id = 'p3'"
}

@test "every sealed column and its nonce: both or neither, on every table" {
	seeded
	local pairs t col set=
	# the pairs as SQLite has them: a column X beside an X_nonce
	pairs=$(sqlite3 "$SQLITE_REF" "SELECT m.name || ' ' || p.name
		FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) q
		WHERE q.name = p.name || '_nonce')")
	while read -r t col; do
		refused 23514 "new row for relation \"$t\" violates check constraint \"${t}_${col}_pair\"" \
			'CHECK constraint failed' "UPDATE $t SET $col = @b"
		refused 23514 "new row for relation \"$t\" violates check constraint \"${t}_${col}_pair\"" \
			'CHECK constraint failed' "UPDATE $t SET ${col}_nonce = @b"
		set+="UPDATE $t SET $col = @b, ${col}_nonce = @b;"
	done <<< "$pairs"
	# 25 on each card table, 5 on sessions, 2 on messages and swipes, 3 on books
	assert_equal "${#REFUSED[@]}" $((2 * 62))
	both "$set"
}

@test "deletes: SET NULL, RESTRICT and CASCADE do to other rows what they do on SQLite" {
	seeded
	census_is "2 3 2 2 2 1 2 1 - - -"
	refused 23503 'update or delete on table "characters" violates foreign key constraint "chat_sessions_character_id_fkey" on table "chat_sessions"' \
		'FOREIGN KEY constraint failed' "DELETE FROM characters WHERE id = 'c1'"
	refused 23503 'insert or update on table "characters" violates foreign key constraint "characters_user_id_fkey"' \
		'FOREIGN KEY constraint failed' "UPDATE characters SET user_id = 'nobody' WHERE id = 'c2'"
	# a persona or impersonated character deleted: the links go NULL
	both "UPDATE users SET default_persona_id = 'p1' WHERE id = 'u1';
		UPDATE chat_sessions SET active_custom_persona_id = 'p1' WHERE id = 's1'"
	census_is "2 3 2 2 2 1 2 1 p1 p1 -"
	both "DELETE FROM user_personas WHERE id = 'p1';
		UPDATE chat_sessions SET active_impersonated_character_id = 'c2' WHERE id = 's1'"
	census_is "2 3 1 2 2 1 2 1 - - c2"
	both "DELETE FROM characters WHERE id = 'c2'"
	census_is "2 2 1 2 2 1 2 1 - - -"
	# a message takes its swipes, a session its messages and bindings
	both "DELETE FROM chat_messages WHERE id = 'm1'"
	census_is "2 2 1 2 1 0 2 1 - - -"
	both "DELETE FROM chat_sessions WHERE id = 's1'"
	census_is "2 2 1 1 1 0 2 0 - - -"
	# a user takes everything of theirs in one statement (their sessions
	# before the characters those RESTRICT), and nothing of another's
	both "INSERT INTO chat_sessions (id, user_id, character_id, created_at, updated_at)
		VALUES ('s1', 'u1', 'c1', 't', 't');
		INSERT INTO chat_messages (id, session_id, user_id, seq, role, created_at)
		VALUES ('m1', 's1', 'u1', 1, 'user', 't');
		INSERT INTO user_personas (id, user_id, created_at, updated_at) VALUES ('p1', 'u1', 't', 't');
		UPDATE users SET default_persona_id = 'p1' WHERE id = 'u1';
		INSERT INTO lore_bindings (book_id, user_id, persona_id, created_at)
		VALUES ('b1', 'u1', 'p1', 't')"
	census_is "2 2 2 2 2 0 2 1 p1 - -"
	both "DELETE FROM users WHERE id = 'u1'"
	census_is "1 1 1 1 1 0 1 0 - - -"
	assert_equal "$(pq -c "SELECT string_agg(id, ' ') FROM (SELECT id FROM characters
		UNION ALL SELECT id FROM chat_sessions UNION ALL SELECT id FROM lorebooks) x")" "c3 s3 b3"
}

@test "unique: a message's seq, a username, and a book bound once to a place, the global one too" {
	seeded
	local u='duplicate key value violates unique constraint' c='UNIQUE constraint failed'
	refused 23505 "$u \"chat_messages_session_id_seq_key\"" "$c" \
		"INSERT INTO chat_messages (id, session_id, user_id, seq, role, created_at)
		VALUES ('m2', 's1', 'u1', 1, 'user', 't')"
	refused 23505 "$u \"chat_swipes_message_id_swipe_index_key\"" "$c" \
		"INSERT INTO chat_swipes (id, message_id, user_id, swipe_index, created_at)
		VALUES ('w2', 'm1', 'u1', 1, 't')"
	refused 23505 "$u \"users_username_key\"" "$c" "UPDATE users SET username = 'ann'"
	# the seed's book is bound to s1: again is refused, elsewhere is not
	refused 23505 "$u \"lore_bindings_once\"" "$c" \
		"INSERT INTO lore_bindings (book_id, user_id, session_id, created_at)
		VALUES ('b1', 'u1', 's1', 't')"
	both "INSERT INTO lore_bindings (book_id, user_id, created_at) VALUES ('b1', 'u1', 't');
		INSERT INTO lore_bindings (book_id, user_id, persona_id, created_at)
		VALUES ('b1', 'u1', 'p1', 't');
		INSERT INTO lore_bindings (book_id, user_id, character_id, created_at)
		VALUES ('b1', 'u1', 'c1', 't')"
	# global (all NULL) twice is the same place: NULLs count as equal here
	refused 23505 "$u \"lore_bindings_once\"" "$c" \
		"INSERT INTO lore_bindings (book_id, user_id, created_at) VALUES ('b1', 'u1', 't')"
	refused 23505 "$u \"lore_bindings_once\"" "$c" \
		"INSERT INTO lore_bindings (book_id, user_id, character_id, created_at)
		VALUES ('b1', 'u1', 'c1', 't')"
	# ON CONFLICT DO NOTHING (lore_bind.c) skips it on both
	both "INSERT INTO lore_bindings (book_id, user_id, created_at) VALUES ('b1', 'u1', 't')
		ON CONFLICT DO NOTHING"
	local q="SELECT count(*) FROM lore_bindings"
	assert_equal "$(pq -c "$q")" 4
	assert_equal "$(sq "$q")" 4
}

@test "bytea keeps every byte, empty and NUL included, as SQLite's BLOB" {
	seeded
	local all
	all=$(python3 -c 'print(bytes(range(256)).hex() * 4)')
	run_ok pq -c "UPDATE characters SET avatar = decode('$all', 'hex'), avatar_nonce = ''::bytea
		WHERE id = 'c1'"
	run_ok sq "UPDATE characters SET avatar = x'$all', avatar_nonce = x'' WHERE id = 'c1'"
	local pgq="SELECT encode(avatar, 'hex') || ' ' || octet_length(avatar) || ' '
		|| octet_length(avatar_nonce) FROM characters WHERE id = 'c1'"
	local sqq="SELECT lower(hex(avatar)) || ' ' || length(avatar) || ' '
		|| length(avatar_nonce) FROM characters WHERE id = 'c1'"
	assert_equal "$(pq -c "$pgq")" "$all 1024 0"
	assert_equal "$(sq "$sqq")" "$all 1024 0"
	# a text is no blob on either
	run -1 --separate-stderr pq -c "UPDATE characters SET avatar = 'x'::text WHERE id = 'c1'"
	assert_regex "$stderr" 'column "avatar" is of type bytea but expression is of type text'
	run -19 --separate-stderr sq "UPDATE characters SET avatar = 'x' WHERE id = 'c1'"
}
