#!/usr/bin/env bats
# Lore in the render (DESIGN.md §8 "Lore", "Author's note", "Report"): the
# books gathered (a persona's card book, then the character's), each
# position placed (0/1 through {{loreBefore}}/{{loreAfter}} and the wi*
# aliases, 2/3 the author's note, 4 at depth one message per depth and
# role, 5/6 around the examples, 7 outlets), the lore budget and its drop
# order, the author's note (depth, role, interval, sealed), the report in
# the request and after --format text, and the timed state: read by
# prompt-render (which stores nothing), stored by llm-send --record. Every
# expected request below was worked out by hand from the contract.

load lore

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { lore_setup; }
teardown() { lore_teardown; }

# msgs: the messages of the request in $output, one compact line each
msgs() { jq -c '.messages[]' <<< "$output"; }
msg() { jq -n -c --arg r "$1" --arg c "$2" '{role: $r, content: $c}'; }

# fired: "book/entry" of each fired entry of the request in $output
fired() { jq -r '.guise.lore.fired | map("\(.book)/\(.entry)") | join(" ")' <<< "$output"; }

ALL_POSITIONS=(
	"$(entry 1 10 '{"position": 0}' 'Before {{char}}.')"
	"$(entry 2 20 '{"position": 1}' 'After the card.')"
	"$(entry 3 30 '{"position": 2}' 'Note top.')"
	"$(entry 4 40 '{"position": 3}' 'Note bottom.')"
	"$(entry 5 52 '{"position": 4, "depth": 1, "role": 0}' 'D1 system, second.')"
	"$(entry 6 51 '{"position": 4, "depth": 1, "role": 0}' 'D1 system, first.')"
	"$(entry 7 53 '{"position": 4, "depth": 1, "role": 1}' 'D1 user.')"
	"$(entry 8 54 '{"position": 4, "depth": 0, "role": 2}' 'D0 assistant.')"
	"$(entry 9 60 '{"position": 5}' 'Before the examples.')"
	"$(entry 10 61 '{"position": 6}' 'After the examples.')"
	"$(entry 11 70 '{"position": 7, "outletName": "weather"}' 'Rain for {{user}}.')"
	"$(entry 12 9 '{"position": 0}' 'Before, lower order.')"
)

@test "each position: 0/1 around the description, 5/6 around the examples, 2/3 the note, 4 per depth and role, 7 an outlet" {
	local s tmpl=$BATS_TEST_TMPDIR/story.hbs
	lorechar Sera "$(book Glade "${ALL_POSITIONS[@]}")" \
		'{"mes_example": "<START>\n{{user}}: Hi\n{{char}}: Hello"}' > /dev/null
	s=$(mksession --character Sera --no-persona)
	session-bind set "$s" 'note=Note for {{char}}.' > /dev/null
	printf '%s' '{{loreBefore}}|{{description}}|{{loreAfter}}|{{outlet::weather}}|{{outlet::nothing}}' > "$tmpl"
	run_ok prompt-render -s "$s" -m "Hello there" --template "$tmpl"
	# the note (depth 4) is before the chat's 2 messages; depth 1 before
	# the last; depth 0 at the end; within a place ascending order
	assert_equal "$(msgs)" "$(printf '%s\n' \
		"$(msg system $'Before, lower order.\nBefore Sera.|Sera keeps the inn at the edge of the forest.|After the card.|Rain for alice.|')" \
		"$(msg system 'Before the examples.')" \
		"$(msg system '[Example Chat]')" "$(msg user Hi)" "$(msg assistant Hello)" \
		"$(msg system 'After the examples.')" \
		"$(msg system '[Start a new chat]')" \
		"$(msg system $'Note top.\nNote for Sera.\nNote bottom.')" \
		"$(msg assistant '*Sera looks up.* Welcome, alice.')" \
		"$(msg system $'D1 system, first.\nD1 system, second.')" \
		"$(msg user 'D1 user.')" \
		"$(msg user 'Hello there')" \
		"$(msg assistant 'D0 assistant.')")"
	assert_equal "$(fired)" "Glade/12 Glade/1 Glade/2 Glade/3 Glade/4 Glade/6 Glade/5 Glade/7 Glade/8 Glade/9 Glade/10 Glade/11"
	# lore counts in the budget as every message does
	assert_equal "$(jq .guise.budget.used <<< "$output")" \
		"$(jq '.messages | map(((.content | utf8bytelength) + 2) / 3 | floor + 4) | add' <<< "$output")"
}

