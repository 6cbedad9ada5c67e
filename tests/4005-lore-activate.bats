#!/usr/bin/env bats
# Lore activation (lib/lore, DESIGN.md §8 "Lore"), one rule at a time,
# through test-tool lore-activate: a document {books, messages (newest
# first), state, settings} in, {fired, skipped, notes, timed} out. Each
# golden is written by hand from the rule; messages are numbered in the
# session, the newest being the chat's length.

load common

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { common_setup; }

# lore ENTRIES [MESSAGES [SETTINGS [STATE]]]: a document with one V3 book 'W'
lore() {
	jq -nc --argjson e "$1" --argjson m "${2:-[]}" --argjson s "${3:-{\}}" \
		--argjson st "${4:-[]}" \
		'{books: [{name: "W", entries: $e}], messages: $m, settings: $s, state: $st}'
}

# activate DOC [OPTION...]: test-tool lore-activate, 0 and nothing on stderr
activate() { run_ok test-tool lore-activate "${@:2}" <<< "$1"; }

# F ID WHY [ORDER [POSITION DEPTH ROLE]]: a fired record of book W
F() {
	printf '{"book":"W","entry":%s,"comment":"","why":"%s","position":%s,"depth":%s,"role":"%s","order":%s,"priority":0}' \
		"$1" "$2" "${4:-1}" "${5:-4}" "${6:-system}" "${3:-100}"
}
S() { printf '{"book":"W","entry":%s,"why":"%s"}' "$1" "$2"; }
N() { printf '{"book":"W","entry":%s,"note":"%s"}' "$1" "$2"; }
# T EFFECT START END: a timed record of entry 1 of book W
T() { printf '{"book":"W","entry":1,"effect":"%s","start":%s,"end":%s}' "$1" "$2" "$3"; }
# result FIRED [SKIPPED [NOTES [TIMED]]]: the whole output
result() { printf '{"fired":[%s],"skipped":[%s],"notes":[%s],"timed":[%s]}' "$1" "${2:-}" "${3:-}" "${4:-}"; }

SAID='[{"name":"Wren","content":"Tell me of Azkar and the dragon."},{"name":"Kai","content":"The road is long."}]'

# secondary_logic LOGIC NAME FIRES SKIPS: two selective entries keyed 'Azkar'
# under selectiveLogic LOGIC, the first with secondary keys FIRES (met on
# $SAID), the second with SKIPS (not met, so skipped as NAME)
secondary_logic() {
	local e='{"id":%s,"keys":["Azkar"],"secondary_keys":%s,"selective":true,"content":"%s","extensions":{"selectiveLogic":%s}}'
	activate "$(lore "[$(printf "$e" 1 "$3" a "$1"),$(printf "$e" 2 "$4" b "$1")]" "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2")" \
		"$(S 2 "key 'Azkar' in message 2, but secondary keys ($2) not met")")"
}

@test "key: a primary key found in a message fires its entry, naming the key and the message" {
	activate "$(lore '[{"id":1,"keys":["river","Azkar"],"content":"A desert city."},
		{"id":2,"keys":["castle"],"content":"unseen"}]' "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2")")"
}

@test "whole words: a one-word key needs boundaries unless match_whole_words is off; several words match as text" {
	activate "$(lore '[{"id":1,"keys":["cat"],"content":"a"},
		{"id":2,"keys":["cat"],"content":"b","extensions":{"match_whole_words":false}},
		{"id":3,"keys":["con cat"],"content":"c"},{"id":4,"keys":["dog"],"content":"d"},
		{"id":5,"keys":["東京"],"content":"e"}]' \
		'[{"content":"concatenate, the hot-dog, 私は東京に"}]')"
	assert_output "$(result "$(F 2 "key 'cat' in message 1"),$(F 4 "key 'dog' in message 1"),$(F 5 "key '東京' in message 1")")"
}

@test "case: keys fold case (beyond ASCII too) unless case_sensitive" {
	activate "$(lore '[{"id":1,"keys":["AZKAR"],"content":"a"},
		{"id":2,"keys":["AZKAR"],"content":"b","case_sensitive":true},
		{"id":3,"keys":["Azkar"],"content":"c","extensions":{"case_sensitive":true}},
		{"id":4,"keys":["ÉTÉ"],"content":"d"}]' '[{"content":"Azkar in été"}]')"
	assert_output "$(result "$(F 1 "key 'AZKAR' in message 1"),$(F 3 "key 'Azkar' in message 1"),$(F 4 "key 'ÉTÉ' in message 1")")"
}

