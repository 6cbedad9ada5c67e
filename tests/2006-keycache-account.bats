#!/usr/bin/env bats
# The key work persona-encrypt and session-bind hand to lib/, driven
# through test-tool: the KDF a new wrap gets, an unlock's length, the
# cached key dropped from both places at once, verify's record and
# verdict, the recovery record, a new session's greeting.

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { keys_setup; }
teardown() { keys_teardown; }

@test "kdf-choose: --kdf, else a non-empty GUISE_KDF, else the verb's default; bad names say which" {
	run -0 --separate-stderr test-tool keys kdf-choose interactive
	assert_output "interactive 2 67108864"
	assert_equal "$stderr" ""
	# --kdf wins over GUISE_KDF (min, from common_setup)
	run -0 --separate-stderr test-tool keys kdf-choose
	assert_output "min 1 8192"
	assert_equal "$stderr" ""
	GUISE_KDF= run -0 --separate-stderr test-tool keys kdf-choose
	assert_output "fallback 1 8192"
	assert_equal "$stderr" ""
	run -64 --separate-stderr test-tool keys kdf-choose Moderate
	assert_output ""
	assert_equal "$stderr" "test-tool: --kdf: 'Moderate' is not interactive, moderate or sensitive"
	GUISE_KDF=fast run -78 --separate-stderr test-tool keys kdf-choose
	assert_output ""
	assert_equal "$stderr" "test-tool: GUISE_KDF: 'fast' is not interactive, moderate or sensitive"
	# an empty --kdf is not the environment's: it is no name at all
	GUISE_KDF=fast run -0 --separate-stderr test-tool keys kdf-choose ''
	assert_output "fallback 1 8192"
	assert_equal "$stderr" ""
}

@test "unlock-plan: 15 minutes unless told, the place named in the record, nothing cached under -n" {
	run -0 --separate-stderr test-tool keys unlock-plan keyring
	assert_line -n 0 --regexp '^\{"kind":"unlock","user":"alice","via":"keyring","expires_at":"[0-9T:.-]+Z","dry_run":true\}$'
	assert_line -n 1 "lasts 900s"
	assert_equal "$stderr" ""
	run -0 --separate-stderr test-tool keys unlock-plan token 90
	assert_line -n 0 --regexp '"via":"session-token",'
	assert_line -n 1 "lasts 90s"
	assert_equal "$stderr" ""
	[[ ! -e $XDG_RUNTIME_DIR/guise ]] || fail "a dry run made a session file"
}

@test "drop: the keyring entry and every session file of the user go together, and only theirs" {
	new_user alice
	new_user bob "$PASS2"
	run -0 --separate-stderr test-tool keys drop -u alice
	assert_output "keyring 0 session_files 0"
	assert_equal "$stderr" ""
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock -u alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock -u alice --token
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock -u alice --token
	GUISE_PASSPHRASE_FILE=$PASS2 run -0 persona-encrypt unlock -u bob --token
	run -0 --separate-stderr test-tool keys drop -u alice
	assert_output "keyring 1 session_files 2"
	assert_equal "$stderr" ""
	run_ok test-tool keys drop -u alice
	assert_output "keyring 0 session_files 0"
	assert_equal "$(ls "$XDG_RUNTIME_DIR/guise" | wc -l)" 1
	run -0 --separate-stderr test-tool keys drop -u bob
	assert_output "keyring 0 session_files 1"
	assert_equal "$stderr" ""
}

@test "verify's verdict: failures first, unbound fields counted in words, fix forgives them" {
	run -0 --separate-stderr test-tool keys verdict 4 0 0
	assert_output '{"kind":"verify","user":"alice","fields":4,"failed":0,"unbound":0}'
	assert_equal "$stderr" ""
	run -65 --separate-stderr test-tool keys verdict 4 0 1
	assert_output '{"kind":"verify","user":"alice","fields":4,"failed":0,"unbound":1}'
	assert_equal "$stderr" "test-tool: 1 encrypted field of 'alice' is not bound to its row's meaning (sealed by an older guise): run 'persona-encrypt verify --fix'"
	run -65 --separate-stderr test-tool keys verdict 4 0 2
	assert_equal "$stderr" "test-tool: 2 encrypted fields of 'alice' are not bound to its row's meaning (sealed by an older guise): run 'persona-encrypt verify --fix'"
	run -65 --separate-stderr test-tool keys verdict 4 1 2
	assert_equal "$stderr" "test-tool: 1 of 4 encrypted fields of 'alice' fail their integrity check"
	run -0 --separate-stderr test-tool keys verdict 4 0 2 fix
	assert_output '{"kind":"verify","user":"alice","fields":4,"failed":0,"unbound":2,"resealed":0}'
	assert_equal "$stderr" ""
	run -65 --separate-stderr test-tool keys verdict 4 1 2 fix
	assert_equal "$stderr" "test-tool: 1 of 4 encrypted fields of 'alice' fail their integrity check"
}

@test "recovery-record: the key once, not under -n, fields only for a rekey, the caller's copy zeroed" {
	new_user alice
	local id
	id=$(user_id alice)
	run -0 --separate-stderr test-tool keys recovery-record -u alice
	assert_line -n 0 --regexp "^\\{\"kind\":\"user\",\"id\":\"$id\",.*,\"recovery_key\":\"ABCD-EFGH\"\\}\$"
	refute_output --partial fields_reencrypted
	assert_line -n 1 "the caller's copy: zeroed"
	assert_equal "$stderr" ""
	run -0 --separate-stderr test-tool keys recovery-record -u alice -n 7
	assert_line -n 0 --regexp ',"fields_reencrypted":7\}$'
	refute_output --partial recovery_key
	assert_line -n 1 "the caller's copy: zeroed"
	assert_equal "$stderr" ""
}

@test "greeting: first_mes, the Nth alternate, none when empty and not asked, the count when out of range" {
	local vale='{"name":"Vale","data":{"first_mes":"Hello.","alternate_greetings":["Hi.","Yo."]}}'
	local mute='{"name":"Mute","data":{"first_mes":"","alternate_greetings":["Psst."]}}'
	run -0 --separate-stderr test-tool greeting 0 <<< "$vale"
	assert_output "Hello."
	assert_equal "$stderr" ""
	run -0 --separate-stderr test-tool greeting 2 <<< "$vale"
	assert_output "Yo."
	assert_equal "$stderr" ""
	run -0 --separate-stderr test-tool greeting 0 <<< "$mute"
	assert_output "(none)"
	assert_equal "$stderr" ""
	run -65 --separate-stderr test-tool greeting 0 asked <<< "$mute"
	assert_output ""
	assert_equal "$stderr" "test-tool: 'Mute' has no first_mes to greet with"
	run -65 --separate-stderr test-tool greeting 3 <<< "$vale"
	assert_equal "$stderr" "test-tool: 'Vale' has 2 alternate greetings"
	run -65 --separate-stderr test-tool greeting 2 <<< "$mute"
	assert_equal "$stderr" "test-tool: 'Mute' has 1 alternate greeting"
	run -65 --separate-stderr test-tool greeting 1 <<< '{"name":"Bare","data":{}}'
	assert_equal "$stderr" "test-tool: 'Bare' has 0 alternate greetings"
	run -65 --separate-stderr test-tool greeting -- -1 <<< "$vale"
	assert_equal "$stderr" "test-tool: 'Vale' has 2 alternate greetings"
}
