#!/usr/bin/env bats
# Lore activation on books shaped like real ones (issue 15): hundreds of
# entries with CJK keys, regex keys, `@@` decorators, recursion chains,
# secondary keys under each logic, groups, probability, constant, sticky
# and cooldown, made by `test-tool lore-gen` (tests/helpers/lore_gen.c says
# which index gets what) as SillyTavern writes them, and activated through
# `test-tool lore-activate`; and through the store (`lore import`, `lore
# export`) and a render.

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { common_setup; }

# gen OPTION...: test-tool lore-gen, 0 and nothing on stderr
gen() { run_ok test-tool lore-gen "$@"; }

# activate DOC [OPTION...]: test-tool lore-activate of DOC
activate() { run_ok test-tool lore-activate "${@:2}" <<< "$1"; }

# The usual real-sized book: 500 entries, 20 constant, a chain of 5, 100
# regex keys, every third entry named in the messages.
BIG=(--entries 500 --constant 20 --chain 5 --regex 100 --mention 3)

# sound REPORT: every fired entry has a reason; none fires twice; none is
# both fired and skipped
sound() {
	run jq -r '[.fired[] | select((.why // "") == "")] | length' <<< "$1"
	assert_output 0
	run jq -r '[.fired[].entry] | (length == (unique | length))' <<< "$1"
	assert_output true
	run jq -r '([.fired[].entry] - ([.fired[].entry] - [.skipped[].entry])) | length' <<< "$1"
	assert_output 0
}

@test "a small generated book: what fires and what is skipped, counted by hand" {
	# 40 entries: 0-1 constant; 2-5 a chain; 6-9 regex keys; 10-39 the
	# rest (r = i - 10), all named in the messages, with "dusk" and not
	# "frost". Skipped: probability 50 at r 5, 16, 27 (entries 15, 26, 37:
	# the seed keeps 26 only); disabled at r%19 == 9 (19, 38); the group
	# faction-b (r 10 and 24: entries 20 and 34) keeps one; NOT ANY (r 12:
	# 22) and AND ALL (r 17: 27) fail on dusk-but-not-frost, while AND ANY
	# (r 2, 22: 12, 32) and NOT ALL (r 7: 17) hold; @@dont_activate (r 20:
	# 30). 40 - 8 = 32 fire. Sticky 2 at r 6, 19 (16, 29); cooldown 3 at
	# r 8, 25 (18, 35), from the chat's length 4.
	gen --entries 40 --constant 2 --chain 4 --regex 4 --mention 1 --seed 7 --format doc
	activate "$output" --seed 1
	local report=$output
	run jq -c '[.fired[].entry] | sort' <<< "$report"
	assert_output '[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,16,17,18,21,23,24,25,26,28,29,31,32,33,34,35,36,39]'
	run jq -c '.skipped[] | [.entry, .why]' <<< "$report"
	assert_output - <<'EOF'
[15,"probability 50% (drew 90)"]
[19,"disabled"]
[20,"group 'faction-b' went to entry 34"]
[22,"key 'Orithozen' in message 1, but secondary keys (NOT ANY) not met"]
[27,"key '城剣雪' in message 4, but secondary keys (AND ALL) not met"]
[30,"@@dont_activate"]
[37,"probability 50% (drew 61)"]
[38,"disabled"]
EOF
	run jq -c '[.timed[] | [.entry, .effect, .start, .end]]' <<< "$report"
	assert_output '[[16,"sticky",4,6],[18,"cooldown",4,7],[29,"sticky",4,6],[35,"cooldown",4,7]]'
	# @@depth 3 at r%6 == 4: of entries 14, 20, 26, 32, 38 the fired ones
	run jq -c '[.fired[] | select(.depth == 3) | .entry] | sort' <<< "$report"
	assert_output '[14,26,32]'
	run jq -c '.notes' <<< "$report"
	assert_output '[]'
}

@test "the same seed gives the same book and the same report; another seed another book" {
	local seed first
	for seed in 1 2 3; do
		gen "${BIG[@]}" --seed "$seed" --format doc
		first=$output
		gen "${BIG[@]}" --seed "$seed" --format doc
		assert_output "$first"
		activate "$first" --seed "$seed"
		first=$output
		gen "${BIG[@]}" --seed "$seed" --format doc
		activate "$output" --seed "$seed"
		assert_output "$first"
	done
	gen "${BIG[@]}" --seed 1
	first=$output
	gen "${BIG[@]}" --seed 2
	refute_output "$first"
}