@test "the default template places lore around the description; a SillyTavern preset's wiBefore/wiAfter and loreBefore/loreAfter work" {
	local preset=$BATS_TEST_TMPDIR/preset.json
	lorechar Sera "$(book Glade "$(entry 1 10 '{"position": 0}' 'B.')" "$(entry 2 20 '{"position": 1}' 'A.')")" \
		'{"personality": "kind", "scenario": "a glade"}' > /dev/null
	run_ok prompt-render --character Sera
	assert_equal "$(jq -r '.messages[0].content' <<< "$output")" \
		"Write Sera's next reply in a fictional chat between Sera and alice.
B.
Sera keeps the inn at the edge of the forest.
Sera's personality: kind
Scenario: a glade
A."
	jq -n '{story_string: "{{#if wiBefore}}[{{wiBefore}}]{{/if}}{{description}}{{#if wiAfter}}[{{wiAfter}}]{{/if}}<{{loreBefore}}{{loreAfter}}>", chat_start: "[Start]"}' > "$preset"
	run_ok prompt-render --character Sera --template "$preset"
	assert_equal "$(jq -r '.messages[0].content' <<< "$output")" \
		"[B.]Sera keeps the inn at the edge of the forest.[A.]<B.A.>"
}

@test "the budget: lowest priority drops first, then lowest insertion_order; the report says budget" {
	# each content is 30 bytes: 10 tokens; the book's budget 25 keeps two
	local s
	lorechar Sera "$(jq -c '.token_budget = 25' <<< "$(book Glade \
		"$(entry 1 10 '{"position": 0}' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa1' '{"priority": 5}')" \
		"$(entry 2 20 '{"position": 0}' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa2' '{"priority": 1}')" \
		"$(entry 3 30 '{"position": 0}' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa3' '{"priority": 5}')" \
		"$(entry 4 40 '{"position": 0}' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa4' '{"priority": 9}')")")" > /dev/null
	s=$(mksession --character Sera --no-persona)
	run_ok prompt-render -s "$s"
	# entry 2 (priority 1) goes first, then entry 1 (priority 5, order 10)
	assert_equal "$(fired)" "Glade/3 Glade/4"
	assert_equal "$(jq -c .guise.lore.budget <<< "$output")" '{"tokens":25,"used":20}'
	assert_equal "$(jq -c .guise.lore.skipped <<< "$output")" \
		'[{"book":"Glade","entry":1,"why":"budget"},{"book":"Glade","entry":2,"why":"budget"}]'
	assert_equal "$(jq -c '.guise.lore.fired | map(.tokens)' <<< "$output")" '[10,10]'
	[[ $(jq -r '.messages[0].content' <<< "$output") == *$'aaa3\naaa'*4$'\n'* ]] || fail "$output"
	# no book budget: lore_budget percent of context_tokens - max_tokens
	lorechar Ash "$(book Ashes \
		"$(entry 1 10 '{"position": 0}' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa1')" \
		"$(entry 2 20 '{"position": 0}' 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa2')")" > /dev/null
	s=$(mksession --character Ash --no-persona --set context_tokens=1000 --set max_tokens=200 --set lore_budget=2)
	run_ok prompt-render -s "$s"
	assert_equal "$(jq -c .guise.lore.budget <<< "$output")" '{"tokens":16,"used":10}'
	assert_equal "$(fired)" "Ashes/2"
	session-bind set "$s" lore_budget= > /dev/null
	run_ok prompt-render -s "$s"
	assert_equal "$(jq -c .guise.lore.budget <<< "$output")" '{"tokens":200,"used":20}'
}

