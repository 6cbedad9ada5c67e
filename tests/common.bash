# Shared set-up for every suite: the built binaries first on PATH, the C
# locale, a database in the test's own temp dir, a cheap KDF for tests.
#
# The store (issue 17): GUISE_TEST_STORE unset or `sqlite` gives each test
# a SQLite file; `pg` gives each test of a suite that opts in (its
# setup_file calls store_setup_file, its teardown_file store_teardown_file)
# a fresh database on the suite's own PostgreSQL cluster (tests/pg.bash),
# GUISE_DB being its URI. Suites that do not opt in keep their files. The
# db_* helpers below read and write the test's store the same way on both.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BUILD=${GUISE_BUILD:-$TOP/build}
PATH=$BUILD/bin:$PATH
DATA=$TOP/tests/data
export LC_ALL=C PATH TOP BUILD DATA

common_setup() {
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME"
	export GUISE_KDF=min
	unset GUISE_USER GUISE_FORMAT XDG_DATA_HOME GUISE_PASSPHRASE \
		GUISE_PASSPHRASE_FILE GUISE_SESSION
	store_kind > /dev/null || fail "GUISE_TEST_STORE=$GUISE_TEST_STORE: expected sqlite or pg"
	if store_is_pg; then
		store_pg_fresh || fail "no fresh database on the cluster in $STORE_PG_DIR"
	else
		export GUISE_DB=$BATS_TEST_TMPDIR/guise.db
	fi
}

# store_kind: the store the switch asks for (sqlite or pg); fails on
# anything else, so a typo does not quietly test SQLite
store_kind() {
	case ${GUISE_TEST_STORE:-sqlite} in
	sqlite | pg) echo "${GUISE_TEST_STORE:-sqlite}" ;;
	*) return 1 ;;
	esac
}

# store_setup_file, store_teardown_file: for a suite's setup_file and
# teardown_file. Under pg, the suite's cluster started and stopped
# (pg_stop fails loudly if anything outlived it); no-ops for sqlite.
store_setup_file() {
	local kind
	kind=$(store_kind) || {
		echo "GUISE_TEST_STORE=$GUISE_TEST_STORE: expected sqlite or pg" >&2
		return 1
	}
	[[ $kind == pg ]] || return 0
	pg_start || return 1
	export STORE_PG_DIR=$PG_DIR
}

store_teardown_file() {
	[[ -n ${STORE_PG_DIR-} ]] || return 0
	pg_stop
}

# store_is_pg: this test's store is a PostgreSQL database
store_is_pg() { [[ -n ${STORE_PG_DIR-} ]]; }

# store_pg_fresh: the databases of the suite's earlier tests dropped (their
# teardown is over), a new one for this test, GUISE_DB its URI over the
# cluster's Unix socket: libpq reads a socket directory from host=, its
# value percent-decoded
store_pg_fresh() {
	pg_db_sweep && pg_db_fresh || return 1
	GUISE_DB=$(store_pg_uri "$PG_TEST_DB")
	export GUISE_DB
}

# store_pg_uri DB: the URI of the cluster's database DB
store_pg_uri() {
	echo "postgresql:///$(uri_encode "$1")?host=$(uri_encode "$PG_DIR")&port=$PG_PORT"
}

