#!/usr/bin/env bats
# Swipes (DESIGN.md §4, §8 "Generation modes"): a message has one or more
# versions, each sealed and bound to its message and its number; one is
# current. `session-log show` prints the current one with swipe {index,
# count}, `swipes` lists them, `swipe` chooses another; edit changes the
# current one, delete takes them all. A character's greetings are the
# swipes of message 1. A database from before swipes migrates with every
# message its single swipe (tests/data/schema3, see its README).

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
	SERA=$(mkchar Seraphina '{"alternate_greetings": ["*Seraphina waves.* Over here!", "*She hums.*\nNot now."]}')
	WREN=$(mkpersona Wren)
	W=$(who custom "$WREN" Wren)
	S=$(mksession --character Seraphina --persona Wren --greeting 1 --title Glade)
}

teardown() { keys_teardown; }

G0='*Seraphina looks up.* Welcome, {{user}}.'
G1='*Seraphina waves.* Over here!'
G2=$'*She hums.*\nNot now.'

sql() { db_sql "$1"; }

# usage_err WORDS ARG...: session-log ARG... is a usage error (64) saying
# WORDS, then the synopsis
usage_err() {
	run -64 --separate-stderr session-log "${@:2}"
	assert_output ""
	assert_equal "${stderr_lines[0]}" "session-log: $1"
	assert_equal "${stderr_lines[1]}" "usage: session-log show S [--last N] [--format records|text]"
}

# version SEQ CONTENT INDEX COUNT: the record of a version of a message of
# $S spoken by Wren, without its time
version() {
	message_json "$S" "$1" assistant "$W" "$2" | jq -c --argjson i "$3" --argjson n "$4" '.swipe = {index: $i, count: $n}'
}

# swipes_of S SEQ: the versions of message SEQ, untimed, one per line
swipes_of() {
	run -0 --separate-stderr session-log swipes "$1" "$2"
	assert_equal "$stderr" ""
	untimed "$output"
}

# --- greetings, list, choose ------------------------------------------------------

@test "greetings: every greeting is a swipe of message 1, --greeting N current; swipes lists them in order, key by key" {
	run_ok session-log show "$S"
	assert_equal "$(untimed "$output")" "$(version 1 "$G1" 1 3)"
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" "$MESSAGE_KEYS"
	assert_equal "$(swipes_of "$S" 1)" "$(version 1 "$G0" 0 3)
$(version 1 "$G1" 1 3)
$(version 1 "$G2" 2 3)"
	assert_equal "$(session-log swipes "$S" 1 | jq -r .created_at | grep -cE "^$TS$")" 3
	# one message, two versions kept aside
	assert_equal "$(count chat_messages) $(count chat_swipes)" "1 2"
	# a card without alternates: one swipe; --no-greeting: none
	mkchar Kestrel > /dev/null
	run_ok session-bind new --character Kestrel
	assert_equal "$(session-log show "$(jq -r .id <<< "$output")" | jq -c .swipe)" '{"index":0,"count":1}'
	assert_equal "$(count chat_messages) $(count chat_swipes)" "2 2"
}

@test "swipe: makes N current and prints the message; show, swipes and the others agree; the same N again changes nothing" {
	run -0 --separate-stderr session-log swipe "$S" 1 2
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" "$(version 1 "$G2" 2 3)"
	assert_equal "$(untimed "$(session-log show "$S")")" "$(version 1 "$G2" 2 3)"
	assert_equal "$(swipes_of "$S" 1)" "$(version 1 "$G0" 0 3)
$(version 1 "$G1" 1 3)
$(version 1 "$G2" 2 3)"
	run_ok session-log swipe Glade 1 0
	assert_equal "$(untimed "$output")" "$(version 1 "$G0" 0 3)"
	run_ok session-log swipe Glade 1 0
	assert_equal "$(untimed "$output")" "$(version 1 "$G0" 0 3)"
	assert_equal "$(session-log show "$S" --format text)" "Seraphina: $G0"
	# each version keeps its own time
	run_ok session-log swipes "$S" 1
	local t0
	t0=$(jq -r 'select(.swipe.index == 0) | .created_at' <<< "$output")
	run_ok session-log swipe "$S" 1 1
	run_ok session-log swipe "$S" 1 0
	assert_equal "$(jq -r .created_at <<< "$output")" "$t0"
	run_ok persona-encrypt verify
	assert_equal "$(jq -c '[.failed, .unbound]' <<< "$output")" '[0,0]'
}

