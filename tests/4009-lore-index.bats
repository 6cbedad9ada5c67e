#!/usr/bin/env bats
# The lore index (lib/lore_index.h, migrations 0008 and 0009): a card's book stored
# as lore activation reads it, sealed beside character_book, so that a
# render does not parse the book's JSON. It is derived: every card write
# makes it anew (a stale one would be a wrong render), a row without one
# renders from the JSON as before, the same request either way; it is
# sealed like any column (verify, rekey, bound to its row) and never
# exported. Its reader refuses what is truncated or malformed (65).

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
}

teardown() {
	keys_teardown
}

# entry ID KEY CONTENT: a V3 entry fired by KEY, placed before the card
entry() {
	jq -n -c --argjson id "$1" --arg k "$2" --arg c "$3" \
		'{id: $id, keys: [$k], content: $c, enabled: true, insertion_order: $id,
		  extensions: {position: 0}}'
}

# book NAME ENTRY...: a V3 character_book (NAME "" leaves the name out)
book() { jq -s -c --arg n "$1" 'if $n == "" then {} else {name: $n} end + {entries: .}' <<< "${*:2}"; }

# index_of ID: the character's lore_index, as SQL sees it (NULL: none)
index_of() { db_sql "SELECT coalesce(CAST(length(lore_index) AS TEXT), 'NULL') FROM characters WHERE id = '$1'"; }

# unindex ID: the character's row as written before 0008
unindex() { db_sql "UPDATE characters SET lore_index = NULL, lore_index_nonce = NULL WHERE id = '$1'"; }

# fired: "book/entry: why" of each fired entry of the request in $output
fired() { jq -r '.guise.lore.fired | map("\(.book)/\(.entry): \(.why)") | join("; ")' <<< "$output"; }

