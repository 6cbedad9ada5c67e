#!/usr/bin/env bats
# Lore's timed state (DESIGN.md §8 "Lore", timed effects) between a render
# and the turn llm-send --record stores: the request says where it was
# rendered (guise.lore.at) and its timed state is stored only when the
# session is still there, so a stale request never overwrites newer state;
# and effects are keyed by their book's source (card:<id>, lore:<id>), not
# its name, so two books of one name keep their own and a rename keeps
# them. State stored before sources (keyed by name) is matched by name once.
# Sera's greeting is message 1; a render with -m counts its message as 2.

load lore

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	lore_setup
	export ANTHROPIC_API_KEY=$CANARY
}
teardown() { lore_teardown; }

# keyed ID ORDER KEY STICKY CONTENT: an entry fired by KEY, sticky STICKY
keyed() { entry "$1" "$2" "{\"position\": 0, \"sticky\": $4}" "$5" "{\"constant\": false, \"keys\": [\"$3\"]}"; }

# session: a session with Sera, no persona, recordable, scanning the new
# message and the one before it
session() {
	local s
	s=$(mksession --character Sera --no-persona --set provider=anthropic --set model=m-1)
	session-bind set "$s" lore_scan_depth=1 > /dev/null
	echo "$s"
}

# replies N: the fake provider answering N requests
replies() {
	local i entries=()
	for ((i = 0; i < $1; i++)); do entries+=("$(streamf anthropic_stream)"); done
	fake_start "$(script "${entries[@]}")"
}

# whys: "book/entry why" of each fired entry of the request in $output
whys() { jq -r '.guise.lore.fired | map("\(.book)/\(.entry) \(.why)") | join("; ")' <<< "$output"; }

MOVED="llm-send: warning: the turn is recorded, not the lore's timed state in its request: the session has moved on since it was rendered"

@test "a request rendered before another was recorded does not overwrite the newer state" {
	local c s a=$BATS_TEST_TMPDIR/a.json b=$BATS_TEST_TMPDIR/b.json
	c=$(lorechar Sera "$(book Glade "$(keyed 1 10 lantern 9 'Lantern lore.')" "$(keyed 2 20 owl 5 'Owl lore.')")")
	s=$(session)
	prompt-render -s "$s" -m "Light the lantern" > "$a"
	prompt-render -s "$s" -m "An owl hoots" > "$b"
	assert_equal "$(jq -c .guise.lore.timed "$a")" '[{"source":"card:'"$c"'","book":"Glade","entry":1,"effect":"sticky","start":2,"end":11}]'
	assert_equal "$(jq -c .guise.lore.timed "$b")" '[{"source":"card:'"$c"'","book":"Glade","entry":2,"effect":"sticky","start":2,"end":7}]'
	# both rendered at the same point of the chat
	assert_equal "$(jq -c .guise.lore.at "$a")" "$(jq -c .guise.lore.at "$b")"
	replies 3
	run_ok llm-send --record --url "$FAKE_URL" "$b"
	assert_equal "$(jq -c .recorded <<< "$output")" '[2,3]'
	# A now: its turn is recorded, its state is not, and it says so
	run -0 --separate-stderr llm-send --record --url "$FAKE_URL" "$a"
	assert_equal "$(jq -c '[.content, .recorded]' <<< "$output")" '["Hello, Wren!",[4,5]]'
	assert_equal "$stderr" "$MOVED"
	run_ok session-log show "$s" --last 2
	assert_equal "$(jq -r .content <<< "$output")" "Light the lantern
Hello, Wren!"
	# B's state stands: at message 6 the owl is sticky, the lantern is not
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(whys)" "Glade/2 sticky until message 7"
	# A again: the session has moved on by A's own turn too
	run -0 --separate-stderr llm-send --record --url "$FAKE_URL" "$a"
	assert_equal "$(jq -c .recorded <<< "$output")" '[6,7]'
	assert_equal "$stderr" "$MOVED"
	assert_equal "$(requests)" 3
}

