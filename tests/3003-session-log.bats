#!/usr/bin/env bats
# session-log (DESIGN.md §2, §4): a session's messages shown, appended (raw
# text or records), edited, deleted, exported as records or as a SillyTavern
# chat, and SillyTavern chats imported. The SillyTavern fixture is
# tests/data/st-chats/ (hand-made, see its README); the naughty strings are
# tests/data/blns (MIT, see its LICENSE).

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
	SERA=$(mkchar Seraphina)
	WREN=$(mkpersona Wren)
	W=$(who custom "$WREN" Wren)
	S=$(mksession --character Seraphina --persona Wren --no-greeting --title Glade)
	ST=$DATA/st-chats/seraphina-glade.jsonl
	IN=$BATS_TEST_TMPDIR/in
}

teardown() { keys_teardown; }

# records JSON...: one message record per argument, as append --records reads them
records() { printf '%s\n' "$@"; }

# contents S: the contents of the session's messages, as JSON strings on one line
contents() { session-log show "$1" | jq -c .content | tr '\n' ' '; }

# --- append ---------------------------------------------------------------------

@test "append: the record, key by key; role user by default; the speaker is the persona active now; seq goes on" {
	run -0 --separate-stderr session-log append "$S" <<< 'Hello there.'
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" "$MESSAGE_KEYS"
	assert_equal "$(untimed "$output")" "$(message_json "$S" 1 user "$W" 'Hello there.')"
	[[ $(jq -r .created_at <<< "$output") =~ ^$TS$ ]] || fail "created_at: $output"
	run -0 --separate-stderr session-log append "$S" --role assistant --status partial --model gpt-4o-mini <<< 'Half a rep'
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" "$(message_json "$S" 2 assistant "$W" 'Half a rep' partial '"gpt-4o-mini"')"
	run_ok session-log append --role system Glade <<< 'The rain stops.'
	assert_equal "$(untimed "$output")" "$(message_json "$S" 3 system "$W" 'The rain stops.')"
	run_ok session-log append "$S" --status complete --role user <<< 'Thanks.'
	assert_equal "$(untimed "$output")" "$(message_json "$S" 4 user "$W" 'Thanks.')"
	assert_equal "$(session-bind show "$S" | jq .messages)" 4
	# what append printed is what is stored
	assert_equal "$(session-log show "$S" --last 1)" "$output"
}

@test "append: a bad role, status or option is 64, a missing session 66; nothing stored" {
	local args
	for args in '--role bot' '--role User' '--status done' '--role' '--model' '--colour red' '--records extra'; do
		# shellcheck disable=SC2086 # split on purpose
		run -64 --separate-stderr session-log append "$S" $args <<< 'x'
		assert_output ""
		[[ ${stderr_lines[0]} == 'session-log: '* ]] || fail "append $args: $stderr"
	done
	run -64 --separate-stderr session-log append <<< 'x'
	assert_output ""
	run -66 --separate-stderr session-log append Nowhere <<< 'x'
	assert_output ""
	assert_equal "$stderr" "session-log: no such session 'Nowhere'"
	assert_equal "$(count chat_messages)" 0
}

