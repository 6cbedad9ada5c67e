#!/usr/bin/env bats
# A message record read from stdin is checked by one function
# (g_message_from_record) in session-log append --records and in
# prompt-render's session-less history: the same words for the same fault,
# the role defaulted to user by the one, required by the other.

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
	mkchar Ivy > /dev/null
	S=$(mksession --character Ivy --no-persona)  # its greeting is message 1
}

teardown() { keys_teardown; }

@test "a bad record is 65 in the same words from session-log and prompt-render" {
	local rec want cmd
	while IFS='|' read -r rec want; do
		for cmd in "session-log append $S --records" "prompt-render --character Ivy"; do
			# shellcheck disable=SC2086 # the command and its words
			run -65 --separate-stderr $cmd <<< '{"role":"user","content":"ok"}
'"$rec"
			assert_equal "$cmd: $stderr" "$cmd: ${cmd%% *}: '-': record 2: $want"
		done
	done <<'EOT'
{"role":"bot","content":"x"}|role: expected user, assistant or system
{"role":"user","content":5}|content: expected a string
{"role":"user"}|content: expected a string
{"role":"user","content":"x","status":"done"}|status: expected complete or partial
{"role":"user","content":"x","model":7}|model: expected a string
EOT
}

@test "a record without a role: user to session-log, refused by prompt-render" {
	run -0 --separate-stderr session-log append "$S" --records <<< '{"content":"hi"}'
	assert_equal "$(jq -c '[.seq, .role, .content]' <<< "$output")" '[2,"user","hi"]'
	assert_equal "$stderr" ""
	run -65 --separate-stderr prompt-render --character Ivy <<< '{"content":"hi"}'
	assert_equal "$output" ""
	assert_equal "$stderr" "prompt-render: '-': record 1: role: expected user, assistant or system"
}
