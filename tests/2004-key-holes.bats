#!/usr/bin/env bats
# Holes in the key handling found by an adversarial pass (issue 12): the
# recovery key must be out before a new key commits (init, rekey), unlock
# always checks the passphrase it is given, a cached key that does not
# belong to this database file is not used, and the token directory is
# never a place another user controls.

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { keys_setup; }
teardown() { keys_teardown; }

recovery_of() { sed 's/.*"recovery_key":"\([^"]*\)".*/\1/' "$1"; }

# the old recovery key still opens the account and the data still reads
old_recovery_works() {
	printf '%s\n' "$(recovery_of "$BATS_TEST_TMPDIR/alice.json")" > "$BATS_TEST_TMPDIR/rk"
	GUISE_NEW_PASSPHRASE_FILE=$PASS2 run -0 --separate-stderr \
		persona-encrypt recover --recovery-key-file "$BATS_TEST_TMPDIR/rk"
	assert_equal "$stderr" ""
	GUISE_PASSPHRASE_FILE=$PASS2 run -0 --separate-stderr persona show Wren
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .data.name <<< "$output")" Wren
}

@test "rekey to a full stdout commits nothing: the old recovery key still works" {
	new_user alice
	export GUISE_PASSPHRASE_FILE=$PASS1
	mkchar Wren > /dev/null
	local before
	before=$(db_sql "SELECT dek_version, $(db_hex recovery_dek_wrapped) FROM users")
	run -74 --separate-stderr sh -c 'persona-encrypt rekey > /dev/full'
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: cannot write the recovery key to stdout: No space left on device: nothing changed"
	assert_equal "$(db_sql "SELECT dek_version, $(db_hex recovery_dek_wrapped) FROM users")" "$before"
	unset GUISE_PASSPHRASE_FILE
	old_recovery_works
}

@test "rekey with stdout closed commits nothing: the old recovery key still works" {
	new_user alice
	export GUISE_PASSPHRASE_FILE=$PASS1
	mkchar Wren > /dev/null
	run -74 --separate-stderr sh -c 'persona-encrypt rekey >&-'
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: cannot write the recovery key to stdout: Bad file descriptor: nothing changed"
	assert_equal "$(db_sql 'SELECT dek_version FROM users')" 1
	unset GUISE_PASSPHRASE_FILE
	old_recovery_works
}

@test "init to a full or closed stdout leaves no user behind" {
	GUISE_PASSPHRASE_FILE=$PASS1 run -74 --separate-stderr sh -c 'persona-encrypt init -u alice > /dev/full'
	assert_equal "$stderr" "persona-encrypt: cannot write the recovery key to stdout: No space left on device: nothing changed"
	assert_equal "$(db_sql 'SELECT count(*) FROM users')" 0
	GUISE_PASSPHRASE_FILE=$PASS1 run -74 --separate-stderr sh -c 'persona-encrypt init -u alice >&-'
	assert_equal "$stderr" "persona-encrypt: cannot write the recovery key to stdout: Bad file descriptor: nothing changed"
	assert_equal "$(db_sql 'SELECT count(*) FROM users')" 0
	# and then init works, once
	new_user alice
	assert_equal "$(db_sql 'SELECT count(*) FROM users')" 1
}

@test "unlock checks the passphrase it is given even while the key is cached" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock --timeout 2m
	GUISE_PASSPHRASE=wrong run -77 --separate-stderr persona-encrypt unlock --timeout 30d
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: wrong passphrase for user 'alice'"
	# the entry keeps its 2 minute timeout
	local name key
	name="guise:$(db_sql "SELECT value FROM meta WHERE key = 'db_id'"):$(user_id alice)"
	key=$(keyctl search @u user "$name")
	[[ $(grep "^$(printf '%08x' "$key") " /proc/keys) =~ \ (2m|1m)\  ]] || fail "timeout extended"
	# the token fallback too
	GUISE_PASSPHRASE=wrong run -77 --separate-stderr persona-encrypt unlock --token
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: wrong passphrase for user 'alice'"
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock --timeout 30d
}

# two_copies: alice with the character Wren, and a copy of the database
# (copy.db) with the same db id, user id and dek_version but another key:
# in the copy a rekey (dek_version 2), then a second rekey here too
two_copies() {
	new_user alice
	export GUISE_PASSPHRASE_FILE=$PASS1
	mkchar Wren > /dev/null
	local copy
	copy=$(store_save copy)
	GUISE_DB=$copy persona-encrypt rekey > /dev/null
	persona-encrypt rekey > /dev/null
}

# to_copy: the copy from two_copies in place of the database
to_copy() {
	store_restore copy
}

@test "a cached key from another copy of the database is not used" {
	two_copies
	persona-encrypt unlock > /dev/null
	unset GUISE_PASSPHRASE_FILE
	run_ok persona show Wren
	# the copy has the same db id, user id and dek_version, another key
	to_copy
	run -77 --separate-stderr persona show Wren
	assert_output ""
	assert_equal "$stderr" "persona: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 --separate-stderr persona show Wren
	assert_equal "$stderr" ""
}

@test "a session token from another copy of the database is not used" {
	two_copies
	eval "$(persona-encrypt unlock --token)"
	unset GUISE_PASSPHRASE_FILE
	run_ok persona show Wren
	to_copy
	run -77 --separate-stderr persona show Wren
	assert_equal "$stderr" "persona: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
}

@test "the token directory: not a symlink, not writable by others" {
	new_user alice
	local dir=$XDG_RUNTIME_DIR/guise
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$dir"
	GUISE_PASSPHRASE_FILE=$PASS1 run -78 --separate-stderr persona-encrypt unlock --token
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: '$dir' is not a directory of its own (a symlink?): not keeping a session token there"
	[[ -z $(ls "$BATS_TEST_TMPDIR/elsewhere") ]] || fail "a file behind the symlink"
	rm "$dir"
	mkdir -m 777 "$dir"
	chmod 777 "$dir"
	GUISE_PASSPHRASE_FILE=$PASS1 run -78 --separate-stderr persona-encrypt unlock --token
	assert_equal "$stderr" "persona-encrypt: '$dir' is writable by others: not keeping a session token there"
	[[ -z $(ls "$dir") ]] || fail "a file in the open directory"
	chmod 720 "$dir"
	GUISE_PASSPHRASE_FILE=$PASS1 run -78 --separate-stderr persona-encrypt unlock --token
	assert_equal "$stderr" "persona-encrypt: '$dir' is writable by others: not keeping a session token there"
	chmod 700 "$dir"
	if [[ $(id -u) == 0 ]]; then
		chown 65534 "$dir"
		GUISE_PASSPHRASE_FILE=$PASS1 run -78 --separate-stderr persona-encrypt unlock --token
		assert_equal "$stderr" "persona-encrypt: '$dir' belongs to another user: not keeping a session token there"
		chown 0 "$dir"
	fi
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok persona-encrypt unlock --token
	eval "$output"
	run -0 --separate-stderr persona-encrypt verify -v
	assert_equal "$stderr" "persona-encrypt: key for 'alice': from the session token"
	# a token left in a directory that became open is not trusted
	chmod 777 "$dir"
	run -77 --separate-stderr persona-encrypt verify
	chmod 700 "$dir"
	run_ok persona-encrypt lock
	assert_output '{"kind":"lock","user":"alice","keyring":false,"session_files":1}'
}
