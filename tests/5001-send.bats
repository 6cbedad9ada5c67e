#!/usr/bin/env bats
# llm-send (DESIGN.md §4 Reply, §9; llm-send(1)) against the fake provider of
# tests/helpers/fake-llm.mjs: for each wire protocol (openai, anthropic,
# ollama, gemini) the exact path, headers and body that go out, every
# generation setting mapped or dropped, the reply read from a stream (whole
# and cut into small pieces) and from one JSON reply, usage normalised, the
# provider's finish reason; --text; the Reply record; -n prints the request
# with the key redacted and sends nothing; --record stores the turn in the
# session (and a failed send nothing); --keep-partial. Requests are written
# by hand for the protocol cases and made by prompt-render for the session
# cases.

load sessions
load llm

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
	llm_setup
}

teardown() {
	fake_stop
	keys_teardown
}

# same_json GOT EXPECTED: equal as JSON values (key order aside)
same_json() {
	assert_equal "$(jq -S -c . <<< "$1")" "$(jq -S -c . <<< "$2")"
}

# The bodies each protocol sends for $REQ (llm-send(1), /tmp spec "Wire protocols").
OPENAI_BODY=$(jq -n -c --argjson m "$REQ_MESSAGES" \
	'{model: "m-1", messages: $m, stream: true, stream_options: {include_usage: true},
	  temperature: 0.7, top_p: 0.9, max_tokens: 200, frequency_penalty: 0.1,
	  presence_penalty: 0.2, seed: 7, stop: ["\nWren:"]}')
ANTHROPIC_BODY=$(jq -n -c \
	'{model: "m-1", system: "You are Sera.",
	  messages: [{role: "user", content: "[Start a new chat]\n\nHello"}, {role: "assistant", content: "Hi Wren."},
	             {role: "user", content: "Where am I?"}],
	  max_tokens: 200, temperature: 0.7, top_p: 0.9, top_k: 40,
	  stop_sequences: ["\nWren:"], stream: true}')
OLLAMA_BODY=$(jq -n -c --argjson m "$REQ_MESSAGES" \
	'{model: "m-1", messages: $m, stream: true,
	  options: {temperature: 0.7, top_p: 0.9, top_k: 40, num_predict: 200,
	            frequency_penalty: 0.1, presence_penalty: 0.2, seed: 7, stop: ["\nWren:"]}}')
GEMINI_BODY=$(jq -n -c \
	'{systemInstruction: {parts: [{text: "You are Sera."}]},
	  contents: [{role: "user", parts: [{text: "[Start a new chat]\n\nHello"}]}, {role: "model", parts: [{text: "Hi Wren."}]},
	             {role: "user", parts: [{text: "Where am I?"}]}],
	  generationConfig: {temperature: 0.7, topP: 0.9, topK: 40, maxOutputTokens: 200,
	                     stopSequences: ["\nWren:"], seed: 7, frequencyPenalty: 0.1, presencePenalty: 0.2}}')

# path P [no-stream]: the path provider P posts to for model m-1
path() {
	case $1 in
	openai) echo /v1/chat/completions ;;
	anthropic) echo /v1/messages ;;
	ollama) echo /api/chat ;;
	gemini) [[ ${2-} == no-stream ]] && echo /v1beta/models/m-1:generateContent ||
		echo '/v1beta/models/m-1:streamGenerateContent?alt=sse' ;;
	esac
}

# streamed P: provider P's stream of "Hello, Wren!"
streamed() { "${1}_stream"; }

# whole P: provider P's one JSON reply of "Hello, Wren!"
whole() {
	local v=${1^^}_JSON
	echo "${!v}"
}

# auth P: the header that carries P's key and its value for KEY
auth_ok() {
	local p=$1 key=$2
	case $p in
	openai) assert_equal "$(hdr 0 authorization)" "Bearer $key" ;;
	anthropic)
		assert_equal "$(hdr 0 x-api-key)" "$key"
		assert_equal "$(hdr 0 anthropic-version)" 2023-06-01
		;;
	gemini) assert_equal "$(hdr 0 x-goog-api-key)" "$key" ;;
	ollama) ;;
	esac
	# the key only in its own header, and never in the URL
	[[ $(jq -c 'del(.headers.authorization, .headers["x-api-key"], .headers["x-goog-api-key"])' "$FAKE_LOG") != *"$key"* ]] ||
		fail "the key is in the request outside its header: $(cat "$FAKE_LOG")"
}

# expected_body P: the body P sends for $REQ
expected_body() {
	local v=${1^^}_BODY
	echo "${!v}"
}

