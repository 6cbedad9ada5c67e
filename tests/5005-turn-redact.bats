#!/usr/bin/env bats
# What llm-send, persona, session-log and prompt-render share through lib/,
# driven by test-tool: the key redacted in a message (g_secret_redact),
# exactly one record read (g_doc_read_one), a message record checked
# (g_message_from_record), where a request goes (lib/llm_target) and a
# turn's speaker and reply record (lib/turn).
# Storing a turn is tested end to end, by --record in 5001-send.bats.

load common

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	common_setup
	unset GUISE_PROVIDER GUISE_LLM_URL GUISE_MODEL GUISE_API_KEY \
		OPENAI_API_KEY ANTHROPIC_API_KEY GEMINI_API_KEY
}

ID=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b

# redacted KEY SIZE TEXT WANT: TEXT in a buffer of SIZE bytes, KEY masked
redacted() {
	run -0 --separate-stderr test-tool redact "$1" "$2" "$3"
	assert_equal "$output" "$4"
	assert_equal "$stderr" ""
}

@test "redact: each copy of the key is masked, whether it is shorter or longer than the mask" {
	redacted sk-1 64 "Incorrect API key provided: sk-1." "Incorrect API key provided: [redacted]."
	redacted sk-1 64 "sk-1 and sk-1" "[redacted] and [redacted]"
	redacted sk-1 64 "sk-1sk-1" "[redacted][redacted]"
	redacted sk-0123456789abcdefghij 64 "<sk-0123456789abcdefghij>" "<[redacted]>"
	redacted sk-1 64 "no key here, sk-2" "no key here, sk-2"
}

@test "redact: an empty key leaves the message alone (it is found everywhere)" {
	redacted "" 64 "any text" "any text"
}

@test "redact: a key that is part of the mask is not masked again" {
	redacted red 64 "red, red" "[redacted], [redacted]"
	redacted "]" 64 "a]b" "a[redacted]b"
	redacted d 64 "dd" "[redacted][redacted]"
}

@test "redact: what no longer fits in the buffer is cut, never written past it" {
	# 15 bytes and the NUL: the mask grows the text, its tail is cut
	redacted sk-1 16 "abc sk-1 tail end" "abc [redacted] "
	redacted sk-1 15 "abc sk-1 tail end" "abc [redacted]"
	# the mask itself reaches the end: cut too, and no key is left
	redacted sk-1 14 "abc sk-1 tail end" "abc [redacted"
	redacted sk-1 8 "ab sk-1" "ab [red"
	redacted k 4 "abk" "ab["
	# a key cut by the buffer before redaction is not there to find
	redacted sk-1 6 "abcsk-1" "abcsk"
}

@test "doc-one: the one record, nothing (for the caller to word), or 65 for a second" {
	run -0 --separate-stderr test-tool doc-one patch <<< '{"a": 1}'
	assert_equal "$output" '{"a":1}'
	assert_equal "$stderr" ""
	run -0 --separate-stderr test-tool doc-one patch < /dev/null
	assert_equal "$output" none
	assert_equal "$stderr" ""
	run -65 --separate-stderr test-tool doc-one patch <<< '{"a": 1} {"b": 2}'
	assert_equal "$output" ""
	assert_equal "$stderr" "test-tool: '-': one patch at a time, not several"
	# an array's elements are records: two of them are two
	printf '[{"a": 1}, {"b": 2}]' > "$BATS_TEST_TMPDIR/r.json"
	run -65 --separate-stderr test-tool doc-one request "$BATS_TEST_TMPDIR/r.json"
	assert_equal "$output" ""
	assert_equal "$stderr" "test-tool: '$BATS_TEST_TMPDIR/r.json': one request at a time, not several"
	# read to the end: a broken record after the first is not left unread
	run -65 --separate-stderr test-tool doc-one patch <<< '{"a": 1} {'
	assert_equal "$output" ""
	assert_equal "$stderr" "test-tool: '-':2:1: string or '}' expected near end of file"
	run -0 --separate-stderr test-tool doc-one -y patch <<< 'a: 1'
	assert_equal "$output" "---
a: 1"
	assert_equal "$stderr" ""
}