@test "edit changes the current version alone; delete takes every version; later messages are single swipes" {
	run_ok session-log edit "$S" 1 <<< 'Hello again.'
	assert_equal "$(untimed "$output")" "$(version 1 'Hello again.' 1 3)"
	assert_equal "$(swipes_of "$S" 1)" "$(version 1 "$G0" 0 3)
$(version 1 'Hello again.' 1 3)
$(version 1 "$G2" 2 3)"
	run_ok session-log append "$S" <<< 'Hi.'
	assert_equal "$(jq -c .swipe <<< "$output")" '{"index":0,"count":1}'
	assert_equal "$(swipes_of "$S" 2)" "$(message_json "$S" 2 user "$W" 'Hi.')"
	run_ok session-log delete "$S" 1
	assert_equal "$(count chat_messages) $(count chat_swipes)" "1 0"
	run_err 66 "session-log: session '$S' has no message 1" session-log swipes "$S" 1
}

@test "-n: swipe prints what it would store and stores nothing" {
	local before
	before=$(db_dump)
	run -0 --separate-stderr session-log swipe -n "$S" 1 2
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" "$(version 1 "$G2" 2 3)"
	assert_equal "$(db_dump)" "$before"
	run_ok session-log swipe --dry-run "$S" 1 0
	assert_equal "$(db_dump)" "$before"
}

@test "bad input: N out of range 65, not a number 64, a message not there 66, nothing changed" {
	local before
	before=$(db_dump)
	run_err 65 "session-log: message 1 has 3 swipes: no swipe 3" session-log swipe "$S" 1 3
	usage_err "'1.5' is not a swipe number, 0 or more" swipe "$S" 1 1.5
	usage_err "'two' is not a swipe number, 0 or more" swipe "$S" 1 two
	usage_err "'0' is not a message number" swipe "$S" 0 1
	usage_err "'0' is not a message number" swipes "$S" 0
	run_err 66 "session-log: session '$S' has no message 2" session-log swipe "$S" 2 0
	run_err 66 "session-log: session '$S' has no message 9" session-log swipes "$S" 9
	run_err 66 "session-log: no such session 'Nowhere'" session-log swipes Nowhere 1
	run -64 --separate-stderr session-log swipe "$S" 1
	assert_output ""
	run -64 --separate-stderr session-log swipes "$S"
	assert_output ""
	assert_equal "$(db_dump)" "$before"
	run_ok session-bind new --character Seraphina --no-greeting
	local e
	e=$(jq -r .id <<< "$output")
	session-log append "$e" <<< 'Alone.' > /dev/null
	run_err 65 "session-log: message 1 has 1 swipe: no swipe 1" session-log swipe "$e" 1 1
}

# --- sealed and bound ---------------------------------------------------------------

@test "ciphertext only: no version's text in the database files, and a version moved by hand fails (65)" {
	run_ok session-log swipe "$S" 1 2
	if grep -c -e 'Over here' -e 'looks up' -e 'She hums' <(store_strings); then
		fail "a greeting in the clear"
	fi
	# swipes 0 and 1 trade numbers: each is bound to its own
	sql "UPDATE chat_swipes SET swipe_index = swipe_index + 10"
	sql "UPDATE chat_swipes SET swipe_index = 11 - (swipe_index - 10) - 10"
	run -65 --separate-stderr session-log swipes "$S" 1
	[[ $stderr == "session-log: chat_swipes '"*"' content: ciphertext fails its integrity check" ]] || fail "$stderr"
	run -65 --separate-stderr session-log swipe "$S" 1 0
	[[ $stderr == "session-log: chat_swipes '"*"' content: ciphertext fails its integrity check" ]] || fail "$stderr"
	assert_equal "$(session-log show "$S" | jq -c .swipe)" '{"index":2,"count":3}'
	run -65 --separate-stderr persona-encrypt verify
	# content and speaker name of each
	assert_equal "$(jq -c .failed <<< "$output")" 4
}