# protocol_stream P: $REQ sent to P, streamed: the wire and the Reply record
protocol_stream() {
	local p=$1
	fake_start "$(script "$(streamf "${p}_stream" "{\"headers\":{\"Content-Type\":\"$(ctype "$p")\"}}")")"
	export GUISE_API_KEY=$CANARY
	run_ok llm-send --provider "$p" --url "$(base "$p")" "$(request "$REQ")"
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" \
		kind,role,content,model,provider,finish_reason,usage,session,recorded
	assert_output "$(reply_json "$p" "$(finish "$p")")"
	assert_equal "$(requests)" 1
	assert_equal "$(req 0 .method)" '"POST"'
	assert_equal "$(req 0 .path)" "\"$(path "$p")\""
	[[ $(hdr 0 content-type) == application/json* ]] || fail "content-type: $(hdr 0 content-type)"
	auth_ok "$p" "$CANARY"
	same_json "$(req 0 .body)" "$(expected_body "$p")"
}

# protocol_whole P: $REQ sent to P with --no-stream: one JSON reply
protocol_whole() {
	local p=$1 body
	fake_start "$(script "$(reply 200 "$(whole "$p")")")"
	export GUISE_API_KEY=$CANARY
	run_ok llm-send --no-stream --provider "$p" --url "$(base "$p")" "$(request "$REQ")"
	assert_output "$(reply_json "$p" "$(finish "$p")")"
	assert_equal "$(requests)" 1
	assert_equal "$(req 0 .path)" "\"$(path "$p" no-stream)\""
	auth_ok "$p" "$CANARY"
	body=$(req 0 .body)
	case $p in
	ollama)
		# ollama streams unless told not to
		same_json "$body" "$(jq -c '.stream = false' <<< "$OLLAMA_BODY")"
		;;
	openai)
		same_json "$(jq -c 'del(.stream)' <<< "$body")" "$(jq -c 'del(.stream, .stream_options)' <<< "$OPENAI_BODY")"
		assert_equal "$(jq -c '.stream // false' <<< "$body")" false
		;;
	anthropic)
		same_json "$(jq -c 'del(.stream)' <<< "$body")" "$(jq -c 'del(.stream)' <<< "$ANTHROPIC_BODY")"
		assert_equal "$(jq -c '.stream // false' <<< "$body")" false
		;;
	gemini) same_json "$body" "$GEMINI_BODY" ;;
	esac
}

# protocol_text P [SPLIT]: --text: the text and one newline, nothing else;
# with SPLIT the stream comes in pieces of SPLIT bytes
protocol_text() {
	local p=$1 out=$BATS_TEST_TMPDIR/out x
	x=$(jq -n -c --arg t "$(ctype "$p")" --argjson s "${2:-0}" '{headers: {"Content-Type": $t}, split: $s}')
	fake_start "$(script "$(streamf "${p}_stream" "$x")")"
	export GUISE_API_KEY=$CANARY
	run -0 --separate-stderr sh -c 'llm-send --text --provider "$1" --url "$2" "$3" > "$4"' \
		sh "$p" "$(base "$p")" "$(request "$REQ")" "$out"
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	cmp "$out" <(printf '%s\n' "$TEXT") || fail "--text wrote: $(od -c "$out")"
	assert_equal "$(requests)" 1
}

# --- each protocol -----------------------------------------------------------

@test "openai: stream: POST /v1/chat/completions, Bearer key, JSON; the body maps each setting, top_k dropped; the Reply record" {
	protocol_stream openai
}

@test "anthropic: stream: POST /v1/messages, x-api-key, anthropic-version; system joined, stop_sequences, penalties and seed dropped" {
	protocol_stream anthropic
}

@test "ollama: stream: POST /api/chat, JSON lines; every setting in options, max_tokens as num_predict" {
	protocol_stream ollama
}

@test "gemini: stream: POST /models/MODEL:streamGenerateContent?alt=sse, x-goog-api-key; systemInstruction, contents, generationConfig" {
	protocol_stream gemini
}

@test "openai: --no-stream: one JSON reply; the body asks for no stream" {
	protocol_whole openai
}

@test "anthropic: --no-stream: content[] joined, stop_reason, usage" {
	protocol_whole anthropic
}

@test "ollama: --no-stream: stream false, one object" {
	protocol_whole ollama
}

@test "gemini: --no-stream: POST /models/MODEL:generateContent" {
	protocol_whole gemini
}

@test "openai: --text: the text as it arrives and one newline" {
	protocol_text openai
}

@test "anthropic: --text" {
	protocol_text anthropic
}

@test "ollama: --text" {
	protocol_text ollama
}

@test "gemini: --text" {
	protocol_text gemini
}

@test "every protocol: the stream cut into pieces of 1, 2 and 3 bytes reads the same" {
	local p n
	for p in openai anthropic ollama gemini; do
		for n in 1 2 3; do
			protocol_text "$p" "$n"
			fake_stop
		done
	done
}

