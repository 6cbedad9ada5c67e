#!/usr/bin/env bats
# llm-send against providers and sessions that misbehave (issue 12, items
# 6-9): a reply whose end marker came on a connection the server leaves
# open is taken at the marker, once, not waited on and sent again; nothing
# after the marker is part of the reply; a reply paid for reaches stdout
# even when recording it fails (the session deleted, the key changed), and
# the failure says so; a recorded turn is spoken by the persona of the
# request, whatever the session switched to meanwhile. The fake provider
# holds a stream half sent until a file appears, so "while the reply
# streamed" is a fixed point of the test, not a race.

load sessions
load llm

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
	llm_setup
	GO=$BATS_TEST_TMPDIR/go
	MEANWHILE_PID=
}

teardown() {
	[[ -z $MEANWHILE_PID ]] || wait "$MEANWHILE_PID" 2> /dev/null || true
	fake_stop
	keys_teardown
}

# after P: content P's stream could carry after its end marker, then a line
# that is not even JSON
after() {
	case $1 in
	openai) sse '{"id":"c1","object":"chat.completion.chunk","model":"m-1","choices":[{"index":0,"delta":{"content":" EXTRA"},"finish_reason":null}]}' '{not json' ;;
	anthropic) sse 'content_block_delta:{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" EXTRA"}}' '{not json' ;;
	ollama) printf '%s\n' '{"model":"m-1","message":{"role":"assistant","content":" EXTRA"},"done":false}' '{not json' ;;
	gemini) printf 'data: %s\r\n\r\n' '{"candidates":[{"content":{"parts":[{"text":" EXTRA"}],"role":"model"},"index":0}],"modelVersion":"m-1"}' '{not json' ;;
	esac
}

# open_stream P [EXTRA-JSON]: P's whole stream, end marker and all, then the
# connection held open (the stream never ended) until the client hangs up
open_stream() {
	local x
	x=$(jq -n -c --arg t "$(ctype "$1")" --argjson x "${2:-"{}"}" \
		'{headers: {"Content-Type": $t}, stall_ms: 60000} + $x')
	streamf "${1}_stream" "$x"
}

# gated P: P's stream in two chunks, the second (the rest of the text and the
# end marker) sent only once $GO exists
gated() {
	local f=$BATS_TEST_TMPDIR/gated.$RANDOM
	"${1}_stream" > "$f"
	jq -n -c --rawfile d "$f" --arg go "$GO" --arg t "$(ctype "$1")" \
		'($d | length / 2 | floor) as $h |
		 {status: 200, headers: {"Content-Type": $t},
		  chunks: [{data: $d[:$h]}, {data: $d[$h:], wait_file: $go}]}'
}

# meanwhile CMD...: once the fake provider has the request, CMD (its output
# in $BATS_TEST_TMPDIR/meanwhile.out, its status in .rc), then $GO made so
# the stream goes on; in the background, so llm-send can run meanwhile
meanwhile() {
	(
		for ((i = 0; i < 500; i++)); do
			[[ -s $FAKE_LOG ]] && break
			sleep 0.02
		done
		"$@" > "$BATS_TEST_TMPDIR/meanwhile.out" 2>&1
		echo $? > "$BATS_TEST_TMPDIR/meanwhile.rc"
		touch "$GO"
	) 3>&- &
	MEANWHILE_PID=$!
}

# meanwhile_ok: the background command ran and succeeded
meanwhile_ok() {
	wait "$MEANWHILE_PID"
	MEANWHILE_PID=
	assert_equal "$(cat "$BATS_TEST_TMPDIR/meanwhile.rc")" 0
}

# send_meanwhile STATUS [OPTION...] -- CMD...: turn's request sent with
# llm-send --record OPTION... to a reply held half sent (gated) while CMD
# runs (meanwhile): llm-send exits STATUS, its $output and $stderr left for
# the asserts, and CMD succeeded
send_meanwhile() {
	local status=$1 opts=()
	shift
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	fake_start "$(script "$(gated anthropic)")"
	export ANTHROPIC_API_KEY=$CANARY
	meanwhile "$@"
	run "-$status" --separate-stderr llm-send --timeout 10 --record "${opts[@]}" --url "$FAKE_URL" "$R"
	meanwhile_ok
}

# --- item 6: the end marker ends the reply ----------------------------------

# assert_taken_at_once P REPLY [OPTION...]: with the fake provider serving
# REPLY, llm-send OPTION... sends P's request once and is done within 3 s
# (of a --timeout 5): exit 0, P's reply on stdout, nothing on stderr
assert_taken_at_once() {
	local t0
	fake_start "$(script "$2")"
	t0=$(now)
	run -0 --separate-stderr llm-send --timeout 5 "${@:3}" --provider "$1" --url "$(base "$1")" "$(request "$REQ")"
	within "$(elapsed "$t0")" 0 3
	assert_equal "$stderr" ""
	assert_output "$(reply_json "$1" "$(finish "$1")")"
	assert_equal "$(requests)" 1
	fake_stop
}

