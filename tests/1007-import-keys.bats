#!/usr/bin/env bats
# persona-import and persona-export with keys (DESIGN.md §5, §6): what is
# stored is ciphertext, hashes are keyed and follow a rekey, a locked user
# gets nothing, and one user's cards are invisible to another. Real cards
# from tests/data/cards-aicharlib (MIT, see its LICENSE).

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	keys_setup
	new_user alice
	new_user bob "$PASS2"
	CARDS=$DATA/cards-aicharlib
}

teardown() { keys_teardown; }

as_alice() { GUISE_PASSPHRASE_FILE=$PASS1 "$@" -u alice; }
as_bob() { GUISE_PASSPHRASE_FILE=$PASS2 "$@" -u bob; }

@test "nothing a card says is left readable in the database files" {
	as_alice persona-import "$CARDS"/*.png > /dev/null
	as_alice persona-import --as persona "$CARDS/melina.png" > /dev/null
	run -0 as_alice persona-export Melina --character
	assert_output --partial '"name":"Melina"'
	# names, descriptions, tags and greetings of both cards are absent
	run -1 grep -c -e Melina -e 'Alpin' -e 'Somewhere in the middle of a field' <(store_strings)
	assert_output 0
}

@test "re-importing after a rekey is still 'unchanged': content hashes follow the new key" {
	as_alice persona-import "$CARDS"/*.png > /dev/null
	local before
	before=$(db_sql "SELECT $(db_hex content_hash) FROM characters ORDER BY id")
	GUISE_PASSPHRASE_FILE=$PASS1 run_ok persona-encrypt rekey -u alice
	# the hashes changed with the key (the old ones would tell what is stored)
	[[ $(db_sql "SELECT $(db_hex content_hash) FROM characters ORDER BY id") != "$before" ]]
	run -0 --separate-stderr as_alice persona-import "$CARDS"/*.png
	assert_equal "$(jq -r .status <<< "$output" | sort -u)" unchanged
	assert_equal "$stderr" ""
}

@test "a locked user: 77, nothing stored, nothing printed" {
	run -77 --separate-stderr persona-import -u alice "$CARDS/melina.png"
	assert_output ""
	assert_equal "$stderr" "persona-import: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
	assert_equal "$(db_sql 'SELECT count(*) FROM characters')" 0
	run -77 --separate-stderr persona-export -u alice Melina
	assert_output ""
}

@test "a wrong passphrase: 77, nothing stored" {
	GUISE_PASSPHRASE_FILE=$PASS2 run -77 --separate-stderr persona-import -u alice "$CARDS/melina.png"
	assert_output ""
	assert_equal "$(db_sql 'SELECT count(*) FROM characters')" 0
}

@test "another user's cards: not 'unchanged' for bob, not found by name or id, same words as missing" {
	run -0 as_alice persona-import "$CARDS/melina.png"
	local id
	id=$(jq -r .id <<< "$output")
	run -0 as_bob persona-import "$CARDS/melina.png"
	assert_equal "$(jq -r .status <<< "$output")" created
	[[ $(jq -r .id <<< "$output") != "$id" ]]
	run -66 --separate-stderr as_bob persona-export "$id"
	assert_equal "$stderr" "persona-export: no such character or persona '$id'"
	run -66 --separate-stderr as_bob persona-export 00000000-0000-7000-8000-000000000000
	assert_equal "$stderr" "persona-export: no such character or persona '00000000-0000-7000-8000-000000000000'"
	# bob's own Melina is found by name, alice's is not in the way
	run_ok as_bob persona-export Melina
	assert_equal "$(jq -r .data.name <<< "$output")" Melina
}

@test "a ciphertext moved to another row fails closed on export: 65, no plaintext" {
	run -0 as_alice persona-import "$CARDS"/*.png
	local a b
	a=$(sed -n 1p <<< "$output" | jq -r .id)
	b=$(sed -n 2p <<< "$output" | jq -r .id)
	db_sql "UPDATE characters SET (description, description_nonce) =
		(SELECT description, description_nonce FROM characters WHERE id = '$a') WHERE id = '$b'"
	run -65 --separate-stderr as_alice persona-export "$b"
	assert_output ""
	assert_regex "$stderr" "^persona-export: characters '$b' description: "
}

@test "a hash match is confirmed byte for byte: two rows that share a hash are told apart by their images" {
	# the same card in two images: two rows, two hashes
	local card=$BATS_TEST_TMPDIR/card.txt one=$BATS_TEST_TMPDIR/one.png two=$BATS_TEST_TMPDIR/two.png
	test-tool png-card "$CARDS/melina.png" 2> /dev/null | base64 -w0 > "$card"
	test-tool png-add "$DATA/pngsuite/png/basn0g01.png" "$one" tEXt chara < "$card"
	test-tool png-add "$DATA/pngsuite/png/basn2c08.png" "$two" tEXt chara < "$card"
	run -0 as_alice persona-import "$one" "$two"
	local a b
	a=$(sed -n 1p <<< "$output" | jq -r .id)
	b=$(sed -n 2p <<< "$output" | jq -r .id)
	assert_equal "$(jq -r .status <<< "$output" | sort -u)" created
	# force what a hash collision would look like: a, the older row, gets
	# b's hash, so b's card finds a first and must pass over it
	db_sql "UPDATE characters SET content_hash =
		(SELECT content_hash FROM characters WHERE id = '$b') WHERE id = '$a'"
	run -0 as_alice persona-import "$two"
	assert_equal "$(jq -r '.id + " " + .status' <<< "$output")" "$b unchanged"
}