@test "a stream whose text has multi-byte characters, delivered one byte at a time" {
	local s
	s=$(sse '{"choices":[{"delta":{"content":"Ça va, "},"finish_reason":null}]}' \
		'{"choices":[{"delta":{"content":"Wren? 🌲 — 日本"},"finish_reason":null}]}' \
		'{"choices":[{"delta":{},"finish_reason":"stop"}]}' '[DONE]')
	s+=$'\n\n'
	fake_start "$(script "$(stream "$s" '{"split": 1}')")"
	export OPENAI_API_KEY=$CANARY
	run_ok llm-send --url "$FAKE_URL" "$(request "$REQ")"
	assert_equal "$(jq -r .content <<< "$output")" 'Ça va, Wren? 🌲 — 日本'
}

@test "openai: SSE framing of its own: CRLF and CR line ends, a BOM, comments, an event field, multi-line data" {
	local s
	s=$'\xef\xbb\xbf: keep-alive\r\n\r\n'
	s+=$'data: {"choices":[{"delta":{"content":"Hello"},"finish_reason":null}]}\r\r'
	s+=$'event: message\ndata: {"choices":[{"delta":\ndata: {"content":", Wren!"},"finish_reason":null}]}\n\n'
	s+=$':another comment\n'
	s+=$'data:{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":4}}\r\n\r\n'
	s+=$'data: [DONE]\n\n'
	fake_start "$(script "$(stream "$s")")"
	export OPENAI_API_KEY=$CANARY
	run_ok llm-send -m m-1 --url "$FAKE_URL" "$(request "$BARE")"
	assert_output "$(reply_json openai stop)"
}

@test "openai: no usage in the stream: usage is null; finish_reason length is the provider's word" {
	local s
	s=$(sse '{"choices":[{"delta":{"content":"Hello, Wren!"},"finish_reason":null}]}' \
		'{"choices":[{"delta":{},"finish_reason":"length"}]}' '[DONE]')
	s+=$'\n\n'
	fake_start "$(script "$(stream "$s")")"
	export OPENAI_API_KEY=$CANARY
	run_ok llm-send --url "$FAKE_URL" "$(request "$REQ")"
	assert_output "$(reply_json openai length | jq -c '.usage = {input_tokens: null, output_tokens: null}')"
}

@test "a request without settings sends none: no temperature, no options; anthropic still sends max_tokens 1024" {
	local body
	fake_start "$(script "$(streamf openai_stream)" "$(streamf anthropic_stream)" \
		"$(streamf ollama_stream '{"headers":{"Content-Type":"application/x-ndjson"}}')" "$(streamf gemini_stream)")"
	export GUISE_API_KEY=$CANARY
	for p in openai anthropic ollama gemini; do
		run_ok llm-send --provider "$p" --url "$(base "$p")" "$(request "$BARE")"
		assert_output "$(reply_json "$p" "$(finish "$p")")"
	done
	assert_equal "$(requests)" 4
	same_json "$(req 0 .body)" "$(jq -c '{model, messages, stream, stream_options}' <<< "$OPENAI_BODY")"
	same_json "$(req 1 .body)" "$(jq -c '{model, system, messages, stream} + {max_tokens: 1024}' <<< "$ANTHROPIC_BODY")"
	# an empty options or generationConfig object is as good as none
	same_json "$(req 2 '.body | if .options == {} then del(.options) else . end')" \
		"$(jq -c '{model, messages, stream}' <<< "$OLLAMA_BODY")"
	same_json "$(req 3 '.body | if .generationConfig == {} then del(.generationConfig) else . end')" \
		"$(jq -c '{systemInstruction, contents}' <<< "$GEMINI_BODY")"
}

@test "anthropic: the first system message is the system text, later ones keep their place in a user turn; same roles in a row merge with a blank line; the messages begin with user" {
	local m
	m='[{"role":"system","content":"You are Sera."},{"role":"assistant","content":"Hi Wren."},
	    {"role":"assistant","content":"*waves*"},{"role":"user","content":"Hello"},
	    {"role":"system","content":"[Keep it short]"},{"role":"user","content":"Where am I?"}]'
	fake_start "$(script "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	run -0 --separate-stderr llm-send --provider anthropic --url "$FAKE_URL" \
		"$(request "$(jq -n -c --argjson m "$m" '{model: "m-1", messages: $m}')")"
	assert_equal "$stderr" ""
	assert_output "$(reply_json anthropic end_turn)"
	assert_equal "$(req 0 .body.system)" '"You are Sera."'
	# what comes first is a user message, and roles alternate
	assert_equal "$(req 0 '.body.messages[0].role')" '"user"'
	assert_equal "$(req 0 '[.body.messages[].role] | . as $r | [range(1; length) | select($r[.] == $r[. - 1])] | length')" 0
	# the greeting is not lost, and both runs are merged
	assert_equal "$(req 0 '[.body.messages[] | select(.role == "assistant") | .content]')" '["Hi Wren.\n\n*waves*"]'
	assert_equal "$(req 0 '.body.messages[-1]')" '{"role":"user","content":"Hello\n\n[Keep it short]\n\nWhere am I?"}'
}