@test "append: one trailing newline, \\n or \\r\\n, is dropped, and only one; empty content is a message" {
	local c input want seq=0
	for c in 'hi|hi' 'hi\n|hi' 'hi\r\n|hi' 'hi\n\n|hi\n' 'hi\r\n\r\n|hi\r\n' 'hi\n\r\n|hi\n' \
		'hi\r|hi\r' 'a\nb|a\nb' '  spaced  \n|  spaced  ' '\n|' '\r\n|' '|' '\n\n|\n'; do
		input=${c%|*} want=${c#*|}
		printf '%b' "$input" > "$IN"
		run -0 --separate-stderr session-log append "$S" < "$IN"
		assert_equal "$stderr" ""
		seq=$((seq + 1))
		[[ $(jq -c '[.seq, .content]' <<< "$output") == "[$seq,$(printf '%b' "$want" | jq -R -s -c .)]" ]] ||
			fail "'$input' stored as $(jq -c .content <<< "$output"), not '$want'"
	done
	# stored as printed
	assert_equal "$(contents "$S")" '"hi" "hi" "hi" "hi\n" "hi\r\n" "hi\n" "hi\r" "a\nb" "  spaced  " "" "" "" "\n" '
}

@test "append: UTF-8 of every plane and the naughty strings survive byte for byte" {
	printf '%s' $'Ça va? — ☕ 日本語 🌸 👩\u200d👩\u200d👧 e\u0301 \u200b\u202e \U0001D11E\t"quoted" \\back\x7f' > "$IN"
	run -0 --separate-stderr session-log append "$S" < "$IN"
	assert_equal "$stderr" ""
	assert_equal "$(jq -j .content <<< "$output" | od -An -tx1)" "$(od -An -tx1 < "$IN")"
	run_ok session-log show "$S"
	assert_equal "$(jq -j .content <<< "$output" | od -An -tx1)" "$(od -An -tx1 < "$IN")"
	# every string of the list, as records: what comes back is what went in
	jq -c '{role: "user", content: .}' "$DATA/blns/blns.jsonl" > "$IN"
	run -0 --separate-stderr session-log append "$S" --records < "$IN"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" "$(wc -l < "$DATA/blns/blns.jsonl")"
	assert_equal "$(session-log show "$S" | tail -n +2 | jq -c .content)" "$(jq -c . "$DATA/blns/blns.jsonl")"
}

@test "append: NUL bytes are kept (\\u0000 in JSON); bytes that are not UTF-8 are refused, 65, nothing stored" {
	printf 'a\0b\0' > "$IN"
	run -0 --separate-stderr session-log append "$S" < "$IN"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c .content <<< "$output")" '"a\u0000b\u0000"'
	assert_equal "$(session-log show "$S" | jq -j .content | od -An -tx1)" "$(od -An -tx1 < "$IN")"
	local bad
	for bad in '\xff' 'caf\xe9' '\xc3' '\xed\xa0\x80' '\xc0\xaf'; do
		printf '%b' "ok $bad" > "$IN"
		run -65 --separate-stderr session-log append "$S" < "$IN"
		assert_output ""
		[[ ${#stderr_lines[@]} -eq 1 && $stderr == 'session-log: '*UTF-8* ]] || fail "'$bad': $stderr"
	done
	assert_equal "$(count chat_messages)" 1
}

@test "append: 4 MiB is the most a message holds; a byte more is 65 and nothing is stored" {
	head -c 4194304 /dev/zero | tr '\0' 'a' > "$IN"
	run -0 --separate-stderr session-log append "$S" < "$IN"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.seq, (.content | length)]' <<< "$output")" '[1,4194304]'
	# the dropped newline does not count
	printf '\n' >> "$IN"
	run_ok session-log append "$S" < "$IN"
	assert_equal "$(jq -c '[.seq, (.content | length)]' <<< "$output")" '[2,4194304]'
	printf 'a' >> "$IN"
	run -65 --separate-stderr session-log append "$S" < "$IN"
	assert_output ""
	[[ ${#stderr_lines[@]} -eq 1 && $stderr == 'session-log: '* ]] || fail "$stderr"
	head -c 4194305 /dev/zero | tr '\0' 'a' > "$IN"
	run -65 --separate-stderr session-log append "$S" < "$IN"
	assert_output ""
	# as a record too
	jq -R -s -c '{role: "assistant", content: .}' "$IN" > "$IN.jsonl"
	run -65 --separate-stderr session-log append "$S" --records < "$IN.jsonl"
	assert_output ""
	assert_equal "$(count chat_messages)" 2
	# and edit keeps what was there
	run -65 --separate-stderr session-log edit "$S" 1 < "$IN"
	assert_output ""
	assert_equal "$(session-log show "$S" --last 2 | jq -c '.content | length' | tr '\n' ' ')" "4194304 4194304 "
}

@test "append --records: each record in order, more than one batch, one record out for each" {
	records '{"role":"user","content":"a"}' \
		'{"role":"assistant","content":"b","status":"partial","model":"m"}' \
		'{"role":"system","content":"c\n"}' > "$IN"
	run -0 --separate-stderr session-log append "$S" --records < "$IN"
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" "$(message_json "$S" 1 user "$W" a)
$(message_json "$S" 2 assistant "$W" b partial '"m"')
$(message_json "$S" 3 system "$W" $'c\n')"
	# an array, and YAML
	run_ok session-log append "$S" --records <<< '[{"role":"user","content":"d"},{"role":"user","content":"e"}]'
	assert_equal "$(jq -r .seq <<< "$output" | tr '\n' ' ')" "4 5 "
	run -0 --separate-stderr session-log append "$S" --records --input yaml <<< $'role: user\ncontent: f\n---\nrole: assistant\ncontent: "g: h"'
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.seq, .role, .content]' <<< "$output" | tr '\n' ' ')" '[6,"user","f"] [7,"assistant","g: h"] '
	# 600 records: three batches of 200, seqs without a gap
	seq 600 | jq -c '{role: (if . % 2 == 0 then "assistant" else "user" end), content: "m\(.)"}' > "$IN"
	run -0 --separate-stderr session-log append "$S" --records < "$IN"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 600
	assert_equal "$(jq -r .seq <<< "$output" | paste -sd ' ')" "$(seq 8 607 | paste -sd ' ')"
	assert_equal "$(session-bind show "$S" | jq .messages)" 607
	assert_equal "$(session-log show "$S" --last 1 | jq -c '[.seq, .role, .content]')" '[607,"assistant","m600"]'
}

@test "append --records: a bad record is 65, located by its number; the batch goes on past it" {
	records '{"role":"user","content":"one"}' '{"role":"bot","content":"two"}' \
		'{"role":"user","content":"three"}' > "$IN"
	run -65 --separate-stderr session-log append "$S" --records < "$IN"
	assert_equal "$stderr" "session-log: '-': record 2: role: expected user, assistant or system"
	assert_equal "$(jq -c '[.seq, .content]' <<< "$output")" '[1,"one"]
[2,"three"]'
	assert_equal "$(contents "$S")" '"one" "three" '
	local c
	for c in '{"role":"user","content":5}' '{"role":"user"}' '{"content":"x","role":"user","status":"done"}' \
		'"text"' '{"role":"user","content":"x","model":7}' '[1]'; do
		run -65 --separate-stderr session-log append "$S" --records <<< "$c"
		assert_output ""
		[[ ${#stderr_lines[@]} -eq 1 && $stderr =~ ^session-log:\ \'-\'(:\ record\ 1|:1:[0-9]+):\  ]] ||
			fail "$c: $stderr"
	done
	assert_equal "$(count chat_messages)" 2
}

# --- show ------------------------------------------------------------------------

@test "show: every message in seq order; --last N the last N, in seq order" {
	seq 5 | jq -c '{role: "user", content: "m\(.)"}' | session-log append "$S" --records > /dev/null
	run -0 --separate-stderr session-log show "$S"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .seq <<< "$output" | paste -sd ' ')" "1 2 3 4 5"
	local all=$output
	run_ok session-log show "$S" --format records
	assert_equal "$output" "$all"
	run_ok session-log show --last 2 "$S"
	assert_equal "$output" "$(sed -n 4,5p <<< "$all")"
	run_ok session-log show "$S" --last 5
	assert_equal "$output" "$all"
	run_ok session-log show "$S" --last 99
	assert_equal "$output" "$all"
	run_ok session-log show "$S" --last 1 -y
	assert_line 'kind: message'
	assert_line 'seq: 5'
	assert_line 'content: m5'
	local n
	for n in -1 x 1.5 ''; do
		run -64 --separate-stderr session-log show "$S" --last "$n"
		assert_output ""
		[[ ${stderr_lines[0]} == 'session-log: '* ]] || fail "--last '$n': $stderr"
	done
	run -64 --separate-stderr session-log show "$S" --format html
	assert_output ""
	run -66 --separate-stderr session-log show Nowhere
	assert_output ""
	assert_equal "$stderr" "session-log: no such session 'Nowhere'"
}

@test "show --format text: NAME: content, a blank line between messages" {
	local s
	mkchar Kestrel > /dev/null
	mkpersona Ash > /dev/null
	s=$(mksession --character Seraphina --persona Wren)
	session-log append "$s" <<< $'Hello.\nIt is late.' > /dev/null
	session-log append "$s" --role system <<< 'The fire crackles.' > /dev/null
	session-bind use-persona "$s" Ash > /dev/null
	session-log append "$s" <<< 'Hi.' > /dev/null
	session-bind impersonate "$s" Kestrel > /dev/null
	session-log append "$s" <<< '*Kestrel nods.*' > /dev/null
	session-bind clear "$s" > /dev/null
	session-log append "$s" <<< 'Anyone?' > /dev/null
	session-log append "$s" --role assistant <<< 'Yes.' > /dev/null
	run -0 --separate-stderr session-log show "$s" --format text
	assert_equal "$stderr" ""
	assert_equal "$output" 'Seraphina: *Seraphina looks up.* Welcome, {{user}}.

Wren: Hello.
It is late.

System: The fire crackles.

Ash: Hi.

Kestrel: *Kestrel nods.*

User: Anyone?

Seraphina: Yes.'
	# one newline after the last block, not a blank line
	local out
	out=$(session-log show "$s" --format text --last 2 && echo .)
	assert_equal "${out%.}" $'User: Anyone?\n\nSeraphina: Yes.\n'
}

# --- edit ---------------------------------------------------------------------------

@test "edit: new content from stdin; speaker, role and seq kept; no such message 66" {
	session-log append "$S" <<< 'first' > /dev/null
	session-log append "$S" --role assistant --model m <<< 'second' > /dev/null
	local ash
	ash=$(mkpersona Ash)
	session-bind use-persona "$S" Ash > /dev/null
	run -0 --separate-stderr session-log edit "$S" 1 <<< 'first, mended'
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" "$(message_json "$S" 1 user "$W" 'first, mended')"
	printf 'two\r\n' > "$IN"
	run_ok session-log edit Glade 2 < "$IN"
	assert_equal "$(untimed "$output")" "$(message_json "$S" 2 assistant "$W" two complete '"m"')"
	run_ok session-log edit "$S" 2 < /dev/null
	assert_equal "$(jq -c .content <<< "$output")" '""'
	assert_equal "$(contents "$S")" '"first, mended" "" '
	run -66 --separate-stderr session-log edit "$S" 3 <<< 'x'
	assert_output ""
	assert_equal "$stderr" "session-log: session '$S' has no message 3"
	run -66 --separate-stderr session-log edit Nowhere 1 <<< 'x'
	assert_equal "$stderr" "session-log: no such session 'Nowhere'"
	local args
	for args in "$S" "$S x" "$S 1 2" "$S -1"; do
		# shellcheck disable=SC2086 # split on purpose
		run -64 --separate-stderr session-log edit $args <<< 'x'
		assert_output ""
		[[ ${stderr_lines[0]} == 'session-log: '* ]] || fail "edit $args: $stderr"
	done
	assert_equal "$(contents "$S")" '"first, mended" "" '
	# the message written under Ash is Ash's
	session-log append "$S" <<< 'third' > /dev/null
	assert_equal "$(speakers "$S" | tr '\n' ' ')" "$W $W $(who custom "$ash" Ash) "
}

# --- delete -------------------------------------------------------------------------

@test "delete: one, several, --last N; seqs are never renumbered; the next append goes after the highest" {
	seq 6 | jq -c '{role: "user", content: "m\(.)"}' | session-log append "$S" --records > /dev/null
	run -0 --separate-stderr session-log delete "$S" 2
	assert_equal "$stderr" ""
	assert_output "{\"kind\":\"message\",\"session\":\"$S\",\"seq\":2,\"status\":\"deleted\"}"
	assert_equal "$(seqs "$S")" "1 3 4 5 6 "
	run_ok session-log delete Glade 1 5
	assert_equal "$output" "{\"kind\":\"message\",\"session\":\"$S\",\"seq\":1,\"status\":\"deleted\"}
{\"kind\":\"message\",\"session\":\"$S\",\"seq\":5,\"status\":\"deleted\"}"
	assert_equal "$(seqs "$S")" "3 4 6 "
	assert_equal "$(contents "$S")" '"m3" "m4" "m6" '
	# a gap below the highest stays a gap
	run_ok session-log append "$S" <<< 'm7'
	assert_equal "$(jq .seq <<< "$output")" 7
	run_ok session-log delete "$S" --last 2
	assert_equal "$output" "{\"kind\":\"message\",\"session\":\"$S\",\"seq\":6,\"status\":\"deleted\"}
{\"kind\":\"message\",\"session\":\"$S\",\"seq\":7,\"status\":\"deleted\"}"
	assert_equal "$(seqs "$S")" "3 4 "
	assert_equal "$(session-bind show "$S" | jq .messages)" 2
	# the next goes after the highest there is
	run_ok session-log append "$S" <<< 'm5 again'
	assert_equal "$(jq .seq <<< "$output")" 5
	# what is not there: 66, and nothing is deleted
	run -66 --separate-stderr session-log delete "$S" 99
	assert_output ""
	assert_equal "$stderr" "session-log: session '$S' has no message 99"
	run -66 --separate-stderr session-log delete "$S" 99 3
	assert_output ""
	assert_equal "$stderr" "session-log: session '$S' has no message 99"
	assert_equal "$(seqs "$S")" "3 4 5 "
	local args
	for args in "$S" "$S --last 1 3" "$S x" "$S --last x" "$S --last -1"; do
		# shellcheck disable=SC2086 # split on purpose
		run -64 --separate-stderr session-log delete $args
		assert_output ""
		[[ ${stderr_lines[0]} == 'session-log: '* ]] || fail "delete $args: $stderr"
	done
	# more than there are: all of them
	run_ok session-log delete "$S" --last 10
	assert_equal "$(jq -r .seq <<< "$output" | paste -sd ' ')" "3 4 5"
	run_ok session-log show "$S"
	assert_output ""
	assert_equal "$(count chat_messages)" 0
}

# --- export --------------------------------------------------------------------------

@test "export: --format records is what show prints; --format st is a SillyTavern chat" {
	local s
	s=$(mksession --character Seraphina --persona Wren --title 'By the fire')
	session-log append "$s" <<< $'Hello.\n"Quoted" — ☕' > /dev/null
	session-log append "$s" --role system <<< 'Rain.' > /dev/null
	session-log append "$s" --role assistant <<< 'Come in.' > /dev/null
	run -0 --separate-stderr session-log export "$s"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(session-log show "$s")"
	run_ok session-log export "$s" --format records
	assert_equal "$output" "$(session-log show "$s")"
	run -0 --separate-stderr session-log export "$s" --format st
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 5
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "${lines[0]}")" 'user_name,character_name,create_date,chat_metadata'
	assert_equal "$(jq -c 'del(.create_date)' <<< "${lines[0]}")" '{"user_name":"Wren","character_name":"Seraphina","chat_metadata":{}}'
	[[ $(jq -r .create_date <<< "${lines[0]}") =~ ^$TS$ ]] || fail "create_date: ${lines[0]}"
	assert_equal "$(tail -n +2 <<< "$output")" "$(session-log show "$s" | jq -c '{name: (if .role == "assistant" then "Seraphina"
		elif .role == "system" then "System" else .speaker.name end), is_user: (.role == "user"),
		is_system: (.role == "system"), send_date: .created_at, mes: .content, extra: {}}')"
	run -64 --separate-stderr session-log export "$s" --format html
	assert_output ""
}

# --- import ------------------------------------------------------------------------------

@test "import: a SillyTavern chat, in order; roles from is_user and is_system; RFC 3339 send_dates kept" {
	local before s
	before=$(date -u +%Y-%m-%dT%H:%M:%S)
	run -0 --separate-stderr session-log import --persona Wren "$ST"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	s=$(jq -r .id <<< "$output")
	assert_equal "$(untimed "$output")" "$(session_json "$s" null "$SERA" Seraphina "$W" 6)"
	run_ok session-log show "$s"
	assert_equal "$(jq -c '[.seq, .role, .content, .status]' <<< "$output")" \
		"$(tail -n +2 "$ST" | jq -c '[input_line_number, (if .is_user then "user" elif .is_system then "system"
			else "assistant" end), .mes, "complete"]')"
	# every message is spoken with the persona bound, as an append would be
	assert_equal "$(jq -c .speaker <<< "$output" | sort -u)" "$W"
	# RFC 3339 send_dates are kept; SillyTavern's own form gets the time of import
	assert_equal "$(jq -r .created_at <<< "$output" | sed -n '3p;6p')" $'2024-05-01T14:04:52.318Z\n2024-05-01T14:07:00.000Z'
	local t
	for t in $(jq -r .created_at <<< "$output" | sed -n '1p;2p;4p;5p'); do
		[[ $t =~ ^$TS$ && ! $t < $before ]] || fail "created_at $t before $before"
	done
	# the text, byte for byte
	assert_equal "$(jq -j '.content' <<< "${lines[4]}" | od -An -tx1)" \
		"$(sed -n 6p "$ST" | jq -j .mes | od -An -tx1)"
	run_ok session-log show "$s" --format text
	assert_line 'System: The night passes quietly. Dawn breaks over the glade.'
	assert_line "Wren: Where... where am I? *winces, touching the bandage*"
}

@test "import: --character, --title, the persona options, stdin; an unknown character is 66" {
	local kes s
	kes=$(mkchar Kestrel)
	run -0 --separate-stderr session-log import --character Kestrel --no-persona --title 'From ST' < "$ST"
	assert_equal "$stderr" ""
	s=$(jq -r .id <<< "$output")
	assert_equal "$(untimed "$output")" "$(session_json "$s" '"From ST"' "$kes" Kestrel "$NONE" 6)"
	assert_equal "$(speakers "$s" | sort -u)" "$NONE"
	# each message is spoken by the bound persona, whatever name the file
	# gives the user (Wren there)
	mkpersona Kay > /dev/null
	run -0 --separate-stderr session-log import --persona Kay "$ST"
	assert_equal "$stderr" ""
	assert_equal "$(speakers "$(jq -r .id <<< "$output")" | jq -c .name | sort -u)" '"Kay"'
	run_ok session-log import --impersonate Kestrel - < "$ST"
	assert_equal "$(jq -c '[.character.name, .persona]' <<< "$output")" \
		"[\"Seraphina\",$(who impersonated "$kes" Kestrel)]"
	# with no persona option, the default persona, as session-bind new
	persona set-default Wren > /dev/null
	run_ok session-log import "$ST"
	assert_equal "$(jq -c .persona <<< "$output")" "$W"
	run -65 --separate-stderr session-log import --character Seraphina --impersonate Seraphina "$ST"
	assert_output ""
	assert_equal "$stderr" "session-log: a session cannot impersonate its own character"
	sed '1s/"character_name":"Seraphina"/"character_name":"Nobody"/' "$ST" > "$IN"
	run -66 --separate-stderr session-log import "$IN"
	assert_output ""
	assert_equal "$stderr" "session-log: no such character 'Nobody'"
	run -66 --separate-stderr session-log import "$BATS_TEST_TMPDIR/missing.jsonl"
	assert_output ""
	assert_equal "$stderr" "session-log: cannot open '$BATS_TEST_TMPDIR/missing.jsonl': No such file or directory"
	assert_equal "$(count chat_sessions)" 5
}

@test "export st, import, export st: the same chat, line for line" {
	local s s2 a=$BATS_TEST_TMPDIR/a.jsonl b=$BATS_TEST_TMPDIR/b.jsonl
	# the fixture through guise once, then round and round
	s=$(session-log import --persona Wren "$ST" | jq -r .id)
	session-log append "$s" --role assistant --model m <<< $'Two lines\r\nand a CR.' > /dev/null
	session-log append "$s" < /dev/null > /dev/null
	session-log export "$s" --format st > "$a"
	run -0 --separate-stderr session-log import --persona Wren "$a"
	assert_equal "$stderr" ""
	s2=$(jq -r .id <<< "$output")
	assert_equal "$(jq .messages <<< "$output")" 8
	session-log export "$s2" --format st > "$b"
	assert_equal "$(tail -n +2 "$b")" "$(tail -n +2 "$a")"
	assert_equal "$(head -n 1 "$b" | jq -c 'del(.create_date)')" "$(head -n 1 "$a" | jq -c 'del(.create_date)')"
	# the records agree too, but for the session (and the model: a
	# SillyTavern chat as spec'd carries none)
	assert_equal "$(session-log show "$s2" | jq -c 'del(.session, .model)')" \
		"$(session-log show "$s" | jq -c 'del(.session, .model)')"
}

@test "import: a malformed line is 65, located as FILE:LINE:COLUMN, and nothing is stored" {
	cd "$BATS_TEST_TMPDIR"
	local header body n c
	header=$(head -n 1 "$ST")
	body=$(sed -n 2,3p "$ST")
	# LINE|TEXT: TEXT in place of line LINE of a three-message chat
	for c in '1|not json' '1|[1,2]' '3|not json' '3|{"name":"Wren","is_user":true,"is_system":false,"send_date":"x","mes":7,"extra":{}}' \
		'3|{"name":"Wren","is_user":"yes","is_system":false,"send_date":"x","mes":"m","extra":{}}' \
		'3|["Wren"]' '4|{"name":"Wren","is_user":true,"mes":"cut sh'; do
		n=${c%%|*}
		{
			printf '%s\n%s\n' "$header" "$body"
			echo '{"name":"Wren","is_user":true,"is_system":false,"send_date":"May 1, 2024 2:06pm","mes":"last","extra":{}}'
		} | awk -v n="$n" -v t="${c#*|}" 'NR == n { print t; next } { print }' > chat.jsonl
		run -65 --separate-stderr session-log import --persona Wren chat.jsonl
		assert_output ""
		# FILE:LINE:COLUMN for what is no JSON; a bad field's record by number
		[[ ${#stderr_lines[@]} -eq 1 && $stderr =~ ^session-log:\ \'chat\.jsonl\'(:$n:[0-9]+|:\ record\ $n):\  ]] ||
			fail "line $n '${c#*|}': $stderr"
		run -65 --separate-stderr session-log import --persona Wren < chat.jsonl
		assert_output ""
		[[ $stderr =~ ^session-log:\ \'-\'(:$n:[0-9]+|:\ record\ $n):\  ]] || fail "stdin, line $n: $stderr"
	done
	# a line that is no JSON at all: its first column
	printf 'not json\n' > chat.jsonl
	run -65 --separate-stderr session-log import chat.jsonl
	[[ $stderr == "session-log: 'chat.jsonl':1:1: "* ]] || fail "not json: $stderr"
	: > chat.jsonl
	run -65 --separate-stderr session-log import chat.jsonl
	assert_output ""
	[[ $stderr == "session-log: 'chat.jsonl':"* ]] || fail "empty: $stderr"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "1 0"
}

@test "import: a chat file over 256 MiB is refused before it is read, 65, nothing stored" {
	cd "$BATS_TEST_TMPDIR"
	# sparse: the size is all that is looked at
	truncate -s $((256 * 1024 * 1024 + 1)) big.jsonl
	run -65 --separate-stderr session-log import --character Seraphina big.jsonl
	assert_output ""
	assert_equal "$stderr" "session-log: 'big.jsonl': larger than 256 MiB"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "1 0"
}

# --- dry runs and locks -------------------------------------------------------------------

@test "-n: append, edit, delete and import print what they would do and store nothing" {
	session-log append "$S" <<< 'kept' > /dev/null
	local before
	before=$(session-log show "$S")
	run -0 --separate-stderr session-log append -n "$S" <<< 'dry'
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" "$(message_json "$S" 2 user "$W" dry)"
	run_ok session-log append "$S" --records --dry-run <<< '{"role":"user","content":"dry"}'
	assert_equal "$(jq .seq <<< "$output")" 2
	run_ok session-log edit -n "$S" 1 <<< 'changed'
	assert_equal "$(jq -r .content <<< "$output")" changed
	run_ok session-log delete -n "$S" 1
	assert_output "{\"kind\":\"message\",\"session\":\"$S\",\"seq\":1,\"status\":\"deleted\"}"
	run_ok session-log import -n --persona Wren "$ST"
	assert_equal "$(jq -c '[.kind, .messages]' <<< "$output")" '["session",6]'
	assert_equal "$(session-log show "$S")" "$before"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "1 1"
}

@test "a locked user: 77 from every verb, nothing printed, nothing changed" {
	session-log append "$S" <<< 'kept' > /dev/null
	local args
	for args in "show $S" "show Glade --format text" "append $S" "append $S --records" "edit $S 1" \
		"delete $S 1" "delete $S --last 1" "export $S" "export $S --format st" "import $ST"; do
		# shellcheck disable=SC2086 # split on purpose
		run -77 --separate-stderr env -u GUISE_PASSPHRASE_FILE session-log $args <<< '{"role":"user","content":"x"}'
		assert_output ""
		assert_equal "$stderr" "session-log: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
	done
	assert_equal "$(count chat_sessions) $(count chat_messages)" "1 1"
	assert_equal "$(contents "$S")" '"kept" '
}