@test "the scan text: the new message and the last lore_scan_depth messages as name: content" {
	local s w
	lorechar Sera "$(book Glade \
		"$(entry 1 10 '{"position": 0}' 'Lantern lore.' '{"constant": false, "keys": ["lantern"]}')" \
		"$(entry 2 20 '{"position": 0}' 'Wren spoke.' '{"constant": false, "keys": ["Wren: hi"]}')")" > /dev/null
	w=$(mkpersona Wren)
	s=$(mksession --character Sera --persona Wren)
	printf 'hi, the lantern is out\n' | session-log append "$s" > /dev/null
	printf 'Indeed.\n' | session-log append "$s" --role assistant > /dev/null
	run_ok prompt-render -s "$s" -m "And now?"
	# default depth 2: the new message and "Sera: Indeed." only
	assert_equal "$(fired)" ""
	session-bind set "$s" lore_scan_depth=3 > /dev/null
	run_ok prompt-render -s "$s" -m "And now?"
	assert_equal "$(fired)" "Glade/1 Glade/2"
	assert_equal "$(jq -r '.guise.lore.fired[1].why' <<< "$output")" "key 'Wren: hi' in message 2"
	session-bind set "$s" lore_scan_depth=0 > /dev/null
	run_ok prompt-render -s "$s" -m "the lantern"
	assert_equal "$(fired)" ""
	: "$w"
}

@test "the author's note: at note_depth in note_role, every note_interval user messages, sealed in the database" {
	local s
	mkchar Sera > /dev/null
	s=$(mksession --character Sera --no-persona)
	session-bind set "$s" 'note=NOTE-CANARY keep {{char}} terse.' note_depth=1 note_role=user note_interval=2 > /dev/null
	# the new message is the first user message: not yet
	run_ok prompt-render -s "$s" -m "One"
	assert_equal "$(msgs)" "$(printf '%s\n' "$(msg system "Write Sera's next reply in a fictional chat between Sera and alice.
Sera keeps the inn at the edge of the forest.")" "$(msg system '[Start a new chat]')" \
		"$(msg assistant '*Sera looks up.* Welcome, alice.')" "$(msg user One)")"
	printf 'One\n' | session-log append "$s" > /dev/null
	printf 'Two.\n' | session-log append "$s" --role assistant > /dev/null
	# the second: one message before the end, as a user message; no lore
	# ran, so no guise.lore
	run_ok prompt-render -s "$s" -m "Three"
	assert_equal "$(msgs | tail -n 5)" "$(printf '%s\n' "$(msg assistant '*Sera looks up.* Welcome, alice.')" \
		"$(msg user One)" "$(msg assistant Two.)" "$(msg user 'NOTE-CANARY keep Sera terse.')" "$(msg user Three)")"
	assert_equal "$(jq -c '.guise | has("lore")' <<< "$output")" false
	# the defaults: depth 4 (before the whole chat here), system, every message
	session-bind set "$s" note_depth= note_role= note_interval= > /dev/null
	run_ok prompt-render -s "$s" -m "Three"
	assert_equal "$(msgs | sed -n 3p)" "$(msg system 'NOTE-CANARY keep Sera terse.')"
	# interval 0: never
	session-bind set "$s" note_interval=0 > /dev/null
	run_ok prompt-render -s "$s" -m "Three"
	[[ $output != *NOTE-CANARY* ]] || fail "$output"
	# sealed: neither the database nor its WAL holds the text
	run -1 grep -c NOTE-CANARY <(store_strings)
	assert_equal "$(session-bind show "$s" | jq -r .settings.note)" 'NOTE-CANARY keep {{char}} terse.'
}