@test "anthropic: an error event mid-stream: its message, 76; overloaded_error is 75" {
	local s
	s=$(sse 'message_start:{"type":"message_start","message":{"model":"m-1","usage":{"input_tokens":12,"output_tokens":1}}}' \
		'error:{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}')
	s+=$'\n\n'
	fake_start "$(script "$(stream "$s")")"
	export ANTHROPIC_API_KEY=$CANARY
	run -76 --separate-stderr llm-send --retries 0 --provider anthropic --url "$FAKE_URL" "$(request "$REQ")"
	assert_output ""
	[[ $stderr == "llm-send: anthropic: "*"prompt is too long"* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	fake_stop
	s=$(sse 'message_start:{"type":"message_start","message":{"model":"m-1","usage":{"input_tokens":12,"output_tokens":1}}}' \
		'error:{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}')
	s+=$'\n\n'
	fake_start "$(script "$(stream "$s")")"
	run -75 --separate-stderr llm-send --retries 0 --provider anthropic --url "$FAKE_URL" "$(request "$REQ")"
	assert_output ""
	[[ $stderr == "llm-send: anthropic: "*Overloaded* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
}

@test "each protocol: a stream that ends before the reply is complete is an error (76), not a short reply" {
	local p s
	for p in openai anthropic ollama gemini; do
		case $p in
		openai) s='openai_stream | head -n 6' ;;       # two deltas, no finish, no [DONE]
		anthropic) s='anthropic_stream | head -n 15' ;; # the deltas, no message_stop
		ollama) s='ollama_stream | head -n 2' ;;       # no done: true
		gemini) s='gemini_stream | head -n 2' ;;       # no finishReason
		esac
		fake_start "$(script "$(streamf "$s" "{\"headers\":{\"Content-Type\":\"$(ctype "$p")\"}}")")"
		export GUISE_API_KEY=$CANARY
		run_err 76 "llm-send: $p: the stream ended before the reply was complete" llm-send --retries 0 --provider "$p" --url "$(base "$p")" "$(request "$REQ")"
		assert_equal "$(requests)" 1
		fake_stop
	done
}

@test "a reply that is not JSON, and a stream chunk that is not JSON: 76" {
	fake_start "$(script "$(reply 200 '"<html>oops</html>"' '{"Content-Type":"text/html"}')" \
		"$(stream $'data: {"choices":[{"delta":{"content":"Hel\n\n')")"
	export OPENAI_API_KEY=$CANARY
	run -76 --separate-stderr llm-send --no-stream --retries 0 --url "$FAKE_URL" "$(request "$REQ")"
	assert_output ""
	[[ $stderr == "llm-send: openai: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	run -76 --separate-stderr llm-send --retries 0 --url "$FAKE_URL" "$(request "$REQ")"
	assert_output ""
	[[ $stderr == "llm-send: openai: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
}

# --- choosing the provider, URL, model and key --------------------------------

@test "the request from stdin; the provider: --provider over GUISE_PROVIDER over guise.provider over openai" {
	local r
	fake_start "$(script "$(streamf openai_stream)" "$(streamf anthropic_stream)" \
		"$(streamf gemini_stream)" "$(streamf openai_stream)")"
	export GUISE_API_KEY=$CANARY
	r=$(request "$(jq -c '.guise.provider = "anthropic"' <<< "$REQ")")
	run_ok llm-send --url "$FAKE_URL" < "$(request "$REQ")"
	assert_output "$(reply_json openai stop)"
	run_ok llm-send --url "$FAKE_URL" < "$r"
	assert_output "$(reply_json anthropic end_turn)"
	GUISE_PROVIDER=gemini run -0 --separate-stderr llm-send --url "$FAKE_URL" "$r"
	assert_equal "$stderr" ""
	assert_output "$(reply_json gemini STOP)"
	GUISE_PROVIDER=gemini run -0 --separate-stderr llm-send --provider openai --url "$FAKE_URL" "$r"
	assert_equal "$stderr" ""
	assert_output "$(reply_json openai stop)"
	assert_equal "$(jq -r -s 'map(.path) | join(" ")' "$FAKE_LOG")" \
		'/chat/completions /v1/messages /models/m-1:streamGenerateContent?alt=sse /chat/completions'
}

@test "the URL: --url over GUISE_LLM_URL over each provider's default (seen with -n)" {
	local p
	for p in openai anthropic ollama gemini; do
		run_ok llm-send -n --provider "$p" "$(request "$REQ")"
		case $p in
		openai) assert_equal "$(jq -r .url <<< "$output")" https://api.openai.com/v1/chat/completions ;;
		anthropic) assert_equal "$(jq -r .url <<< "$output")" https://api.anthropic.com/v1/messages ;;
		ollama) assert_equal "$(jq -r .url <<< "$output")" http://localhost:11434/api/chat ;;
		gemini) assert_equal "$(jq -r .url <<< "$output")" \
			'https://generativelanguage.googleapis.com/v1beta/models/m-1:streamGenerateContent?alt=sse' ;;
		esac
	done
	GUISE_LLM_URL=http://127.0.0.1:9/base run -0 --separate-stderr llm-send -n "$(request "$REQ")"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .url <<< "$output")" http://127.0.0.1:9/base/chat/completions
	GUISE_LLM_URL=http://127.0.0.1:9/base run -0 --separate-stderr llm-send -n --url http://127.0.0.1:8/x "$(request "$REQ")"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .url <<< "$output")" http://127.0.0.1:8/x/chat/completions
}

