#!/usr/bin/env bats
# persona-encrypt: users, passphrases, the unlock cache, passwd, recover,
# rekey, delete-user (DESIGN.md §6).

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { keys_setup; }
teardown() { keys_teardown; }

RECOVERY='^[A-Z2-7]{4}(-[A-Z2-7]{4}){12}$'

@test "init: the user record and, once, the recovery key in groups of four" {
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 --separate-stderr persona-encrypt init -u alice --email a@example.org
	assert_equal "$stderr" ""
	assert_output --regexp '^\{"kind":"user","id":"[0-9a-f-]{36}","username":"alice","email":"a@example.org","role":"user","account_status":"active","kdf":\{"alg":"argon2id13","preset":"min","opslimit":1,"memlimit":8192\},"dek_version":1,"recovery":true,"created_at":"[^"]+","updated_at":"[^"]+","recovery_key":"[A-Z2-7-]+"\}$'
	local key
	key=$(printf '%s' "$output" | sed 's/.*"recovery_key":"\([^"]*\)".*/\1/')
	[[ $key =~ $RECOVERY ]] || fail "recovery key '$key'"
	run_ok persona-encrypt users
	[[ $output != *recovery_key* && $output != *"$key"* ]]
	assert_output --partial '"username":"alice"'
}

@test "init: a name is required, must be valid, and must be new" {
	run -64 --separate-stderr persona-encrypt init
	assert_equal "$stderr" "persona-encrypt: init: name the new user with -u or GUISE_USER"
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt init -u 'bad name'
	assert_equal "$stderr" "persona-encrypt: 'bad name' is not a valid user name: 1 to 64 of A-Z a-z 0-9 . _ -"
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt init -u alice
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: user 'alice' exists"
	assert_equal "$(db_sql 'SELECT count(*) FROM users')" 1
}

@test "init -n stores nothing and prints no recovery key" {
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok persona-encrypt init -n -u alice
	assert_output --partial '"username":"alice"'
	[[ $output != *recovery_key* ]]
	assert_equal "$(db_sql 'SELECT count(*) FROM users')" 0
}

@test "--kdf choices are recorded per user; GUISE_KDF sets the default" {
	GUISE_KDF= GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt init -u inter --kdf interactive
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt init -u cheap
	assert_equal "$(db_sql "SELECT username, kdf_alg, kdf_opslimit, kdf_memlimit FROM users ORDER BY username")" \
		"cheap|argon2id13|1|8192
inter|argon2id13|2|67108864"
	run_ok persona-encrypt users -y
	assert_line '  preset: interactive'
	assert_line '  preset: min'
	run -64 --separate-stderr persona-encrypt init -u x --kdf fast
	assert_equal "${stderr_lines[0]}" "persona-encrypt: --kdf: 'fast' is not interactive, moderate or sensitive"
	GUISE_KDF=fast GUISE_PASSPHRASE_FILE=$PASS1 run -78 --separate-stderr persona-encrypt init -u x
	assert_equal "$stderr" "persona-encrypt: GUISE_KDF: 'fast' is not interactive, moderate or sensitive"
}

@test "Argon2id output equals Debian's argon2 command for three parameter sets" {
	local ops mem
	for params in "1 8" "2 65536" "3 12288"; do
		read -r ops mem <<< "$params"
		run_ok sh -c "printf 'pass phrase' | test-tool kdf saltsaltsaltsalt $ops $mem"
		assert_equal "$output" "$(printf 'pass phrase' | argon2 saltsaltsaltsalt -id -t "$ops" -k "$mem" -p 1 -l 32 -r)"
	done
}

@test "a wrong passphrase is 77; a locked user is 77 with the hint" {
	new_user alice
	GUISE_PASSPHRASE=nope run -77 --separate-stderr persona-encrypt verify
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: wrong passphrase for user 'alice'"
	run -77 --separate-stderr persona-encrypt verify
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
	run -77 --separate-stderr persona-encrypt seal <<< '{"a":"b"}'
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
}