@test "each protocol: a whole stream on a connection left open is taken at its end marker: one request, exit 0, at once" {
	local p
	export GUISE_API_KEY=$CANARY
	for p in openai anthropic ollama gemini; do
		assert_taken_at_once "$p" "$(open_stream "$p")"
	done
}

@test "each protocol, --text: a whole stream on a connection left open: the text and its newline, one request" {
	local p out=$BATS_TEST_TMPDIR/out
	export GUISE_API_KEY=$CANARY
	for p in openai anthropic ollama gemini; do
		fake_start "$(script "$(open_stream "$p" '{"split": 5}')")"
		run -0 --separate-stderr sh -c 'llm-send --timeout 5 --text --provider "$1" --url "$2" "$3" > "$4"' \
			sh "$p" "$(base "$p")" "$(request "$REQ")" "$out"
		assert_equal "$stderr" ""
		cmp "$out" <(printf '%s\n' "$TEXT") || fail "$p: --text wrote: $(od -c "$out")"
		assert_equal "$(requests)" 1
		fake_stop
	done
}

@test "--record: a whole stream on a connection left open is recorded once" {
	turn
	fake_start "$(script "$(open_stream anthropic)")"
	export ANTHROPIC_API_KEY=$CANARY
	run_ok llm-send --timeout 5 --record --url "$FAKE_URL" "$R"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[2,3]')"
	assert_equal "$(requests)" 1
	assert_equal "$(session-log show "$S" | jq -c '[.seq, .role, .content]' | tr '\n' ' ')" \
		'[1,"assistant","*Sera looks up.* Welcome, {{user}}."] [2,"user","Where am I?"] [3,"assistant","Hello, Wren!"] '
}

@test "each protocol, --no-stream: a whole reply with its Content-Length on a connection kept alive: one request, at once" {
	local p v
	export GUISE_API_KEY=$CANARY
	for p in openai anthropic ollama gemini; do
		v=${p^^}_JSON
		assert_taken_at_once "$p" "$(reply 200 "${!v}" | jq -c '.hold = true')" --no-stream
	done
}

# --- item 7: nothing after the end marker is part of the reply ---------------

@test "each protocol: content after the end marker, in the same chunk, is not part of the reply (nor an error)" {
	local p
	export GUISE_API_KEY=$CANARY
	for p in openai anthropic ollama gemini; do
		fake_start "$(script "$(streamf "${p}_stream; after $p" "{\"headers\":{\"Content-Type\":\"$(ctype "$p")\"}}")")"
		run -0 --separate-stderr llm-send --timeout 5 --provider "$p" --url "$(base "$p")" "$(request "$REQ")"
		assert_equal "$stderr" "" || fail "$p"
		assert_output "$(reply_json "$p" "$(finish "$p")")"
		fake_stop
	done
}

@test "each protocol, --text: content after the end marker, in a later chunk of a stream left open, is never written" {
	local p out=$BATS_TEST_TMPDIR/out x f=$BATS_TEST_TMPDIR/after
	export GUISE_API_KEY=$CANARY
	for p in openai anthropic ollama gemini; do
		after "$p" > "$f"
		x=$(streamf "${p}_stream" "{\"headers\":{\"Content-Type\":\"$(ctype "$p")\"},\"stall_ms\":60000}" |
			jq -c --rawfile a "$f" '.chunks += [{data: $a, delay_ms: 50}]')
		fake_start "$(script "$x")"
		run -0 --separate-stderr sh -c 'llm-send --timeout 5 --text --provider "$1" --url "$2" "$3" > "$4"' \
			sh "$p" "$(base "$p")" "$(request "$REQ")" "$out"
		assert_equal "$stderr" ""
		cmp "$out" <(printf '%s\n' "$TEXT") || fail "$p: --text wrote: $(od -c "$out")"
		fake_stop
	done
}

@test "--record: content after ollama's done:true is not stored" {
	turn
	fake_start "$(script "$(streamf 'ollama_stream; after ollama' '{"headers":{"Content-Type":"application/x-ndjson"}}')")"
	run_ok llm-send --timeout 5 --record --provider ollama --url "$FAKE_URL" "$R"
	assert_output "$(reply_json ollama stop "\"$S\"" '[2,3]')"
	assert_equal "$(session-log show "$S" --last 1 | jq -r .content)" "$TEXT"
}

# --- item 8: a reply paid for is never thrown away -----------------------------

@test "--record: the session deleted while the reply streamed: the Reply record still on stdout, recorded [], 66 saying it was not recorded" {
	turn
	send_meanwhile 66 -- session-bind delete "$S"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[]')"
	assert_equal "$stderr" "llm-send: the reply was not recorded: no such session '$S'"
	assert_equal "$(requests)" 1
	assert_equal "$(count chat_messages)" 0
}