@test "books: the persona's card book, then the character's; an impersonated character's book counts as the persona's" {
	local s
	lorechar Sera "$(book Glade "$(entry 1 10 '{"position": 0}' 'Glade lore.')")" > /dev/null
	jq -n -c --argjson b "$(book Wanderer "$(entry 1 10 '{"position": 0}' 'Wren lore, {{user}}.')")" \
		'{name: "Wren", description: "A traveller.", character_book: $b}' | persona create > /dev/null
	lorechar Ash "$(book Ashes "$(entry 1 10 '{"position": 0}' 'Ash lore, {{char}}.')")" > /dev/null
	s=$(mksession --character Sera --persona Wren)
	run_ok prompt-render -s "$s"
	# a tie in insertion_order: the persona's book first
	assert_equal "$(fired)" "Wanderer/1 Glade/1"
	[[ $(jq -r '.messages[0].content' <<< "$output") == *$'\nWren lore, Wren.\nGlade lore.\n'* ]] || fail "$output"
	s=$(mksession --character Sera --impersonate Ash)
	run_ok prompt-render -s "$s"
	assert_equal "$(fired)" "Ashes/1 Glade/1"
	# without a session too; a book without a name is named for its card
	lorechar Fen "$(jq -c 'del(.name)' <<< "$(book x "$(entry 1 10 '{"position": 1}' 'Fen lore.')")")" > /dev/null
	run_ok prompt-render --character Fen --persona Wren
	assert_equal "$(fired)" "Wanderer/1 Fen's book/1"
}

@test "stored books attached to the session, the persona, the character and globally: all scanned, ties in that order" {
	local s b
	lorechar Sera "$(book Glade "$(entry 1 10 '{"position": 0}' 'Glade lore.')")" > /dev/null
	mkpersona Wren > /dev/null
	for b in Session Persona Character Global Unattached; do
		book "$b" "$(entry 1 10 '{"position": 0}' "$b lore.")" > "$BATS_TEST_TMPDIR/$b.json"
		lore import -q "$BATS_TEST_TMPDIR/$b.json" > /dev/null
	done
	s=$(mksession --character Sera --persona Wren)
	lore attach Global --global > /dev/null
	lore attach Character --character Sera > /dev/null
	lore attach Persona --persona Wren > /dev/null
	lore attach Session --session "$s" > /dev/null
	run_ok prompt-render -s "$s"
	# a tie in insertion_order: session, persona, character (its card's own
	# book, then attached), global; the unattached book is not scanned
	assert_equal "$(fired)" "Session/1 Persona/1 Glade/1 Character/1 Global/1"
	[[ $(jq -r '.messages[0].content' <<< "$output") == *$'Session lore.\nPersona lore.\nGlade lore.\nCharacter lore.\nGlobal lore.\n'* ]] || fail "$output"
	# impersonating a character: the books attached to it are the persona's
	mkchar Ash > /dev/null
	lore attach Persona --character Ash > /dev/null
	s=$(mksession --character Sera --impersonate Ash)
	run_ok prompt-render -s "$s"
	assert_equal "$(fired)" "Persona/1 Glade/1 Character/1 Global/1"
	# detached, it is gone from the render
	lore detach Global --global > /dev/null
	run_ok prompt-render -s "$s"
	assert_equal "$(fired)" "Persona/1 Glade/1 Character/1"
}