@test "the model: -m over GUISE_MODEL over the request's; gemini puts it in the path; none at all is a usage error (64)" {
	run_ok llm-send -n "$(request "$REQ")"
	assert_equal "$(jq -r .body.model <<< "$output")" m-1
	GUISE_MODEL=env-m run -0 --separate-stderr llm-send -n "$(request "$REQ")"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .body.model <<< "$output")" env-m
	GUISE_MODEL=env-m run -0 --separate-stderr llm-send -n -m flag-m "$(request "$REQ")"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .body.model <<< "$output")" flag-m
	run_ok llm-send -n --provider gemini --model g-2 "$(request "$REQ")"
	assert_equal "$(jq -r .url <<< "$output")" \
		'https://generativelanguage.googleapis.com/v1beta/models/g-2:streamGenerateContent?alt=sse'
	assert_equal "$(jq -c '.body | has("model")' <<< "$output")" false
	run -64 --separate-stderr llm-send -n "$(request "$(jq -c 'del(.model)' <<< "$REQ")")"
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
	run -64 --separate-stderr llm-send -n "$(request "$(jq -c '.model = null' <<< "$REQ")")"
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
}

@test "the key: --api-key-file (first line) over GUISE_API_KEY over the provider's own variable; ollama needs none" {
	local f=$BATS_TEST_TMPDIR/key
	printf 'sk-from-file\nsecond line\n' > "$f"
	fake_start "$(script "$(streamf openai_stream)" "$(streamf openai_stream)" \
		"$(streamf openai_stream)" "$(streamf anthropic_stream)" \
		"$(streamf ollama_stream '{"headers":{"Content-Type":"application/x-ndjson"}}')")"
	export OPENAI_API_KEY=sk-openai ANTHROPIC_API_KEY=sk-anthropic
	run_ok llm-send --url "$FAKE_URL" "$(request "$REQ")"
	GUISE_API_KEY=sk-guise run -0 --separate-stderr llm-send --url "$FAKE_URL" "$(request "$REQ")"
	assert_equal "$stderr" ""
	GUISE_API_KEY=sk-guise run -0 --separate-stderr llm-send --api-key-file "$f" --url "$FAKE_URL" "$(request "$REQ")"
	assert_equal "$stderr" ""
	run_ok llm-send --provider anthropic --url "$FAKE_URL" "$(request "$REQ")"
	unset OPENAI_API_KEY ANTHROPIC_API_KEY
	run_ok llm-send --provider ollama --url "$FAKE_URL" "$(request "$REQ")"
	assert_output "$(reply_json ollama stop)"
	assert_equal "$(hdr 0 authorization)" "Bearer sk-openai"
	assert_equal "$(hdr 1 authorization)" "Bearer sk-guise"
	assert_equal "$(hdr 2 authorization)" "Bearer sk-from-file"
	assert_equal "$(hdr 3 x-api-key)" sk-anthropic
	assert_equal "$(hdr 3 authorization)" ""
}