@test "passphrase sources in order: --passphrase-fd, GUISE_PASSPHRASE_FILE, GUISE_PASSPHRASE" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 GUISE_PASSPHRASE=nope run -0 --separate-stderr persona-encrypt verify
	GUISE_PASSPHRASE_FILE=$PASS2 GUISE_PASSPHRASE='correct horse' run -77 --separate-stderr persona-encrypt verify
	GUISE_PASSPHRASE='correct horse' run_ok persona-encrypt verify
	GUISE_PASSPHRASE_FILE=$PASS2 run_ok persona-encrypt verify --passphrase-fd 3 3< "$PASS1"
	GUISE_PASSPHRASE_FILE=$BATS_TEST_TMPDIR/none run -66 --separate-stderr persona-encrypt verify
	assert_equal "$stderr" "persona-encrypt: cannot open GUISE_PASSPHRASE_FILE file '$BATS_TEST_TMPDIR/none': No such file or directory"
	run -64 --separate-stderr persona-encrypt verify --passphrase-fd x
	assert_equal "${stderr_lines[0]}" "persona-encrypt: --passphrase-fd: not a file descriptor"
}

@test "the user: -u, GUISE_USER, else the only one; several and none named is a usage error" {
	new_user alice
	new_user bob "$PASS2"
	GUISE_PASSPHRASE_FILE=$PASS1 run -64 --separate-stderr persona-encrypt verify
	assert_equal "$stderr" "persona-encrypt: several users: name one with -u or GUISE_USER"
	GUISE_USER=bob GUISE_PASSPHRASE_FILE=$PASS2 run_ok persona-encrypt verify
	assert_output '{"kind":"verify","user":"bob","fields":0,"failed":0,"unbound":0}'
	GUISE_PASSPHRASE_FILE=$PASS1 run -66 --separate-stderr persona-encrypt verify -u carol
	assert_equal "$stderr" "persona-encrypt: no such user 'carol'"
	db_sql 'DELETE FROM users'
	run -66 --separate-stderr persona-encrypt verify
	assert_equal "$stderr" "persona-encrypt: no users yet: run 'persona-encrypt init -u NAME'"
	# a PostgreSQL database does not go missing as a file does
	store_is_pg && return
	rm "$GUISE_DB"*
	run -66 --separate-stderr persona-encrypt verify
	assert_equal "$stderr" "persona-encrypt: no database at '$GUISE_DB': run 'persona-encrypt init'"
}

@test "unlock caches the key in the kernel keyring until lock or the timeout" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok persona-encrypt unlock --timeout 2s
	assert_output --regexp '^\{"kind":"unlock","user":"alice","via":"keyring","expires_at":"[^"]+","dry_run":false\}$'
	run -0 --separate-stderr persona-encrypt verify -v
	assert_equal "$stderr" "persona-encrypt: key for 'alice': from the keyring"
	sleep 3
	run -77 --separate-stderr persona-encrypt verify
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock
	run_ok persona-encrypt lock
	assert_output '{"kind":"lock","user":"alice","keyring":true,"session_files":0}'
	run -77 --separate-stderr persona-encrypt verify
	run -64 --separate-stderr persona-encrypt unlock --timeout 31d
	[[ ${stderr_lines[0]} == "persona-encrypt: --timeout: '31d' is not a duration"* ]]
}

@test "the keyring entry: guise:<db id>:<user id>, user-only permissions, a timeout" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock --timeout 10m
	local name key line
	name="guise:$(db_sql "SELECT value FROM meta WHERE key = 'db_id'"):$(user_id alice)"
	key=$(keyctl search @u user "$name")
	line=$(grep "^$(printf '%08x' "$key") " /proc/keys)
	# expiry 10m; possessor and user: view, read, write, search, setattr;
	# nothing for group or others
	[[ $line =~ ^[0-9a-f]{8}\ [^\ ]+\ +1\ +(10m|9m)\ 2f2f0000\  ]] || fail "$line"
	assert_equal "$(keyctl rdescribe "$key")" "user;$(id -u);$(id -g);2f2f0000;$name"
}

