#!/bin/sh
# What llm-send costs over the HTTP itself (DESIGN.md §9): the local fake
# provider (tests/helpers/fake-llm.mjs) with a script of 2 x (BENCH_REPS
# (200) + 1) OpenAI-style streamed replies, each BENCH_CHUNKS (40) events of
# a few words, then the finish, the usage and [DONE]; then, taking turns, one
# request through `llm-send` (a chat of 32 messages, about 5 KiB, to a
# Reply record) and one through `curl -sN` posting the very body llm-send
# sends (its --dry-run), BENCH_REPS times each, after one untimed run of
# each whose reply is checked: the best and the mean wall time of each
# whole process (spawn to exit, test-tool time-runs).
# Target: llm-send / curl <= 1.5 on the mean times (curl is the floor: the
# same request, no parsing). The exit status is 0 even when it is missed.
set -eu
BUILD=${GUISE_BUILD:-../build}
BIN=$(cd "$BUILD/bin" && pwd)
TOP=$(cd "$(dirname "$0")/.." && pwd)
REPS=${BENCH_REPS:-200}
CHUNKS=${BENCH_CHUNKS:-40}
for tool in node curl jq; do
	if ! command -v "$tool" > /dev/null 2>&1; then
		echo "send: skipped: no $tool"
		exit 0
	fi
done
unset GUISE_PROVIDER GUISE_LLM_URL GUISE_MODEL GUISE_API_KEY OPENAI_API_KEY \
	http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY
tmp=$(mktemp -d)
fake=
trap 'if [ -n "$fake" ]; then kill "$fake" 2> /dev/null || true; fi; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# The request document: a story string, 30 turns of history, the new message.
awk 'BEGIN {
	printf "{\"model\":\"bench-1\",\"messages\":[{\"role\":\"system\",\"content\":\""
	for (i = 0; i < 12; i++)
		printf "Melina is a traveller who guides the Tarnished across the Lands Between. "
	printf "\"}"
	for (i = 1; i <= 30; i++)
		printf ",{\"role\":\"%s\",\"content\":\"Turn %d. The river floods in spring, and the " \
			"old road is safer, if slower. Which way now, and why that one?\"}",
			i % 2 ? "user" : "assistant", i
	printf ",{\"role\":\"user\",\"content\":\"Which way now?\"}],\"temperature\":0.8," \
		"\"max_tokens\":300,\"guise\":{\"session\":null,\"user\":\"bench\",\"provider\":null," \
		"\"pending\":null}}\n"
}' > "$tmp/request.json"

# The reply: CHUNKS content events, the finish, the usage, [DONE]; the
# script holds it 2 x (REPS + 1) times: a checked run of each, then the
# timed ones.
awk -v n="$CHUNKS" 'BEGIN {
	for (i = 1; i <= n; i++)
		printf "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"bench-1\"," \
			"\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word%d, \"},\"finish_reason\":null}]}\n\n", i
	printf "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"bench-1\"," \
		"\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	printf "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"bench-1\"," \
		"\"choices\":[],\"usage\":{\"prompt_tokens\":3000,\"completion_tokens\":%d}}\n\n", n * 2
	printf "data: [DONE]\n\n"
}' > "$tmp/stream.txt"
jq -n -c --rawfile s "$tmp/stream.txt" --argjson n "$(((REPS + 1) * 2))" \
	'[range($n) | {status: 200, headers: {"Content-Type": "text/event-stream"},
	  chunks: ($s | split("\n\n") | map(select(. != "") | {data: (. + "\n\n")}))}]' \
	> "$tmp/script.json"

: > "$tmp/port"
node "$TOP/tests/helpers/fake-llm.mjs" "$tmp/script.json" "$tmp/log.jsonl" > "$tmp/port" 2> "$tmp/fake.err" &
fake=$!
i=0
while [ ! -s "$tmp/port" ]; do
	i=$((i + 1))
	if [ "$i" -gt 250 ] || ! kill -0 "$fake" 2> /dev/null; then
		echo "send: the fake provider did not start: $(cat "$tmp/fake.err")" >&2
		exit 1
	fi
	sleep 0.02
done
url=http://127.0.0.1:$(cat "$tmp/port")

# curl posts the very body llm-send sends
"$BIN/llm-send" --dry-run --url "$url" < "$tmp/request.json" > "$tmp/http.json"
jq -c .body "$tmp/http.json" > "$tmp/body.json"

# one untimed run of each, the whole reply checked
"$BIN/llm-send" --url "$url" "$tmp/request.json" > "$tmp/reply.json"
jq -e --argjson n "$CHUNKS" '.kind == "reply" and .finish_reason == "stop" and
	(.content | split(", ") | length) == $n + 1' "$tmp/reply.json" > /dev/null ||
	echo "warning: llm-send: not the whole reply: $(cat "$tmp/reply.json")" >&2
curl -sN -H 'Content-Type: application/json' --data-binary "@$tmp/body.json" \
	"$url/chat/completions" > "$tmp/reply.sse"
grep -q '^data: \[DONE\]' "$tmp/reply.sse" ||
	echo "warning: curl: not the whole reply" >&2

# taking turns, each run timed alone (test-tool time-runs: a shell's
# date(1) around a run would count a process of its own into each);
# llm-send reads the request from its FILE operand, as no run can be
# given a stdin of its own
# shellcheck disable=SC2046 # four numbers, split on purpose
set -- $("$BIN/test-tool" time-runs "$REPS" "$BIN/llm-send" --url "$url" "$tmp/request.json" -- \
	curl -sN -H 'Content-Type: application/json' --data-binary "@$tmp/body.json" \
	"$url/chat/completions")
wait "$fake" 2> /dev/null || true
fake=

awk -v reps="$REPS" -v chunks="$CHUNKS" -v bytes="$(wc -c < "$tmp/body.json")" \
	-v sb="$1" -v sm="$2" -v cb="$3" -v cm="$4" 'BEGIN {
	r = sm / cm
	printf "%d sequential requests each (a %d-byte body, %d streamed events back), best / mean:\n",
		reps, bytes, chunks + 3
	printf "  llm-send: %8.3f ms / %8.3f ms\n", sb / 1000, sm / 1000
	printf "  curl -sN: %8.3f ms / %8.3f ms\n", cb / 1000, cm / 1000
	printf "  ratio llm-send/curl: %.2f (mean), %.2f (best); target <= 1.5: %s\n",
		r, sb / cb, r <= 1.5 ? "PASS" : "MISS"
}'