@test "ollama: no key needed, none sent from the environment; a key from --api-key-file goes as Authorization: Bearer (for a proxy in front)" {
	fake_start "$(script "$(streamf ollama_stream '{"headers":{"Content-Type":"application/x-ndjson"}}')" \
		"$(streamf ollama_stream '{"headers":{"Content-Type":"application/x-ndjson"}}')")"
	export OPENAI_API_KEY=sk-openai ANTHROPIC_API_KEY=sk-anthropic GEMINI_API_KEY=sk-gemini
	run_ok llm-send -n --provider ollama --url "$FAKE_URL" "$(request "$REQ")"
	assert_equal "$(jq -c '.headers | with_entries(.key |= ascii_downcase) | keys' <<< "$output")" '["content-type"]'
	run_ok llm-send --provider ollama --url "$FAKE_URL" "$(request "$REQ")"
	assert_output "$(reply_json ollama stop)"
	assert_equal "$(hdr 0 authorization)" ""
	[[ $(cat "$FAKE_LOG") != *sk-* ]] || fail "another provider's key went to ollama: $(req 0 .headers)"
	# GUISE_API_KEY is for the providers that take keys: not sent here
	printf '%s\n' "$CANARY" > "$BATS_TEST_TMPDIR/key"
	GUISE_API_KEY=sk-guise run -0 --separate-stderr llm-send --provider ollama --url "$FAKE_URL" \
		--api-key-file "$BATS_TEST_TMPDIR/key" "$(request "$REQ")"
	assert_equal "$stderr" ""
	assert_output "$(reply_json ollama stop)"
	assert_equal "$(hdr 1 authorization)" "Bearer $CANARY"
	[[ $(cat "$FAKE_LOG") != *sk-guise* ]] || fail "GUISE_API_KEY went to ollama"
}

@test "a provider not known: 64 from --provider, 78 from GUISE_PROVIDER; nothing sent" {
	fake_start '[]'
	export OPENAI_API_KEY=$CANARY
	run -64 --separate-stderr llm-send --provider claude --url "$FAKE_URL" "$(request "$REQ")"
	assert_output ""
	[[ $stderr == "llm-send: "*claude* ]] || fail "stderr: $stderr"
	GUISE_PROVIDER=claude run -78 --separate-stderr llm-send --url "$FAKE_URL" "$(request "$REQ")"
	assert_output ""
	[[ $stderr == "llm-send: "*claude* ]] || fail "stderr: $stderr"
	assert_equal "$(requests)" 0
}

@test "a bad request document: not JSON, no messages, messages not an array: 65; no such file: 66; nothing sent" {
	fake_start '[]'
	export OPENAI_API_KEY=$CANARY
	run -65 --separate-stderr llm-send --url "$FAKE_URL" "$(request 'this is not a request {')"
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
	run -65 --separate-stderr llm-send --url "$FAKE_URL" "$(request '{"model":"m-1"}')"
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
	run -65 --separate-stderr llm-send --url "$FAKE_URL" "$(request '{"model":"m-1","messages":"hi"}')"
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
	run -66 --separate-stderr llm-send --url "$FAKE_URL" "$BATS_TEST_TMPDIR/no-such-file"
	assert_output ""
	[[ $stderr == "llm-send: "*no-such-file* ]] || fail "stderr: $stderr"
	assert_equal "$(requests)" 0
}

@test "-v says which settings the provider drops: top_k for openai; the penalties and seed for anthropic" {
	fake_start "$(script "$(streamf openai_stream)" "$(streamf anthropic_stream)")"
	export GUISE_API_KEY=$CANARY
	run -0 --separate-stderr llm-send -v --url "$FAKE_URL" "$(request "$REQ")"
	assert_output "$(reply_json openai stop)"
	[[ $stderr == *top_k* ]] || fail "stderr: $stderr"
	[[ $stderr != *temperature* ]] || fail "temperature is not dropped: $stderr"
	run -0 --separate-stderr llm-send -v --provider anthropic --url "$FAKE_URL" "$(request "$REQ")"
	assert_output "$(reply_json anthropic end_turn)"
	[[ $stderr == *frequency_penalty* && $stderr == *presence_penalty* && $stderr == *seed* ]] ||
		fail "stderr: $stderr"
	[[ $stderr != *top_k* ]] || fail "anthropic takes top_k: $stderr"
}

# --- -n -------------------------------------------------------------------------

@test "-n: each protocol's HTTP request, the key [redacted], the body as it would be sent; nothing sent" {
	local p h
	fake_start "$(script "$(streamf openai_stream)")"
	export GUISE_API_KEY=$CANARY
	for p in openai anthropic ollama gemini; do
		run_ok llm-send -n --provider "$p" --url "$(base "$p")" "$(request "$REQ")"
		assert_equal "${#lines[@]}" 1
		assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" kind,method,url,headers,body
		assert_equal "$(jq -c '[.kind, .method, .url]' <<< "$output")" \
			"[\"http-request\",\"POST\",\"$FAKE_URL$(path "$p")\"]"
		same_json "$(jq -c .body <<< "$output")" "$(expected_body "$p")"
		[[ $output != *"$CANARY"* ]] || fail "the key in -n: $output"
		h=$(jq -c '.headers | with_entries(.key |= ascii_downcase)' <<< "$output")
		[[ $(jq -r '.["content-type"]' <<< "$h") == application/json* ]] || fail "headers: $h"
		case $p in
		openai) [[ $(jq -r .authorization <<< "$h") =~ ^(Bearer\ )?\[redacted\]$ ]] || fail "headers: $h" ;;
		anthropic)
			assert_equal "$(jq -r '.["x-api-key"]' <<< "$h")" "[redacted]"
			assert_equal "$(jq -r '.["anthropic-version"]' <<< "$h")" 2023-06-01
			;;
		gemini) assert_equal "$(jq -r '.["x-goog-api-key"]' <<< "$h")" "[redacted]" ;;
		ollama) ;;
		esac
	done
	run_ok llm-send --dry-run --no-stream --provider gemini --url "$(base gemini)" "$(request "$REQ")"
	assert_equal "$(jq -r .url <<< "$output")" "$FAKE_URL/v1beta/models/m-1:generateContent"
	# the server is still there, and heard nothing
	kill -0 "$FAKE_PID" || fail "the fake server went away"
	assert_equal "$(requests)" 0
}

