#!/usr/bin/env bats
# lib/card_store through test-tool card-store (DESIGN.md §7): the conflict
# policy of an import (new, replace, skip) with namesakes met in the same
# batch and in the store, cards that stand or fall together under one
# savepoint, and batches that commit after BATCH cards and never split a
# group. test-tool prints each card as it is stored, and "commit N" as
# each batch commits; a card named FAIL fails its group once stored.

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	keys_setup_alice
}

teardown() { keys_teardown; }

# store STATUS POLICY BATCH [persona] < cards: run the tool, expecting
# STATUS (and for 0 an empty stderr); SAID is its output with each record
# as "status name", IDS the records' ids in order
store() {
	run "-$1" --separate-stderr test-tool card-store "${@:2}"
	[[ $1 != 0 ]] || assert_equal "$stderr" ""
	IDS=$(grep -v '^commit' <<< "$output" | jq -r .id)
	SAID=$(while IFS= read -r l; do
		if [[ $l == commit* ]]; then echo "$l"; else jq -r '"\(.status) \(.name)"' <<< "$l"; fi
	done <<< "$output")
}

id() { sed -n "${1}p" <<< "$IDS"; }
rows() { db_sql "SELECT (SELECT count(*) FROM characters), (SELECT count(*) FROM user_personas)"; }

cards() { printf '{"name":"%s","description":"%s"}\n' "$@"; }

@test "skip: a namesake stored earlier in the same batch is found (names fold ASCII case); the same card again is unchanged" {
	store 0 skip 10 < <(cards Vale one vale two Vale one)
	assert_equal "$SAID" "created Vale
skipped vale
unchanged Vale
commit 3"
	assert_equal "$(id 2)" "$(id 1)"
	assert_equal "$(id 3)" "$(id 1)"
	assert_equal "$(rows)" "1|0"
}

@test "replace: the namesake is overwritten under its id; two namesakes are 65 and that card alone is undone" {
	store 0 new 10 < <(cards Vale one)
	first=$(id 1)
	store 0 replace 10 < <(cards Vale two Wren three)
	assert_equal "$SAID" "updated Vale
created Wren
commit 2"
	assert_equal "$(id 1)" "$first"
	assert_equal "$(test-tool vault-get characters description "$first" 2> /dev/null)" two
	store 0 new 10 < <(cards Vale four)
	assert_equal "$SAID" "created Vale
commit 1"
	assert_equal "$(rows)" "3|0"
	# two rows called Vale: which one is not guessed; the batch goes on
	store 65 replace 10 < <(cards Vale five Yarrow six)
	assert_equal "$stderr" "test-tool: '-[1]': 2 characters are called that: cannot tell which to replace"
	assert_equal "$SAID" "created Yarrow
commit 1"
	assert_equal "$(rows)" "4|0"
}

@test "new: a namesake gets a row of its own; only the same card is found again" {
	store 0 new 10 < <(cards Vale one Vale two Vale one)
	assert_equal "$SAID" "created Vale
created Vale
unchanged Vale
commit 3"
	assert_equal "$(id 3)" "$(id 1)"
	[[ $(id 2) != "$(id 1)" ]] || fail "one row for two cards"
	assert_equal "$(rows)" "2|0"
}

@test "a group stands or falls whole: a member that fails undoes the ones stored before it, and the default they set" {
	local T=$BATS_TEST_TMPDIR
	printf '%s' '{"personas": {"a.png": "Alpha", "b.png": "FAIL"}, "default_persona": "a.png"}' > "$T/fail.json"
	store 65 new 10 < "$T/fail.json"
	assert_equal "$stderr" "test-tool: '-: personas.b.png': FAIL: failed on purpose"
	# Alpha was told inside the savepoint, then rolled back with it
	assert_equal "$SAID" "created Alpha
commit 0"
	assert_equal "$(rows)" "0|0"
	assert_equal "$(db_sql 'SELECT count(*) FROM users WHERE default_persona_id IS NOT NULL')" 0
	# the same group without the failure: both, and the default
	store 0 new 10 < <(printf '%s' '{"personas": {"a.png": "Alpha", "b.png": "Beta"}, "default_persona": "a.png"}')
	assert_equal "$SAID" "created Alpha
created Beta
commit 2"
	assert_equal "$(db_sql 'SELECT default_persona_id FROM users')" "$(id 1)"
}

@test "skip and replace learn a namesake only once its group is kept" {
	local T=$BATS_TEST_TMPDIR
	# Alpha's group fails: a later Alpha is no namesake of a row never stored
	{
		printf '%s\n' '{"personas": {"a.png": "Alpha", "b.png": "FAIL"}}'
		printf '%s\n' '{"name":"Alpha","description":"x"}'
	} > "$T/two.json"
	store 65 skip 10 persona < "$T/two.json"
	assert_equal "$stderr" "test-tool: '-[1]: personas.b.png': FAIL: failed on purpose"
	assert_equal "$SAID" "created Alpha
created Alpha
commit 1"
	assert_equal "$(rows)" "0|1"
}

@test "batches commit after BATCH cards, and a group is never split by a commit" {
	store 0 new 2 < <(cards A 1 B 2 C 3 D 4 E 5)
	assert_equal "$SAID" "created A
created B
commit 2
created C
created D
commit 2
created E
commit 1"
	# a group of three in batches of two: a commit before it, then all three
	store 0 new 2 < <(
		cards F 6
		printf '%s\n' '{"personas": {"a.png": "G", "b.png": "H", "c.png": "I"}}'
	)
	assert_equal "$SAID" "created F
commit 1
created G
created H
created I
commit 3"
	assert_equal "$(rows)" "6|3"
}

# every nonce column of TABLE, one value a line, as hex; NULLs left out
nonces() {
	local col
	for col in $(db_columns "$1" | grep '_nonce$'); do
		db_sql "SELECT $(db_hex "$col") FROM $1 WHERE $col IS NOT NULL" || return 1
	done
}

@test "every field of every row is sealed under a nonce of its own (drawn for a row at a time)" {
	store 0 new 3 < <(cards A 1 B 2 C 3 D 4 E 5 F 6 G 7)
	store 0 new 10 < <(printf '%s\n' '{"personas": {"a.png": "P", "b.png": "Q"}}')
	assert_equal "$(rows)" "7|2"
	for t in characters user_personas; do
		all=$(nonces "$t")
		# name, description, the rest of the V3 fields and origin at the least
		(($(wc -l <<< "$all") > 10 * $(db_sql "SELECT count(*) FROM $t")))
		assert_equal "$(sort <<< "$all" | uniq -d)" ""
		assert_equal "$(awk '{ print length($0) }' <<< "$all" | sort -u)" 48
	done
}

@test "card-store: a policy that is none of new, replace, skip is a usage error" {
	run -64 --separate-stderr test-tool card-store merge 10 < /dev/null
	assert_output ""
	assert_equal "${stderr_lines[0]}" "test-tool: card-store: no policy 'merge'"
}
