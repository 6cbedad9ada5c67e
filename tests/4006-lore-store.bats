#!/usr/bin/env bats
# lore: stored lorebooks (DESIGN.md §8 "Lore", issue 15 part 1): import of
# World Info files, V3 books, YAML, cards and --from-card; names; unchanged
# on re-import; list, show, update, delete; attach and detach for each
# target; export both ways, byte for byte; bad input located; limits;
# ambiguous names; dry runs; ciphertext only in the database; a rekey.
# Fixtures: tests/data/lore (ours, see its README).

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
	L=$DATA/lore
	cd "$BATS_TEST_TMPDIR"
}

teardown() { keys_teardown; }

books() { db_sql 'SELECT count(*) FROM lorebooks'; }
bindings() { db_sql 'SELECT count(*) FROM lore_bindings'; }
book_id() { lore show "$1" | jq -r .id; }

# Melina ($MELINA), a real card, and Wren ($WREN), a persona
cast() {
	MELINA=$(import_card "$DATA/cards-aicharlib/melina.png")
	WREN=$(mkpersona Wren)
}

@test "a World Info file: named after its file, stored, and exported as World Info gives the same entries" {
	run_ok lore import "$L/world-info.json"
	assert_output --regexp '^\{"kind":"lorebook","id":"'"$ID"'","name":"world-info","status":"created","source":"'"$L"'/world-info.json"\}$'
	local id
	id=$(jq -r .id <<< "$output")
	run_ok lore show world-info
	assert_output --regexp '^\{"kind":"lorebook","id":"'"$id"'","name":"world-info","entries":3,"attached":\[\],"created_at":"'"$TS"'","updated_at":"'"$TS"'"\}$'
	# key order within an entry is the V3 book's, so both sides are sorted
	lore export world-info --format st > st.json
	assert_equal "$(jq -S .entries st.json)" "$(jq -S .entries "$L/world-info.json")"
	# stored as V3: SillyTavern's fields under extensions with its names
	run_ok lore export world-info
	assert_equal "$(jq -c '.entries[1] | [.keys, .secondary_keys, .insertion_order, .enabled, .position,
		.extensions.position, .extensions.group_override, .extensions.scan_depth,
		.extensions.delay_until_recursion, .extensions.futureField]' <<< "$output")" \
		'[["salt"],["desert","dunes"],90,true,"after_char",4,true,3,2,{"kept":"as it is"}]'
	assert_equal "$(jq -c '.entries[0].position, .entries[2].enabled' <<< "$output")" $'"before_char"\nfalse'
}

@test "a V3 book: its own name, and exported as V3 it is the same object, key order and all" {
	run_ok lore import "$L/v3-book.json"
	assert_equal "$(jq -c '[.name, .status]' <<< "$output")" '["Harbour lore","created"]'
	run_ok lore export 'harbour LORE'
	assert_equal "$output" "$(jq -c . "$L/v3-book.json")"
	# as World Info and back, the book is stable: the same World Info again
	# (V3's position is SillyTavern's number after one round; keys sorted)
	lore export 'Harbour lore' --format st > st.json
	run_ok lore import st.json --name 'Harbour again'
	lore export 'Harbour again' --format st > again.json
	assert_equal "$(jq -S 'del(.name)' again.json)" "$(jq -S 'del(.name)' st.json)"
	assert_equal "$(jq -c '.entries["7"] | [.uid, .key, .order, .disable, .position, .depth, .groupWeight, .priority, .name, .use_regex]' st.json)" \
		'[7,["harbour","docks"],5,false,4,1,10,3,"harbour",false]'
}