# uri_encode TEXT: TEXT with every byte but the unreserved ones and '/'
# percent-encoded
uri_encode() {
	local LC_ALL=C text=$1 out='' c i
	for ((i = 0; i < ${#text}; i++)); do
		c=${text:i:1}
		case $c in
		[A-Za-z0-9._~/-]) out+=$c ;;
		*) printf -v c '%%%02X' "'$c" && out+=$c ;;
		esac
	done
	echo "$out"
}

# require_sqlite_store WHY: skip this test under pg, because it is about
# the SQLite file itself (WHY says what of it)
require_sqlite_store() {
	! store_is_pg || skip "SQLite store only: $1"
}

# db_sql [SQL]: run SQL (or stdin's) against the test's store, rows printed
# as the sqlite3 command prints them ('a|b', NULL empty), every
# statement's rows in turn; fails on the first error
db_sql() {
	if store_is_pg; then
		if (($#)); then
			psql -X -q -At -F'|' -v ON_ERROR_STOP=1 -d "$GUISE_DB" <<< "$1"
		else
			psql -X -q -At -F'|' -v ON_ERROR_STOP=1 -d "$GUISE_DB"
		fi
	else
		sqlite3 "$GUISE_DB" "$@"
	fi
}

# db_sql_fk SQL: db_sql with foreign keys enforced, as guise's connections
# have them (the sqlite3 command has them off; PostgreSQL always on)
db_sql_fk() {
	if store_is_pg; then
		db_sql "$@"
	else
		sqlite3 -cmd 'PRAGMA foreign_keys = ON' "$GUISE_DB" "$@"
	fi
}

# db_sql_refused WORDS SQL: SQL is refused by a constraint (the sqlite3
# command exits 19, or 1 before 3.40; psql 3 under ON_ERROR_STOP), WORDS
# in the error. SQLite's words for a CHECK, UNIQUE or FOREIGN KEY failure
# are looked for as PostgreSQL words them; a trigger's message is the same.
db_sql_refused() {
	local words=$1
	run --separate-stderr db_sql_fk "$2"
	if store_is_pg; then
		case $words in
		"CHECK constraint failed") words="violates check constraint" ;;
		"UNIQUE constraint failed") words="violates unique constraint" ;;
		"FOREIGN KEY constraint failed") words="violates foreign key constraint" ;;
		esac
		[[ $status == 3 ]] || fail "psql exited $status: $stderr"
	else
		[[ $status == 19 || $status == 1 ]] || fail "sqlite3 exited $status: $stderr"
	fi
	[[ $stderr == *"$words"* ]] || fail "$2: $stderr"
}

# db_sql_unguarded TABLE TRIGGER SQL: SQL applied past the store's checks
# and TABLE's trigger TRIGGER, as an attacker with the file could (SQLite:
# ignore_check_constraints, the trigger dropped; PostgreSQL: TABLE's
# triggers disabled and its CHECK constraints dropped)
db_sql_unguarded() {
	if store_is_pg; then
		db_sql "ALTER TABLE $1 DISABLE TRIGGER USER;
			DO \$\$ DECLARE c text; BEGIN
				FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = '$1'::regclass AND contype = 'c' LOOP
					EXECUTE format('ALTER TABLE $1 DROP CONSTRAINT %I', c);
				END LOOP;
			END \$\$;
			$3"
	else
		db_sql "PRAGMA ignore_check_constraints = 1; DROP TRIGGER $2; $3"
	fi
}

# db_hex EXPR: SQL for EXPR's bytes as upper-case hex (SQLite's hex())
db_hex() {
	if store_is_pg; then echo "upper(encode($1, 'hex'))"; else echo "hex($1)"; fi
}

# db_blob HEX: SQL for the byte string HEX (SQLite's X'..' literal)
db_blob() {
	if store_is_pg; then echo "'\\x$1'::bytea"; else echo "X'$1'"; fi
}

# db_bytes_at EXPR TEXT: SQL for where TEXT's bytes start in the bytes of
# EXPR, from 1 (0: nowhere), SQLite's instr on a BLOB
db_bytes_at() {
	if store_is_pg; then
		echo "position(convert_to('$2', 'UTF8') in $1)"
	else
		echo "instr($1, CAST('$2' AS BLOB))"
	fi
}

# db_zeros N: SQL for N zero bytes (SQLite's zeroblob(N))
db_zeros() {
	if store_is_pg; then echo "decode(repeat('00', $1), 'hex')"; else echo "zeroblob($1)"; fi
}

# db_columns TABLE: its column names, one a line, in their order
db_columns() {
	if store_is_pg; then
		db_sql "SELECT column_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = '$1' ORDER BY ordinal_position"
	else
		db_sql "SELECT name FROM pragma_table_info('$1')"
	fi
}

# db_dump: the store's whole content as text, for 'nothing changed'
# comparisons: sqlite3's .dump; under pg the data of every table, lines
# sorted (an UPDATE to the same values moves a row in the heap) and
# without the sequences' positions (an insert rolled back still uses one)
# or pg_dump's \restrict key (new on every run)
db_dump() {
	if store_is_pg; then
		"$PG_BINDIR/pg_dump" --data-only --no-owner -d "$GUISE_DB" |
			grep -v -e '^SELECT pg_catalog.setval(' -e '^\\restrict ' -e '^\\unrestrict ' |
			LC_ALL=C sort
		return "${PIPESTATUS[0]}"
	else
		sqlite3 "$GUISE_DB" .dump
	fi
}