@test "the report: guise.lore in the request, the same list after the transcript with --format text" {
	local s
	lorechar Sera "$(book Glade \
		"$(entry 1 10 '{"position": 0}' 'Lantern lore.' '{"constant": false, "keys": ["lantern"], "comment": "lanterns"}')" \
		"$(entry 2 20 '{"position": 4, "depth": 2, "role": 1}' 'Always.')" \
		"$(entry 3 30 '{"position": 0}' 'Never.' '{"constant": false, "keys": ["owl"], "extensions": {"position": 0, "delay": 9}}')" \
		"$(entry 4 40 '{"position": 0}' $'@@frobnicate\nOdd.')")" > /dev/null
	s=$(mksession --character Sera --no-persona)
	run_ok prompt-render -s "$s" -m "An owl by the lantern"
	# where the render stood: the session, its 1 message, a keyed mark
	assert_equal "$(jq -c '.guise.lore.at | [.session, .length, (.mark | test("^[0-9a-f]{64}$"))]' <<< "$output")" '["'"$s"'",1,true]'
	assert_equal "$(jq -c '.guise.lore | del(.at)' <<< "$output")" '{"fired":[{"book":"Glade","entry":1,"comment":"lanterns","why":"key '"'lantern'"' in message 2","position":0,"depth":4,"role":"system","order":10,"priority":0,"tokens":5},{"book":"Glade","entry":2,"comment":"","why":"constant","position":4,"depth":2,"role":"user","order":20,"priority":0,"tokens":3},{"book":"Glade","entry":4,"comment":"","why":"constant","position":0,"depth":4,"role":"system","order":40,"priority":0,"tokens":2}],"skipped":[{"book":"Glade","entry":3,"why":"delay until message 9"}],"notes":[{"book":"Glade","entry":4,"note":"decorator not understood '"'"'@@frobnicate'"'"'"}],"timed":[],"budget":{"tokens":2048,"used":10}}'
	run_ok prompt-render -s "$s" -m "An owl by the lantern" --format text
	assert_equal "$(sed -n '/^\[LORE\]$/,$p' <<< "$output")" "[LORE]
budget: 10 of 2048 tokens used
fired: book 'Glade' entry 1 (lanterns): key 'lantern' in message 2; position 0, depth 4, role system, 5 tokens
fired: book 'Glade' entry 2: constant; position 4, depth 2, role user, 3 tokens
fired: book 'Glade' entry 4: constant; position 0, depth 4, role system, 2 tokens
skipped: book 'Glade' entry 3: delay until message 9
note: book 'Glade' entry 4: decorator not understood '@@frobnicate'"
	# a book that cannot be read: 65, located, nothing rendered
	lorechar Bad "$(book Broken "$(entry 1 10 '{"position": 9}' 'c')")" > /dev/null
	run -65 --separate-stderr prompt-render --character Bad
	assert_output ""
	assert_equal "$stderr" "prompt-render: 'Broken': entries[0].extensions.position: expected a whole number from 0 to 7"
}

@test "timed state: sticky carried across a turn recorded by llm-send --record; prompt-render stores nothing" {
	local s r=$BATS_TEST_TMPDIR/req.json before c
	c=$(lorechar Sera "$(book Glade \
		"$(entry 1 10 '{"position": 0, "sticky": 9}' 'Lantern lore.' '{"constant": false, "keys": ["lantern"]}')")")
	s=$(mksession --character Sera --no-persona --set provider=anthropic --set model=m-1)
	before=$(db_dump | sha256sum)
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	assert_equal "$(jq -c .guise.lore.timed "$r")" '[{"source":"card:'"$c"'","book":"Glade","entry":1,"effect":"sticky","start":2,"end":11}]'
	assert_equal "$(db_dump | sha256sum)" "$before"
	fake_start "$(script "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	run_ok llm-send --record --url "$FAKE_URL" "$r"
	# 3 messages now; the next turn is message 4: still sticky, no key
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(jq -c '.guise.lore.fired | map(.why)' <<< "$output")" '["sticky until message 11"]'
	assert_equal "$(jq -c .guise.lore.timed <<< "$output")" '[{"source":"card:'"$c"'","book":"Glade","entry":1,"effect":"sticky","start":2,"end":11}]'
	# a request without guise.lore leaves the state as it is: 5 messages
	# stored, still sticky
	jq 'del(.guise.lore)' <<< "$output" > "$r"
	fake_stop
	fake_start "$(script "$(streamf anthropic_stream)")"
	run_ok llm-send --record --url "$FAKE_URL" "$r"
	run_ok prompt-render -s "$s"
	assert_equal "$(jq -c '.guise.lore.fired | map(.why)' <<< "$output")" '["sticky until message 11"]'
	# 11 messages: the sticky is over (active while 2 < length < 11)
	for i in 1 2 3 4 5 6; do printf 'm%s\n' "$i" | session-log append "$s" > /dev/null; done
	run_ok prompt-render -s "$s"
	assert_equal "$(jq -c '[.guise.lore.fired, .guise.lore.timed]' <<< "$output")" '[[],[]]'
	# the state is sealed: its book's name is nowhere in the database
	run -1 grep -c Glade <(store_strings)
	# a damaged guise.lore.timed is refused before anything is sent
	jq '.guise.lore.timed = [{"book": "Glade"}]' "$r" > "$r.bad"
	run -65 --separate-stderr llm-send --record --url "$FAKE_URL" "$r.bad"
	[[ $stderr == "llm-send: guise.lore.timed: state[0].entry: "* ]] || fail "$stderr"
}