@test "message-record: role, content, status and model, the role defaulted when it may be" {
	run -0 --separate-stderr test-tool message-record user <<< '{"content": "x"}
{"role": "system", "content": "y\u0000z", "status": "partial", "model": "m"}
{"role": "assistant", "content": "", "status": "complete", "model": null, "seq": 4}'
	assert_equal "$output" '{"role":"user","content":"x","status":null,"model":null}
{"role":"system","content":"y\u0000z","status":"partial","model":"m"}
{"role":"assistant","content":"","status":"complete","model":null}'
	assert_equal "$stderr" ""
}

@test "message-record: each bad record is 65 naming it and its first bad field" {
	run -65 --separate-stderr test-tool message-record user <<< '{"role": "bot", "content": "a"}
{"role": "user"}
{"role": 5, "content": "b"}
{"role": "bot"}
{"content": "c", "status": "done"}
{"content": "d", "status": null}
{"content": "e", "model": 7}
{"content": "f", "model": null}'
	assert_equal "$output" '{"role":"user","content":"f","status":null,"model":null}'
	assert_equal "$stderr" "test-tool: '-': record 1: role: expected user, assistant or system
test-tool: '-': record 2: content: expected a string
test-tool: '-': record 3: role: expected user, assistant or system
test-tool: '-': record 4: content: expected a string
test-tool: '-': record 5: status: expected complete or partial
test-tool: '-': record 6: status: expected complete or partial
test-tool: '-': record 7: model: expected a string"
	# no default: a record needs its role
	run -65 --separate-stderr test-tool message-record <<< '{"content": "x"}'
	assert_equal "$output" ""
	assert_equal "$stderr" "test-tool: '-': record 1: role: expected user, assistant or system"
}

@test "turn: the request's persona speaks; the reply record takes the reply's model over the one asked for" {
	run -0 --separate-stderr test-tool turn <<< '{"request": {"model": "m", "guise": {"session": "s1",
		"persona": {"kind": "impersonated", "id": "'$ID'", "name": "Ann"}}},
		"reply": {"text": "hi\u0000", "model": "m-2024", "finish_reason": "stop", "input_tokens": 3, "output_tokens": 0},
		"model": "m", "provider": "anthropic", "recorded": [4, 5]}'
	assert_equal "$output" '{"speaker":{"kind":"impersonated","id":"'$ID'","name":"Ann"},"record":{"kind":"reply","role":"assistant","content":"hi\u0000","model":"m-2024","provider":"anthropic","finish_reason":"stop","usage":{"input_tokens":3,"output_tokens":0},"session":"s1","recorded":[4,5]}}'
	assert_equal "$stderr" ""
	run -0 --separate-stderr test-tool turn <<< '{"request": {"guise": {"persona": {"kind": "none"}}},
		"reply": {}, "model": "asked", "recorded": []}'
	assert_equal "$output" '{"speaker":{"kind":"none","id":null,"name":null},"record":{"kind":"reply","role":"assistant","content":"","model":"asked","provider":"openai","finish_reason":null,"usage":{"input_tokens":null,"output_tokens":null},"session":null,"recorded":[]}}'
	assert_equal "$stderr" ""
	# no guise.persona (a request written by hand): the session's speaks
	run -0 --separate-stderr test-tool turn <<< '{"request": {}, "reply": {"text": "x"}, "model": "m", "recorded": []}'
	assert_equal "$(jq -c .speaker <<< "$output")" null
	assert_equal "$stderr" ""
}

@test "turn: a guise.persona that is not one is 65, saying what is wrong" {
	local p want
	while IFS='|' read -r p want; do
		run -65 --separate-stderr test-tool turn <<< '{"request": {"guise": {"persona": '"$p"'}}, "reply": {}, "model": "m", "recorded": []}'
		assert_equal "$output" ""
		assert_equal "$p: $stderr" "$p: test-tool: guise.persona: $want"
	done <<EOT
"custom"|not an object with a kind
{"id": "$ID"}|not an object with a kind
{"kind": 1}|not an object with a kind
{"kind": "someone"}|kind: 'someone' is not custom, impersonated or none
{"kind": "custom", "name": "Ann"}|id: not an id
{"kind": "custom", "id": "0190a1b2", "name": "Ann"}|id: not an id
{"kind": "custom", "id": "${ID^^}", "name": "Ann"}|id: not an id
{"kind": "custom", "id": "${ID}0", "name": "Ann"}|id: not an id
{"kind": "custom", "id": "$ID"}|name: not a string
{"kind": "impersonated", "id": "$ID", "name": null}|name: not a string
EOT
}