# db_dump_row TABLE VALUE...: how db_dump shows the start of a row of
# TABLE whose first columns hold the texts VALUE...
db_dump_row() {
	local table=$1
	shift
	if store_is_pg; then
		printf '%s\t' "$@"
	else
		printf "INSERT INTO %s VALUES('%s'" "$table" "$1"
		(($# < 2)) || printf ",'%s'" "${@:2}"
	fi
}

# db_schema_version: the store's schema version (user_version on SQLite,
# meta's schema_version on PostgreSQL)
db_schema_version() {
	if store_is_pg; then
		db_sql "SELECT value FROM meta WHERE key = 'schema_version'"
	else
		db_sql 'PRAGMA user_version'
	fi
}

# db_set_schema_version N: the store marked as schema N (a newer guise's)
db_set_schema_version() {
	if store_is_pg; then
		db_sql "UPDATE meta SET value = '$1' WHERE key = 'schema_version'"
	else
		db_sql "PRAGMA user_version = $1"
	fi
}

# store_strings: the printable strings of every byte the store keeps on
# disk: the SQLite file and its WAL; under pg the cluster's data directory
# (tables, indexes, WAL) after a CHECKPOINT has written it all out
store_strings() {
	if store_is_pg; then
		db_sql CHECKPOINT || return 1
		find "$PGDATA" -type f -exec strings -a {} +
	else
		strings -a "$GUISE_DB" "$GUISE_DB-wal" 2> /dev/null
	fi
	return 0
}

# store_fingerprint: a digest of everything the store holds (the file's
# bytes; the PostgreSQL database's data), for 'left untouched'
store_fingerprint() {
	if store_is_pg; then
		db_dump | sha256sum
	else
		sha256sum < "$GUISE_DB"
	fi
}

# store_has_bytes HEX: the bytes HEX are somewhere in what store_strings
# reads (the SQLite file and its WAL; PostgreSQL's data directory, after a
# CHECKPOINT)
store_has_bytes() {
	local -a files
	if store_is_pg; then
		db_sql CHECKPOINT || return 2
		files=("$PGDATA")
	else
		files=("$GUISE_DB" "$GUISE_DB-wal")
	fi
	python3 - "$1" "${files[@]}" <<- 'PY'
		import os, sys
		needle = bytes.fromhex(sys.argv[1])
		def files(top):
		    if os.path.isfile(top):
		        yield top
		    for root, _, names in os.walk(top):
		        for name in names:
		            yield os.path.join(root, name)
		for top in sys.argv[2:]:
		    for path in files(top):
		        try:
		            with open(path, "rb") as f:
		                if needle in f.read():
		                    sys.exit(0)
		        except OSError:
		            pass
		sys.exit(1)
	PY
}

# store_new NAME: GUISE_DB set to a second, empty store of the test's,
# NAME ($BATS_TEST_TMPDIR/NAME.db; a database on the cluster)
store_new() {
	if store_is_pg; then
		createdb "${PG_TEST_DB}_$1" || return 1
		GUISE_DB=$(store_pg_uri "${PG_TEST_DB}_$1")
	else
		GUISE_DB=$BATS_TEST_TMPDIR/$1.db
	fi
	export GUISE_DB
}

# store_write_free: no other connection holds the store's write lock
# (SQLite: a writer gets it at once) or, on PostgreSQL, has a transaction
# open
store_write_free() {
	if store_is_pg; then
		[[ $(db_sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND pid <> pg_backend_pid() AND xact_start IS NOT NULL") == 0 ]]
	else
		sqlite3 "$GUISE_DB" '.timeout 0' 'BEGIN IMMEDIATE' 'ROLLBACK'
	fi
}

# store_integrity: "ok" when the store is sound: SQLite's integrity_check;
# on PostgreSQL pg_amcheck over the database's tables and indexes
store_integrity() {
	if store_is_pg; then
		# the server's notices (amcheck already installed) are not findings
		PGOPTIONS="-c client_min_messages=warning" \
			"$PG_BINDIR/pg_amcheck" --install-missing --heapallindexed "$GUISE_DB" && echo ok
	else
		sqlite3 "$GUISE_DB" 'PRAGMA integrity_check'
	fi
}

# store_save NAME: a copy of the store as it is now, under NAME; the
# GUISE_DB of the copy on stdout. store_restore NAME: the test's store
# replaced by that copy.
store_save() {
	if store_is_pg; then
		createdb -T "$PG_TEST_DB" "${PG_TEST_DB}_$1" || return 1
		store_pg_uri "${PG_TEST_DB}_$1"
	else
		cp "$GUISE_DB" "$BATS_TEST_TMPDIR/$1.db" || return 1
		echo "$BATS_TEST_TMPDIR/$1.db"
	fi
}

store_restore() {
	if store_is_pg; then
		PGOPTIONS='-c client_min_messages=warning' dropdb --force "$PG_TEST_DB" &&
			createdb -T "${PG_TEST_DB}_$1" "$PG_TEST_DB"
	else
		cp "$BATS_TEST_TMPDIR/$1.db" "$GUISE_DB" && rm -f "$GUISE_DB-wal" "$GUISE_DB-shm"
	fi
}

# store_exists: the test's store has been made (a file; a database, which
# pg always has)
store_exists() { store_is_pg || [[ -e $GUISE_DB ]]; }

# store_reset: the test's store empty again, as common_setup left it
store_reset() {
	if store_is_pg; then
		store_pg_fresh
	else
		rm -f "$GUISE_DB" "$GUISE_DB"-*
	fi
}

# Under a sanitizer, virtual memory limits mean nothing (ASan reserves
# terabytes of address space); those assertions run in a plain build only.
sanitized() {
	case $BUILD in *-address* | *-undefined* | *-thread* | *-memory*) return 0 ;; esac
	return 1
}

# run_ok CMD...: run CMD, which must succeed with nothing on stderr (STYLE
# 16 as the default); $output, $lines and $stderr stay for further asserts.
run_ok() {
	run -0 --separate-stderr "$@"
	[ -z "$stderr" ] || fail "$(printf 'run_ok %s: unexpected stderr:\n%s' "$*" "$stderr")"
}

# run_err STATUS MESSAGE CMD...: run CMD, which must exit STATUS with nothing
# on stdout and exactly MESSAGE on stderr: the failing side of run_ok.
run_err() {
	local want=$2
	run "-$1" --separate-stderr "${@:3}"
	assert_output ""
	assert_equal "$stderr" "$want"
}

# pngsuite_expected GLOB: the rows "file<TAB>status<TAB>reason" of the
# PngSuite expectations (tests/data/pngsuite/expected.tsv, read by the png
# and import suites alike) whose file name matches GLOB.
pngsuite_expected() {
	local file status reason
	while IFS=$'\t' read -r file status reason; do
		# shellcheck disable=SC2053 # $1 is a glob
		[[ $file == '#'* || $file != $1 ]] ||
			printf '%s\t%s\t%s\n' "$file" "$status" "$reason"
	done < "$DATA/pngsuite/expected.tsv"
}

# wait_until SECONDS COMMAND...: run COMMAND every 20 ms until it succeeds;
# fails if it has not after SECONDS. For waiting on another process's
# progress instead of sleeping for a guessed time.
wait_until() {
	local deadline=$((SECONDS + $1 + 1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || fail "waited in vain for: $*"
		sleep 0.02
	done
}

# hold_reader: a sqlite3 reader inside a read transaction on $GUISE_DB, so
# its -wal and -shm files stay there to look at, until release_reader. It
# waits for the reader's first answer, not for a guessed time. Nothing to
# hold on PostgreSQL, whose WAL is in its data directory (store_strings).
hold_reader() {
	! store_is_pg || return 0
	local fifo=$BATS_TEST_TMPDIR/reader.fifo
	mkfifo "$fifo"
	sqlite3 "$GUISE_DB" < "$fifo" > "$BATS_TEST_TMPDIR/reader.out" &
	READER_PID=$!
	exec {READER_FD}> "$fifo"
	echo 'BEGIN; SELECT count(*) FROM users;' >&"$READER_FD"
	until [[ -s $BATS_TEST_TMPDIR/reader.out ]]; do sleep 0.02; done
}

release_reader() {
	! store_is_pg || return 0
	echo 'COMMIT;' >&"$READER_FD"
	exec {READER_FD}>&-
	wait "$READER_PID"
	rm -f "$BATS_TEST_TMPDIR/reader.fifo"
}

# pg.bash's cluster functions, for store_setup_file; pg.bash loads this
# file when it is loaded first
load pg