@test "unlock --token: a session token where keyrings are refused" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok persona-encrypt unlock --token --timeout 2s
	assert_output --regexp '^GUISE_SESSION=[A-Za-z0-9_-]+; export GUISE_SESSION$'
	eval "$output"
	[[ -n $GUISE_SESSION ]]
	local file
	file=$(ls "$XDG_RUNTIME_DIR"/guise/session-*)
	assert_equal "$(stat -c %a "$file")" 600
	assert_equal "$(stat -c %a "$XDG_RUNTIME_DIR/guise")" 700
	run -0 --separate-stderr persona-encrypt verify -v
	assert_equal "$stderr" "persona-encrypt: key for 'alice': from the session token"
	# the expiry is bound into the wrapped key: editing it opens nothing
	sed -i 's/"expires_ms":[0-9]*/"expires_ms":99999999999999/' "$file"
	run -77 --separate-stderr persona-encrypt verify
	rm "$file"
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock --token --timeout 1s
	eval "$output"
	sleep 2
	run -77 --separate-stderr persona-encrypt verify
	run_ok persona-encrypt lock
	assert_output '{"kind":"lock","user":"alice","keyring":false,"session_files":1}'
	[[ -z $(ls "$XDG_RUNTIME_DIR/guise") ]]
	unset XDG_RUNTIME_DIR
	GUISE_PASSPHRASE_FILE=$PASS1 run -78 --separate-stderr persona-encrypt unlock --token
	assert_equal "$stderr" "persona-encrypt: XDG_RUNTIME_DIR is not set: no place for a session token"
}

@test "after unlock, a pipeline of four guise commands derives no key, also under xargs -P8" {
	new_user alice
	run -0 sh -c "GUISE_PASSPHRASE_FILE='$PASS1' persona-encrypt unlock -v 2>&1 >/dev/null"
	assert_output "persona-encrypt: key for 'alice': derived from the passphrase (argon2id13, opslimit 1, memlimit 8192)"
	run -0 --separate-stderr sh -c 'echo "{\"id\":\"r1\",\"name\":\"Wren\"}" |
		persona-encrypt seal -v | persona-encrypt open -v | persona-encrypt seal -v | persona-encrypt open -v'
	assert_output '{"id":"r1","name":"Wren"}'
	assert_equal "$(printf '%s\n' "$stderr" | grep -c 'from the keyring')" 4
	assert_equal "$(printf '%s\n' "$stderr" | grep -c 'derived')" 0
	run -0 --separate-stderr sh -c 'seq 16 | xargs -P8 -I{} persona-encrypt verify -v'
	assert_equal "$(printf '%s\n' "$stderr" | grep -c 'from the keyring')" 16
	assert_equal "$(printf '%s\n' "$stderr" | grep -c 'derived')" 0
}

@test "KDF parameters above the caps are refused before anything is allocated" {
	new_user alice
	db_sql "UPDATE users SET kdf_memlimit = 4398046511104"
	# 4 TiB would not fit in 256 MiB of address space: the refusal comes first
	if sanitized; then
		GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt verify
	else
		GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr bash -c 'ulimit -v 262144 && exec persona-encrypt verify'
	fi
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: user 'alice': key derivation parameters over the caps (opslimit 1, memlimit 4398046511104; at most 10 and 1073741824)"
	db_sql "UPDATE users SET kdf_memlimit = 8192, kdf_opslimit = 11"
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt verify
	assert_equal "$stderr" "persona-encrypt: user 'alice': key derivation parameters over the caps (opslimit 11, memlimit 8192; at most 10 and 1073741824)"
}

