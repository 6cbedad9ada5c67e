#!/usr/bin/env bats
# persona-import of cards whose fields seal to 1 MiB or more (issue 12,
# item 16): such a row goes in as zeros, then each field is sealed and
# written into it on its own (lib/card_row.c fill_row), so that a large card
# is not held sealed whole and again in the record SQLite builds
# (bench/import-memory.sh measures the memory). Here: what is stored is the
# card, every field opens, the card as imported comes back byte for byte,
# and replace and personas go the same way.

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	keys_setup_alice
	T=$BATS_TEST_TMPDIR
	# some 1.3 MB of description, with a newline, a quote and a non-ASCII
	# character in every line
	awk 'BEGIN { for (i = 0; i < 50000; i++) printf "line %05d: \"road\" \303\251t\303\251.\n", i }' \
		> "$T/long.txt"
	big_card Big "$T/long.txt" > "$T/big.json"
}

teardown() { keys_teardown; }

# big_card NAME FILE: a V3 card, its description FILE, and fields of every
# kind of column: text, JSON, and extra (creation_date)
big_card() {
	jq -n --arg name "$1" --rawfile d "$2" '{spec: "chara_card_v3", spec_version: "3.0",
		x_top: 1, data: {name: $name, description: $d, first_mes: "Hi.", tags: ["a", "b"],
		extensions: {x: [1, {y: null}]}, creation_date: 1700000000,
		character_book: {extensions: {}, entries: [{keys: ["k"], content: "c",
			extensions: {}, enabled: true, insertion_order: 0, use_regex: false}]}}}'
}

summary_id() {
	assert_equal "$(jq -r .status <<< "$output")" "$1"
	jq -r .id <<< "$output"
}

# every field of alice's opens: N of them, none failed
all_open() {
	run_ok persona-encrypt verify
	assert_equal "$(jq -c '[.fields, .failed]' <<< "$output")" "[$1,0]"
}

@test "a card over 1 MiB: stored as it is, every field opens, its export re-imports 'unchanged'" {
	local id
	run -0 --separate-stderr persona-import "$T/big.json"
	assert_equal "$stderr" ""
	id=$(summary_id created)
	run -0 --separate-stderr persona-export "$id"
	assert_equal "$stderr" ""
	printf '%s\n' "$output" > "$T/export.json"
	jq -j .data.description "$T/export.json" > "$T/description"
	cmp "$T/description" "$T/long.txt"
	assert_equal "$(jq -c '[.x_top, .data.tags, .data.extensions, .data.creation_date,
		.data.character_book.entries[0].keys, .data.first_mes]' "$T/export.json")" \
		'[1,["a","b"],{"x":[1,{"y":null}]},1700000000,["k"],"Hi."]'
	# origin, name, description, first_mes, tags, extensions, book, card_raw, extra,
	# the book as lore reads it (lore_index) and the fields V3 requires, filled in empty
	# (count() of the one row: a boolean does not add up on PostgreSQL)
	all_open "$(db_sql "SELECT count(origin) + count(name) +
		count(description) + count(personality) + count(scenario) +
		count(first_mes) + count(mes_example) + count(creator_notes) +
		count(system_prompt) + count(post_history_instructions) +
		count(alternate_greetings) + count(group_only_greetings) +
		count(tags) + count(creator) + count(character_version) +
		count(nickname) + count(creator_notes_multilingual) +
		count(source) + count(assets) + count(character_book) +
		count(extensions) + count(card_raw) + count(avatar) +
		count(extra) + count(lore_index) FROM characters")"
	# no field was left as the zeros it went in as
	assert_equal "$(db_sql "SELECT count(*) FROM characters
		WHERE description = $(db_zeros 'length(description)')
		   OR description_nonce = $(db_zeros 24) OR card_raw_nonce = $(db_zeros 24)")" 0
	run_ok persona-import "$T/export.json"
	assert_equal "$(summary_id unchanged)" "$id"
	run -0 store_integrity
	assert_output ok
}