@test "-n with --record stores nothing and sends nothing" {
	local s
	mkchar Sera > /dev/null
	mkpersona Wren > /dev/null
	s=$(mksession --character Sera --persona Wren --set model=m-1)
	prompt-render -s "$s" -m 'Where am I?' > "$BATS_TEST_TMPDIR/req.json"
	fake_start "$(script "$(streamf openai_stream)")"
	export OPENAI_API_KEY=$CANARY
	run_ok llm-send -n --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/req.json"
	assert_equal "$(jq -r .kind <<< "$output")" http-request
	# the guise object is never sent
	assert_equal "$(jq -c '.body | has("guise")' <<< "$output")" false
	assert_equal "$(seqs "$s")" "1 "
	assert_equal "$(requests)" 0
}

# --- --record -----------------------------------------------------------------

@test "--record: the pending user message and the reply stored, seqs in a row, the persona as speaker; model and usage kept" {
	turn
	fake_start "$(script "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	run_ok llm-send --record --url "$FAKE_URL" "$R"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[2,3]')"
	# the request that went out ends with the pending message
	assert_equal "$(req 0 '.body.messages[-1]')" '{"role":"user","content":"Where am I?"}'
	run_ok session-log show "$S"
	assert_equal "$(untimed "$output")" "$(printf '%s\n' "$GREETING" \
		"$(message_json "$S" 2 user "$W" 'Where am I?')" \
		"$(message_json "$S" 3 assistant "$W" "$TEXT" complete '"m-1"' |
			jq -c '.usage = {input_tokens: 12, output_tokens: 4}')")"
}

@test "--record: the speaker is the request's persona, not the one active when the reply is stored" {
	turn
	local ash
	ash=$(mkpersona Ash)
	session-bind use-persona "$S" Ash > /dev/null
	fake_start "$(script "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	run_ok llm-send --record --url "$FAKE_URL" "$R"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[2,3]')"
	assert_equal "$(bound "$S")" "$(who custom "$ash" Ash)"
	assert_equal "$(speakers "$S")" "$(printf '%s\n' "$W" "$W" "$W")"
}

@test "--record with --text: the text on stdout, the turn stored" {
	turn
	fake_start "$(script "$(streamf anthropic_stream '{"split": 7}')")"
	export ANTHROPIC_API_KEY=$CANARY
	run_ok llm-send --record --text --url "$FAKE_URL" < "$R"
	assert_output "$TEXT"
	assert_equal "$(seqs "$S")" "1 2 3 "
	assert_equal "$(session-log show "$S" --last 1 | jq -r .content)" "$TEXT"
}

@test "--record: a request with no pending message stores the reply alone" {
	turn
	fake_start "$(script "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	run_ok llm-send --record --url "$FAKE_URL" "$(request "$(jq -c '.guise.pending = null' "$R")")"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[2]')"
	assert_equal "$(untimed "$(session-log show "$S" --last 1)")" \
		"$(message_json "$S" 2 assistant "$W" "$TEXT" complete '"m-1"' | jq -c '.usage = {input_tokens: 12, output_tokens: 4}')"
}

@test "--record: a failed send stores nothing (an HTTP error, a stream cut short)" {
	turn
	fake_start "$(script "$(reply 400 '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens is too large"}}')" \
		"$(streamf 'anthropic_stream | head -n 12')")"
	export ANTHROPIC_API_KEY=$CANARY
	run_err 76 "llm-send: anthropic: HTTP 400: max_tokens is too large" llm-send --record --url "$FAKE_URL" "$R"
	assert_equal "$(seqs "$S")" "1 "
	run_err 76 "llm-send: anthropic: the stream ended before the reply was complete" llm-send --record --retries 0 --url "$FAKE_URL" "$R"
	assert_equal "$(seqs "$S")" "1 "
}

