#!/usr/bin/env bats
# llm-send's retries, timeouts and refusals (DESIGN.md §9; llm-send(1)
# "Retries and timeouts", "Network", EXIT STATUS) against the fake provider:
# Retry-After honoured and timed, the retry budget (--retries), statuses
# never retried (400, 401, 403, 404), a stalled stream given up after
# --idle-timeout, the whole send bounded by --timeout, nothing retried once
# text went to stdout, redirects not followed, a refused connection (69),
# and a key canary that never shows in any output, -v and -n included, nor
# anywhere in the request but its header.

load common
load llm

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	common_setup
	llm_setup
	export OPENAI_API_KEY=$CANARY
	R=$(request "$REQ")
}

teardown() { fake_stop; }

# err STATUS MESSAGE [HEADERS-JSON]: an OpenAI-shaped error reply
err() { reply "$1" "$(jq -n -c --arg m "$2" '{error: {message: $m, type: "x", code: null}}')" "${3:-"{}"}"; }

# stall: headers, then nothing for 30 s (or until the client leaves)
STALL='{"status":200,"headers":{"Content-Type":"text/event-stream"},"chunks":[],"stall_ms":30000}'

# hello_then_stall: a role chunk and "Hello", then nothing for 30 s
hello_then_stall() {
	streamf 'openai_stream | head -n 4' '{"stall_ms": 30000}'
}

# same_body: every request the server saw had the same body
same_body() { assert_equal "$(jq -s 'map(.body) | unique | length' "$FAKE_LOG")" 1; }

# --- Retry-After and the budget ---------------------------------------------

@test "two 429s with Retry-After: 2, then the reply: it comes after 4 to 6 s, the same request three times" {
	local t0
	fake_start "$(script "$(err 429 'Rate limit reached' '{"Retry-After":"2"}')" \
		"$(err 429 'Rate limit reached' '{"Retry-After":"2"}')" "$(streamf openai_stream)")"
	t0=$(now)
	run -0 --separate-stderr llm-send --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 4 6
	assert_equal "$stderr" ""
	assert_output "$(reply_json openai stop)"
	assert_equal "$(requests)" 3
	same_body
}

@test "-v says each retry and its wait; -q and no -v say nothing" {
	fake_start "$(script "$(err 429 'Rate limit reached' '{"Retry-After":"1"}')" "$(streamf openai_stream)")"
	run -0 --separate-stderr llm-send -v --url "$FAKE_URL" "$R"
	assert_output "$(reply_json openai stop)"
	[[ ${stderr,,} == *retr* && $stderr == *429* && $stderr == *1* ]] || fail "-v: $stderr"
	[[ $stderr != *"$CANARY"* ]] || fail "the key in -v: $stderr"
	fake_stop
	fake_start "$(script "$(err 429 'Rate limit reached' '{"Retry-After":"1"}')" "$(streamf openai_stream)")"
	run -0 --separate-stderr llm-send -q --url "$FAKE_URL" "$R"
	assert_output "$(reply_json openai stop)"
	assert_equal "$stderr" ""
	assert_equal "$(requests)" 2
}

@test "503 past the budget (--retries 1): 75, two requests, the provider's message" {
	local t0
	fake_start "$(script "$(err 503 'The server is overloaded')" "$(err 503 'The server is overloaded')")"
	t0=$(now)
	run -75 --separate-stderr llm-send --retries 1 --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 0 2
	assert_output ""
	[[ $stderr =~ ^'llm-send: openai: HTTP 503: The server is overloaded'( \(after 2 attempts\))?$ ]] || fail "stderr: $stderr"
	assert_equal "$(requests)" 2
	same_body
}

