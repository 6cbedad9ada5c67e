#!/usr/bin/env bats
# Holes in the command line, the store and file output found by an
# adversarial pass (issue 12): -o never replaces the database or a
# device, a mistyped database path creates nothing, long options are
# never abbreviated and a value that may be a secret is never echoed.

load sessions

setup() { keys_setup; }
teardown() { keys_teardown; }

@test "persona-export -o refuses the database, its -wal and -shm, by any name" {
	new_user alice
	export GUISE_PASSPHRASE_FILE=$PASS1
	mkchar Wren > /dev/null
	sqlite3 "$GUISE_DB" 'PRAGMA wal_checkpoint' > /dev/null
	local sum dir=${GUISE_DB%/*} name=${GUISE_DB##*/}
	sum=$(sqlite3 "$GUISE_DB" 'SELECT count(*) FROM characters')
	ln -s "$GUISE_DB" "$BATS_TEST_TMPDIR/link.db"
	ln "$GUISE_DB" "$BATS_TEST_TMPDIR/hard.db"
	local out
	for out in "$GUISE_DB" "$dir/./$name" "$dir//$name" "$BATS_TEST_TMPDIR/link.db" \
		"$BATS_TEST_TMPDIR/hard.db"; do
		run -64 --separate-stderr persona-export Wren -o "$out"
		assert_output ""
		assert_equal "$stderr" "persona-export: '$out' is the database: not writing a card over it"
	done
	# a reader keeps the WAL and shared memory files there
	hold_reader
	for out in "$GUISE_DB-wal" "$GUISE_DB-shm"; do
		run -64 --separate-stderr persona-export Wren -o "$out"
		assert_equal "$stderr" "persona-export: '$out' is the database: not writing a card over it"
	done
	release_reader
	[[ -L $BATS_TEST_TMPDIR/link.db ]] || fail "the link was replaced"
	assert_equal "$(sqlite3 "$GUISE_DB" 'SELECT count(*) FROM characters')" "$sum"
	run_ok persona show Wren
}

@test "persona-export -o writes into a FIFO or a device in place" {
	new_user alice
	export GUISE_PASSPHRASE_FILE=$PASS1
	mkchar Wren > /dev/null
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	timeout 5 cat "$BATS_TEST_TMPDIR/fifo" > "$BATS_TEST_TMPDIR/got" &
	local reader=$!
	run -0 --separate-stderr persona-export Wren -o "$BATS_TEST_TMPDIR/fifo"
	assert_equal "$stderr" ""
	wait "$reader"
	[[ -p $BATS_TEST_TMPDIR/fifo ]] || fail "the FIFO was replaced"
	assert_equal "$(jq -r .data.name "$BATS_TEST_TMPDIR/got")" Wren
	ln -s /dev/null "$BATS_TEST_TMPDIR/null"
	run -0 --separate-stderr persona-export Wren -o "$BATS_TEST_TMPDIR/null"
	assert_equal "$stderr" ""
	[[ -L $BATS_TEST_TMPDIR/null && -c /dev/null ]] || fail "the device link was replaced"
	run_ok persona-export Wren --format png -o "$BATS_TEST_TMPDIR/null"
	[[ -L $BATS_TEST_TMPDIR/null ]] || fail "the device link was replaced"
	# a regular file is replaced whole, its mode kept; a new one follows the umask
	printf 'old and longer than a card could ever be, old old old' > "$BATS_TEST_TMPDIR/card.json"
	chmod 600 "$BATS_TEST_TMPDIR/card.json"
	run_ok persona-export Wren -o "$BATS_TEST_TMPDIR/card.json"
	assert_equal "$(jq -r .data.name "$BATS_TEST_TMPDIR/card.json")" Wren
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/card.json")" 600
	(umask 027 && persona-export Wren -o "$BATS_TEST_TMPDIR/new.json")
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/new.json")" 640
	run -74 --separate-stderr persona-export Wren -o "$BATS_TEST_TMPDIR"
	assert_equal "$stderr" "persona-export: cannot write '$BATS_TEST_TMPDIR': Is a directory"
}