@test "a persona at the top or bottom of the author's note goes there, with the note's lore" {
	local s
	lorechar Sera "$(book Glade "$(entry 1 10 '{"position": 2}' 'Note-top lore.')" \
		"$(entry 2 20 '{"position": 3}' 'Note-bottom lore.')")" > /dev/null
	mkpersona Wren --set position=an_top > /dev/null
	s=$(mksession --character Sera --persona Wren)
	session-bind set "$s" 'note=The note.' note_depth=0 > /dev/null
	run_ok prompt-render -s "$s" -m "Hi"
	assert_equal "$(msgs | tail -n 2)" "$(printf '%s\n' "$(msg user Hi)" "$(msg system "Note-top lore.
[Wren is the person you are talking to. This is who they are.]
Name: Wren
Description: Wren is a quiet traveller.
The note.
Note-bottom lore.")")"
	# not in the story string
	[[ $(jq -r '.messages[0].content' <<< "$output") != *'Name: Wren'* ]] || fail "$output"
	persona update Wren --set position=an_bottom > /dev/null
	run_ok prompt-render -s "$s" -m "Hi"
	assert_equal "$(jq -r '.messages[-1].content' <<< "$output")" "Note-top lore.
The note.
[Wren is the person you are talking to. This is who they are.]
Name: Wren
Description: Wren is a quiet traveller.
Note-bottom lore."
	# no note due (interval 0): the persona is not placed at all
	session-bind set "$s" note_interval=0 > /dev/null
	run_ok prompt-render -s "$s" -m "Hi"
	[[ $output != *"Name: Wren"* ]] || fail "$output"
	run -65 --separate-stderr persona update Wren --set position=an_middle
	[[ $stderr == *"expected in_prompt, at_depth, an_top, an_bottom or none" ]] || fail "$stderr"
}

@test "the note and the timed state are sealed fields like any other: verify opens them, rekey re-seals them" {
	local s r=$BATS_TEST_TMPDIR/req.json
	lorechar Sera "$(book Glade \
		"$(entry 1 10 '{"position": 0, "sticky": 9}' 'Lantern lore.' '{"constant": false, "keys": ["lantern"]}')")" > /dev/null
	s=$(mksession --character Sera --no-persona --set provider=anthropic --set model=m-1)
	session-bind set "$s" 'note=A note.' note_depth=1 > /dev/null
	prompt-render -s "$s" -m "Light the lantern" > "$r"
	fake_start "$(script "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	run_ok llm-send --record --url "$FAKE_URL" "$r"
	assert_equal "$(db_sql "SELECT count(texts), count(lore_state) FROM chat_sessions WHERE id = '$s'")" "1|1"
	run_ok persona-encrypt verify
	assert_equal "$(jq .failed <<< "$output")" 0
	run_ok persona-encrypt rekey
	run_ok prompt-render -s "$s" -m "Go on"
	assert_equal "$(jq -c '.guise.lore.fired | map(.why)' <<< "$output")" '["sticky until message 11"]'
	assert_equal "$(jq -r '.messages[-2].content' <<< "$output")" "A note."
	# a state moved to another session does not open there
	local t
	t=$(mksession --character Sera --no-persona)
	db_sql "UPDATE chat_sessions SET (lore_state, lore_state_nonce) = (SELECT lore_state, lore_state_nonce FROM chat_sessions WHERE id = '$s') WHERE id = '$t'"
	run -65 --separate-stderr prompt-render -s "$t"
	[[ $stderr == "prompt-render: chat_sessions '$t' lore_state: "* ]] || fail "$stderr"
}