@test "the default budget is three retries: 500, 502, 504, 408 (backoff from 0.5 s): 75 after four requests" {
	local t0
	fake_start "$(script "$(err 500 'internal')" "$(err 502 'bad gateway')" "$(err 504 'gateway timeout')" \
		"$(err 408 'request timeout')")"
	t0=$(now)
	run -75 --separate-stderr llm-send --url "$FAKE_URL" "$R"
	# full jitter under a limit of 0.5, 1 and 2 s: at most 3.5 s of waiting
	within "$(elapsed "$t0")" 0 5
	assert_output ""
	[[ $stderr =~ ^'llm-send: openai: HTTP 408: request timeout'( \(after 4 attempts\))?$ ]] || fail "stderr: $stderr"
	assert_equal "$(requests)" 4
}

@test "--retries 0: a 429 is 75 at once, one request" {
	local t0
	fake_start "$(script "$(err 429 'Rate limit reached' '{"Retry-After":"5"}')" "$(streamf openai_stream)")"
	t0=$(now)
	run -75 --separate-stderr llm-send --retries 0 --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 0 1
	assert_output ""
	assert_equal "$stderr" "llm-send: openai: HTTP 429: Rate limit reached"
	assert_equal "$(requests)" 1
}

@test "anthropic's 529 (overloaded) is retried" {
	export ANTHROPIC_API_KEY=$CANARY
	fake_start "$(script "$(reply 529 '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')" \
		"$(streamf anthropic_stream)")"
	run_ok llm-send --provider anthropic --url "$FAKE_URL" "$R"
	assert_output "$(reply_json anthropic end_turn)"
	assert_equal "$(requests)" 2
}

# --- never retried ----------------------------------------------------------------

# once STATUS CODE MESSAGE: STATUS is not retried: exit CODE in under a
# second, one request, the provider's message
once() {
	local t0
	fake_start "$(script "$(err "$1" "$3")" "$(streamf openai_stream)")"
	t0=$(now)
	run "-$2" --separate-stderr llm-send --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 0 1
	assert_output ""
	assert_equal "$stderr" "llm-send: openai: HTTP $1: $3"
	assert_equal "$(requests)" 1
	fake_stop
}

@test "400: not retried, 76, the provider's message" {
	once 400 76 "Invalid value for 'temperature': expected at most 2"
}

@test "401 and 403: not retried, 77" {
	once 401 77 'Incorrect API key provided'
	once 403 77 'Country, region, or territory not supported'
}

@test "404 and 422: not retried, 76" {
	once 404 76 'The model m-1 does not exist'
	once 422 76 'Unprocessable'
}

