#!/usr/bin/env bats
# The generation modes of DESIGN.md §8 through the whole pipeline,
# prompt-render then llm-send against the fake provider of
# tests/helpers/fake-llm.mjs: each mode's request, checked by hand (a
# draft's instruction and start, the context a regenerated reply came from,
# the message a continuation ends with); how each is recorded (a draft as
# the user's message spoken by the request's persona, a new swipe made
# current, text appended, only to the version continued); each mode
# recorded through all four protocols, the model's own text continued by
# anthropic and nudged for the others; bad input (64, 65, 66); another
# user's session hidden in every mode.

load sessions
load llm

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
	llm_setup
	export ANTHROPIC_API_KEY=$CANARY
}

teardown() {
	fake_stop
	keys_teardown
}

STORY="Write Sera's next reply in a fictional chat between Sera and Wren.
Sera keeps the inn at the edge of the forest.
[Wren is the person you are talking to. This is who they are.]
Name: Wren
Description: Wren is a quiet traveller."
DRAFT="[Write Wren's next message in this chat, in Wren's voice, from Wren's point of view, as described above. Write only what Wren says and does.]"
NUDGE='[Continue your last message without repeating its original content.]'

# msgs ROLE CONTENT...: a messages array of the pairs given
msgs() {
	local out='[]'
	while (($#)); do
		out=$(jq -c --arg r "$1" --arg c "$2" '. + [{role: $r, content: $c}]' <<< "$out")
		shift 2
	done
	echo "$out"
}

# render FILE ARG...: prompt-render ARG... into FILE, which must succeed quietly
render() {
	local f=$1
	shift
	run_ok prompt-render "$@"
	printf '%s\n' "$output" > "$f"
}

# chat: turn (Sera's greeting, seq 1, to Wren) with Wren's 'Where am I?' (2)
# and Sera's 'By the fire.' (3) after it
chat() {
	turn
	session-log append "$S" <<< 'Where am I?' > /dev/null
	session-log append "$S" --role assistant <<< 'By the fire.' > /dev/null
}

# sent_anthropic: the fake provider with one reply, "Hello, Wren!"
sent_anthropic() { fake_start "$(script "$(streamf anthropic_stream)")"; }

# sent_anthropic3: the same reply three times over
sent_anthropic3() {
	local one
	one=$(streamf anthropic_stream)
	fake_start "$(script "$one" "$one" "$one")"
}

# --- draft ------------------------------------------------------------------------

@test "draft: the chat, then the instruction to write Wren's next message; guise.mode draft, no start, nothing pending" {
	turn
	render "$BATS_TEST_TMPDIR/d.json" -s "$S" --draft
	assert_equal "$(jq -c .messages "$BATS_TEST_TMPDIR/d.json")" \
		"$(msgs system "$STORY" system '[Start a new chat]' assistant '*Sera looks up.* Welcome, Wren.' system "$DRAFT")"
	assert_equal "$(jq -c '.guise | [.mode, .draft, .pending, .persona.name]' "$BATS_TEST_TMPDIR/d.json")" \
		'["draft",{"start":null},null,"Wren"]'
	# a reply says its mode too
	run_ok prompt-render -s "$S" -m 'Hi'
	assert_equal "$(jq -c '.guise | [.mode, has("draft")]' <<< "$output")" '["reply",false]'
}

@test "draft: stdin is the start the model goes on with, macros expanded there and kept as written in guise.draft" {
	turn
	run_ok prompt-render -s "$S" --draft <<< 'I look at {{char}} and'
	assert_equal "$(jq -c '.messages[-2:]' <<< "$output")" \
		"$(msgs system "$DRAFT" assistant 'I look at Sera and')"
	assert_equal "$(jq -c .guise.draft <<< "$output")" '{"start":"I look at {{char}} and"}'
}

@test "draft: the session's draft_prompt replaces the instruction; without a persona {{user}} is the user" {
	SERA=$(mkchar Sera)
	S=$(mksession --character Sera --no-greeting --set 'draft_prompt=[Now {{user}} speaks to {{char}}.]')
	run_ok prompt-render -s "$S" --draft
	assert_equal "$(jq -c '.messages[-1]' <<< "$output")" '{"role":"system","content":"[Now alice speaks to Sera.]"}'
	assert_equal "$(jq -c .guise.persona <<< "$output")" "$NONE"
	# sealed with the note, not in the clear
	run_ok session-bind show "$S"
	assert_equal "$(jq -r .settings.draft_prompt <<< "$output")" '[Now {{user}} speaks to {{char}}.]'
	[[ $(db_dump) != *'speaks to'* ]] || fail "draft_prompt stored in the clear"
}

@test "draft --record: one user message, the start and the reply, spoken by the request's persona even after a switch" {
	turn
	render "$BATS_TEST_TMPDIR/d.json" -s "$S" --draft <<< 'Well... '
	mkpersona Ash > /dev/null
	session-bind use-persona "$S" Ash > /dev/null
	sent_anthropic
	run_ok llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/d.json"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[2]' | jq -c '.role = "user"')"
	# the request ended with the start, for the model to go on with
	assert_equal "$(req 0 '.body.messages[-1]')" '{"role":"assistant","content":"Well..."}'
	assert_equal "$(seqs "$S")" "1 2 "
	assert_equal "$(untimed "$(session-log show "$S" --last 1)")" \
		"$(message_json "$S" 2 user "$W" "Well... $TEXT" complete '"m-1"' | jq -c '.usage = {input_tokens: 12, output_tokens: 4}')"
}

@test "draft without --record: --text prints it, nothing is stored" {
	turn
	render "$BATS_TEST_TMPDIR/d.json" -s "$S" --draft
	sent_anthropic
	run_ok llm-send --text --url "$FAKE_URL" "$BATS_TEST_TMPDIR/d.json"
	assert_output "$TEXT"
	assert_equal "$(seqs "$S")" "1 "
}

# --- regenerate -------------------------------------------------------------------

@test "regenerate: the history before the last assistant message, no new message; guise.regenerate names it" {
	chat
	render "$BATS_TEST_TMPDIR/r.json" -s "$S" --regenerate
	assert_equal "$(jq -c .messages "$BATS_TEST_TMPDIR/r.json")" \
		"$(msgs system "$STORY" system '[Start a new chat]' assistant '*Sera looks up.* Welcome, Wren.' user 'Where am I?')"
	assert_equal "$(jq -c '.guise | [.mode, .regenerate, .pending]' "$BATS_TEST_TMPDIR/r.json")" '["regenerate",{"seq":3},null]'
	# a user message after it is not part of that context
	session-log append "$S" <<< 'Hm?' > /dev/null
	run_ok prompt-render -s "$S" --regenerate
	assert_equal "$(jq -c '[.messages[-1], .guise.regenerate]' <<< "$output")" '[{"role":"user","content":"Where am I?"},{"seq":3}]'
	# history_limit counts back from there
	session-bind set "$S" history_limit=1 > /dev/null
	run_ok prompt-render -s "$S" --regenerate
	assert_equal "$(jq -c '.messages[2:]' <<< "$output")" "$(msgs user 'Where am I?')"
	# and 0 is none of it, as for a reply; the message continued still ends the chat
	session-bind set "$S" history_limit=0 > /dev/null
	run_ok prompt-render -s "$S" --regenerate
	assert_equal "$(jq -c '[.messages[2:], .guise.regenerate]' <<< "$output")" '[[],{"seq":3}]'
	run_ok prompt-render -s "$S" --continue
	assert_equal "$(jq -c '.messages[2:]' <<< "$output")" "$(msgs assistant 'By the fire.')"
}

@test "regenerate --record: a new swipe of the message, made current; swipes lists both; with another swipe chosen meanwhile, a third" {
	chat
	render "$BATS_TEST_TMPDIR/r.json" -s "$S" --regenerate
	sent_anthropic3
	run_ok llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/r.json"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[3]')"
	assert_equal "$(seqs "$S")" "1 2 3 "
	run_ok session-log show "$S" --last 1
	assert_equal "$(jq -c '[.content, .swipe, .model]' <<< "$output")" "[\"$TEXT\",{\"index\":1,\"count\":2},\"m-1\"]"
	run_ok session-log swipes "$S" 3
	assert_equal "$(jq -c '[.content, .swipe.index]' <<< "$output")" "[\"By the fire.\",0]
[\"$TEXT\",1]"
	# another swipe chosen meanwhile: still a new version of that message
	session-log swipe "$S" 3 0 > /dev/null
	run_ok llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/r.json"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[3]')"
	run_ok session-log swipes "$S" 3
	assert_equal "$(jq -c '[.content, .swipe.index]' <<< "$output")" "[\"By the fire.\",0]
[\"$TEXT\",1]
[\"$TEXT\",2]"
	assert_equal "$(session-log show "$S" --last 1 | jq -c .swipe)" '{"index":2,"count":3}'
}

@test "regenerate --record: the message deleted meanwhile is 66, the reply still printed" {
	chat
	render "$BATS_TEST_TMPDIR/r.json" -s "$S" --regenerate
	session-log delete "$S" 3 > /dev/null
	sent_anthropic
	run -66 --separate-stderr llm-send --record --text --url "$FAKE_URL" "$BATS_TEST_TMPDIR/r.json"
	assert_output "$TEXT"
	assert_equal "$stderr" "llm-send: the reply was not recorded: session '$S' has no message 3"
	assert_equal "$(seqs "$S")" "1 2 "
}

# --- continue ---------------------------------------------------------------------

@test "continue: the request ends with the last assistant message; --record appends the reply to it" {
	chat
	render "$BATS_TEST_TMPDIR/c.json" -s "$S" --continue
	assert_equal "$(jq -c .messages "$BATS_TEST_TMPDIR/c.json")" \
		"$(msgs system "$STORY" system '[Start a new chat]' assistant '*Sera looks up.* Welcome, Wren.' user 'Where am I?' assistant 'By the fire.')"
	assert_equal "$(jq -c '.guise | [.mode, .continue, .pending]' "$BATS_TEST_TMPDIR/c.json")" \
		'["continue",{"seq":3,"swipe":0,"content":"By the fire."},null]'
	sent_anthropic
	run_ok llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[3]')"
	assert_equal "$(req 0 '.body.messages[-1]')" '{"role":"assistant","content":"By the fire."}'
	run_ok session-log show "$S" --last 1
	assert_equal "$(jq -c '[.seq, .content, .swipe, .status]' <<< "$output")" "[3,\"By the fire.$TEXT\",{\"index\":0,\"count\":1},\"complete\"]"
}

@test "continue --record: another swipe chosen meanwhile is 66 naming the message, the reply still printed, nothing appended; chosen back, it records" {
	chat
	sent_anthropic3
	# a second version of message 3, current
	render "$BATS_TEST_TMPDIR/r.json" -s "$S" --regenerate
	run_ok llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/r.json"
	render "$BATS_TEST_TMPDIR/c.json" -s "$S" --continue
	assert_equal "$(jq -c .guise.continue "$BATS_TEST_TMPDIR/c.json")" "{\"seq\":3,\"swipe\":1,\"content\":\"$TEXT\"}"
	session-log swipe "$S" 3 0 > /dev/null
	run -66 --separate-stderr llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[]')"
	assert_equal "$stderr" "llm-send: the reply was not recorded: session '$S' message 3: swipe 1, the one continued, is no longer current (swipe 0 is)"
	run_ok session-log swipes "$S" 3
	assert_equal "$(jq -c '[.content, .swipe, .status]' <<< "$output")" "[\"By the fire.\",{\"index\":0,\"count\":2},\"complete\"]
[\"$TEXT\",{\"index\":1,\"count\":2},\"complete\"]"
	# the version continued current again: the same request records
	session-log swipe "$S" 3 1 > /dev/null
	run_ok llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[3]')"
	run_ok session-log show "$S" --last 1
	assert_equal "$(jq -c '[.seq, .content, .swipe]' <<< "$output")" "[3,\"$TEXT$TEXT\",{\"index\":1,\"count\":2}]"
	assert_equal "$(seqs "$S")" "1 2 3 "
}

@test "continue --record: the message edited or deleted meanwhile is 66 naming it, the reply still printed, nothing stored; an edit put back records" {
	chat
	render "$BATS_TEST_TMPDIR/c.json" -s "$S" --continue
	sent_anthropic3
	session-log edit "$S" 3 <<< 'By the hearth.' > /dev/null
	run -66 --separate-stderr llm-send --record --text --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_output "$TEXT"
	assert_equal "$stderr" "llm-send: the reply was not recorded: session '$S' message 3: edited since the request was written, the text continued is no longer there"
	assert_equal "$(session-log show "$S" --last 1 | jq -c '[.content, .swipe]')" '["By the hearth.",{"index":0,"count":1}]'
	# the text as it was continued is what counts, not the edit as such
	session-log edit "$S" 3 <<< 'By the fire.' > /dev/null
	run_ok llm-send --record --text --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_output "$TEXT"
	assert_equal "$(session-log show "$S" --last 1 | jq -r .content)" "By the fire.$TEXT"
	session-log delete "$S" 3 > /dev/null
	run -66 --separate-stderr llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[]')"
	assert_equal "$stderr" "llm-send: the reply was not recorded: session '$S' has no message 3"
	assert_equal "$(seqs "$S")" "1 2 "
	assert_equal "$(requests)" 3
}

@test "continue on the wire: anthropic continues the assistant turn (white space trimmed); openai, ollama and gemini get the nudge after it" {
	chat
	session-log edit "$S" 3 <<< 'By the fire. ' > /dev/null
	render "$BATS_TEST_TMPDIR/c.json" -s "$S" --continue
	run_ok llm-send -n --provider anthropic --url http://127.0.0.1:9 -m m "$BATS_TEST_TMPDIR/c.json"
	assert_equal "$(jq -c '.body.messages[-2:]' <<< "$output")" \
		'[{"role":"user","content":"Where am I?"},{"role":"assistant","content":"By the fire."}]'
	run_ok llm-send -n --provider openai --url http://127.0.0.1:9 -m m "$BATS_TEST_TMPDIR/c.json"
	assert_equal "$(jq -c '.body.messages[-2:]' <<< "$output")" "$(msgs assistant 'By the fire. ' system "$NUDGE")"
	run_ok llm-send -n --provider ollama --url http://127.0.0.1:9 -m m "$BATS_TEST_TMPDIR/c.json"
	assert_equal "$(jq -c '.body.messages[-2:]' <<< "$output")" "$(msgs assistant 'By the fire. ' system "$NUDGE")"
	run_ok llm-send -n --provider gemini --url http://127.0.0.1:9 -m m "$BATS_TEST_TMPDIR/c.json"
	assert_equal "$(jq -c '.body.contents[-2:]' <<< "$output")" \
		"$(jq -n -c --arg n "$NUDGE" '[{role: "model", parts: [{text: "By the fire. "}]}, {role: "user", parts: [{text: $n}]}]')"
	# a draft's start goes the same way; a reply never does
	render "$BATS_TEST_TMPDIR/d.json" -s "$S" --draft <<< 'So'
	run_ok llm-send -n --provider openai --url http://127.0.0.1:9 -m m "$BATS_TEST_TMPDIR/d.json"
	assert_equal "$(jq -c '.body.messages[-2:]' <<< "$output")" "$(msgs assistant So system "$NUDGE")"
	render "$BATS_TEST_TMPDIR/p.json" -s "$S"
	run_ok llm-send -n --provider openai --url http://127.0.0.1:9 -m m "$BATS_TEST_TMPDIR/p.json"
	assert_equal "$(jq -c '.body.messages[-1]' <<< "$output")" "$(jq -c '.messages[-1]' "$BATS_TEST_TMPDIR/p.json")"
}

# --- the whole pipeline ------------------------------------------------------------

@test "each mode recorded through each protocol: a draft, a reply, a regenerate, a continue (anthropic's prefill, the others' nudge)" {
	chat
	local p one n=3 wire
	for p in openai anthropic ollama gemini; do
		one=$(streamf "${p}_stream" "{\"headers\":{\"Content-Type\":\"$(ctype "$p")\"}}")
		fake_start "$(script "$one" "$one" "$one" "$one")"
		render "$BATS_TEST_TMPDIR/d.json" -s "$S" --draft <<< 'So, '
		run_ok llm-send --record --text --provider "$p" --url "$(base "$p")" "$BATS_TEST_TMPDIR/d.json"
		assert_output "$TEXT"
		render "$BATS_TEST_TMPDIR/p.json" -s "$S" -m 'And then?'
		run_ok llm-send --record --provider "$p" --url "$(base "$p")" "$BATS_TEST_TMPDIR/p.json"
		assert_output "$(reply_json "$p" "$(finish "$p")" "\"$S\"" "[$((n + 2)),$((n + 3))]")"
		render "$BATS_TEST_TMPDIR/r.json" -s "$S" --regenerate
		run_ok llm-send --record --provider "$p" --url "$(base "$p")" "$BATS_TEST_TMPDIR/r.json"
		assert_output "$(reply_json "$p" "$(finish "$p")" "\"$S\"" "[$((n + 3))]")"
		render "$BATS_TEST_TMPDIR/c.json" -s "$S" --continue
		run_ok llm-send --record --provider "$p" --url "$(base "$p")" "$BATS_TEST_TMPDIR/c.json"
		assert_output "$(reply_json "$p" "$(finish "$p")" "\"$S\"" "[$((n + 3))]")"
		n=$((n + 3))
		assert_equal "$(session-log show "$S" --last 3 | jq -c '[.seq, .role, .content, .swipe, .speaker.name]')" \
			"[$((n - 2)),\"user\",\"So, $TEXT\",{\"index\":0,\"count\":1},\"Wren\"]
[$((n - 1)),\"user\",\"And then?\",{\"index\":0,\"count\":1},\"Wren\"]
[$n,\"assistant\",\"$TEXT$TEXT\",{\"index\":1,\"count\":2},\"Wren\"]"
		# the draft's start and the message continued end the chat on the wire
		case $p in
		anthropic) wire='.body.messages[-1]' && assert_equal "$(req 0 "$wire")" '{"role":"assistant","content":"So,"}' &&
			assert_equal "$(req 3 "$wire")" "{\"role\":\"assistant\",\"content\":\"$TEXT\"}" ;;
		gemini) wire='.body.contents[-2:] | map(.parts[0].text)' && assert_equal "$(req 0 "$wire")" "[\"So, \",\"$NUDGE\"]" &&
			assert_equal "$(req 3 "$wire")" "[\"$TEXT\",\"$NUDGE\"]" ;;
		*) wire='.body.messages[-2:] | map(.content)' && assert_equal "$(req 0 "$wire")" "[\"So, \",\"$NUDGE\"]" &&
			assert_equal "$(req 3 "$wire")" "[\"$TEXT\",\"$NUDGE\"]" ;;
		esac
		assert_equal "$(requests)" 4
		fake_stop
	done
	assert_equal "$(seqs "$S")" "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
}

@test "a persona switched between render and record: the regenerated swipe is the request's persona's, a continuation keeps its version's speaker" {
	chat
	render "$BATS_TEST_TMPDIR/r.json" -s "$S" --regenerate
	mkpersona Ash > /dev/null
	session-bind use-persona "$S" Ash > /dev/null
	render "$BATS_TEST_TMPDIR/c.json" -s "$S" --continue
	assert_equal "$(jq -r .guise.persona.name "$BATS_TEST_TMPDIR/c.json")" Ash
	sent_anthropic3
	run_ok llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/r.json"
	assert_equal "$(session-log show "$S" --last 1 | jq -c '[.content, .swipe.index, .speaker]')" "[\"$TEXT\",1,$W]"
	# the continue request was written before the regenerate was recorded:
	# it continued swipe 0, no longer current
	run -66 --separate-stderr llm-send --record --text --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_output "$TEXT"
	assert_equal "$stderr" "llm-send: the reply was not recorded: session '$S' message 3: swipe 0, the one continued, is no longer current (swipe 1 is)"
	render "$BATS_TEST_TMPDIR/c.json" -s "$S" --continue
	run_ok llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_equal "$(session-log show "$S" --last 1 | jq -c '[.content, .swipe.index, .speaker]')" "[\"$TEXT$TEXT\",1,$W]"
	assert_equal "$(speakers "$S" | jq -r .name | tr '\n' ' ')" "Wren Wren Wren "
}

# --- bad input ---------------------------------------------------------------------

@test "bad flags: -m with a mode, two modes, regenerate or continue without a session or with stdin: 64" {
	turn
	run -64 --separate-stderr prompt-render -s "$S" --draft -m hi
	assert_equal "${stderr%%$'\n'*}" "prompt-render: -m: --draft takes no new message (its start is on stdin)"
	run -64 --separate-stderr prompt-render -s "$S" --regenerate -m hi
	assert_equal "${stderr%%$'\n'*}" "prompt-render: -m: --regenerate takes no new message"
	run -64 --separate-stderr prompt-render -s "$S" --draft --continue
	assert_equal "${stderr%%$'\n'*}" "prompt-render: --draft, --regenerate and --continue: give one"
	run -64 --separate-stderr prompt-render --character Sera --continue
	assert_equal "${stderr%%$'\n'*}" "prompt-render: --continue: works on a session's message (-s S)"
	run_err 64 "prompt-render: --regenerate takes no new message: stdin is not empty" \
		prompt-render -s "$S" --regenerate <<< 'hi'
	run_err 64 "prompt-render: --continue takes no new message: stdin is not empty" \
		prompt-render -s "$S" --continue <<< 'hi'
}

@test "no assistant message to regenerate or continue: 65; a request's bad mode: 65, nothing sent" {
	SERA=$(mkchar Sera)
	S=$(mksession --character Sera --no-greeting --set provider=anthropic --set model=m-1)
	session-log append "$S" <<< 'Hello?' > /dev/null
	run_err 65 "prompt-render: session '$S' has no assistant message to regenerate" prompt-render -s "$S" --regenerate
	run_err 65 "prompt-render: session '$S' has no assistant message to continue" prompt-render -s "$S" --continue
	render "$BATS_TEST_TMPDIR/p.json" -s "$S"
	sent_anthropic
	run_err 65 "llm-send: guise.mode: not reply, draft, regenerate or continue" \
		llm-send --record --url "$FAKE_URL" "$(request "$(jq -c '.guise.mode = "redo"' "$BATS_TEST_TMPDIR/p.json")")"
	run_err 65 "llm-send: guise.regenerate.seq: not a message number" \
		llm-send --record --url "$FAKE_URL" "$(request "$(jq -c '.guise.mode = "regenerate"' "$BATS_TEST_TMPDIR/p.json")")"
	# a continue names the version it continued, as it stood
	run_err 65 "llm-send: guise.continue.swipe: not a swipe number" \
		llm-send --record --url "$FAKE_URL" "$(request "$(jq -c '.guise.mode = "continue" | .guise.continue = {seq: 1}' "$BATS_TEST_TMPDIR/p.json")")"
	run_err 65 "llm-send: guise.continue.content: not a string" \
		llm-send --record --url "$FAKE_URL" "$(request "$(jq -c '.guise.mode = "continue" | .guise.continue = {seq: 1, swipe: 0}' "$BATS_TEST_TMPDIR/p.json")")"
	assert_equal "$(requests)" 0
	assert_equal "$(seqs "$S")" "1 "
}

# --- ownership --------------------------------------------------------------------

@test "another user's session is not found in every mode, word for word, in prompt-render and llm-send --record" {
	chat
	render "$BATS_TEST_TMPDIR/c.json" -s "$S" --continue
	new_user bob "$PASS2"
	local fake=00000000-0000-7000-8000-000000000000 mode want
	for mode in --draft --regenerate --continue; do
		run -66 --separate-stderr env GUISE_PASSPHRASE_FILE="$PASS2" prompt-render -u bob -s "$fake" "$mode"
		want=${stderr//"$fake"/"$S"}
		[[ -n $want ]] || fail "nothing said for a missing session"
		run_err 66 "$want" env GUISE_PASSPHRASE_FILE="$PASS2" prompt-render -u bob -s "$S" "$mode" < /dev/null
	done
	sent_anthropic
	run -66 --separate-stderr env GUISE_PASSPHRASE_FILE="$PASS2" llm-send -u bob --record --url "$FAKE_URL" \
		"$(request "$(jq -c --arg f "$fake" '.guise.session = $f' "$BATS_TEST_TMPDIR/c.json")")"
	want=${stderr//"$fake"/"$S"}
	run_err 66 "$want" env GUISE_PASSPHRASE_FILE="$PASS2" llm-send -u bob --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/c.json"
	assert_equal "$(requests)" 0
	assert_equal "$(session-log show -u alice "$S" --last 1 | jq -r .content)" 'By the fire.'
}