@test "--record --text: the session deleted while the reply streamed: the text on stdout, 66 saying it was not recorded" {
	turn
	send_meanwhile 66 --text -- session-bind delete "$S"
	assert_output "$TEXT"
	assert_equal "$stderr" "llm-send: the reply was not recorded: no such session '$S'"
}

@test "--record: the user rekeyed while the reply streamed: the Reply record on stdout, 75 'the key of user alice changed', nothing stored, the session still opens" {
	turn
	send_meanwhile 75 -- persona-encrypt rekey -u alice
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[]')"
	assert_equal "$stderr" "llm-send: the reply was not recorded: the key of user 'alice' changed while this ran (persona-encrypt rekey): run again"
	run_ok session-log show "$S"
	assert_equal "$(jq -r .seq <<< "$output")" 1
	run_ok persona-encrypt verify -u alice
}

@test "--record: a reply the session cannot hold (over 4 MiB) after the user message: stdout has it, recorded claims no seq, 65" {
	turn
	local big f=$BATS_TEST_TMPDIR/big.sse
	# five deltas of 900000 bytes: each line fits a stream, the message does not
	big=$(head -c 900000 /dev/zero | tr '\0' a)
	{
		anthropic_stream | head -n 9
		for _ in 1 2 3 4 5; do
			printf 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"%s"}}\n\n' "$big"
		done
		anthropic_stream | tail -n 9
	} > "$f"
	fake_start "$(jq -n -c --rawfile d "$f" '[{status: 200, headers: {"Content-Type": "text/event-stream"}, chunks: [{data: $d}]}]')"
	export ANTHROPIC_API_KEY=$CANARY
	run -65 --separate-stderr llm-send --timeout 20 --record --url "$FAKE_URL" "$R"
	[[ $stderr == "llm-send: the reply was not recorded: content: "*" bytes, more than the "* ]] || fail "stderr: $stderr"
	assert_equal "$(jq -c .recorded <<< "$output")" '[]'
	assert_equal "$(jq -r '.content | length' <<< "$output")" $((5 * 900000))
	assert_equal "$(seqs "$S")" "1 "
}

# --- item 9: the speaker is the request's persona --------------------------------

@test "--record: the persona switched while the reply streamed: both messages spoken by the request's persona" {
	turn
	local ash
	ash=$(mkpersona Ash)
	send_meanwhile 0 -- session-bind use-persona "$S" Ash
	assert_equal "$stderr" ""
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[2,3]')"
	assert_equal "$(bound "$S")" "$(who custom "$ash" Ash)"
	assert_equal "$(speakers "$S")" "$(printf '%s\n' "$W" "$W" "$W")"
}

@test "--record: an impersonation begun while the reply streamed does not change the speaker; an impersonated request keeps its character as speaker" {
	turn
	local oak
	oak=$(mkchar Oak)
	send_meanwhile 0 -- session-bind impersonate "$S" Oak
	assert_equal "$stderr" ""
	assert_equal "$(speakers "$S" | tail -n 2)" "$(printf '%s\n' "$W" "$W")"
	# the next request is written for Oak, and Oak speaks it, though Wren is back
	prompt-render -s "$S" -m 'And now?' > "$R"
	session-bind use-persona "$S" Wren > /dev/null
	fake_stop
	fake_start "$(script "$(streamf anthropic_stream)")"
	run_ok llm-send --timeout 10 --record --url "$FAKE_URL" "$R"
	assert_equal "$(speakers "$S" | tail -n 2)" "$(printf '%s\n' "$(who impersonated "$oak" Oak)" "$(who impersonated "$oak" Oak)")"
}

@test "--record: the request's persona deleted while the reply streamed: the turn is still spoken by it, by its id and name" {
	turn
	send_meanwhile 0 -- persona delete Wren
	assert_equal "$stderr" ""
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[2,3]')"
	assert_equal "$(bound "$S")" "$NONE"
	assert_equal "$(speakers "$S")" "$(printf '%s\n' "$W" "$W" "$W")"
}

@test "--record: a request whose guise.persona is malformed is refused before anything is sent (65); one without it is spoken by the session's persona" {
	turn
	fake_start "$(script "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	local bad
	for bad in '{"kind":"custom","id":"nope","name":"Wren"}' '{"kind":"ghost","id":null,"name":null}' \
		'{"kind":"custom","id":"'"$WREN"'","name":7}' '"Wren"'; do
		run -65 --separate-stderr llm-send --record --url "$FAKE_URL" "$(request "$(jq -c --argjson p "$bad" '.guise.persona = $p' "$R")")"
		assert_output ""
		[[ $stderr == "llm-send: guise.persona: "* ]] || fail "stderr: $stderr"
	done
	assert_equal "$(requests)" 0
	run_ok llm-send --record --url "$FAKE_URL" "$(request "$(jq -c 'del(.guise.persona)' "$R")")"
	assert_equal "$(speakers "$S")" "$(printf '%s\n' "$W" "$W" "$W")"
}
