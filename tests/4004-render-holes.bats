#!/usr/bin/env bats
# Holes in rendering and the text formats (issue 12): a text full of "{{"
# (a card's field, a --template) comes out as written with the macro after
# the stray braces expanded, however many there are (the cost is bench/
# macros.sh's, never timed here); the text formats (prompt-render --format
# text, session-log show --format text, llm-send --text) show the bytes a
# terminal acts on in the caret notation of cat -v (ESC ^[, CR ^M, BEL ^G,
# DEL ^?, the C1 controls M-^@ .. M-^_), newline and tab kept, the same
# bytes whatever stdout is; JSON output is unchanged.

load sessions
load llm

setup() {
	sessions_setup
	llm_setup
	mkpersona Wren > /dev/null
	T=$BATS_TEST_TMPDIR/t.hbs
}

teardown() {
	fake_stop
	keys_teardown
}

# braces N: N times "{{"
braces() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{{" }'; }

# render CHARACTER [OPTION...]: a render of CHARACTER for Wren, with room
# for a large prompt (0 and no stderr expected); the story string (the
# first system message) in $BATS_TEST_TMPDIR/story and in $story
render() {
	local s
	s=$(mksession --character "$1" --persona Wren --set context_tokens=10000000)
	run -0 --separate-stderr prompt-render -s "$s" -m hi "${@:2}"
	assert_equal "$stderr" ""
	jq -j '.messages[0].content' <<< "$output" > "$BATS_TEST_TMPDIR/story"
	story=$(cat "$BATS_TEST_TMPDIR/story")
}

# --- item 10: stray braces ------------------------------------------------------

@test "a card field of stray {{: the braces are text, the macro after them expands" {
	mkchar Sera '{"description": "a{{{{{{char}}b|{{{char}}}|{{ {{user}} {{|{{{{"}' > /dev/null
	render Sera
	grep -qxF 'a{{{{Serab|{Sera}|{{ Wren {{|{{{{' "$BATS_TEST_TMPDIR/story" || fail "story: $story"
	# 200 KB of braces, then a macro; and braces that are never closed
	braces 102400 > "$BATS_TEST_TMPDIR/big"
	jq -n -c --rawfile d "$BATS_TEST_TMPDIR/big" '{name: "Brace", description: ($d + "{{char}}}}")}' |
		persona create --character > /dev/null
	render Brace
	# the story: the main prompt, then the description on line 2
	cmp <(sed -n 2p "$BATS_TEST_TMPDIR/story") <(braces 102400 && printf 'Brace}}\n') ||
		fail "the big field was not kept"
	jq -n -c --rawfile d "$BATS_TEST_TMPDIR/big" '{name: "Open", description: $d}' |
		persona create --character > /dev/null
	render Open
	cmp <(sed -n 2p "$BATS_TEST_TMPDIR/story") <(cat "$BATS_TEST_TMPDIR/big" && echo) ||
		fail "the unclosed braces were not kept"
}

@test "a --template of stray {{: the braces are text, {{var}} after them is the variable" {
	mkchar Sera > /dev/null
	printf 'x{{{{{{char}}}}y {{ {{#if user}}U{{/if}} {{{{' > "$T"
	render Sera --template "$T"
	assert_equal "$story" 'x{{{{Sera}}y {{ U {{{{'
	{ braces 102400 && printf '{{char}}{{'; } > "$T"
	render Sera --template "$T"
	cmp "$BATS_TEST_TMPDIR/story" <(braces 102400 && printf 'Sera{{') || fail "the big template was not kept"
}

# --- item 11: terminal controls in the text formats ------------------------------

# The name and the text that try a terminal: retitle, clear the screen, a
# bare CR that hides what came before, BEL, DEL, a C1 CSI (U+009B)
NAME=$'Evil\e]0;pwned\a'
NAME_SHOWN='Evil^[]0;pwned^G'
EVIL=$'red\e[31m clear\e[2J hidden\rshown bell\a del\x7f csi\xc2\x9b2J tab\tend\x01'
EVIL_SHOWN=$'red^[[31m clear^[[2J hidden^Mshown bell^G del^? csiM-^[2J tab\tend^A'

@test "prompt-render --format text: controls in a card and a message are shown, not sent" {
	local id out=$BATS_TEST_TMPDIR/out
	id=$(mkchar "$NAME" "$(jq -n -c --arg d "$EVIL" '{description: $d}')")
	run -0 --separate-stderr sh -c 'prompt-render --character "$1" --persona Wren -m "$2" --format text > "$3"' \
		sh "$id" "$EVIL" "$out"
	assert_equal "$stderr" ""
	run -0 cat "$out"
	assert_line "Write $NAME_SHOWN's next reply in a fictional chat between $NAME_SHOWN and Wren."
	assert_line "$EVIL_SHOWN"
	assert_equal "${lines[-1]}" "$EVIL_SHOWN"
	# no byte a terminal acts on, whatever the output is
	run -1 grep -c $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$out"
	# the request itself keeps the text as it is
	run_ok prompt-render --character "$id" --persona Wren -m "$EVIL"
	assert_equal "$(jq -r '.messages[-1].content' <<< "$output")" "$EVIL"
}

@test "session-log show --format text: controls in names and messages are shown, not sent" {
	local id s
	id=$(mkchar "$NAME" "$(jq -n -c --arg m "$EVIL" '{first_mes: $m}')")
	s=$(mksession --character "$id" --persona Wren)
	printf '%s' "$EVIL" | session-log append "$s" > /dev/null
	run -0 --separate-stderr session-log show "$s" --format text
	assert_equal "$stderr" ""
	assert_equal "$output" "$NAME_SHOWN: $EVIL_SHOWN

Wren: $EVIL_SHOWN"
	run_ok session-log show "$s" --last 1
	assert_equal "$(jq -r .content <<< "$output")" "$EVIL"
}

# evil_stream: the openai stream of the reply $EVIL, in two chunks
evil_stream() {
	sse "$(jq -n -c --arg t "${EVIL:0:20}" '{choices: [{index: 0, delta: {content: $t}}]}')" \
		"$(jq -n -c --arg t "${EVIL:20}" '{choices: [{index: 0, delta: {content: $t}, finish_reason: "stop"}]}')" \
		'[DONE]'
}

@test "llm-send --text: controls in the reply are shown, not sent; the reply record keeps them" {
	local out=$BATS_TEST_TMPDIR/out
	fake_start "$(script "$(streamf evil_stream)" "$(streamf evil_stream)")"
	export GUISE_API_KEY=$CANARY
	run -0 --separate-stderr sh -c 'llm-send --text --provider openai --url "$1/v1" "$2" > "$3"' \
		sh "$FAKE_URL" "$(request "$BARE")" "$out"
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	cmp "$out" <(printf '%s\n' "$EVIL_SHOWN") || fail "--text wrote: $(od -c "$out")"
	run -0 --separate-stderr llm-send --provider openai --url "$FAKE_URL/v1" "$(request "$BARE")"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .content <<< "$output")" "$EVIL"
}