@test "a CHARX over 1 MiB goes out with its assets byte for byte (the card as imported is stored whole)" {
	head -c 1500000 /dev/urandom > "$T/bg.bin"
	jq '.data.assets = [{type: "background", uri: "embeded://assets/other/bg.bin",
		name: "bg", ext: "bin"}]' "$T/big.json" > "$T/kit.json"
	test-tool charx-write "$T/kit.charx" assets/other/bg.bin "$T/bg.bin" < "$T/kit.json"
	run -0 --separate-stderr persona-import "$T/kit.charx"
	assert_equal "$stderr" ""
	run -0 --separate-stderr persona-export --format charx -o "$T/out.charx" Big
	assert_equal "$stderr" ""
	run_ok test-tool charx "$T/out.charx"
	assert_equal "$(jq -c .entries <<< "$output")" "$(test-tool charx "$T/kit.charx" | jq -c .entries)"
	assert_equal "$(jq -r '.entries[].sha256' <<< "$output")" "$(sha256sum < "$T/bg.bin" | cut -d' ' -f1)"
}

@test "a PNG card over 1 MiB keeps its avatar and re-imports 'unchanged' from its export" {
	local id
	base64 -w0 "$T/big.json" |
		test-tool png-add "$DATA/pngsuite/png/basn2c08.png" "$T/big.png" tEXt chara
	run -0 --separate-stderr persona-import "$T/big.png"
	assert_equal "$stderr" ""
	id=$(summary_id created)
	run_ok persona-export --format png -o "$T/out.png" "$id"
	test-tool png-strip "$T/out.png" "$T/image.png"
	cmp "$T/image.png" "$DATA/pngsuite/png/basn2c08.png"
	run_ok persona-import "$T/out.png"
	assert_equal "$(summary_id unchanged)" "$id"
}

@test "--on-conflict replace: a large card over a small one and a small one over a large one" {
	local id
	jq '.data.description = "short"' "$T/big.json" > "$T/small.json"
	run_ok persona-import "$T/small.json"
	id=$(summary_id created)
	run_ok persona-import --on-conflict replace "$T/big.json"
	assert_equal "$(summary_id updated)" "$id"
	run_ok persona-export "$id"
	jq -j .data.description <<< "$output" > "$T/description"
	cmp "$T/description" "$T/long.txt"
	run_ok persona-import "$T/big.json"
	assert_equal "$(summary_id unchanged)" "$id"
	run_ok persona-import --on-conflict replace "$T/small.json"
	assert_equal "$(summary_id updated)" "$id"
	run_ok persona-export "$id"
	assert_equal "$(jq -r .data.description <<< "$output")" short
	assert_equal "$(db_sql 'SELECT count(*) FROM characters')" 1
	run_ok persona-encrypt verify
	assert_equal "$(jq .failed <<< "$output")" 0
}

@test "a persona over 1 MiB (its placement columns follow the fields): stored, opens, re-imports 'unchanged'" {
	local id
	jq '.data.extensions.guise_persona = {position: "at_depth", depth: 7, role: "user"}' \
		"$T/big.json" > "$T/persona.json"
	run_ok persona-import --as persona "$T/persona.json"
	assert_equal "$(jq -r .kind <<< "$output")" persona
	id=$(summary_id created)
	assert_equal "$(db_sql 'SELECT position, depth, role FROM user_personas')" \
		'at_depth|7|user'
	run_ok persona-export --persona "$id"
	printf '%s\n' "$output" > "$T/export.json"
	jq -j .data.description "$T/export.json" > "$T/description"
	cmp "$T/description" "$T/long.txt"
	run_ok persona-import --as persona "$T/export.json"
	assert_equal "$(summary_id unchanged)" "$id"
	run_ok persona-encrypt verify
	assert_equal "$(jq .failed <<< "$output")" 0
}
