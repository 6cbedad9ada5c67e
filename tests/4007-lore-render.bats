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

load sessions
load llm

setup() {
	sessions_setup
	llm_setup
}

teardown() {
	fake_stop
	keys_teardown
}

# entry ID ORDER EXT CONTENT [JSON]: a constant V3 entry, ST's fields in EXT
entry() {
	jq -n -c --argjson id "$1" --argjson o "$2" --argjson x "$3" --arg c "$4" --argjson more "${5:-"{}"}" \
		'{id: $id, keys: [], content: $c, constant: true, enabled: true, insertion_order: $o,
		  extensions: $x} + $more'
}

# book NAME ENTRY...: a V3 character_book
book() { jq -s -c --arg n "$1" '{name: $n, entries: .}' <<< "${*:2}"; }

# lorechar NAME BOOK [JSON]: a character whose card carries BOOK
lorechar() { mkchar "$1" "$(jq -n -c --argjson b "$2" --argjson x "${3:-"{}"}" '{character_book: $b} + $x')"; }

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