@test "regex: /pattern/flags and use_regex keys go through PCRE2; one that does not compile is a note" {
	# /a/b/ has an unescaped '/' inside: SillyTavern takes it as text, so do we
	activate "$(lore '[{"id":1,"keys":["/az+kar/i"],"content":"a"},
		{"id":2,"keys":["/az+kar/"],"content":"b"},
		{"id":3,"keys":["^wren: tell"],"content":"c","use_regex":true},
		{"id":4,"keys":["/a/b/"],"content":"d"},
		{"id":5,"keys":["/(unclosed/"],"content":"e"}]' \
		'[{"name":"Wren","content":"Tell of AZZKAR, /a/b/"}]')"
	assert_output "$(result "$(F 1 "key '/az+kar/i' in message 1"),$(F 3 "key '^wren: tell' in message 1"),$(F 4 "key '/a/b/' in message 1")" "" \
		"$(N 5 "key '/(unclosed/' is not a regex PCRE2 takes: missing closing parenthesis at 9, never matches")")"
}

@test "a hostile regex (catastrophic backtracking) gives up at the match limit: a note, no match, no hang" {
	local a
	a=$(printf 'a%.0s' {1..40})
	run -0 --separate-stderr timeout 10 test-tool lore-activate <<< "$(lore '[{"id":1,"keys":["/(a+)+$/"],"content":"x"},
		{"id":2,"keys":["/(a|aa)+$/"],"content":"y"},
		{"id":3,"keys":["b"],"content":"z","extensions":{"match_whole_words":false}}]' \
		"[{\"content\":\"${a}b\"},{\"content\":\"${a}${a}b\"}]")"
	assert_equal "$stderr" ""
	assert_output "$(result "$(F 3 "key 'b' in message 2")" "" \
		"$(N 1 "key '/(a+)+$/' gave up at the match limit, no match"),$(N 2 "key '/(a|aa)+$/' gave up at the match limit, no match")")"
}

@test "secondary AND ANY (0): a primary and any secondary" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"secondary_keys":["moon","dragon"],"selective":true,"content":"a"},
		{"id":2,"keys":["Azkar"],"secondary_keys":["moon","sun"],"selective":true,"content":"b"},
		{"id":3,"keys":["Azkar"],"secondary_keys":["moon"],"selective":false,"content":"c"}]' "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2"),$(F 3 "key 'Azkar' in message 2")" \
		"$(S 2 "key 'Azkar' in message 2, but secondary keys (AND ANY) not met")")"
}

@test "secondary NOT ALL (1): a primary and not every secondary" {
	secondary_logic 1 'NOT ALL' '["road","moon"]' '["road","dragon"]'
}

@test "secondary NOT ANY (2): a primary and no secondary" {
	secondary_logic 2 'NOT ANY' '["moon","sun"]' '["moon","road"]'
}

@test "secondary AND ALL (3): a primary and every secondary" {
	secondary_logic 3 'AND ALL' '["road","dragon"]' '["road","moon"]'
}

@test "scan depth: the entry's, else the book's, else the session's (default 2); 0 reads nothing" {
	local m='[{"content":"new"},{"content":"one back"},{"content":"two back, Azkar"}]'
	# the key is in the third message: the default depth 2 misses it
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"a"},
		{"id":2,"keys":["Azkar"],"content":"b","extensions":{"scan_depth":3}},
		{"id":3,"keys":["new"],"content":"c","extensions":{"scan_depth":0}}]' "$m")"
	assert_output "$(result "$(F 2 "key 'Azkar' in message 1")")"
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"a"}]' "$m" '{"scan_depth":3}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 1")")"
	activate "$(jq -nc --argjson m "$m" '{books: [{name: "W", scan_depth: 3,
		entries: [{id: 1, keys: ["Azkar"], content: "a"}]}], messages: $m, settings: {scan_depth: 1}}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 1")")"
}