@test "rekey re-seals every version; verify counts them" {
	run_ok persona-encrypt verify
	local fields
	fields=$(jq .fields <<< "$output")
	run_ok persona-encrypt rekey
	run_ok persona-encrypt verify
	assert_equal "$(jq -c '[.fields, .failed]' <<< "$output")" "[$fields,0]"
	assert_equal "$(swipes_of "$S" 1 | jq -r .content | tr '\n' '|')" "${G0}|${G1}|${G2//$'\n'/|}|"
}

# --- a database from before swipes --------------------------------------------------

OLD_S=01a2355d-4af2-706d-8751-a88c918e59b8
OLD_T=01a2355d-4c93-7169-b27d-5cc68dfab3f7

@test "migration: a database of schema 3 comes up with every message its single swipe, content intact" {
	require_sqlite_store "a SQLite file of schema 3 (a PostgreSQL store starts at 9)"
	rm -f "$GUISE_DB"
	db_sql < "$DATA/schema3/alice.sql"
	run_ok persona-encrypt verify --fix
	assert_equal "$(sql 'PRAGMA user_version')" 9
	run_ok session-log show "$OLD_S"
	assert_equal "$(jq -c '[.seq, .role, .speaker.name, .content, .swipe]' <<< "$output" | tr '\n' ' ')" \
		'[1,"assistant","Wren","*Seraphina looks up.* Welcome, {{user}}.",{"index":0,"count":1}] [2,"user","Wren","Hello there.",{"index":0,"count":1}] [3,"assistant","Wren","Welcome back.",{"index":0,"count":1}] [4,"system","Wren","Stay in character.",{"index":0,"count":1}] '
	run_ok session-log swipes "$OLD_T" 1
	assert_equal "$(jq -c '[.content, .swipe]' <<< "$output")" '["Who goes there?",{"index":0,"count":1}]'
}

@test "migration: a database of the schema before swipes (6), rows bound, needs no re-seal; its messages read as single swipes" {
	require_sqlite_store "a SQLite file taken back to schema 6 (a PostgreSQL store starts at 9)"
	session-log append "$S" <<< 'Hello there.' > /dev/null
	# this database as schema 6 had it: no swipes, message 1 its greeting
	sql "DELETE FROM chat_swipes; UPDATE chat_messages SET swipe_index = 0, swipe_count = 1;
		DROP TABLE chat_swipes; ALTER TABLE chat_messages DROP COLUMN swipe_count;
		ALTER TABLE chat_messages DROP COLUMN swipe_index;
		ALTER TABLE characters DROP COLUMN lore_index_nonce; ALTER TABLE characters DROP COLUMN lore_index;
		ALTER TABLE user_personas DROP COLUMN lore_index_nonce; ALTER TABLE user_personas DROP COLUMN lore_index;
		PRAGMA user_version = 6"
	run_ok session-log show "$S"
	assert_equal "$(jq -c '[.seq, .content, .swipe]' <<< "$output" | tr '\n' ' ')" \
		"[1,\"$G1\",{\"index\":0,\"count\":1}] [2,\"Hello there.\",{\"index\":0,\"count\":1}] "
	assert_equal "$(sql 'PRAGMA user_version')" 9
	run_ok persona-encrypt verify
	assert_equal "$(jq -c '[.failed, .unbound]' <<< "$output")" '[0,0]'
}

# --- SillyTavern chat files ---------------------------------------------------------

ST=$DATA/st-chats/seraphina-glade.jsonl

# multi FILE: the swipe keys of each message of a chat file with more than
# one swipe, one line each
multi() {
	tail -n +2 "$1" | jq -c 'select((.swipes | length) > 1) |
		[.mes, .swipe_id, .swipes, [.swipe_info[] | .send_date, .extra.model]]'
}