@test "a database path that does not exist is not created, except by init" {
	local db=$BATS_TEST_TMPDIR/typo/dir/g.db msg
	export GUISE_PASSPHRASE_FILE=$PASS1
	msg() { printf "%s: no database at '%s': run 'persona-encrypt init'" "$1" "$2"; }
	run -66 --separate-stderr persona list -d "$db"
	assert_output ""
	assert_equal "$stderr" "$(msg persona "$db")"
	run -66 --separate-stderr session-bind list -d "$db"
	assert_equal "$stderr" "$(msg session-bind "$db")"
	run -66 --separate-stderr session-log show S -d "$db"
	assert_equal "$stderr" "$(msg session-log "$db")"
	run -66 --separate-stderr persona-import -d "$db" "$DATA/cards-aicharlib/melina.png"
	assert_equal "$stderr" "$(msg persona-import "$db")"
	run -66 --separate-stderr persona-export -d "$db" Wren
	assert_equal "$stderr" "$(msg persona-export "$db")"
	run -66 --separate-stderr prompt-render -d "$db" --character Wren
	assert_equal "$stderr" "$(msg prompt-render "$db")"
	run -66 --separate-stderr persona-encrypt users -d "$db"
	assert_equal "$stderr" "$(msg persona-encrypt "$db")"
	run -66 --separate-stderr persona-encrypt unlock -d "$db"
	assert_equal "$stderr" "$(msg persona-encrypt "$db")"
	[[ ! -e $BATS_TEST_TMPDIR/typo ]] || fail "$(find "$BATS_TEST_TMPDIR/typo")"
	# in a directory that exists: no file, no -wal, no -shm
	run -66 --separate-stderr persona list
	assert_equal "$stderr" "$(msg persona "$GUISE_DB")"
	run -66 --separate-stderr persona-encrypt users
	[[ -z $(ls "$BATS_TEST_TMPDIR" | grep guise.db) ]] || fail "$(ls "$BATS_TEST_TMPDIR")"
	# init makes it, directories and all
	GUISE_DB=$db new_user alice
	[[ -f $db ]] || fail "init made no database"
	run -0 --separate-stderr persona list -d "$db"
	assert_equal "$stderr" ""
}

@test "long options are never abbreviated, and a value is never echoed" {
	new_user alice
	local syn
	run -64 --separate-stderr persona-encrypt unlock --passphrase pw
	assert_output ""
	assert_equal "${stderr_lines[0]}" "persona-encrypt: unknown option '--passphrase'"
	[[ $stderr != *pw* ]] || fail "the value echoed"
	run -64 --separate-stderr persona-encrypt unlock --passph=3
	assert_equal "${stderr_lines[0]}" "persona-encrypt: unknown option '--passph'"
	run -64 --separate-stderr persona-encrypt passwd --new-pass
	assert_equal "${stderr_lines[0]}" "persona-encrypt: unknown option '--new-pass'"
	run -64 --separate-stderr persona-encrypt unlock --passphrase-fd s3cret
	assert_equal "${stderr_lines[0]}" "persona-encrypt: --passphrase-fd: not a file descriptor"
	[[ $stderr != *s3cret* ]] || fail "the value echoed"
	run -64 --separate-stderr persona-encrypt unlock --token=s3cret
	assert_equal "${stderr_lines[0]}" "persona-encrypt: option '--token' takes no value"
	[[ $stderr != *s3cret* ]] || fail "the value echoed"
	run -64 --separate-stderr persona-encrypt unlock --passphrase-fd
	assert_equal "${stderr_lines[0]}" "persona-encrypt: option '--passphrase-fd' needs a value"
	run -64 --separate-stderr persona-encrypt unlock -Z
	assert_equal "${stderr_lines[0]}" "persona-encrypt: unknown option '-Z'"
	run -64 --separate-stderr persona list --pre
	assert_equal "${stderr_lines[0]}" "persona: unknown option '--pre'"
	run -64 --separate-stderr persona-export --form=v2 Wren
	assert_equal "${stderr_lines[0]}" "persona-export: unknown option '--form'"
	run -64 --separate-stderr session-bind list --char Wren
	assert_equal "${stderr_lines[0]}" "session-bind: unknown option '--char'"
	run -64 --separate-stderr llm-send --api-key s3cret
	assert_equal "${stderr_lines[0]}" "llm-send: unknown option '--api-key'"
	[[ $stderr != *s3cret* ]] || fail "the value echoed"
	run -64 --separate-stderr session-log show S --las 2
	assert_equal "${stderr_lines[0]}" "session-log: unknown option '--las'"
	run -64 --separate-stderr prompt-render --charac Wren
	assert_equal "${stderr_lines[0]}" "prompt-render: unknown option '--charac'"
	run -64 --separate-stderr persona-import --ful x.json
	assert_equal "${stderr_lines[0]}" "persona-import: unknown option '--ful'"
	# the full names work, also with their values after '='
	printf 'correct horse\n' > "$BATS_TEST_TMPDIR/p"
	run -0 --separate-stderr persona-encrypt unlock --passphrase-fd=3 --timeout=1m 3< "$BATS_TEST_TMPDIR/p"
	assert_equal "$stderr" ""
	run_ok persona-encrypt users --yaml --user alice
	assert_line 'username: alice'
	run -0 --separate-stderr persona list --pretty
	assert_equal "$stderr" ""
}
