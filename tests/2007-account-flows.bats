#!/usr/bin/env bats
# The account verbs whole, as persona-encrypt hands them to lib/ (its
# secrets read through a g_account_ask, its -v line by callback), and the
# seal/open filter of lib/portable, driven through test-tool.

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { keys_setup; }
teardown() { keys_teardown; }

@test "passwd-asked: the checked key is told before the new passphrase is read; recover tells nothing" {
	new_user alice
	# told, then the missing new passphrase fails: nothing changed
	GUISE_PASSPHRASE_FILE=$PASS1 run -64 --separate-stderr test-tool keys passwd-asked -u alice
	assert_output "key_read alice passphrase"
	assert_equal "$stderr" "test-tool: no new passphrase: no terminal, and none of --new-passphrase-fd, --new-passphrase-file, GUISE_NEW_PASSPHRASE_FILE"
	# a wrong passphrase is not told
	GUISE_PASSPHRASE=wrong GUISE_NEW_PASSPHRASE_FILE=$PASS2 run -77 --separate-stderr test-tool keys passwd-asked -u alice
	assert_output ""
	assert_equal "$stderr" "test-tool: wrong passphrase for user 'alice'"
	# a bad --kdf fails after the key, before anything is written
	TOOL_KDF=fast GUISE_PASSPHRASE_FILE=$PASS1 GUISE_NEW_PASSPHRASE_FILE=$PASS2 run -64 --separate-stderr test-tool keys passwd-asked -u alice
	assert_output "key_read alice passphrase"
	assert_equal "$stderr" "test-tool: --kdf: 'fast' is not interactive, moderate or sensitive"
	TOOL_KDF=interactive GUISE_PASSPHRASE_FILE=$PASS1 GUISE_NEW_PASSPHRASE_FILE=$PASS2 run -0 --separate-stderr test-tool keys passwd-asked -u alice
	assert_output "key_read alice passphrase
kdf 2 67108864"
	assert_equal "$stderr" ""
	# the recovery key: no key_read, and with no KDF asked the user's own
	jq -r .recovery_key "$BATS_TEST_TMPDIR/alice.json" > "$BATS_TEST_TMPDIR/rk"
	GUISE_KDF= GUISE_NEW_PASSPHRASE_FILE=$PASS1 run -0 --separate-stderr test-tool keys passwd-asked -u alice "$BATS_TEST_TMPDIR/rk"
	assert_output "kdf 2 67108864"
	assert_equal "$stderr" ""
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 --separate-stderr persona-encrypt unlock -u alice -n
	assert_equal "$stderr" ""
}

@test "filter: records sealed and opened one by one; the first failure names its input and record" {
	new_user alice
	printf '{"kind":"note","text":"hi"}\n{"kind":"note","text":"there"}\n' > "$BATS_TEST_TMPDIR/in.jsonl"
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 --separate-stderr test-tool keys filter seal -u alice "$BATS_TEST_TMPDIR/in.jsonl"
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" ""
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/sealed.jsonl"
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 --separate-stderr test-tool keys filter open -u alice < "$BATS_TEST_TMPDIR/sealed.jsonl"
	assert_output "$(cat "$BATS_TEST_TMPDIR/in.jsonl")"
	assert_equal "$stderr" ""
	# the second record sealed already: the first goes out, the second is named
	{ head -1 "$BATS_TEST_TMPDIR/in.jsonl"; tail -1 "$BATS_TEST_TMPDIR/sealed.jsonl"; } > "$BATS_TEST_TMPDIR/mixed.jsonl"
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr test-tool keys filter seal -u alice "$BATS_TEST_TMPDIR/mixed.jsonl"
	assert_equal "${#lines[@]}" 1
	[[ $stderr == "test-tool: '$BATS_TEST_TMPDIR/mixed.jsonl': record 2: "* ]] || fail "stderr: $stderr"
	# no input: no output
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 --separate-stderr test-tool keys filter open -u alice < /dev/null
	assert_output ""
	assert_equal "$stderr" ""
}