@test "an error body that is not JSON: its status, still not retried" {
	local t0
	fake_start "$(script "$(reply 400 '"<html>Bad Request</html>"' '{"Content-Type":"text/html"}')" "$(streamf openai_stream)")"
	t0=$(now)
	run -76 --separate-stderr llm-send --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 0 1
	assert_output ""
	[[ $stderr == "llm-send: openai: HTTP 400"* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(requests)" 1
}

# --- redirects ----------------------------------------------------------------------

@test "a redirect is not followed: 302 and 307 are 76, one request each" {
	local code
	for code in 302 307; do
		fake_start "$(script "$(reply "$code" '""' "{\"Location\":\"$FAKE_URL/elsewhere\"}")" "$(streamf openai_stream)")"
		run -76 --separate-stderr llm-send --url "$FAKE_URL" "$R"
		assert_output ""
		[[ $stderr == "llm-send: openai: "*"$code"* ]] || fail "stderr: $stderr"
		assert_equal "${#stderr_lines[@]}" 1
		assert_equal "$(requests)" 1
		assert_equal "$(req 0 .path)" '"/chat/completions"'
		fake_stop
	done
}

# --- timeouts ---------------------------------------------------------------------

@test "a stream that stalls (headers, then nothing): given up after --idle-timeout 1, retried, then 75" {
	local t0
	fake_start "$(script "$STALL" "$STALL")"
	t0=$(now)
	run -75 --separate-stderr llm-send --idle-timeout 1 --retries 1 --url "$FAKE_URL" "$R"
	# two attempts of 1 s each and a wait under 0.5 s, 2 s of slack
	within "$(elapsed "$t0")" 2 4.5
	assert_output ""
	[[ $stderr == "llm-send: openai: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(requests)" 2
}

@test "a server that accepts and never answers: --idle-timeout 1 --retries 0 is 75 within 3 s" {
	local t0
	fake_start "$(script '{"delay_ms": 30000, "status": 200, "body": ""}')"
	t0=$(now)
	run -75 --separate-stderr llm-send --idle-timeout 1 --retries 0 --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 1 3
	assert_output ""
	[[ $stderr == "llm-send: openai: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(requests)" 1
}

@test "a stall after some text, nothing yet written (a record is wanted): retried, and the second reply is the one" {
	local t0
	fake_start "$(script "$(hello_then_stall)" "$(streamf openai_stream)")"
	t0=$(now)
	run -0 --separate-stderr llm-send --idle-timeout 1 --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 1 3.5
	assert_equal "$stderr" ""
	assert_output "$(reply_json openai stop)"
	assert_equal "$(requests)" 2
}

@test "--text: a stall after text went to stdout is not retried: the stream cut short, 76, within --idle-timeout 1 + 2 s" {
	local t0
	fake_start "$(script "$(hello_then_stall)" "$(streamf openai_stream)")"
	t0=$(now)
	run -76 --separate-stderr llm-send --text --idle-timeout 1 --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 1 3
	assert_output Hello
	[[ $stderr == "llm-send: openai: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(requests)" 1
}

@test "--text: a connection dropped after text went to stdout is not retried: 76" {
	fake_start "$(script "$(streamf 'openai_stream | head -n 4' '{"close": true}')" "$(streamf openai_stream)")"
	run -76 --separate-stderr llm-send --text --url "$FAKE_URL" "$R"
	assert_output Hello
	[[ $stderr == "llm-send: openai: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(requests)" 1
}

@test "--timeout bounds the whole send: a stream that drips a byte every 200 ms is given up after 1 s" {
	local t0 drip
	drip=$(jq -n -c '{status: 200, headers: {"Content-Type": "text/event-stream"},
		chunks: [range(100) | {data: ": .\n", delay_ms: 200}]}')
	fake_start "$(script "$drip")"
	t0=$(now)
	run -75 --separate-stderr llm-send --timeout 1 --idle-timeout 5 --retries 0 --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 0.9 3
	assert_output ""
	[[ $stderr == "llm-send: openai: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(requests)" 1
}

@test "--timeout is the whole send, retries and their waits included (spec: total)" {
	local t0 drip
	drip=$(jq -n -c '{status: 200, headers: {"Content-Type": "text/event-stream"},
		chunks: [range(100) | {data: ": .\n", delay_ms: 200}]}')
	fake_start "$(script "$drip" "$drip" "$drip" "$drip")"
	t0=$(now)
	run -75 --separate-stderr llm-send --timeout 1.5 --idle-timeout 5 --retries 3 --url "$FAKE_URL" "$R"
	within "$(elapsed "$t0")" 1 3
	assert_output ""
	[[ $stderr == "llm-send: openai: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
}

# --- unreachable --------------------------------------------------------------------

@test "connection refused: retried, then 69" {
	local port t0
	port=$(free_port)
	t0=$(now)
	run -69 --separate-stderr llm-send --retries 2 --url "http://127.0.0.1:$port" "$R"
	# two waits under 0.5 and 1 s
	within "$(elapsed "$t0")" 0 3
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	run -69 --separate-stderr llm-send -v --retries 1 --url "http://127.0.0.1:$port" "$R"
	assert_output ""
	[[ ${stderr,,} == *retr* ]] || fail "-v says no retry: $stderr"
}

# --- the key canary -------------------------------------------------------------

# no_canary: $output and $stderr do not hold the key
no_canary() {
	[[ $output != *"$CANARY"* ]] || fail "the key on stdout: $output"
	[[ $stderr != *"$CANARY"* ]] || fail "the key on stderr: $stderr"
	[[ $output != *CANARY* && $stderr != *CANARY* ]] || fail "part of the key in an output: $output $stderr"
}

@test "the key canary: never on stdout or stderr with -v and -n, in no request but its own header, for every protocol" {
	local p
	unset OPENAI_API_KEY
	export GUISE_API_KEY=$CANARY
	for p in openai anthropic ollama gemini; do
		local x={}
		[[ $p == ollama ]] && x='{"headers":{"Content-Type":"application/x-ndjson"}}'
		fake_start "$(script "$(err 429 'slow down' '{"Retry-After":"0"}')" "$(streamf "${p}_stream" "$x")")"
		run -0 --separate-stderr llm-send -v --provider "$p" --url "$FAKE_URL" "$R"
		no_canary
		assert_equal "$(jq -r .content <<< "$output")" "$TEXT"
		run -0 --separate-stderr llm-send -v -n --provider "$p" --url "$FAKE_URL" "$R"
		no_canary
		run -0 --separate-stderr llm-send -v -n --pretty --provider "$p" --url "$FAKE_URL" "$R"
		no_canary
		run -0 --separate-stderr llm-send -v -n -y --provider "$p" --url "$FAKE_URL" "$R"
		no_canary
		assert_equal "$(requests)" 2
		[[ $(jq -c 'del(.headers.authorization, .headers["x-api-key"], .headers["x-goog-api-key"])' "$FAKE_LOG") != *CANARY* ]] ||
			fail "$p: the key outside its header: $(cat "$FAKE_LOG")"
		if [[ $p != ollama ]]; then
			[[ $(jq -c '.headers' "$FAKE_LOG") == *"$CANARY"* ]] || fail "$p: the key was not sent"
		fi
		fake_stop
	done
}

@test "the key canary from --api-key-file, through a failure: a 401 whose message quotes the key does not print it" {
	local f=$BATS_TEST_TMPDIR/key
	unset OPENAI_API_KEY
	printf '%s\n' "$CANARY" > "$f"
	fake_start "$(script "$(err 401 "Incorrect API key provided: $CANARY. You can find your API key at https://platform.openai.com/account/api-keys.")")"
	run -77 --separate-stderr llm-send -v --api-key-file "$f" --url "$FAKE_URL" "$R"
	assert_output ""
	no_canary
	[[ $stderr == *"llm-send: openai: HTTP 401: Incorrect API key provided"* ]] || fail "stderr: $stderr"
	assert_equal "$(hdr 0 authorization)" "Bearer $CANARY"
	run -0 --separate-stderr llm-send -v -n --api-key-file "$f" --url "$FAKE_URL" "$R"
	no_canary
	# nor when the provider cannot be reached
	run -69 --separate-stderr llm-send -v --retries 0 --api-key-file "$f" --url "http://127.0.0.1:$(free_port)" "$R"
	no_canary
}

# --- TLS --------------------------------------------------------------------

@test "TLS: a certificate nobody vouches for is refused (69, not retried); --cacert trusts it" {
	cd "$BATS_TEST_TMPDIR"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2> /dev/null
	export FAKE_TLS_CERT=$PWD/cert.pem FAKE_TLS_KEY=$PWD/key.pem
	fake_start "$(script "$(streamf openai_stream)")"
	run -69 --separate-stderr llm-send --retries 3 --url "https://127.0.0.1:$FAKE_PORT" "$R"
	assert_output ""
	[[ $stderr == "llm-send: openai: "* && ${#stderr_lines[@]} -eq 1 ]] || fail "stderr: $stderr"
	# refused at the handshake: no request was made, so none was retried
	assert_equal "$(requests)" 0
	run_ok llm-send --cacert cert.pem --url "https://127.0.0.1:$FAKE_PORT" "$R"
	assert_output "$(reply_json openai stop)"
	assert_equal "$(requests)" 1
	assert_equal "$(hdr 0 authorization)" "Bearer $CANARY"
}
