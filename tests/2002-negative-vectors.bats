#!/usr/bin/env bats
# Named negative vectors (after age's testkit), one defect each, built with
# the sqlite3 command against a real database. Each must fail its integrity
# check: exit 65, the place named, and no plaintext on stdout.

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	keys_setup
	new_user alice
	new_user bob "$PASS2"
	character c1 alice
	character c2 alice
	character c3 bob
	put alice c1 name 'Seraphina'
	put alice c1 description 'Guardian of the glade'
	put alice c2 name 'Simon'
	printf '%s' 'Bob bot' | GUISE_PASSPHRASE_FILE=$PASS2 test-tool vault-put -u bob characters name c3
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt verify -u alice
	assert_output '{"kind":"verify","user":"alice","fields":3,"failed":0,"unbound":0}'
}
teardown() { keys_teardown; }

# The vector's field must not open, through verify and through a read.
assert_broken() {
	local user=$1 pass=$2 row=$3 column=$4 fields=$5
	GUISE_PASSPHRASE_FILE=$pass run -65 --separate-stderr persona-encrypt verify -u "$user"
	assert_output "{\"kind\":\"verify\",\"user\":\"$user\",\"fields\":$fields,\"failed\":1,\"unbound\":0}"
	assert_equal "${stderr_lines[0]}" "persona-encrypt: characters '$row' $column: $6"
	assert_equal "${stderr_lines[1]}" "persona-encrypt: 1 of $fields encrypted fields of '$user' fail their integrity check"
	GUISE_PASSPHRASE_FILE=$pass run -65 --separate-stderr test-tool vault-get -u "$user" characters "$column" "$row"
	assert_output ""
	assert_equal "$stderr" "test-tool: characters '$row' $column: $6"
	[[ $stderr != *Seraphina* && $stderr != *Guardian* && $stderr != *Simon* ]]
}

# move_name FROM TO: row FROM's encrypted name and its nonce, as they are,
# into row TO
move_name() {
	db_sql "UPDATE characters SET
		(name, name_nonce) = (SELECT name, name_nonce FROM characters WHERE id = '$1')
		WHERE id = '$2'"
}

FAILS="ciphertext fails its integrity check"

@test "swapped_row: a ciphertext moved to another row" {
	move_name c1 c2
	assert_broken alice "$PASS1" c2 name 3 "$FAILS"
}

@test "swapped_column: a ciphertext moved to another column" {
	db_sql "UPDATE characters SET description = name, description_nonce = name_nonce WHERE id = 'c1'"
	assert_broken alice "$PASS1" c1 description 3 "$FAILS"
}

@test "other_user: a ciphertext moved to another user's row" {
	move_name c1 c3
	assert_broken bob "$PASS2" c3 name 1 "$FAILS"
}

@test "other_owner: a row handed to another user by changing its owner" {
	db_sql "UPDATE characters SET user_id = '$(user_id bob)' WHERE id = 'c2'"
	GUISE_PASSPHRASE_FILE=$PASS2 run -65 --separate-stderr persona-encrypt verify -u bob
	assert_output '{"kind":"verify","user":"bob","fields":2,"failed":1,"unbound":0}'
	assert_equal "${stderr_lines[0]}" "persona-encrypt: characters 'c2' name: $FAILS"
}

@test "old_dek_version: a ciphertext from before a rekey put back" {
	local saved
	saved=$(db_sql "SELECT $(db_hex name) || '|' || $(db_hex name_nonce) FROM characters WHERE id = 'c2'")
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt rekey -u alice
	IFS='|' read -r ct nonce <<< "$saved"
	db_sql "UPDATE characters SET name = $(db_blob "$ct"), name_nonce = $(db_blob "$nonce") WHERE id = 'c2'"
	assert_broken alice "$PASS1" c2 name 3 "$FAILS"
}

@test "flipped_tag: one bit of the tag flipped" {
	local hex last
	hex=$(col_hex c1 name)
	last=$(printf '%02X' $(( 16#${hex: -2} ^ 1 )))
	db_sql "UPDATE characters SET name = $(db_blob "${hex:0:-2}$last") WHERE id = 'c1'"
	assert_broken alice "$PASS1" c1 name 3 "$FAILS"
}

@test "flipped_ciphertext: one bit of the text flipped" {
	local hex byte
	hex=$(col_hex c1 name)
	byte=$(printf '%02X' $(( 16#${hex:2:2} ^ 128 )))
	db_sql "UPDATE characters SET name = $(db_blob "${hex:0:2}$byte${hex:4}") WHERE id = 'c1'"
	assert_broken alice "$PASS1" c1 name 3 "$FAILS"
}

@test "truncated_nonce: the nonce cut short" {
	local hex
	hex=$(col_hex c1 name_nonce)
	db_sql "UPDATE characters SET name_nonce = $(db_blob "${hex:0:46}") WHERE id = 'c1'"
	assert_broken alice "$PASS1" c1 name 3 "nonce of 23 bytes, not 24"
}

@test "truncated_ciphertext: the ciphertext cut short" {
	local hex
	hex=$(col_hex c1 description)
	db_sql "UPDATE characters SET description = $(db_blob "${hex:0:20}") WHERE id = 'c1'"
	assert_broken alice "$PASS1" c1 description 3 "ciphertext too short"
}

@test "unknown_format: a format version this guise does not know" {
	local hex
	hex=$(col_hex c1 name)
	db_sql "UPDATE characters SET name = $(db_blob "02${hex:2}") WHERE id = 'c1'"
	assert_broken alice "$PASS1" c1 name 3 "unknown ciphertext format version 2"
}

@test "a row of another user is not found, as a row that does not exist" {
	GUISE_PASSPHRASE_FILE=$PASS2 run -66 --separate-stderr test-tool vault-get -u bob characters name c1
	assert_output ""
	assert_equal "$stderr" "test-tool: no such row 'c1' in characters"
	GUISE_PASSPHRASE_FILE=$PASS2 run -66 --separate-stderr test-tool vault-get -u bob characters name c9
	assert_equal "$stderr" "test-tool: no such row 'c9' in characters"
	run -66 --separate-stderr sh -c "printf x | GUISE_PASSPHRASE_FILE='$PASS2' test-tool vault-put -u bob characters name c1"
	assert_equal "$stderr" "test-tool: no such row 'c1' in characters"
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok test-tool vault-get -u alice characters name c1
	assert_output Seraphina
}