# target PROVIDER URL MODEL KEYFILE REQUEST WANT: where REQUEST goes
target() {
	run -0 --separate-stderr test-tool llm-target "$1" "$2" "$3" "$4" <<< "$5"
	assert_equal "$output" "$6"
	assert_equal "$stderr" ""
}

@test "llm-target: a flag, else the environment, else the request, else the default" {
	local OA=https://api.openai.com/v1
	target "" "" "" "" '{"model": "r"}' '{"provider":"openai","url":"'$OA'","model":"r","key":false}'
	target "" "" "" "" '{"model": "r", "guise": {"provider": "ollama"}}' \
		'{"provider":"ollama","url":"http://localhost:11434","model":"r","key":false}'
	GUISE_PROVIDER=anthropic GUISE_MODEL=e GUISE_LLM_URL=http://e \
		target "" "" "" "" '{"model": "r", "guise": {"provider": "ollama"}}' \
		'{"provider":"anthropic","url":"http://e","model":"e","key":false}'
	GUISE_PROVIDER=anthropic GUISE_MODEL=e GUISE_LLM_URL=http://e \
		target gemini http://f f "" '{"model": "r", "guise": {"provider": "ollama"}}' \
		'{"provider":"gemini","url":"http://f","model":"f","key":false}'
	# an empty variable is not set
	GUISE_MODEL= target "" "" "" "" '{"model": "r"}' '{"provider":"openai","url":"'$OA'","model":"r","key":false}'
}

@test "llm-target: the key from the file, the provider's variable or GUISE_API_KEY; ollama's from the file only" {
	printf 'sk-file\n' > "$BATS_TEST_TMPDIR/key"
	GUISE_API_KEY=g target "" "" m "" '{}' '{"provider":"openai","url":"https://api.openai.com/v1","model":"m","key":true}'
	OPENAI_API_KEY=o target "" "" m "" '{}' '{"provider":"openai","url":"https://api.openai.com/v1","model":"m","key":true}'
	GUISE_API_KEY=g OPENAI_API_KEY=o target ollama "" m "" '{}' \
		'{"provider":"ollama","url":"http://localhost:11434","model":"m","key":false}'
	target ollama "" m "$BATS_TEST_TMPDIR/key" '{}' \
		'{"provider":"ollama","url":"http://localhost:11434","model":"m","key":true}'
}

@test "llm-target: what cannot be used says where it came from: 64 a flag, 78 the environment" {
	run -64 --separate-stderr test-tool llm-target openal "" m "" <<< '{}'
	assert_equal "$stderr" "test-tool: 'openal' is not openai, anthropic, ollama or gemini"
	assert_output ""
	GUISE_PROVIDER=x run -78 --separate-stderr test-tool llm-target "" "" m "" <<< '{}'
	assert_equal "$stderr" "test-tool: 'x' is not openai, anthropic, ollama or gemini"
	assert_output ""
	run -78 --separate-stderr test-tool llm-target "" "" m "" <<< '{"guise": {"provider": "y"}}'
	assert_equal "$stderr" "test-tool: 'y' is not openai, anthropic, ollama or gemini"
	assert_output ""
	run -64 --separate-stderr test-tool llm-target "" "" "" "" <<< '{}'
	assert_equal "$stderr" "test-tool: no model: give -m, set GUISE_MODEL, or set the session's model (session-bind set S model=...)"
	assert_output ""
	run -65 --separate-stderr test-tool llm-target "" $'http://\xff' m "" <<< '{}'
	assert_equal "$stderr" "test-tool: --url: not valid UTF-8"
	assert_output ""
	run -65 --separate-stderr test-tool llm-target "" "" $'m\xff' "" <<< '{}'
	assert_equal "$stderr" "test-tool: -m: not valid UTF-8"
	assert_output ""
	GUISE_LLM_URL=$'http://\xff' run -78 --separate-stderr test-tool llm-target "" "" m "" <<< '{}'
	assert_equal "$stderr" "test-tool: GUISE_LLM_URL: not valid UTF-8"
	assert_output ""
	# a flag wins, so a bad variable under it is not looked at
	GUISE_MODEL=$'m\xff' target "" "" m "" '{}' '{"provider":"openai","url":"https://api.openai.com/v1","model":"m","key":false}'
	GUISE_MODEL=$'m\xff' run -78 --separate-stderr test-tool llm-target "" "" "" "" <<< '{}'
	assert_equal "$stderr" "test-tool: GUISE_MODEL: not valid UTF-8"
	assert_output ""
}