@test "passwd re-wraps the key only: one row changes, the old passphrase then fails" {
	new_user alice
	new_user bob
	character c1 alice
	put alice c1 name Seraphina
	db_dump > "$BATS_TEST_TMPDIR/before"
	GUISE_PASSPHRASE_FILE=$PASS1 GUISE_NEW_PASSPHRASE_FILE=$PASS2 run_ok persona-encrypt passwd -u alice
	assert_output --partial '"username":"alice"'
	db_dump > "$BATS_TEST_TMPDIR/after"
	run -1 diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# exactly one line out and one in: alice's users row
	assert_equal "$(printf '%s\n' "$output" | grep -c '^<')" 1
	assert_equal "$(printf '%s\n' "$output" | grep -c '^>')" 1
	[[ $(printf '%s\n' "$output" | grep '^>') == *"$(db_dump_row users "$(user_id alice)" alice)"* ]]
	GUISE_PASSPHRASE_FILE=$PASS1 run -77 --separate-stderr persona-encrypt verify -u alice
	assert_equal "$stderr" "persona-encrypt: wrong passphrase for user 'alice'"
	GUISE_PASSPHRASE_FILE=$PASS2 run_ok persona-encrypt verify -u alice
	assert_output '{"kind":"verify","user":"alice","fields":1,"failed":0,"unbound":0}'
	GUISE_PASSPHRASE_FILE=$PASS2 run_ok test-tool vault-get -u alice characters name c1
	assert_output Seraphina
}

@test "passwd needs the old passphrase even when unlocked" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock
	GUISE_PASSPHRASE=wrong GUISE_NEW_PASSPHRASE_FILE=$PASS2 run -77 --separate-stderr persona-encrypt passwd
	assert_equal "$stderr" "persona-encrypt: wrong passphrase for user 'alice'"
}

@test "recover: the recovery key sets a new passphrase; a wrong one is 77" {
	new_user alice
	local key
	key=$(sed 's/.*"recovery_key":"\([^"]*\)".*/\1/' "$BATS_TEST_TMPDIR/alice.json")
	printf '%s\n' "$key" | tr 'A-Z' 'a-z' > "$BATS_TEST_TMPDIR/rk"
	GUISE_NEW_PASSPHRASE_FILE=$PASS2 run_ok persona-encrypt recover --recovery-key-file "$BATS_TEST_TMPDIR/rk"
	assert_output --partial '"username":"alice"'
	GUISE_PASSPHRASE_FILE=$PASS2 run -0 persona-encrypt verify
	GUISE_PASSPHRASE_FILE=$PASS1 run -77 persona-encrypt verify
	printf 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA\n' > "$BATS_TEST_TMPDIR/wrong"
	GUISE_NEW_PASSPHRASE_FILE=$PASS1 run -77 --separate-stderr persona-encrypt recover --recovery-key-fd 3 3< "$BATS_TEST_TMPDIR/wrong"
	assert_equal "$stderr" "persona-encrypt: wrong recovery key for user 'alice'"
	GUISE_NEW_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt recover --recovery-key-file "$PASS1"
	assert_equal "$stderr" "persona-encrypt: not a recovery key: 52 letters and digits in groups of four"
}

@test "rekey: every field re-encrypted, dek_version + 1; a saved old wrapped key opens nothing" {
	new_user alice
	character c1 alice
	character c2 alice
	put alice c1 name Seraphina
	put alice c1 description 'A guardian of the forest'
	put alice c2 name Simon
	local old_wrap
	old_wrap=$(db_sql "SELECT $(db_hex kek_salt) || '|' || $(db_hex dek_wrapped) || '|' || $(db_hex dek_nonce) FROM users")
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok persona-encrypt rekey
	assert_output --regexp '"dek_version":2,.*"fields_reencrypted":3,"recovery_key":"[A-Z2-7-]+"\}$'
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok persona-encrypt verify
	assert_output '{"kind":"verify","user":"alice","fields":3,"failed":0,"unbound":0}'
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok test-tool vault-get characters description c1
	assert_output 'A guardian of the forest'
	# the old wrap under the new version: does not even unwrap
	IFS='|' read -r salt wrapped nonce <<< "$old_wrap"
	db_sql "UPDATE users SET kek_salt = $(db_blob "$salt"), dek_wrapped = $(db_blob "$wrapped"), dek_nonce = $(db_blob "$nonce")"
	GUISE_PASSPHRASE_FILE=$PASS1 run -77 --separate-stderr persona-encrypt verify
	assert_equal "$stderr" "persona-encrypt: wrong passphrase for user 'alice'"
	# and with the old version put back too: the old key opens no field
	db_sql "UPDATE users SET dek_version = 1"
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt verify
	assert_output '{"kind":"verify","user":"alice","fields":3,"failed":3,"unbound":0}'
	[[ $stdout != *Seraphina* && $stderr != *Seraphina* ]]
}