@test "recursion: fired content is scanned for other entries, step by step" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"Azkar has a tower."},
		{"id":2,"keys":["tower"],"content":"The tower holds a bell."},
		{"id":3,"keys":["bell"],"content":"The bell rings."}]' "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2"),$(F 2 "key 'tower' in recursion from entry 1"),$(F 3 "key 'bell' in recursion from entry 2")")"
}

@test "recursion stops at max_recursion_steps (the session's, else the book's extension, else 10)" {
	local e='[{"id":1,"keys":["Azkar"],"content":"tower"},{"id":2,"keys":["tower"],"content":"bell"},
		{"id":3,"keys":["bell"],"content":"gate"},{"id":4,"keys":["gate"],"content":"end"}]'
	activate "$(lore "$e" "$SAID" '{"max_recursion_steps":1}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2"),$(F 2 "key 'tower' in recursion from entry 1")" "" \
		'{"note":"recursion stopped after 1 steps (max_recursion_steps)"}')"
	activate "$(jq -nc --argjson e "$e" --argjson m "$SAID" \
		'{books: [{name: "W", extensions: {max_recursion_steps: 2}, entries: $e}], messages: $m}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2"),$(F 2 "key 'tower' in recursion from entry 1"),$(F 3 "key 'bell' in recursion from entry 2")" "" \
		'{"note":"recursion stopped after 2 steps (max_recursion_steps)"}')"
}

@test "prevent_recursion: an entry's content is not scanned again" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"Azkar has a tower.","extensions":{"prevent_recursion":true}},
		{"id":2,"keys":["tower"],"content":"b"}]' "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2")")"
}

@test "exclude_recursion: an entry is not fired by recursion, only by the messages" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"Azkar has a tower."},
		{"id":2,"keys":["tower"],"content":"b","extensions":{"exclude_recursion":true}},
		{"id":3,"keys":["dragon"],"content":"c","extensions":{"exclude_recursion":true}}]' "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2"),$(F 3 "key 'dragon' in message 2")" \
		"$(S 2 "exclude_recursion (key 'tower' in recursion from entry 1)")")"
}

@test "delay_until_recursion: an entry waits for a recursion step, and is not fired without one" {
	local e='[{"id":1,"keys":["Azkar"],"content":"a"},
		{"id":2,"keys":["dragon"],"content":"b","extensions":{"delay_until_recursion":true}}]'
	activate "$(lore "$e" "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2"),$(F 2 "key 'dragon' in message 2")")"
	activate "$(lore "$e" "$SAID" '{"max_recursion_steps":0}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2")" \
		"$(S 2 "delay_until_recursion (key 'dragon' in message 2)")" \
		'{"note":"recursion stopped after 0 steps (max_recursion_steps)"}')"
}

@test "constant: fires with no key matched" {
	activate "$(lore '[{"id":1,"keys":["nowhere"],"content":"a","constant":true},
		{"id":2,"keys":[],"content":"b","constant":true}]' '[]')"
	assert_output "$(result "$(F 1 constant),$(F 2 constant)")"
}

@test "disabled: never fires, constant or matched, in either shape" {
	activate "$(jq -nc --argjson m "$SAID" '{books: [
		{name: "W", entries: [{id: 1, keys: ["Azkar"], content: "a", enabled: false, constant: true}]},
		{name: "ST", entries: {"7": {uid: 7, key: ["Azkar"], content: "b", disable: true}}}],
		messages: $m}')"
	assert_output "$(result "" "$(S 1 disabled),{\"book\":\"ST\",\"entry\":7,\"why\":\"disabled\"}")"
}

@test "a SillyTavern World Info file reads with its own field names" {
	activate "$(jq -nc --argjson m "$SAID" '{books: [{entries: {
		"0": {uid: 4, key: ["Azkar"], keysecondary: ["moon"], selectiveLogic: 2, content: "a",
		      order: 7, position: 4, depth: 2, role: 1, comment: "city"},
		"1": {uid: 5, key: ["Dragon"], content: "b", caseSensitive: true}}}], messages: $m}')"
	assert_output '{"fired":[{"book":"book 0","entry":4,"comment":"city","why":"key '"'Azkar'"' in message 2","position":4,"depth":2,"role":"user","order":7,"priority":0}],"skipped":[],"notes":[],"timed":[]}'
}