LANTERN=$(book "" "$(entry 1 lantern 'Lantern lore for {{user}}.')" \
	"$(entry 2 '/fog+y?/i' '@@activate_only_after 0
Fog lore, which names the harbour.')" "$(entry 3 harbour 'Harbour lore.')")

@test "a card's book is stored read, sealed; the request is the same with the index and without (a row from before 0008)" {
	local c s with
	c=$(mkchar Sera "$(jq -n -c --argjson b "$LANTERN" '{character_book: $b}')")
	[[ $(index_of "$c") != NULL ]] || fail "no lore index"
	# ciphertext only: no entry's text in the column
	assert_equal "$(db_sql "SELECT $(db_bytes_at lore_index Lantern) +
		$(db_bytes_at lore_index GLI) FROM characters WHERE id = '$c'")" 0
	run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
	with=$output
	assert_equal "$(fired)" "Sera's book/1: key 'lantern' in message 1; Sera's book/2: key '/fog+y?/i' in message 1; Sera's book/3: key 'harbour' in recursion from entry 2"
	unindex "$c"
	run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
	assert_equal "$output" "$with"
	# the same in a session, with the text form
	s=$(mksession --character Sera --no-persona)
	run_ok prompt-render -s "$s" -m "Light the lantern" --format text
	with=$output
	persona update --character Sera --set tags='["x"]' > /dev/null
	[[ $(index_of "$c") != NULL ]] || fail "no lore index after an update"
	run_ok prompt-render -s "$s" -m "Light the lantern" --format text
	assert_equal "$output" "$with"
}

@test "migration 0009 drops an index of the first form (GLI1); the card renders the same from its JSON and is indexed anew when next written" {
	require_sqlite_store "a SQLite file taken back to schema 8 (a PostgreSQL store starts at 9)"
	local c with
	c=$(mkchar Sera "$(jq -n -c --argjson b "$LANTERN" '{character_book: $b}')")
	run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
	with=$output
	# the row as a build before 0009 left it: some index, schema 8
	db_sql "UPDATE characters SET lore_index = $(db_blob 00), lore_index_nonce = $(db_blob 00)
		WHERE id = '$c'; PRAGMA user_version = 8"
	run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
	assert_equal "$output" "$with"
	assert_equal "$(index_of "$c")" NULL
	assert_equal "$(db_sql 'PRAGMA user_version')" 9
	# the tables built again: every row still opens where it is bound
	run_ok persona-encrypt verify
	assert_equal "$(jq -c '[.failed, .unbound]' <<< "$output")" '[0,0]'
	persona update --character Sera --set tags='["x"]' > /dev/null
	[[ $(index_of "$c") != NULL ]] || fail "not indexed anew"
	run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
	assert_equal "$output" "$with"
}

@test "an index of another version is stale: the card renders from its JSON, the same request" {
	local c with
	c=$(mkchar Sera "$(jq -n -c --argjson b "$LANTERN" '{character_book: $b}')")
	run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
	with=$output
	# the index as a build of another version wrote it (its version byte)
	{ printf 'GLI1'; test-tool vault-get characters lore_index "$c" | tail -c +5; } |
		test-tool vault-put characters lore_index "$c"
	assert_equal "$(test-tool vault-get characters lore_index "$c" | head -c 4)" GLI1
	run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
	assert_equal "$output" "$with"
	assert_equal "$(fired)" "Sera's book/1: key 'lantern' in message 1; Sera's book/2: key '/fog+y?/i' in message 1; Sera's book/3: key 'harbour' in recursion from entry 2"
}

@test "the index follows the card: persona update --set and --clear of character_book, persona-import over it" {
	local c
	c=$(mkchar Sera "$(jq -n -c --argjson b "$LANTERN" '{character_book: $b}')")
	persona update --character Sera --set "character_book=$(book Glade "$(entry 7 moss 'Moss lore.')")" > /dev/null
	run_ok prompt-render --character Sera -m "The lantern and the moss"
	assert_equal "$(fired)" "Glade/7: key 'moss' in message 1"
	persona update --character Sera --clear character_book > /dev/null
	assert_equal "$(index_of "$c")" NULL
	run_ok prompt-render --character Sera -m "The lantern and the moss"
	assert_equal "$(jq -c '.guise.lore' <<< "$output")" null
	persona show --character Sera | jq -c '.data + {character_book: $b} | {spec: "chara_card_v3", spec_version: "3.0", data: .}' \
		--argjson b "$(book Reef "$(entry 9 coral 'Coral lore.')")" > "$BATS_TEST_TMPDIR/card.json"
	run_ok persona-import --on-conflict replace "$BATS_TEST_TMPDIR/card.json"
	run_ok prompt-render --character Sera -m "coral and moss"
	assert_equal "$(fired)" "Reef/9: key 'coral' in message 1"
}

@test "a persona's card book and an impersonated character's come from their index too" {
	local p
	p=$(mkpersona Wren)
	persona update --persona Wren --set "character_book=$(book Road "$(entry 4 road 'Road lore.')")" > /dev/null
	mkchar Ada "$(jq -n -c --argjson b "$(book Tower "$(entry 5 tower 'Tower lore.')")" '{character_book: $b}')" > /dev/null
	mkchar Sera "$(jq -n -c --argjson b "$LANTERN" '{character_book: $b}')" > /dev/null
	[[ $(db_sql "SELECT count(lore_index) FROM user_personas WHERE id = '$p'") == 1 ]] || fail "no persona index"
	run_ok prompt-render --character Sera --persona Wren -m "road, tower, lantern"
	assert_equal "$(fired)" "Sera's book/1: key 'lantern' in message 1; Road/4: key 'road' in message 1"
	run_ok prompt-render --character Sera --impersonate Ada -m "road, tower, lantern"
	assert_equal "$(fired)" "Sera's book/1: key 'lantern' in message 1; Tower/5: key 'tower' in message 1"
}

@test "a book that does not read gets no index: the render says what is wrong, as before" {
	local c bad
	bad=$(jq -c '.entries[0].extensions.position = 9' <<< "$LANTERN")
	c=$(mkchar Sera "$(jq -n -c --argjson b "$bad" '{character_book: $b}')")
	assert_equal "$(index_of "$c")" NULL
	run_err 65 "prompt-render: 'Sera's book': entries[0].extensions.position: expected a whole number from 0 to 7" \
		prompt-render --character Sera -m hi
}

@test "export gives the card back as it came, without the index" {
	local c with card=$BATS_TEST_TMPDIR/in.json
	jq -n -c --argjson b "$LANTERN" '{spec: "chara_card_v3", spec_version: "3.0",
		data: {name: "Sera", description: "d", personality: "", scenario: "", first_mes: "hi",
		mes_example: "", creator_notes: "", system_prompt: "", post_history_instructions: "",
		alternate_greetings: [], tags: [], creator: "", character_version: "",
		extensions: {}, group_only_greetings: [], character_book: $b}}' > "$card"
	c=$(persona-import "$card" | jq -r .id)
	run_ok persona-export --format v3 Sera
	with=$output
	assert_equal "$(grep -c lore_index <<< "$output")" 0
	assert_equal "$(jq -c '.data.character_book.entries | map(.content)' <<< "$output")" \
		"$(jq -c '.entries | map(.content)' <<< "$LANTERN")"
	# the same as a row without one exports
	unindex "$c"
	run_ok persona-export --format v3 Sera
	assert_equal "$output" "$with"
}