@test "YAML, a whole card and --from-card: names from the file, the card and --name" {
	run_ok lore import "$L/harbour.yaml"
	assert_equal "$(jq -r .name <<< "$output")" harbour
	run_ok lore export harbour
	assert_equal "$output" '{"entries":[{"keys":["gull","gulls"],"content":"Gulls steal from the fish market.","enabled":true,"insertion_order":1,"id":1},{"keys":["tide"],"secondary_keys":["moon"],"selective":true,"content":"The tide turns at the bell.","enabled":true,"insertion_order":2,"id":2,"extensions":{"selectiveLogic":2}}],"name":"harbour"}'
	run_ok lore import "$L/card-with-book.json"
	assert_equal "$(jq -r .name <<< "$output")" Mira
	run_ok lore import --name Maps - < "$L/card-with-book.json"
	assert_equal "$(jq -c '[.name, .source]' <<< "$output")" '["Maps","-"]'
	run_err 65 "lore: '-': the book has no name: give --name" lore import - < "$L/harbour.yaml"
	local mira
	mira=$(import_card "$L/card-with-book.json")
	run_ok lore import --from-card Mira --name 'Mira own'
	assert_equal "$(jq -c '[.name, .status, .source]' <<< "$output")" "[\"Mira own\",\"created\",\"character:$mira\"]"
	assert_equal "$(lore export 'Mira own' | jq -c '.entries[0].keys')" '["map"]'
	mkchar Bare > /dev/null
	run_err 65 "lore: character 'Bare' has no character_book" lore import --from-card Bare
	run_err 66 "lore: no such character or persona 'Nobody'" lore import --from-card Nobody
	run -64 --separate-stderr lore import --from-card Mira x.json
	assert_equal "${stderr%%$'\n'*}" 'lore: --from-card and files: give one'
}

@test "re-importing the same book is unchanged; a changed book of that name is updated" {
	run_ok lore import "$L/world-info.json"
	local id
	id=$(jq -r .id <<< "$output")
	run_ok lore import "$L/world-info.json"
	assert_equal "$(jq -c '[.id, .status]' <<< "$output")" "[\"$id\",\"unchanged\"]"
	jq '.entries["0"].content = "Azkar is quiet now."' "$L/world-info.json" > world-info.json
	run_ok lore import world-info.json
	assert_equal "$(jq -c '[.id, .status]' <<< "$output")" "[\"$id\",\"updated\"]"
	assert_equal "$(books)" 1
	assert_equal "$(lore export world-info | jq -r '.entries[0].content')" 'Azkar is quiet now.'
	# several files: each its own, the bad one reported, the rest stored
	printf '{"entries": [{"keys": "x"}]}' > bad.json
	run -65 --separate-stderr lore import bad.json "$L/harbour.yaml"
	assert_equal "$stderr" "lore: 'bad.json': entries[0].keys: expected a list of strings"
	assert_equal "$(jq -r .name <<< "$output")" harbour
}

@test "update: --set, --clear, a merge patch on stdin, unchanged; delete" {
	lore import "$L/v3-book.json" > /dev/null
	run_ok lore update 'Harbour lore' --set token_budget=300 --set description='A new text' --clear scan_depth
	assert_equal "$(jq -c '[.name, .status]' <<< "$output")" '["Harbour lore","updated"]'
	assert_equal "$(lore show --full 'Harbour lore' | jq -c '.book | [.token_budget, .description, .scan_depth]')" \
		'[300,"A new text",null]'
	run_ok lore update 'Harbour lore' <<< '{"extensions": {"max_recursion_steps": 2}}'
	assert_equal "$(lore export 'Harbour lore' | jq -c .extensions)" '{"max_recursion_steps":2}'
	run_ok lore update 'Harbour lore' --set token_budget=300
	assert_equal "$(jq -r .status <<< "$output")" unchanged
	# entries patched in World Info's shape are stored as V3's
	run_ok lore update 'Harbour lore' <<< '{"entries": {"3": {"uid": 3, "key": ["quay"], "content": "Q.", "disable": true, "groupOverride": true}}}'
	assert_equal "$(lore export 'Harbour lore' | jq -c .entries)" \
		'[{"id":3,"keys":["quay"],"content":"Q.","enabled":false,"extensions":{"group_override":true}}]'
	assert_equal "$(lore export 'Harbour lore' --format st | jq -c .entries)" \
		'{"3":{"groupOverride":true,"uid":3,"key":["quay"],"content":"Q.","disable":true}}'
	run_ok lore update 'Harbour lore' --set name=Docks
	assert_equal "$(jq -r .name <<< "$output")" Docks
	run_err 65 "lore: 'arguments': entries: expected a list or an object" lore update Docks --set entries=3
	run_err 65 "lore: 'arguments': name: a book needs a name" lore update Docks --clear name
	run_err 65 "lore: '-': no patch on stdin" lore update Docks < /dev/null
	run_ok lore delete Docks
	assert_equal "$(jq -c '[.name, .status]' <<< "$output")" '["Docks","deleted"]'
	run_err 66 "lore: no such lorebook 'Docks'" lore show Docks
	assert_equal "$(books)" 0
}