@test "macros in keys: {{char}} and {{user}} are the names given" {
	activate "$(lore '[{"id":1,"keys":["{{char}}"],"content":"a"},{"id":2,"keys":["<USER>"],"content":"b"}]' \
		'[{"name":"Wren","content":"Seraphina waits."}]' '{"char":"Seraphina","user":"Wren"}')"
	assert_output "$(result "$(F 1 "key 'Seraphina' in message 1"),$(F 2 "key 'Wren' in message 1")")"
}

@test "@@activate and @@dont_activate: fire with no key; never fire, constant or not" {
	activate "$(lore '[{"id":1,"keys":["nowhere"],"content":"@@activate\na"},
		{"id":2,"keys":["Azkar"],"content":"@@dont_activate\nb","constant":true}]' "$SAID")"
	assert_output "$(result "$(F 1 @@activate)" "$(S 2 @@dont_activate)")"
}

@test "@@depth and @@role: placed at that depth with that role" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"@@depth 0\n@@role assistant\na"}]' "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2" 100 4 0 assistant)")"
}

@test "@@scan_depth: the entry reads that many messages" {
	activate "$(lore '[{"id":1,"keys":["road"],"content":"@@scan_depth 1\na"},
		{"id":2,"keys":["road"],"content":"@@scan_depth 2\nb"}]' "$SAID")"
	assert_output "$(result "$(F 2 "key 'road' in message 1")")"
}

@test "@@additional_keys and @@exclude_keys: one of these must match too; none of those may" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"@@additional_keys moon, dragon\na"},
		{"id":2,"keys":["Azkar"],"content":"@@additional_keys moon,sun\nb"},
		{"id":3,"keys":["Azkar"],"content":"@@exclude_keys road\nc"},
		{"id":4,"keys":["Azkar"],"content":"@@exclude_keys moon\nd"}]' "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2"),$(F 4 "key 'Azkar' in message 2")" \
		"$(S 2 "key 'Azkar' in message 2, but no @@additional_keys"),$(S 3 "key 'Azkar' in message 2, but @@exclude_keys key 'road' in message 1")")"
}

@test "@@activate_only_after N and @@activate_only_every N: by the chat's length" {
	local e='[{"id":1,"keys":["Azkar"],"content":"@@activate_only_after 3\na"},
		{"id":2,"keys":["Azkar"],"content":"@@activate_only_every 2\nb"}]'
	activate "$(lore "$e" "$SAID" '{"chat_length":3}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 3")" \
		"$(S 2 "@@activate_only_every 2 (the chat has 3 messages)")")"
	activate "$(lore "$e" "$SAID" '{"chat_length":2}')"
	assert_output "$(result "$(F 2 "key 'Azkar' in message 2")" \
		"$(S 1 "@@activate_only_after 3 (the chat has 2 messages)")")"
}

@test "@@keep_activate_after_match: once fired, it stays fired (the state remembers)" {
	local e='[{"id":1,"keys":["Azkar"],"content":"@@keep_activate_after_match\na"}]'
	activate "$(lore "$e" "$SAID" '{"chat_length":4}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 4")" "" "" \
		'{"book":"W","entry":1,"effect":"matched","start":4}')"
	activate "$(lore "$e" '[{"content":"nothing"}]' '{"chat_length":6}' \
		'[{"book":"W","entry":1,"effect":"matched","start":4}]')"
	assert_output "$(result "$(F 1 "@@keep_activate_after_match (fired at message 4)")" "" "" \
		'{"book":"W","entry":1,"effect":"matched","start":4}')"
}

@test "@@dont_activate_after_match: once fired, never again" {
	local e='[{"id":1,"keys":["Azkar"],"content":"@@dont_activate_after_match\na"}]'
	activate "$(lore "$e" "$SAID" '{"chat_length":6}' \
		'[{"book":"W","entry":1,"effect":"matched","start":4}]')"
	assert_output "$(result "" "$(S 1 "@@dont_activate_after_match (fired at message 4)")" "" \
		'{"book":"W","entry":1,"effect":"matched","start":4}')"
}