@test "import keeps a chat file's swipes, swipe_id current, each with its send_date and model" {
	run_ok session-log import --persona Wren "$ST"
	local s
	s=$(jq -r .id <<< "$output")
	assert_equal "$(session-log show "$s" | jq -c .swipe | tr '\n' ' ')" \
		'{"index":0,"count":1} {"index":0,"count":1} {"index":1,"count":2} {"index":0,"count":1} {"index":0,"count":1} {"index":0,"count":1} '
	run_ok session-log swipes "$s" 3
	assert_equal "$(jq -c '[.swipe.index, .content, .created_at, .model]' <<< "$output")" \
		"$(sed -n 4p "$ST" | jq -c '. as $m | range(0; .swipes | length) as $i |
			[$i, .swipes[$i], .swipe_info[$i].send_date, .swipe_info[$i].extra.model]')"
	# one kept aside, with the greeting's two of setup
	assert_equal "$(count chat_swipes)" 3
}

@test "SillyTavern -> guise -> SillyTavern keeps every swipe; guise -> SillyTavern -> guise the same, line for line" {
	local a=$BATS_TEST_TMPDIR/a.jsonl b=$BATS_TEST_TMPDIR/b.jsonl s s2
	s=$(session-log import --persona Wren "$ST" | jq -r .id)
	session-log export "$s" --format st > "$a"
	assert_equal "$(multi "$a")" "$(multi "$ST")"
	[[ -n $(multi "$a") ]] || fail "no swipes in $a"
	# the greeting session's swipes go out too, and back in
	session-log export "$S" --format st > "$b"
	assert_equal "$(tail -n +2 "$b" | jq -c '[.mes, .swipe_id, .swipes]')" "$(jq -n -c --arg a "$G0" --arg b "$G1" --arg c "$G2" '[$b, 1, [$a, $b, $c]]')"
	s2=$(session-log import --persona Wren "$b" | jq -r .id)
	assert_equal "$(session-log swipes "$s2" 1 | jq -c 'del(.session)')" "$(session-log swipes "$S" 1 | jq -c 'del(.session)')"
	# round and round: the same lines
	s2=$(session-log import --persona Wren "$a" | jq -r .id)
	session-log export "$s2" --format st > "$b"
	assert_equal "$(tail -n +2 "$b")" "$(tail -n +2 "$a")"
}

@test "import: swipes that are not strings, a swipe_id out of range, more than 1000 swipes are 65, located; nothing stored" {
	cd "$BATS_TEST_TMPDIR"
	local c before
	before=$(db_dump)
	for c in '"swipe_id":2,"swipes":["a","b"]|swipe_id: expected a number from 0 to 1' \
		'"swipe_id":-1,"swipes":["a","b"]|swipe_id: expected a number from 0 to 1' \
		'"swipe_id":"1","swipes":["a","b"]|swipe_id: expected a number from 0 to 1' \
		'"swipe_id":0,"swipes":["a",2]|swipes[1]: expected a string' \
		'"swipe_id":0,"swipes":"a"|swipes: expected a list of strings'; do
		{
			head -n 2 "$ST"
			echo "{\"name\":\"Seraphina\",\"is_user\":false,\"mes\":\"a\",${c%%|*}}"
		} > chat.jsonl
		run_err 65 "session-log: 'chat.jsonl': record 3: ${c#*|}" session-log import --persona Wren chat.jsonl
	done
	{
		head -n 2 "$ST"
		jq -n -c '{name: "Seraphina", is_user: false, mes: "s0", swipe_id: 0, swipes: [range(1001) | "s\(.)"]}'
	} > chat.jsonl
	run_err 65 "session-log: 'chat.jsonl': record 3: swipes: 1001, more than the 1000 a message may have" session-log import --persona Wren chat.jsonl
	assert_equal "$(db_dump)" "$before"
	# 1000 is the most, and fits
	jq -n -c '{name: "Seraphina", is_user: false, mes: "s999", swipe_id: 999, swipes: [range(1000) | "s\(.)"]}' > chat.jsonl
	run_ok session-log import --character Seraphina --persona Wren chat.jsonl
	assert_equal "$(session-log show "$(jq -r .id <<< "$output")" | jq -c '[.content, .swipe]')" '["s999",{"index":999,"count":1000}]'
	# -n: stored nothing
	before=$(db_dump)
	run_ok session-log import -n --persona Wren "$ST"
	assert_equal "$(db_dump)" "$before"
}