@test "attach and detach: a session, a persona, a character, global; the render's view in the order attached" {
	cast
	local s b
	s=$(mksession --character Melina --title 'By the fire')
	lore import "$L/harbour.yaml" > /dev/null
	b=$(book_id harbour)
	run_ok lore attach harbour --session 'By the fire'
	assert_equal "$output" "{\"kind\":\"lorebook\",\"id\":\"$b\",\"name\":\"harbour\",\"status\":\"attached\",\"session\":\"$s\"}"
	run_ok lore attach harbour --persona Wren
	run_ok lore attach harbour --character Melina
	run_ok lore attach harbour --global
	assert_equal "$output" "{\"kind\":\"lorebook\",\"id\":\"$b\",\"name\":\"harbour\",\"status\":\"attached\",\"global\":true}"
	run_ok lore attach harbour --global
	assert_equal "$(jq -r .status <<< "$output")" unchanged
	assert_equal "$(lore show harbour | jq -c .attached)" \
		"[{\"session\":\"$s\"},{\"persona\":\"$WREN\"},{\"character\":\"$MELINA\"},{\"global\":true}]"
	lore import "$L/v3-book.json" > /dev/null
	lore attach 'Harbour lore' --session "$s" > /dev/null
	run_ok test-tool lore-attached session "$s"
	assert_equal "$(jq -c 'map(.name)' <<< "$output")" '["harbour","Harbour lore"]'
	# as stored, with the source timed effects are keyed by
	assert_equal "$(jq -c '.[1]' <<< "$output")" \
		"$(jq -c --arg s "lore:$(book_id 'Harbour lore')" '. + {source: $s}' "$L/v3-book.json")"
	run_ok test-tool lore-attached global
	assert_equal "$(jq -c 'map(.name)' <<< "$output")" '["harbour"]'
	run_ok lore detach harbour --persona Wren
	assert_equal "$(jq -r .status <<< "$output")" detached
	run_err 66 "lore: lorebook '$b' is not attached to persona '$WREN'" lore detach harbour --persona Wren
	run_ok lore detach harbour --global
	run_err 66 "lore: lorebook '$b' is not global" lore detach harbour --global
	run_err 66 "lore: no such session 'Nowhere'" lore attach harbour --session Nowhere
	run_err 64 "$(printf '%s\n' 'lore: --session, --persona, --character, --global: give one' "$(lore --help)")" \
		lore attach harbour --global --persona Wren
	run -64 --separate-stderr lore attach harbour
	assert_equal "${stderr%%$'\n'*}" 'lore: --session, --persona, --character or --global: give one'
	# deleting the target or the book takes its bindings with it
	session-bind delete "$s" > /dev/null
	assert_equal "$(lore show harbour | jq -c .attached)" "[{\"character\":\"$MELINA\"}]"
	lore delete harbour > /dev/null
	assert_equal "$(bindings)" 0
}

@test "bad input is located, 65, and nothing is stored" {
	printf '{"entries": {"0": {"key": ["a", 3], "content": "x"}}}' > wi.json
	run_err 65 "lore: 'wi.json': entries[0].keys[1]: expected a string" lore import wi.json
	printf '{"name": "x"}' > none.json
	run_err 65 "lore: 'none.json': no lorebook in it (a World Info file, a character_book or a card with one)" lore import none.json
	printf '{"entries": 3}' > three.json
	run_err 65 "lore: 'three.json': entries: expected a list or an object" \
		lore import --input json three.json
	printf '{"entries": [],' > broken.json
	run -65 --separate-stderr lore import broken.json
	assert_regex "$stderr" "^lore: 'broken.json':[0-9]+:[0-9]+: "
	printf '{"entries": []}\n{"entries": []}\n' > two.json
	run_err 65 "lore: 'two.json':2:1: end of file expected near '{'" lore import two.json
	printf -- '--- {entries: []}\n--- {entries: []}\n' > two.yaml
	run_err 65 "lore: 'two.yaml': one book per file, not several" lore import two.yaml
	printf '{"entries": {"0": {"uid": 0, "key": ["a"], "groupOverride": true, "group_override": false}}}' > twice.json
	run_err 65 "lore: 'twice.json': entries.0.group_override: given twice (also as 'group_override')" \
		lore import twice.json
	run_err 66 "lore: cannot open 'missing.json': No such file or directory" lore import missing.json
	assert_equal "$(books)" 0
}