@test "@@@ fallbacks stand in for a decorator not understood; an unknown one is a note" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"@@position after_desc\n@@@depth 1\n@@role user\n@@@role assistant\nText."}]' "$SAID")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2" 100 4 1 user)" "" \
		"$(N 1 "decorator not understood '@@position after_desc'")")"
}

@test "probability: drawn from the seed, the same for the same seed" {
	local d seeds fired=0 skipped=0 s
	d=$(lore '[{"id":1,"keys":["Azkar"],"content":"a","extensions":{"probability":50,"useProbability":true}},
		{"id":2,"keys":["Azkar"],"content":"b","extensions":{"probability":50,"useProbability":false}}]' "$SAID")
	# the first draw of splitmix64 seeded 1 is ...65 (mod 100), seeded 2 ...10
	activate "$d" --seed 1
	assert_output "$(result "$(F 2 "key 'Azkar' in message 2")" "$(S 1 "probability 50% (drew 65)")")"
	activate "$d" --seed 2
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2"),$(F 2 "key 'Azkar' in message 2")")"
	for s in 1 2; do
		activate "$d" --seed $s
		seeds+="$output"$'\n'
	done
	for s in 1 2; do
		activate "$d" --seed $s
		[[ $seeds == *"$output"* ]] || fail "seed $s gave another answer"
	done
	for s in $(seq 1 40); do
		activate "$d" --seed "$s"
		if [[ $output == *'"skipped":[]'* ]]; then fired=$((fired + 1)); else skipped=$((skipped + 1)); fi
	done
	# 50%: over 40 seeds both happen, about equally
	[[ $fired -ge 10 && $skipped -ge 10 ]] || fail "fired $fired, skipped $skipped of 40"
}

@test "groups: group_override keeps the highest insertion_order among the overriding" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"a","insertion_order":5,"extensions":{"group":"weather","group_override":true}},
		{"id":2,"keys":["Azkar"],"content":"b","insertion_order":9,"extensions":{"group":"weather","group_override":true}},
		{"id":3,"keys":["Azkar"],"content":"c","insertion_order":50,"extensions":{"group":"weather"}},
		{"id":4,"keys":["Azkar"],"content":"d","insertion_order":1}]' "$SAID")"
	assert_output "$(result "$(F 4 "key 'Azkar' in message 2" 1),$(F 2 "key 'Azkar' in message 2" 9)" \
		"$(S 1 "group 'weather' went to entry 2"),$(S 3 "group 'weather' went to entry 2")")"
}

@test "groups: the winner drawn by group_weight from the seed" {
	local d s
	d=$(lore '[{"id":1,"keys":["Azkar"],"content":"a","extensions":{"group":"w","group_weight":0}},
		{"id":2,"keys":["Azkar"],"content":"b","extensions":{"group":"w, other","group_weight":100}}]' "$SAID")
	for s in 1 2 3 4 5; do # weight 0 never wins
		activate "$d" --seed $s
		assert_output "$(result "$(F 2 "key 'Azkar' in message 2")" "$(S 1 "group 'w' went to entry 2")")"
	done
	d=$(lore '[{"id":1,"keys":["Azkar"],"content":"a","extensions":{"group":"w"}},
		{"id":2,"keys":["Azkar"],"content":"b","extensions":{"group":"w"}}]' "$SAID")
	# weights 100 and 100: the first draw mod 200 is 65 seeded 1 (entry 1),
	# 110 seeded 2 (entry 2)
	activate "$d" --seed 1
	assert_output "$(result "$(F 1 "key 'Azkar' in message 2")" "$(S 2 "group 'w' went to entry 1")")"
	activate "$d" --seed 2
	assert_output "$(result "$(F 2 "key 'Azkar' in message 2")" "$(S 1 "group 'w' went to entry 2")")"
}

@test "groups: use_group_scoring keeps the entries that matched the most keys" {
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"a","extensions":{"group":"g","use_group_scoring":true}},
		{"id":2,"keys":["Azkar","dragon"],"content":"b","extensions":{"group":"g","use_group_scoring":true}},
		{"id":3,"keys":["Azkar","road"],"secondary_keys":["long"],"selective":true,"content":"c","extensions":{"group":"other","use_group_scoring":true}}]' "$SAID")"
	assert_output "$(result "$(F 2 "key 'Azkar' in message 2"),$(F 3 "key 'Azkar' in message 2")" \
		"$(S 1 "group 'g' went to entry 2")")"
}