@test "delete-user needs the passphrase and deletes everything of that user" {
	new_user alice
	new_user bob
	character c1 alice
	character c2 bob
	character c4 alice
	db_sql_fk "
		INSERT INTO chat_sessions (id, user_id, character_id, created_at, updated_at,
			active_impersonated_character_id) VALUES ('s1', '$(user_id alice)', 'c1', 't', 't', 'c4');
		INSERT INTO chat_messages (id, session_id, user_id, seq, role, created_at)
			VALUES ('m1', 's1', '$(user_id alice)', 1, 'user', 't')"
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock -u alice
	local entry
	entry="guise:$(db_sql "SELECT value FROM meta WHERE key = 'db_id'"):$(user_id alice)"
	run -0 keyctl search @u user "$entry"
	GUISE_PASSPHRASE=wrong run -77 --separate-stderr persona-encrypt delete-user -u alice
	assert_equal "$(db_sql 'SELECT count(*) FROM users')" 2
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok persona-encrypt delete-user -u alice
	assert_output "{\"kind\":\"user_deleted\",\"id\":\"$(sed 's/.*"id":"\([^"]*\)".*/\1/' "$BATS_TEST_TMPDIR/alice.json")\",\"username\":\"alice\",\"dry_run\":false}"
	assert_equal "$(db_sql "SELECT username FROM users")" bob
	assert_equal "$(db_sql "SELECT id FROM characters")" c2
	assert_equal "$(db_sql "SELECT (SELECT count(*) FROM chat_sessions) + (SELECT count(*) FROM chat_messages)")" 0
	run -66 --separate-stderr persona-encrypt verify -u alice
	assert_equal "$stderr" "persona-encrypt: no such user 'alice'"
	# and its key is gone from the keyring
	run -1 keyctl search @u user "$entry"
}

@test "a process holding a key cannot dump core" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock
	mkfifo "$BATS_TEST_TMPDIR/in"
	persona-encrypt seal < "$BATS_TEST_TMPDIR/in" > /dev/null &
	local pid=$!
	exec 5> "$BATS_TEST_TMPDIR/in"
	# it turns core dumps off before it reads a byte
	wait_until 10 grep -qE '^Max core file size +0 +0 +bytes' "/proc/$pid/limits"
	run -0 grep '^Max core file size' "/proc/$pid/limits"
	assert_output --regexp 'Max core file size +0 +0 +bytes'
	exec 5>&-
	wait "$pid"
}

@test "a damaged key row is a data error (65), not a wrong passphrase" {
	new_user alice
	db_sql "UPDATE users SET dek_nonce = substr(dek_nonce, 1, 23)"
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt verify
	assert_equal "$stderr" "persona-encrypt: user 'alice' has a malformed wrapped key"
	new_user bob
	db_sql "UPDATE users SET kdf_alg = 'scrypt' WHERE username = 'bob'"
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt verify -u bob
	assert_equal "$stderr" "persona-encrypt: user 'bob': unknown key derivation 'scrypt'"
	db_sql "UPDATE users SET recovery_dek_wrapped = NULL, recovery_nonce = NULL WHERE username = 'bob'"
	run -65 --separate-stderr persona-encrypt recover -u bob --recovery-key-file "$PASS1"
	assert_equal "$stderr" "persona-encrypt: not a recovery key: 52 letters and digits in groups of four"
	printf 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA\n' > "$BATS_TEST_TMPDIR/rk"
	run -65 --separate-stderr persona-encrypt recover -u bob --recovery-key-file "$BATS_TEST_TMPDIR/rk"
	assert_equal "$stderr" "persona-encrypt: user 'bob' has no usable recovery key"
}