@test "--keep-partial: a reply cut short is stored as partial after the user message; the exit is still 76" {
	turn
	# message_start and the first delta, then the stream ends
	fake_start "$(script "$(streamf 'anthropic_stream | head -n 12')")"
	export ANTHROPIC_API_KEY=$CANARY
	run -76 --separate-stderr llm-send --record --keep-partial --retries 0 --url "$FAKE_URL" "$R"
	# (stdout is not asserted: the contract does not say whether a record
	# of the partial reply is printed)
	assert_equal "$stderr" "llm-send: anthropic: the stream ended before the reply was complete"
	assert_equal "$(session-log show "$S" | jq -c '[.seq, .role, .content, .status, .speaker.name]' | tr '\n' ' ')" \
		'[1,"assistant","*Sera looks up.* Welcome, {{user}}.","complete","Wren"] [2,"user","Where am I?","complete","Wren"] [3,"assistant","Hello","partial","Wren"] '
}

@test "a connection dropped mid-stream, nothing written yet: retried, the reply is the new attempt's alone" {
	turn
	# message_start and the first delta, then the socket is destroyed
	fake_start "$(script "$(streamf 'anthropic_stream | head -n 12' '{"close": true}')" "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	run_ok llm-send --record --keep-partial --url "$FAKE_URL" "$R"
	assert_output "$(reply_json anthropic end_turn "\"$S\"" '[2,3]')"
	assert_equal "$(requests)" 2
	assert_equal "$(session-log show "$S" | jq -c '[.seq, .role, .content, .status]' | tr '\n' ' ')" \
		'[1,"assistant","*Sera looks up.* Welcome, {{user}}.","complete"] [2,"user","Where am I?","complete"] [3,"assistant","Hello, Wren!","complete"] '
}

@test "a connection dropped mid-stream past the budget: 75 (a connection error); --keep-partial stores what came" {
	turn
	fake_start "$(script "$(streamf 'anthropic_stream | head -n 12' '{"close": true}')")"
	export ANTHROPIC_API_KEY=$CANARY
	run -75 --separate-stderr llm-send --record --keep-partial --retries 0 --url "$FAKE_URL" "$R"
	[[ $stderr == "llm-send: anthropic: "* ]] || fail "stderr: $stderr"
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$(session-log show "$S" | jq -c '[.seq, .role, .content, .status]' | tr '\n' ' ')" \
		'[1,"assistant","*Sera looks up.* Welcome, {{user}}.","complete"] [2,"user","Where am I?","complete"] [3,"assistant","Hello","partial"] '
}

@test "--keep-partial: without --record a usage error (64); a cut-short reply without it stores nothing" {
	turn
	fake_start "$(script "$(streamf 'anthropic_stream | head -n 12')")"
	export ANTHROPIC_API_KEY=$CANARY
	run -64 --separate-stderr llm-send --keep-partial --url "$FAKE_URL" "$R"
	assert_output ""
	[[ $stderr == "llm-send: "*keep-partial* ]] || fail "stderr: $stderr"
	assert_equal "$(requests)" 0
	run_err 76 "llm-send: anthropic: the stream ended before the reply was complete" llm-send --record --retries 0 --url "$FAKE_URL" "$R"
	assert_equal "$(seqs "$S")" "1 "
}

@test "--record: a request from no session is a usage error (64); a session that is not there is 66; nothing sent" {
	turn
	fake_start '[]'
	export ANTHROPIC_API_KEY=$CANARY
	run -64 --separate-stderr llm-send --record --url "$FAKE_URL" "$(request "$REQ")"
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
	run -66 --separate-stderr llm-send --record --url "$FAKE_URL" \
		"$(request "$(jq -c '.guise.session = "01a20c1b-0000-7000-8000-000000000000"' "$R")")"
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
	assert_equal "$(requests)" 0
}

@test "--record with the user locked: 77, nothing stored" {
	turn
	persona-encrypt lock -u alice > /dev/null
	unset GUISE_PASSPHRASE_FILE
	fake_start "$(script "$(streamf anthropic_stream)")"
	export ANTHROPIC_API_KEY=$CANARY
	run -77 --separate-stderr llm-send --record --url "$FAKE_URL" "$R"
	assert_output ""
	[[ $stderr == "llm-send: "* ]] || fail "stderr: $stderr"
	export GUISE_PASSPHRASE_FILE=$PASS1
	assert_equal "$(seqs "$S")" "1 "
}

@test "without --record no database is opened or made" {
	fake_start "$(script "$(streamf openai_stream)")"
	export OPENAI_API_KEY=$CANARY GUISE_DB=$BATS_TEST_TMPDIR/none/guise.db
	run_ok llm-send --url "$FAKE_URL" "$(request "$REQ")"
	assert_output "$(reply_json openai stop)"
	[[ ! -e $BATS_TEST_TMPDIR/none ]] || fail "a database was made"
}