# fires_at_5 ENTRIES EFFECT END: entry 1 of ENTRIES fires on 'Azkar' at chat
# length 5 and starts its timed EFFECT, from 5 to END
fires_at_5() {
	activate "$(lore "$1" "$SAID" '{"chat_length":5}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 5")" "" "" "$(T "$2" 5 "$3")")"
}

@test "sticky: an entry stays fired for N messages after it fired" {
	local e='[{"id":1,"keys":["Azkar"],"content":"a","extensions":{"sticky":3}}]'
	fires_at_5 "$e" sticky 8
	local st="[$(T sticky 5 8)]"
	activate "$(lore "$e" '[{"content":"nothing"}]' '{"chat_length":7}' "$st")"
	assert_output "$(result "$(F 1 "sticky until message 8")" "" "" \
		'{"book":"W","entry":1,"effect":"sticky","start":5,"end":8}')"
	activate "$(lore "$e" '[{"content":"nothing"}]' '{"chat_length":8}' "$st")"
	assert_output "$(result "")"
	# a render again at the length it was set (a regenerated turn) forgets it
	activate "$(lore "$e" '[{"content":"nothing"}]' '{"chat_length":5}' "$st")"
	assert_output "$(result "")"
}

@test "cooldown: an entry cannot fire for N messages after it fired, nor after its sticky ends" {
	local e='[{"id":1,"keys":["Azkar"],"content":"a","extensions":{"cooldown":2}}]'
	fires_at_5 "$e" cooldown 7
	local st="[$(T cooldown 5 7)]"
	activate "$(lore "$e" "$SAID" '{"chat_length":6}' "$st")"
	assert_output "$(result "" "$(S 1 "cooldown until message 7")" "" \
		'{"book":"W","entry":1,"effect":"cooldown","start":5,"end":7}')"
	activate "$(lore "$e" "$SAID" '{"chat_length":7}' "$st")"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 7")" "" "" \
		'{"book":"W","entry":1,"effect":"cooldown","start":7,"end":9}')"
	activate "$(lore '[{"id":1,"keys":["Azkar"],"content":"a","extensions":{"sticky":1,"cooldown":2}}]' \
		"$SAID" '{"chat_length":6}' '[{"book":"W","entry":1,"effect":"sticky","start":5,"end":6}]')"
	assert_output "$(result "" "$(S 1 "cooldown until message 8")" "" \
		'{"book":"W","entry":1,"effect":"cooldown","start":6,"end":8,"protected":true}')"
}

@test "delay: an entry cannot fire before the chat has N messages" {
	local e='[{"id":1,"keys":["Azkar"],"content":"a","extensions":{"delay":5}}]'
	activate "$(lore "$e" "$SAID" '{"chat_length":4}')"
	assert_output "$(result "" "$(S 1 "delay until message 5")")"
	activate "$(lore "$e" "$SAID" '{"chat_length":5}')"
	assert_output "$(result "$(F 1 "key 'Azkar' in message 5")")"
}

@test "fired entries come in ascending insertion_order, ties in the order of the books" {
	activate "$(jq -nc --argjson m "$SAID" '{books: [
		{name: "S", entries: [{id: 1, keys: ["Azkar"], content: "a", insertion_order: 20}]},
		{name: "C", entries: [{id: 1, keys: ["Azkar"], content: "b", insertion_order: 10},
				      {id: 2, keys: ["dragon"], content: "c", insertion_order: 20}]}],
		messages: $m}')"
	assert_output '{"fired":[{"book":"C","entry":1,"comment":"","why":"key '"'Azkar'"' in message 2","position":1,"depth":4,"role":"system","order":10,"priority":0},{"book":"S","entry":1,"comment":"","why":"key '"'Azkar'"' in message 2","position":1,"depth":4,"role":"system","order":20,"priority":0},{"book":"C","entry":2,"comment":"","why":"key '"'dragon'"' in message 2","position":1,"depth":4,"role":"system","order":20,"priority":0}],"skipped":[],"notes":[],"timed":[]}'
}