@test "limits: a book past G_LORE_ENTRIES_MAX (10000) entries is refused; one at it is stored" {
	jq -n -c '{entries: [range(10001) | {keys: ["k\(.)"], content: "c"}]}' > big.json
	run_err 65 "lore: 'big.json': entries: more than 10000" lore import big.json
	jq -c '.entries |= .[:10000]' big.json > max.json
	run_ok lore import max.json
	assert_equal "$(lore show max | jq .entries)" 10000
	assert_equal "$(lore export max --format st | jq '.entries | length')" 10000
}

@test "ambiguous: a name two books share lists both, 65; an id prefix names one" {
	lore import "$L/harbour.yaml" > /dev/null
	lore import "$L/v3-book.json" > /dev/null
	local a b
	a=$(book_id harbour)
	b=$(book_id 'Harbour lore')
	lore update "$b" --set name=HARBOUR > /dev/null
	run_err 65 "lore: 'harbour' is ambiguous: 2 match (lorebook $a, lorebook $b)" lore show harbour
	sed 's/Gulls steal/Gulls nest/' "$L/harbour.yaml" > harbour.yaml
	run_err 65 "lore: 'harbour' is ambiguous: 2 match (lorebook $a, lorebook $b)" lore import harbour.yaml
	run_ok lore show "${b:0:35}"
	assert_equal "$(jq -r .name <<< "$output")" HARBOUR
	run_err 66 "lore: no such lorebook 'seaside'" lore export seaside
}

@test "-n: import, update, attach, detach and delete store nothing" {
	cast
	lore import "$L/harbour.yaml" > /dev/null
	local before
	before=$(db_dump)
	run_ok lore import -n "$L/world-info.json"
	assert_equal "$(jq -r .status <<< "$output")" created
	run_ok lore update -n harbour --set token_budget=5
	run_ok lore attach -n harbour --global
	assert_equal "$(jq -r .status <<< "$output")" attached
	run_ok lore delete -n harbour
	assert_equal "$(db_dump)" "$before"
	lore attach harbour --character Melina > /dev/null
	before=$(db_dump)
	run_ok lore detach -n harbour --character Melina
	assert_equal "$(db_dump)" "$before"
}

@test "only ciphertext in the database: no name, key, content or file name in the file or its WAL" {
	jq '.entries["0"].content = "Quorrax canary content" | .entries["0"].key = ["Zibblewort"]
		| .entries["1"].comment = "Mnemosyx comment"' "$L/world-info.json" > Vellichor.json
	hold_reader
	lore import Vellichor.json > /dev/null
	lore update Vellichor --set description=Brindlefax > /dev/null
	store_is_pg || [[ -s $GUISE_DB-wal ]] || fail "no WAL to look into"
	run -1 grep -a -E 'Quorrax|Zibblewort|Mnemosyx|Vellichor|Brindlefax|caravans|Azkar' \
		<(store_strings)
	release_reader
	run -1 grep -a -E 'Quorrax|Zibblewort|Mnemosyx|Vellichor|Brindlefax|caravans|Azkar' \
		<(store_strings)
	assert_equal "$(lore export Vellichor | jq -r '.entries[0].keys[0]')" Zibblewort
}

@test "a rekey re-seals books and their hashes: still readable, still unchanged on re-import" {
	lore import "$L/world-info.json" > /dev/null
	local before
	before=$(db_sql "SELECT $(db_hex content_hash) || $(db_hex book) FROM lorebooks")
	run_ok persona-encrypt rekey
	[[ $(db_sql "SELECT $(db_hex content_hash) || $(db_hex book) FROM lorebooks") != "$before" ]] ||
		fail "the rekey left the book as it was"
	run_ok lore import "$L/world-info.json"
	assert_equal "$(jq -r .status <<< "$output")" unchanged
	assert_equal "$(lore export world-info --format st | jq -S .entries)" "$(jq -S .entries "$L/world-info.json")"
}
