# Helpers for the send suites (5xxx): the fake provider of
# tests/helpers/fake-llm.mjs started with a script of replies, its log of
# requests read back with jq, scripted replies built for each wire protocol,
# and request documents written by hand. No network: every URL is 127.0.0.1.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the constants are for the suites
load common

FAKE=$TOP/tests/helpers/fake-llm.mjs
CANARY=sk-CANARY-1234

# llm_setup: no provider, model, key or proxy from the caller's environment
llm_setup() {
	unset GUISE_PROVIDER GUISE_LLM_URL GUISE_MODEL GUISE_API_KEY \
		OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY \
		http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy \
		no_proxy NO_PROXY
	FAKE_PID=
	FAKE_LOG=$BATS_TEST_TMPDIR/requests.jsonl
	FAKE_URL=
}

# fake_start JSON: the fake provider serving the replies of the script JSON
# (an array, see fake-llm.mjs); exports FAKE_PORT and FAKE_URL. The server
# must not hold bats' fd 3, or bats waits for it.
fake_start() {
	local script=$BATS_TEST_TMPDIR/script.json port=$BATS_TEST_TMPDIR/fake.port i
	jq -c . <<< "$1" > "$script" || fail "fake_start: the script is not JSON: $1"
	: > "$FAKE_LOG"
	: > "$port"
	node "$FAKE" "$script" "$FAKE_LOG" > "$port" 2> "$BATS_TEST_TMPDIR/fake.err" 3>&- &
	FAKE_PID=$!
	for ((i = 0; i < 250; i++)); do
		[[ -s $port ]] && break
		kill -0 "$FAKE_PID" 2> /dev/null || fail "fake_start: the server died: $(cat "$BATS_TEST_TMPDIR/fake.err")"
		sleep 0.02
	done
	FAKE_PORT=$(cat "$port")
	[[ $FAKE_PORT =~ ^[0-9]+$ ]] || fail "fake_start: no port"
	FAKE_URL=http://127.0.0.1:$FAKE_PORT
	export FAKE_PORT FAKE_URL
}

# fake_stop: the server ended (it may have ended itself) and reaped
fake_stop() {
	[[ -n ${FAKE_PID-} ]] || return 0
	kill "$FAKE_PID" 2> /dev/null || true
	wait "$FAKE_PID" 2> /dev/null || true
	FAKE_PID=
}

# free_port: a port nothing listens on (one the kernel just gave and took back)
free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# requests: how many requests the server saw
requests() { wc -l < "$FAKE_LOG" | tr -d ' '; }

# req N [FILTER]: request N (0 the first) through jq FILTER, compact
req() { jq -c -s ".[$1] | ${2:-.}" "$FAKE_LOG"; }

# hdr N NAME: header NAME (lower case) of request N, raw; empty when absent
hdr() { jq -r -s --arg h "$2" ".[$1].headers[\$h] // empty" "$FAKE_LOG"; }

# now: seconds since the epoch, with a fraction
now() { date +%s.%N; }

# elapsed START: seconds since START
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# within T LO HI: LO <= T <= HI (seconds), else say so
within() {
	awk -v t="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(t >= lo && t <= hi) }' ||
		fail "took $1 s, expected $2 to $3 s"
}

# --- scripted replies --------------------------------------------------------