@test "a recursion chain fires in full from its first key, one step at a time" {
	# only the chain's first key is named: the 20 constant entries and the
	# chain of 5 fire, nothing else
	gen "${BIG[@]}" --mention 0 --seed 4 --format doc
	activate "$output"
	local report=$output
	run jq -r '.fired | length' <<< "$report"
	assert_output 25
	run jq -r '.fired[] | select(.why != "constant") | "\(.entry) \(.why)"' <<< "$report"
	assert_output - <<'EOF'
20 key 'Dororiquo' in message 4
21 key 'Marmarlum' in recursion from entry 20
22 key 'Rinashbel' in recursion from entry 21
23 key 'Ethoririn' in recursion from entry 22
24 key 'Origarash' in recursion from entry 23
EOF
}

@test "a chain longer than max_recursion_steps stops at the cap, with a note" {
	# the default cap is 10 steps: the first key and 10 more of 15
	gen --entries 60 --chain 15 --mention 0 --seed 2 --format doc
	activate "$output"
	local report=$output
	run jq -c '[.fired[].entry] | sort' <<< "$report"
	assert_output '[0,1,2,3,4,5,6,7,8,9,10]'
	run jq -c '.notes' <<< "$report"
	assert_output '[{"note":"recursion stopped after 10 steps (max_recursion_steps)"}]'
}

@test "CJK keys match inside Japanese text, with no word boundaries of their own" {
	# in the small book, entries 11, 15, 19, 23, 27, 31, 35, 39 (r%4 == 1)
	# are keyed in CJK and named between particles (私たちは…へ行く); all
	# but 15, 19, 27 (skipped for other reasons, as counted above) fire,
	# each on its own key
	gen --entries 40 --constant 2 --chain 4 --regex 4 --mention 1 --seed 7 --format doc
	activate "$output" --seed 1
	local report=$output
	run jq -c '[.fired[] | select(.comment | startswith("【")) | .entry] | sort' <<< "$report"
	assert_output '[11,23,31,35,39]'
	run jq -r '.fired[] | select(.comment | startswith("【"))
		| select(.why != "key \u0027\(.comment | ltrimstr("【") | rtrimstr("】"))\u0027 in message 4")' \
		<<< "$report"
	assert_output ''
}

@test "regex keys (/pattern/flags) fire on the names they are written for, with no notes" {
	gen "${BIG[@]}" --seed 5 --format doc
	activate "$output"
	local report=$output
	# every third of entries 25-124 is named: the 33 regex entries of
	# them, 27 to 123
	run jq -r '[.fired[] | select(.why | test("^key ./.*/i. in message"))] | length' <<< "$report"
	assert_output 33
	run jq -r '[.fired[] | select(.comment | endswith("(regex)"))] | length' <<< "$report"
	assert_output 33
	run jq -c '.notes' <<< "$report"
	assert_output '[]'
}

@test "generated books of several seeds, both shapes: every fired entry has a reason, none fires twice" {
	local seed format report
	for seed in 1 2 3; do
		for format in doc doc-st; do
			gen "${BIG[@]}" --seed "$seed" --format "$format"
			activate "$output" --seed "$seed"
			report=$output
			sound "$report"
		done
	done
}

@test "the World Info file, the V3 book and the card's character_book of one seed fire the same entries" {
	# the V3 shapes carry use_regex on every entry, as SillyTavern exports
	# them: keys without a metacharacter still match as their text
	local t=$BATS_TEST_TMPDIR v3
	test-tool lore-gen "${BIG[@]}" --seed 6 --format doc > "$t/doc.json"
	test-tool lore-gen "${BIG[@]}" --seed 6 --format st > "$t/st.json"
	test-tool lore-gen "${BIG[@]}" --seed 6 --format card > "$t/card.json"
	run jq -c '[.entries[]] | length' "$t/st.json"
	assert_output 500
	run jq -c '.data.character_book.entries | length' "$t/card.json"
	assert_output 500
	run_ok test-tool lore-activate < "$t/doc.json"
	v3=$(jq -c '[.fired[] | [.entry, .why]]' <<< "$output")
	jq -c --slurpfile b "$t/st.json" '.books = $b' "$t/doc.json" > "$t/st-doc.json"
	run_ok test-tool lore-activate < "$t/st-doc.json"
	run jq -c '[.fired[] | [.entry, .why]]' <<< "$output"
	assert_output "$v3"
	jq -c --slurpfile c "$t/card.json" '.books = [$c[0].data.character_book]' "$t/doc.json" \
		> "$t/card-doc.json"
	run_ok test-tool lore-activate < "$t/card-doc.json"
	run jq -c '[.fired[] | [.entry, .why]]' <<< "$output"
	assert_output "$v3"
}