@test "the index is sealed like any column: verify opens it, rekey re-seals it, another row's does not open here" {
	local a b with
	a=$(mkchar Sera "$(jq -n -c --argjson b "$LANTERN" '{character_book: $b}')")
	b=$(mkchar Ada "$(jq -n -c --argjson b "$(book Tower "$(entry 5 tower 'Tower lore.')")" '{character_book: $b}')")
	run_ok prompt-render --character Sera -m "lantern"
	with=$output
	run_ok persona-encrypt verify
	assert_equal "$(jq .failed <<< "$output")" 0
	# sealed in parts (format 3), before the rekey and after
	assert_equal "$(db_sql "SELECT $(db_hex lore_index) FROM characters WHERE id = '$a'" | head -c 2)" 03
	run_ok persona-encrypt rekey
	assert_equal "$(db_sql "SELECT $(db_hex lore_index) FROM characters WHERE id = '$a'" | head -c 2)" 03
	run_ok persona-encrypt verify
	assert_equal "$(jq .failed <<< "$output")" 0
	run_ok prompt-render --character Sera -m "lantern"
	assert_equal "$output" "$with"
	db_sql "UPDATE characters SET (lore_index, lore_index_nonce) = (SELECT lore_index, lore_index_nonce FROM characters WHERE id = '$b') WHERE id = '$a'"
	run -65 --separate-stderr prompt-render --character Sera -m "lantern"
	[[ $stderr == "prompt-render: characters '$a' lore_index: "* ]] || fail "$stderr"
	run -65 --separate-stderr persona-encrypt verify
}

@test "a session's two cards, each with its index: stale or damaged as for one card" {
	local a b s with
	a=$(mkchar Sera "$(jq -n -c --argjson b "$LANTERN" '{character_book: $b}')")
	b=$(mkchar Ada "$(jq -n -c --argjson b "$(book Tower "$(entry 5 tower 'Tower lore.')")" '{character_book: $b}')")
	s=$(mksession --character Sera --impersonate Ada)
	run_ok prompt-render -s "$s" -m "The lantern by the tower"
	with=$output
	assert_equal "$(fired)" "Sera's book/1: key 'lantern' in message 2; Tower/5: key 'tower' in message 2"
	# the persona's index stale: its book from its JSON, the same request
	{ printf 'GLI1'; test-tool vault-get characters lore_index "$b" | tail -c +5; } |
		test-tool vault-put characters lore_index "$b"
	run_ok prompt-render -s "$s" -m "The lantern by the tower"
	assert_equal "$output" "$with"
	# the character's damaged: 65 naming it
	db_sql "UPDATE characters SET (lore_index, lore_index_nonce) = (SELECT lore_index, lore_index_nonce FROM characters WHERE id = '$b') WHERE id = '$a'"
	run -65 --separate-stderr prompt-render -s "$s" -m "The lantern by the tower"
	assert_output ""
	assert_equal "$stderr" "prompt-render: characters '$a' lore_index: ciphertext fails its integrity check"
	# and a session that is not there
	run_err 66 "prompt-render: no such session 'nosuch'" prompt-render -s nosuch -m hi
}

@test "the reader refuses a truncated or malformed index (65) and reads back what was written" {
	local ix=$BATS_TEST_TMPDIR/ix
	test-tool lore-index write < "$DATA/lore/world-info.json" > "$ix"
	run_ok test-tool lore-index read < "$ix"
	assert_equal "$(jq -c .entries <<< "$output")" "$(jq '.entries | length' "$DATA/lore/world-info.json")"
	head -c 30 "$ix" > "$ix.short"
	run_err 65 "test-tool: lore index: truncated" test-tool lore-index read < "$ix.short"
	run_err 65 "test-tool: lore index: not one (no GLI mark)" test-tool lore-index read <<< "{}"
	# another version's index is stale, not damaged: the card is read from its JSON
	# (a later form in its frame, or an earlier one sealed whole)
	perl -0777 -pe 's/GLI5/GLI9/' "$ix" > "$ix.v9"
	run_ok test-tool lore-index read < "$ix.v9"
	assert_output '{"stale":true}'
	{ printf 'GLI1'; tail -c +5 "$ix"; } > "$ix.v1"
	run_ok test-tool lore-index read < "$ix.v1"
	assert_output '{"stale":true}'
	# a byte more: every part is read a byte off its place
	cat "$ix" <(printf x) > "$ix.long"
	run_err 65 "test-tool: lore index: a string holds a NUL, or does not end with one" \
		test-tool lore-index read < "$ix.long"
	# the count of parts over what the frame holds
	{ printf '\377\377\000\000'; tail -c +5 "$ix"; } > "$ix.count"
	run_err 65 "test-tool: lore index: not one (no GLI mark)" test-tool lore-index read < "$ix.count"
}