# sse EVENT-JSON...: one SSE stream; each argument becomes `data: JSON` and a
# blank line ([DONE] and other text as given); EVENT:JSON sends `event: EVENT`
# first
sse() {
	local a
	for a in "$@"; do
		if [[ $a =~ ^([a-z_]+):(\{.*)$ ]]; then
			printf 'event: %s\ndata: %s\n\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
		else
			printf 'data: %s\n\n' "$a"
		fi
	done
}

# stream TEXT [EXTRA-JSON]: a scripted 200 reply whose body is TEXT, sent as
# one chunk, with the fields of EXTRA-JSON (headers, split, close, stall_ms)
stream() {
	jq -n -c --arg d "$1" --argjson x "${2:-"{}"}" \
		'{status: 200, headers: {"Content-Type": "text/event-stream"}, chunks: [{data: $d}]} + $x'
}

# streamf COMMAND [EXTRA-JSON]: stream with the bytes COMMAND prints, every
# one of them (a command substitution would drop the newlines that end the
# last event)
streamf() {
	local f=$BATS_TEST_TMPDIR/stream.$RANDOM
	eval "$1" > "$f"
	jq -n -c --rawfile d "$f" --argjson x "${2:-"{}"}" \
		'{status: 200, headers: {"Content-Type": "text/event-stream"}, chunks: [{data: $d}]} + $x'
}

# reply STATUS BODY-JSON [HEADERS-JSON]: a scripted whole reply
reply() {
	jq -n -c --argjson s "$1" --argjson b "$2" --argjson h "${3:-"{}"}" \
		'{status: $s, headers: $h, body: $b}'
}

# script ENTRY...: the entries as one JSON array
script() { jq -s -c . <<< "$*"; }

# The reply "Hello, Wren!" in each protocol, 12 tokens in, 4 out.
TEXT='Hello, Wren!'

openai_stream() {
	sse '{"id":"c1","object":"chat.completion.chunk","model":"m-1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}' \
		'{"id":"c1","object":"chat.completion.chunk","model":"m-1","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}' \
		'{"id":"c1","object":"chat.completion.chunk","model":"m-1","choices":[{"index":0,"delta":{"content":", Wren!"},"finish_reason":null}]}' \
		'{"id":"c1","object":"chat.completion.chunk","model":"m-1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}' \
		'{"id":"c1","object":"chat.completion.chunk","model":"m-1","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}' \
		'[DONE]'
}
OPENAI_JSON='{"id":"c1","object":"chat.completion","model":"m-1","choices":[{"index":0,"message":{"role":"assistant","content":"Hello, Wren!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":4,"total_tokens":16}}'

anthropic_stream() {
	sse 'message_start:{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m-1","content":[],"stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}}' \
		'content_block_start:{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}' \
		'ping:{"type":"ping"}' \
		'content_block_delta:{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}' \
		'content_block_delta:{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", Wren!"}}' \
		'content_block_stop:{"type":"content_block_stop","index":0}' \
		'message_delta:{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":4}}' \
		'message_stop:{"type":"message_stop"}'
}
ANTHROPIC_JSON='{"id":"msg_1","type":"message","role":"assistant","model":"m-1","content":[{"type":"text","text":"Hello"},{"type":"text","text":", Wren!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":4}}'

ollama_stream() {
	printf '%s\n' '{"model":"m-1","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hello"},"done":false}' \
		'{"model":"m-1","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":", Wren!"},"done":false}' \
		'{"model":"m-1","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1,"prompt_eval_count":12,"eval_count":4}'
}
OLLAMA_JSON='{"model":"m-1","created_at":"2026-01-01T00:00:00Z","message":{"role":"assistant","content":"Hello, Wren!"},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":4}'

# Gemini's own streams end their events with CRLF
gemini_stream() {
	printf 'data: %s\r\n\r\n' \
		'{"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":12,"totalTokenCount":12},"modelVersion":"m-1"}' \
		'{"candidates":[{"content":{"parts":[{"text":", Wren!"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":4,"totalTokenCount":16},"modelVersion":"m-1"}'
}
GEMINI_JSON='{"candidates":[{"content":{"parts":[{"text":"Hello"},{"text":", Wren!"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":4,"totalTokenCount":16},"modelVersion":"m-1"}'

# reply_json PROVIDER FINISH [SESSION-JSON [RECORDED-JSON]]: the Reply record
# (DESIGN.md §4) of "Hello, Wren!" from model m-1, 12 tokens in, 4 out
reply_json() {
	jq -n -c --arg p "$1" --arg f "$2" --argjson s "${3:-null}" --argjson r "${4:-[]}" --arg t "$TEXT" \
		'{kind: "reply", role: "assistant", content: $t, model: "m-1", provider: $p,
		  finish_reason: $f, usage: {input_tokens: 12, output_tokens: 4},
		  session: $s, recorded: $r}'
}

# A request document by hand, as prompt-render makes them: two system
# messages, then user and assistant turns, every generation setting set.
REQ_MESSAGES='[{"role":"system","content":"You are Sera."},{"role":"system","content":"[Start a new chat]"},{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi Wren."},{"role":"user","content":"Where am I?"}]'
REQ=$(jq -n -c --argjson m "$REQ_MESSAGES" \
	'{model: "m-1", messages: $m, temperature: 0.7, top_p: 0.9, top_k: 40, max_tokens: 200,
	  frequency_penalty: 0.1, presence_penalty: 0.2, seed: 7, stop: ["\nWren:"],
	  guise: {session: null, user: "alice", provider: null, pending: null}}')
# the same without any setting
BARE=$(jq -n -c --argjson m "$REQ_MESSAGES" '{model: "m-1", messages: $m}')

# request JSON: JSON written to a new file of the test's; its name
request() {
	local f
	f=$(mktemp "$BATS_TEST_TMPDIR/req.XXXXXX")
	printf '%s\n' "$1" > "$f"
	echo "$f"
}

# base P: the base URL given for provider P (the path llm-send appends follows)
base() {
	case $1 in
	openai) echo "$FAKE_URL/v1" ;;
	gemini) echo "$FAKE_URL/v1beta" ;;
	*) echo "$FAKE_URL" ;;
	esac
}

# finish P: provider P's own word for a reply that ended by itself
finish() {
	case $1 in
	anthropic) echo end_turn ;;
	gemini) echo STOP ;;
	*) echo stop ;;
	esac
}

# ctype P: the content type of P's stream
ctype() { [[ $1 == ollama ]] && echo application/x-ndjson || echo text/event-stream; }