@test "a request rendered before the chat moved (a message added, or one deleted and another added) leaves the state as it was" {
	local s r=$BATS_TEST_TMPDIR/r.json
	lorechar Sera "$(book Glade "$(keyed 1 10 lantern 9 'Lantern lore.')")" > /dev/null
	s=$(session)
	replies 3
	# a message appended since the render
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	echo "A word." | session-log append "$s" > /dev/null
	run -0 --separate-stderr llm-send --record --url "$FAKE_URL" "$r"
	assert_equal "$(jq -c .recorded <<< "$output")" '[3,4]'
	assert_equal "$stderr" "$MOVED"
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(jq -c '[.guise.lore.fired, .guise.lore.timed]' <<< "$output")" '[[],[]]'
	# as many messages as at the render, but not the same: the last one
	# deleted and another appended
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	session-log delete "$s" --last 1 > /dev/null
	echo "Another word." | session-log append "$s" --role assistant > /dev/null
	assert_equal "$(jq .guise.lore.at.length "$r")" 4
	run -0 --separate-stderr llm-send --record --url "$FAKE_URL" "$r"
	assert_equal "$(jq -c .recorded <<< "$output")" '[5,6]'
	assert_equal "$stderr" "$MOVED"
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(whys)" ""
	# rendered and recorded with nothing between: stored, nothing said
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	run_ok llm-send --record --url "$FAKE_URL" "$r"
	assert_equal "$(jq -c .recorded <<< "$output")" '[7,8]'
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(whys)" "Glade/1 sticky until message 16"
}

@test "a request without guise.lore.at is recorded without its timed state; a damaged one is refused before anything is sent" {
	local s t r=$BATS_TEST_TMPDIR/r.json
	lorechar Sera "$(book Glade "$(keyed 1 10 lantern 9 'Lantern lore.')")" > /dev/null
	s=$(session)
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	for bad in '"here"' '{"session": "x", "length": 1}' '{"session": "x", "length": "1", "mark": "m"}'; do
		jq --argjson at "$bad" '.guise.lore.at = $at' "$r" > "$r.bad"
		run_err 65 "llm-send: guise.lore.at: expected {session, length, mark} as prompt-render writes it" \
			llm-send --record --url http://127.0.0.1:9 "$r.bad"
	done
	replies 2
	# an at worked out for another session: not this one's point
	t=$(session)
	prompt-render -s "$t" -m "Light the lantern" > "$r.other"
	jq --slurpfile o "$r.other" '.guise.lore.at = $o[0].guise.lore.at' "$r" > "$r.bad"
	run -0 --separate-stderr llm-send --record --url "$FAKE_URL" "$r.bad"
	assert_equal "$(jq -c .recorded <<< "$output")" '[2,3]'
	assert_equal "$stderr" "$MOVED"
	# as an older build wrote it: no at
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	jq 'del(.guise.lore.at)' "$r" > "$r.old"
	run -0 --separate-stderr llm-send --record --url "$FAKE_URL" "$r.old"
	assert_equal "$(jq -c .recorded <<< "$output")" '[4,5]'
	assert_equal "$stderr" "llm-send: warning: the turn is recorded, not the lore's timed state in its request: it does not say where it was rendered (no guise.lore.at)"
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(whys)" ""
	# a render without a session says no at (it cannot be recorded)
	run_ok prompt-render --character Sera -m "Light the lantern"
	assert_equal "$(jq -c '[.guise.lore.at, (.guise.lore.fired | length)]' <<< "$output")" '[null,1]'
}

@test "two books of one name keep their own timed effects: a card's own book and a stored book" {
	local c s r=$BATS_TEST_TMPDIR/r.json id
	c=$(lorechar Sera "$(book Glade "$(keyed 1 10 lantern 9 'Lantern lore.')")")
	book Glade "$(keyed 1 10 owl 0 'Owl lore.')" > "$BATS_TEST_TMPDIR/glade.json"
	id=$(lore import "$BATS_TEST_TMPDIR/glade.json" | jq -r .id)
	s=$(session)
	lore attach Glade --session "$s" > /dev/null
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	assert_equal "$(jq -c .guise.lore.timed "$r")" '[{"source":"card:'"$c"'","book":"Glade","entry":1,"effect":"sticky","start":2,"end":11}]'
	replies 1
	run_ok llm-send --record --url "$FAKE_URL" "$r"
	# the card's entry 1 is sticky; the stored book's entry 1, same name
	# and id, is not touched by it
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(whys)" "Glade/1 sticky until message 11"
	[[ $(jq -r '.messages[0].content' <<< "$output") == *"Lantern lore."* ]] || fail "$output"
	[[ $(jq -r '.messages[0].content' <<< "$output") != *"Owl lore."* ]] || fail "$output"
	# the stored book fires on its own key, beside the card's sticky
	run_ok prompt-render -s "$s" -m "An owl"
	assert_equal "$(whys)" "Glade/1 key 'owl' in message 4; Glade/1 sticky until message 11"
	assert_equal "$(jq -r '.guise.lore.timed | map(.source) | join(" ")' <<< "$output")" "card:$c"
	[[ $id =~ ^[0-9a-f-]{36}$ ]] || fail "$id"
	# a card row without a lore index (its book read from the record):
	# the same source
	db_sql "UPDATE characters SET lore_index = NULL, lore_index_nonce = NULL WHERE id = '$c'"
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(whys)" "Glade/1 sticky until message 11"
	assert_equal "$(jq -r '.guise.lore.timed | map(.source) | join(" ")' <<< "$output")" "card:$c"
}