@test "regex keys fire as before where the text a match needs is not plain in the pattern" {
	local b i=0 keys=('/moss|fern/' '/(?x) f e r n /' '/fer?n/' '/\x66ern/' '/[[:alpha:]]ern/'
		'/KELVIN/i' '/(?i)LONGSHIP/' '/ca+t/' '/(dog)|wolf/' '/SCALE/i')
	b=$(for k in "${keys[@]}"; do i=$((i + 1)); entry "$i" "$k" "Entry $i."; done)
	mkchar Sera "$(jq -n -c --argjson b "$(book Traps $b)" '{character_book: $b}')" > /dev/null
	# the Kelvin sign and the long s, as UTF-8 bytes (whatever the locale)
	run_ok prompt-render --character Sera -m $'fern fen and the \xe2\x84\xaaelvin \xc5\xbfcale, a longship, a caaat, a wolf'
	assert_equal "$(jq -r '.guise.lore.fired | map(.entry) | join(" ")' <<< "$output")" "1 2 3 4 5 6 7 8 9 10"
}

@test "a quiet entry's rest is read only when its key may be in the texts; damaged, it fails the render that reads it (65), not one that does not" {
	local c hex last ix=$BATS_TEST_TMPDIR/ix
	c=$(mkchar Sera "$(jq -n -c --argjson b "$(book Lamps "$(entry 1 lantern 'Lantern lore.')" \
		"$(entry 2 tower 'Tower lore.')")" '{character_book: $b}')")
	test-tool vault-get characters lore_index "$c" > "$ix"
	# entry 2 is quiet and last: its rest ends the index with its probability (8 bytes)
	{ head -c -8 "$ix"; printf '\377\377\377\377\377\377\377\377'; } > "$ix.nan"
	test-tool vault-put characters lore_index "$c" < "$ix.nan"
	run_ok prompt-render --character Sera -m "The lantern"
	assert_equal "$(fired)" "Lamps/1: key 'lantern' in message 1"
	run -65 --separate-stderr prompt-render --character Sera -m "The tower"
	assert_output ""
	assert_equal "$stderr" "prompt-render: book 'Lamps' entries[1]: lore index: a probability out of range"
	run_err 65 "test-tool: lore index: a probability out of range" test-tool lore-index read < "$ix.nan"
	run_ok test-tool lore-index read < "$ix"
	assert_output '{"name":"Lamps","entries":2}'
	# each quiet entry's rest is a part sealed alone: entry 2's tag altered
	# fails the render that opens it, naming the row, and no other
	test-tool vault-put characters lore_index "$c" < "$ix"
	hex=$(db_sql "SELECT $(db_hex lore_index) FROM characters WHERE id = '$c'")
	[[ ${hex:0:2} == 03 ]] || fail "the index is not sealed in parts: ${hex:0:2}"
	last=$(printf '%02X' $(( 16#${hex: -2} ^ 1 )))
	db_sql "UPDATE characters SET lore_index = $(db_blob "${hex:0:-2}$last") WHERE id = '$c'"
	run_ok prompt-render --character Sera -m "The lantern"
	assert_equal "$(fired)" "Lamps/1: key 'lantern' in message 1"
	run -65 --separate-stderr prompt-render --character Sera -m "The tower"
	assert_output ""
	assert_equal "$stderr" "prompt-render: book 'Lamps' entries[1]: characters '$c' lore_index: ciphertext fails its integrity check"
}

@test "indexes of forms 3 and 4, which earlier builds wrote and sealed whole, are still read: a card renders from them until it is next written" {
	local c with form
	c=$(mkchar Sera "$(jq -n -c --argjson b "$LANTERN" '{character_book: $b}')")
	run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
	with=$output
	# lantern.gli3 and .gli4: $LANTERN's index as the builds before forms 4
	# and 5 wrote it; vault-put seals them whole (format 1), as those did
	for form in 3 4; do
		test-tool vault-put characters lore_index "$c" < "$DATA/lore/lantern.gli$form"
		assert_equal "$(db_sql "SELECT $(db_hex lore_index) FROM characters WHERE id = '$c'" | head -c 2)" 01
		# the book's JSON emptied: what fires can only come from the index
		book "" | test-tool vault-put characters character_book "$c"
		run_ok prompt-render --character Sera -m "The lantern and the FOGGY quay"
		assert_equal "$output" "$with"
		assert_equal "$(fired)" "Sera's book/1: key 'lantern' in message 1; Sera's book/2: key '/fog+y?/i' in message 1; Sera's book/3: key 'harbour' in recursion from entry 2"
		run_ok test-tool lore-index read < "$DATA/lore/lantern.gli$form"
		assert_output '{"name":"","entries":3}'
	done
}