@test "5000 entries (names of four syllables past 4096): every key distinct, activation sound" {
	gen --entries 5000 --constant 20 --chain 5 --regex 1000 --mention 50 --seed 8 --format doc
	local doc=$output
	run jq -r '[.books[0].entries[].keys[0]] | unique | length' <<< "$doc"
	assert_output 5000
	activate "$doc"
	local report=$output
	sound "$report"
	run jq -r '[.fired[] | select(.why == "constant")] | length' <<< "$report"
	assert_output 20
}

@test "lore-gen: a bad option is a usage error (64)" {
	local usage='usage: test-tool lore-gen [--entries N] [--seed S] [--constant C] [--chain L]
           [--regex R] [--mention M] [--messages K] [--kib X]
           [--format st|v3|card|doc|doc-st]'
	run_err 64 "test-tool: lore-gen: --format: 'xml' is not st, v3, card, doc or doc-st
$usage" test-tool lore-gen --format xml
	run_err 64 "test-tool: lore-gen: --constant, --chain and --regex pass --entries
$usage" test-tool lore-gen --entries 3 --chain 5
	run_err 64 "test-tool: lore-gen: 'x' is not a number in range
$usage" test-tool lore-gen --entries x
}

@test "generated books go through the store unchanged: World Info and V3 imported, exported back, and fire in a render as activation alone does" {
	keys_setup_alice
	local seed
	for seed in 3 11; do
		test-tool lore-gen "${BIG[@]}" --seed "$seed" --format st > "$BATS_TEST_TMPDIR/wi$seed.json"
		test-tool lore-gen "${BIG[@]}" --seed "$seed" --format v3 > "$BATS_TEST_TMPDIR/v3-$seed.json"
		run_ok lore import "$BATS_TEST_TMPDIR/wi$seed.json" --name "wi $seed"
		assert_equal "$(jq -r .status <<< "$output")" created
		run_ok lore import "$BATS_TEST_TMPDIR/v3-$seed.json" --name "v3 $seed"
		# a World Info file comes back with the same entries (key order
		# within an entry is the stored V3 book's: both sides sorted)
		run_ok lore export "wi $seed" --format st
		assert_equal "$(jq -S .entries <<< "$output")" "$(jq -S .entries "$BATS_TEST_TMPDIR/wi$seed.json")"
		# a V3 book comes back as it went in, but for the name given
		run_ok lore export "v3 $seed"
		assert_equal "$(jq -c 'del(.name)' <<< "$output")" "$(jq -c 'del(.name)' "$BATS_TEST_TMPDIR/v3-$seed.json")"
		# the same again is unchanged
		run_ok lore import "$BATS_TEST_TMPDIR/wi$seed.json" --name "wi $seed"
		assert_equal "$(jq -r .status <<< "$output")" unchanged
	done
	# stored and attached, a book fires in a render what activation alone
	# fires for the same text, less what the lore budget (25% of the
	# prompt's) left out, which the report names
	persona create --character --name Sera --description 'An innkeeper.' > /dev/null
	lore attach "v3 3" --global > /dev/null
	local text
	text=$(test-tool lore-gen "${BIG[@]}" --seed 3 --format doc | jq -r '.messages[0].content')
	run_ok prompt-render --character Sera -m "$text" --seed 1
	local rendered
	rendered=$(jq -c '[.guise.lore.fired[].entry, (.guise.lore.skipped[] | select(.why == "budget") | .entry)] | sort' <<< "$output")
	jq -n -c --slurpfile b "$BATS_TEST_TMPDIR/v3-3.json" --arg t "$text" \
		'{books: [$b[0] + {name: "v3 3"}], messages: [{name: "alice", content: $t}],
		  settings: {char: "Sera", user: "alice", chat_length: 1}}' > "$BATS_TEST_TMPDIR/doc.json"
	run_ok test-tool lore-activate --seed 1 < "$BATS_TEST_TMPDIR/doc.json"
	assert_equal "$rendered" "$(jq -c '[.fired[].entry] | sort' <<< "$output")"
	[[ $(jq length <<< "$rendered") -gt 40 ]] || fail "only $rendered fired"
}