@test "a renamed book keeps its timed effects: a stored book, and a card's unnamed book when the card is renamed" {
	local c s r=$BATS_TEST_TMPDIR/r.json id
	c=$(lorechar Sera "$(book "" "$(keyed 1 10 owl 5 'Owl lore.')")")
	book Harbour "$(keyed 1 10 lantern 9 'Lantern lore.')" > "$BATS_TEST_TMPDIR/harbour.json"
	id=$(lore import "$BATS_TEST_TMPDIR/harbour.json" | jq -r .id)
	s=$(session)
	lore attach Harbour --session "$s" > /dev/null
	prompt-render -s "$s" -m "The lantern and the owl" > "$r"
	assert_equal "$(jq -c .guise.lore.timed "$r")" '[{"source":"lore:'"$id"'","book":"Harbour","entry":1,"effect":"sticky","start":2,"end":11},{"source":"card:'"$c"'","book":"Sera'"'"'s book","entry":1,"effect":"sticky","start":2,"end":7}]'
	replies 1
	run_ok llm-send --record --url "$FAKE_URL" "$r"
	lore update Harbour --set name=Docks > /dev/null
	persona update Sera --set name=Seren > /dev/null
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(whys)" "Docks/1 sticky until message 11; Seren's book/1 sticky until message 7"
	assert_equal "$(jq -c .guise.lore.timed <<< "$output")" '[{"source":"lore:'"$id"'","book":"Docks","entry":1,"effect":"sticky","start":2,"end":11},{"source":"card:'"$c"'","book":"Seren'"'"'s book","entry":1,"effect":"sticky","start":2,"end":7}]'
}

@test "timed state stored by an older build (keyed by name) does not fail a render: matched by name once, then kept under the source" {
	local c s r=$BATS_TEST_TMPDIR/r.json
	c=$(lorechar Sera "$(book Glade "$(keyed 1 10 lantern 9 'Lantern lore.')")")
	s=$(session)
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	# the state as an older build stored it: no sources; and an effect of
	# a book no longer scanned
	jq '.guise.lore.timed |= (map(del(.source)) + [{"book": "Gone", "entry": 3, "effect": "sticky", "start": 2, "end": 20}])' \
		"$r" > "$r.old"
	replies 1
	run_ok llm-send --record --url "$FAKE_URL" "$r.old"
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(whys)" "Glade/1 sticky until message 11"
	assert_equal "$(jq -c .guise.lore.timed <<< "$output")" '[{"source":"card:'"$c"'","book":"Glade","entry":1,"effect":"sticky","start":2,"end":11},{"book":"Gone","entry":3,"effect":"sticky","start":2,"end":20}]'
	# a source that is not a short plain string is refused, located
	jq '.guise.lore.timed[0].source = "a\u0001b"' "$r" > "$r.bad"
	run_err 65 "llm-send: guise.lore.timed: state[0].source: expected a string of at most 1024 bytes, no control characters" \
		llm-send --record --url "$FAKE_URL" "$r.bad"
}

@test "activation keys effects by source: two books of one name, each its own" {
	local doc
	doc=$(jq -n -c '{books: [{name: "W", source: "a", entries: [{id: 1, keys: ["Azkar"], content: "a", extensions: {sticky: 3}}]},
				 {name: "W", source: "b", entries: [{id: 1, keys: ["nothing"], content: "b", insertion_order: 7, extensions: {sticky: 3}}]}],
			 messages: [{name: "Wren", content: "The road."}], settings: {chat_length: 6},
			 state: [{source: "b", book: "W", entry: 1, effect: "sticky", start: 5, end: 8}]}')
	run_ok test-tool lore-activate <<< "$doc"
	# book b's entry (order 7) is sticky; book a's, of the same name and id,
	# has no key in the text and nothing carried
	assert_equal "$(jq -c '[(.fired | map("\(.book)/\(.entry) order \(.order): \(.why)")), .timed]' <<< "$output")" \
		'[["W/1 order 7: sticky until message 8"],[{"source":"b","book":"W","entry":1,"effect":"sticky","start":5,"end":8}]]'
}