@test "malformed books, messages and state: 65, located" {
	local doc want
	while IFS=$'\t' read -r doc want; do
		run -65 --separate-stderr test-tool lore-activate <<< "$doc"
		assert_output ""
		assert_equal "$stderr" "test-tool: $want"
	done <<'EOF'
{"books":[{"name":"B"}]}	'B': entries: expected a list or an object
{"books":[{"name":"B","entries":[{"keys":"Azkar"}]}]}	'B': entries[0].keys: expected a list of strings
{"books":[{"name":"B","entries":[{"keys":["a",3]}]}]}	'B': entries[0].keys[1]: expected a string
{"books":[{"entries":[{"keys":["a"]},{"content":7}]}]}	'book 0': entries[1].content: expected a string
{"books":[{"name":"B","entries":[{"extensions":{"selectiveLogic":7}}]}]}	'B': entries[0].extensions.selectiveLogic: expected a whole number from 0 to 3
{"books":[{"name":"B","entries":[{"extensions":{"probability":101}}]}]}	'B': entries[0].extensions.probability: expected a number from 0 to 100
{"books":[{"name":"B","entries":[{"extensions":{"sticky":-1}}]}]}	'B': entries[0].extensions.sticky: expected a whole number from 0 to 1000000
{"books":[{"name":"B","entries":[{"enabled":"yes"}]}]}	'B': entries[0].enabled: expected true or false
{"books":[{"name":"B","entries":[{"position":3}]}]}	'B': entries[0].position: expected "before_char" or "after_char"
{"books":[{"name":"B","entries":{"4":{"uid":4,"key":["a"],"depth":"deep"}}}]}	'B': entries.4.depth: expected a whole number from 0 to 10000
{"books":[{"name":"B","entries":{"4":{"key":["a"],"role":"narrator"}}}]}	'B': entries.4.role: expected system, user or assistant
{"books":[{"name":"B","scan_depth":5000,"entries":[]}]}	'B': scan_depth: expected a whole number from 0 to 1000
{"books":[{"name":"B","entries":[]}],"messages":[{"name":"x"}]}	messages[0].content: expected a string
{"books":[],"state":[{"book":"B","entry":1,"effect":"sticky","start":5}]}	state[0].end: expected a whole number from start on
{"books":[],"state":[{"book":"B","entry":1,"effect":"forever","start":5}]}	state[0].effect: expected sticky, cooldown or matched
{"books":[],"state":[{"book":"B\u0007","entry":1,"effect":"matched","start":5}]}	state[0].book: expected a name of at most 1024 bytes, no control characters
{"books":[],"state":[{"book":"B","entry":"1\n","effect":"matched","start":5}]}	state[0].entry: expected a number or a string
{"books":[],"settings":{"scan_depth":-1}}	settings.scan_depth: expected a whole number from 0 to 1000
{"books":"none"}	books: expected a list
EOF
}

@test "a timed state past its limits is refused (65): more than 50000 effects, a name over 1024 bytes" {
	run -65 --separate-stderr test-tool lore-activate <<< "$(jq -nc '{books: [],
		state: [range(50001) | {book: "B", entry: ., effect: "matched", start: 1}]}')"
	assert_output ""
	assert_equal "$stderr" "test-tool: state: more than 50000 effects"
	run -65 --separate-stderr test-tool lore-activate <<< "$(jq -nc '{books: [],
		state: [{book: ("n" * 1025), entry: 1, effect: "matched", start: 1}]}')"
	assert_output ""
	assert_equal "$stderr" "test-tool: state[0].book: expected a name of at most 1024 bytes, no control characters"
	# at the limits, it is read (and a report written)
	run_ok test-tool lore-activate <<< "$(jq -nc '{books: [],
		state: [{book: ("n" * 1024), entry: ("e" * 1024), effect: "matched", start: 1}]}')"
	assert_equal "$(jq -c 'keys' <<< "$output")" '["fired","notes","skipped","timed"]'
}

@test "a book of more than 10000 entries is refused (65)" {
	run -65 --separate-stderr test-tool lore-activate <<< "$(jq -nc '{books: [{name: "Big",
		entries: [range(10001) | {keys: ["k"], content: "c"}]}]}')"
	assert_output ""
	assert_equal "$stderr" "test-tool: 'Big': entries: more than 10000"
}
