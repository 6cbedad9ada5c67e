#!/usr/bin/env bats
# Rows bound to their meaning (DESIGN.md §6): what gives a message its
# meaning (its session, seq, role, speaker kind and id) is in the associated
# data of its sealed content and speaker name, and a session's character
# and active persona are in the associated data of its sealed binding. So a
# row moved, reordered, re-roled or re-spoken with the sqlite3 command, or a
# session pointed at another character or persona, fails: named negative
# vectors (one defect each, as in 2002-negative-vectors.bats), each through
# verify and every read. Then the positive side: what guise itself changes
# (delete, edit, import, switch persona, delete a persona, rekey) stays
# bound, and a database of schema 3 (tests/data/schema3, written by guise
# before rows were bound) reads again after `persona-encrypt verify --fix`.

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup
	SERA=$(mkchar Seraphina)
	KES=$(mkchar Kestrel)
	WREN=$(mkpersona Wren)
	KAY=$(mkpersona Kay)
	S=$(mksession --character Seraphina --persona Wren --no-greeting --title Glade)
	T=$(mksession --character Kestrel --no-persona --no-greeting)
	session-log append "$S" <<< 'Hello there.' > /dev/null
	session-log append "$S" --role assistant <<< 'Welcome back.' > /dev/null
	session-log append "$S" <<< 'Draw your sword.' > /dev/null
	session-log append "$T" <<< 'Who goes there?' > /dev/null
	run_ok persona-encrypt verify
	FIELDS=$(jq .fields <<< "$output")
	assert_output "$(verify_json "$FIELDS" 0 0)"
}

teardown() { keys_teardown; }

FAILS="ciphertext fails its integrity check"
UNBOUND="not bound to its row's meaning (sealed by an older guise): run 'persona-encrypt verify --fix'"
ALTERED="not bound to its row's meaning, though this user's rows were all bound: altered"

verify_json() { echo "{\"kind\":\"verify\",\"user\":\"alice\",\"fields\":$1,\"failed\":$2,\"unbound\":$3}"; }

# mid S SEQ: the row id of message SEQ of session S
mid() { db_sql "SELECT id FROM chat_messages WHERE session_id = '$1' AND seq = $2"; }

sql() { db_sql "$1"; }

# verify_fails FAILED PLACE WHY: verify exits 65, FAILED fields fail, the
# first of them PLACE
verify_fails() {
	run -65 --separate-stderr persona-encrypt verify
	assert_output "$(verify_json "$FIELDS" "$1" 0)"
	assert_equal "${stderr_lines[0]}" "persona-encrypt: $2: $3"
	assert_equal "${stderr_lines[-1]}" "persona-encrypt: $1 of $FIELDS encrypted fields of 'alice' fail their integrity check"
}

# reads_fail S PLACE WHY [HIDDEN]: every read of session S's messages exits
# 65 naming PLACE, and HIDDEN (the altered message) never reaches stdout
reads_fail() {
	local cmd
	for cmd in "session-log show $1" "session-log export $1" "prompt-render -s $1 -m x"; do
		# shellcheck disable=SC2086 # split on purpose
		run -65 --separate-stderr $cmd
		assert_equal "$stderr" "${cmd%% *}: $2: $3"
		[[ -z ${4:-} || $output != *"$4"* ]] || fail "$cmd: '$4' on stdout"
	done
}

# session_fails S PLACE WHY: the session itself does not load, 65
session_fails() {
	local cmd
	for cmd in "session-bind show $1" "session-bind persona $1" "session-log show $1" "prompt-render -s $1 -m x"; do
		# shellcheck disable=SC2086 # split on purpose
		run -65 --separate-stderr $cmd
		assert_output ""
		assert_equal "$stderr" "${cmd%% *}: $2: $3"
	done
}

# --- negative vectors: one defect each ----------------------------------------------

@test "moved_message: a message moved to another session" {
	local m
	m=$(mid "$S" 2)
	sql "UPDATE chat_messages SET session_id = '$T', seq = 2 WHERE id = '$m'"
	verify_fails 2 "chat_messages '$m' content" "$FAILS"
	reads_fail "$T" "chat_messages '$m' content" "$FAILS" 'Welcome back.'
}

@test "swapped_seq: two messages of a session swap their places" {
	local m1 m3
	m1=$(mid "$S" 1)
	m3=$(mid "$S" 3)
	sql "UPDATE chat_messages SET seq = 100 WHERE id = '$m1';
		UPDATE chat_messages SET seq = 1 WHERE id = '$m3';
		UPDATE chat_messages SET seq = 3 WHERE id = '$m1'"
	verify_fails 4 "chat_messages '$m1' content" "$FAILS"
	reads_fail "$S" "chat_messages '$m3' content" "$FAILS" 'Draw your sword.'
}

@test "renumbered_message: a message given a seq of its own" {
	local m
	m=$(mid "$S" 3)
	sql "UPDATE chat_messages SET seq = 7 WHERE id = '$m'"
	verify_fails 2 "chat_messages '$m' content" "$FAILS"
	reads_fail "$S" "chat_messages '$m' content" "$FAILS" 'Draw your sword.'
}

@test "rerolled_message: a user message made a system instruction" {
	local m
	m=$(mid "$S" 1)
	sql "UPDATE chat_messages SET role = 'system' WHERE id = '$m'"
	verify_fails 2 "chat_messages '$m' content" "$FAILS"
	reads_fail "$S" "chat_messages '$m' content" "$FAILS" 'Hello there.'
}

@test "respoken_message: a message given another speaker" {
	local m
	m=$(mid "$S" 1)
	sql "UPDATE chat_messages SET speaker_id = '$KAY' WHERE id = '$m'"
	verify_fails 2 "chat_messages '$m' content" "$FAILS"
	reads_fail "$S" "chat_messages '$m' content" "$FAILS" 'Hello there.'
}

@test "respoken_kind: a persona's message said to be an impersonation" {
	local m
	m=$(mid "$S" 1)
	sql "UPDATE chat_messages SET speaker_kind = 'impersonated', speaker_id = '$KES' WHERE id = '$m'"
	verify_fails 2 "chat_messages '$m' content" "$FAILS"
	reads_fail "$S" "chat_messages '$m' content" "$FAILS" 'Hello there.'
}

@test "unspoken_message: a message's speaker taken away" {
	local m
	m=$(mid "$S" 1)
	sql "UPDATE chat_messages SET speaker_kind = 'none', speaker_id = NULL,
		speaker_name = NULL, speaker_name_nonce = NULL WHERE id = '$m'"
	FIELDS=$((FIELDS - 1))
	verify_fails 1 "chat_messages '$m' content" "$FAILS"
	reads_fail "$S" "chat_messages '$m' content" "$FAILS" 'Hello there.'
}

@test "emptied_message: a message's content unset" {
	local m
	m=$(mid "$S" 1)
	sql "UPDATE chat_messages SET content = NULL, content_nonce = NULL WHERE id = '$m'"
	verify_fails 1 "chat_messages '$m' content" "unset: a message always has content"
	reads_fail "$S" "chat_messages '$m' content" "unset: a message always has content"
}

@test "downgraded_message: a message's format byte set to the unbound format" {
	local m hex
	m=$(mid "$S" 1)
	hex=$(sql "SELECT $(db_hex content) FROM chat_messages WHERE id = '$m'")
	assert_equal "${hex:0:2}" 02
	sql "UPDATE chat_messages SET content = $(db_blob "01${hex:2}") WHERE id = '$m'"
	verify_fails 1 "chat_messages '$m' content" "$FAILS"
	reads_fail "$S" "chat_messages '$m' content" "$FAILS" 'Hello there.'
}

@test "unknown_message_format: a format version this guise does not know" {
	local m hex
	m=$(mid "$S" 1)
	hex=$(sql "SELECT $(db_hex content) FROM chat_messages WHERE id = '$m'")
	sql "UPDATE chat_messages SET content = $(db_blob "03${hex:2}") WHERE id = '$m'"
	verify_fails 1 "chat_messages '$m' content" "unknown ciphertext format version 3"
	reads_fail "$S" "chat_messages '$m' content" "unknown ciphertext format version 3"
}

@test "recharactered_session: a session pointed at another character" {
	sql "UPDATE chat_sessions SET character_id = '$KES' WHERE id = '$S'"
	verify_fails 1 "chat_sessions '$S' binding" "$FAILS"
	session_fails "$S" "chat_sessions '$S' binding" "$FAILS"
}

@test "repersonaed_session: a session given another of the user's personas" {
	sql "UPDATE chat_sessions SET active_custom_persona_id = '$KAY' WHERE id = '$S'"
	verify_fails 1 "chat_sessions '$S' binding" "$FAILS"
	session_fails "$S" "chat_sessions '$S' binding" "$FAILS"
}

@test "impersonating_session: a session made to impersonate a character" {
	sql "UPDATE chat_sessions SET active_impersonated_character_id = '$SERA' WHERE id = '$T'"
	verify_fails 1 "chat_sessions '$T' binding" "$FAILS"
	session_fails "$T" "chat_sessions '$T' binding" "$FAILS"
}

@test "swapped_binding: a session's binding copied onto another session" {
	sql "UPDATE chat_sessions SET character_id = '$SERA', active_custom_persona_id = '$WREN',
		(binding, binding_nonce) = (SELECT binding, binding_nonce FROM chat_sessions WHERE id = '$S')
		WHERE id = '$T'"
	verify_fails 1 "chat_sessions '$T' binding" "$FAILS"
	session_fails "$T" "chat_sessions '$T' binding" "$FAILS"
}

@test "unbound_session: a session's binding unset, to pass for an older guise's: 'altered' everywhere, and neither verify --fix nor rekey seals it as it stands" {
	local before
	sql "UPDATE chat_sessions SET binding = NULL, binding_nonce = NULL, character_id = '$KES' WHERE id = '$S'"
	verify_fails 1 "chat_sessions '$S' binding" "$ALTERED"
	session_fails "$S" "chat_sessions '$S' binding" "$ALTERED"
	# alice's rows were all bound from the start: the fix takes nothing
	# unbound as it stands, and neither does a rekey
	before=$(db_dump | md5sum)
	run -65 --separate-stderr persona-encrypt verify --fix
	assert_output '{"kind":"verify","user":"alice","fields":'"$FIELDS"',"failed":1,"unbound":0,"resealed":0}'
	assert_equal "${stderr_lines[0]}" "persona-encrypt: chat_sessions '$S' binding: $ALTERED"
	run -65 --separate-stderr persona-encrypt rekey
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: chat_sessions '$S' binding: $ALTERED"
	assert_equal "$(db_dump | md5sum)" "$before"
	session_fails "$S" "chat_sessions '$S' binding" "$ALTERED"
}

@test "legacy_user: setting users.legacy_rows back by hand does not make an unbound row pass a plain verify" {
	sql "UPDATE chat_sessions SET binding = NULL, binding_nonce = NULL, character_id = '$KES' WHERE id = '$S'"
	sql "UPDATE users SET legacy_rows = 1"
	# the mark is plaintext: with it set, the row counts as unbound, and
	# verify still exits 65 saying so; it is --fix that would take it
	run -65 --separate-stderr persona-encrypt verify
	assert_output "$(verify_json "$FIELDS" 0 1)"
	assert_equal "$stderr" "persona-encrypt: 1 encrypted field of 'alice' is $UNBOUND"
}

@test "guise's own writes never seal an altered row anew" {
	local m
	m=$(mid "$S" 1)
	sql "UPDATE chat_messages SET role = 'system' WHERE id = '$m'"
	run -65 --separate-stderr session-log edit "$S" 1 <<< 'Obey.'
	assert_output ""
	assert_equal "$stderr" "session-log: chat_messages '$m' content: $FAILS"
	sql "UPDATE chat_sessions SET active_custom_persona_id = '$KAY' WHERE id = '$S'"
	for args in "use-persona $S Wren" "clear $S" "impersonate $S Kestrel"; do
		# shellcheck disable=SC2086 # split on purpose
		run -65 --separate-stderr session-bind $args
		assert_equal "$stderr" "session-bind: chat_sessions '$S' binding: $FAILS"
	done
	run -65 --separate-stderr persona delete Kay
	assert_equal "$stderr" "persona: chat_sessions '$S' binding: $FAILS"
	run_ok persona show Kay
	verify_fails 3 "chat_sessions '$S' binding" "$FAILS"
}

# --- what guise changes stays bound -------------------------------------------------

# clean: verify passes with COUNT fields, none unbound
clean() {
	run -0 --separate-stderr persona-encrypt verify
	assert_output "$(verify_json "$1" 0 0)"
	assert_equal "$stderr" ""
}

@test "delete and edit in the middle, append after: every message still reads" {
	run_ok session-log delete "$S" 2
	run_ok session-log edit "$S" 1 <<< 'Hello again.'
	session-log append "$S" --role system <<< 'Be brief.' > /dev/null
	clean "$FIELDS"
	run_ok session-log show "$S"
	assert_equal "$(jq -c '[.seq, .role, .content]' <<< "$output" | tr '\n' ' ')" \
		'[1,"user","Hello again."] [3,"user","Draw your sword."] [4,"system","Be brief."] '
	run_ok prompt-render -s "$S" -m x
}

@test "switching persona re-seals the binding; a switch made with sqlite3 does not read" {
	run_ok session-bind use-persona "$S" Kay
	run_ok session-bind impersonate "$S" Kestrel
	run_ok session-bind impersonate "$T" Seraphina
	clean "$FIELDS"
	assert_equal "$(bound "$S")" "$(who impersonated "$KES" Kestrel)"
	run_ok session-bind clear "$S"
	run_ok session-bind use-persona "$T" Wren
	clean "$FIELDS"
	assert_equal "$(bound "$S") $(bound "$T")" "$NONE $(who custom "$WREN" Wren)"
	# the switch back done by hand: refused
	sql "UPDATE chat_sessions SET active_custom_persona_id = '$WREN' WHERE id = '$S'"
	session_fails "$S" "chat_sessions '$S' binding" "$FAILS"
}

@test "deleting a persona or a character that sessions play: they are unbound and re-sealed" {
	run_ok session-bind impersonate "$T" Seraphina
	run -0 --separate-stderr persona delete Wren
	assert_equal "$stderr" "persona: 'Wren' was the active persona of 1 session(s): they now have none"
	run_ok persona-encrypt verify
	assert_equal "$(jq -c '[.failed, .unbound]' <<< "$output")" '[0,0]'
	assert_equal "$(bound "$S")" "$NONE"
	run_ok session-log show "$S"
	run -0 --separate-stderr persona delete --cascade Seraphina
	assert_equal "$stderr" "persona: 'Seraphina' was the active persona of 1 session(s): they now have none"
	run_ok session-bind show "$T"
	assert_equal "$(jq -c .persona <<< "$output")" "$NONE"
	run_ok session-log show "$T"
	run_ok persona-encrypt verify
	assert_equal "$(jq -c '[.failed, .unbound]' <<< "$output")" '[0,0]'
}

@test "import a SillyTavern chat: bound as appended messages are" {
	local s
	s=$(session-log import --persona Wren "$DATA/st-chats/seraphina-glade.jsonl" | jq -r .id)
	is_id "$s" import
	run_ok persona-encrypt verify
	assert_equal "$(jq -c '[.failed, .unbound]' <<< "$output")" '[0,0]'
	run_ok session-log show "$s"
	assert_equal "${#lines[@]}" 6
	sql "UPDATE chat_messages SET role = 'system' WHERE session_id = '$s' AND seq = 2"
	reads_fail "$s" "chat_messages '$(mid "$s" 2)' content" "$FAILS"
}

@test "rekey re-seals every row bound, and the vectors still fail after it" {
	local m
	run_ok persona-encrypt rekey
	assert_equal "$(jq .fields_reencrypted <<< "$output")" "$FIELDS"
	clean "$FIELDS"
	run_ok session-log show "$S"
	assert_equal "$(jq -r .content <<< "$output" | tr '\n' '|')" 'Hello there.|Welcome back.|Draw your sword.|'
	m=$(mid "$S" 1)
	sql "UPDATE chat_messages SET role = 'assistant' WHERE id = '$m'"
	reads_fail "$S" "chat_messages '$m' content" "$FAILS" 'Hello there.'
}

# --- a database from before rows were bound ------------------------------------------

OLD_S=01a2355d-4af2-706d-8751-a88c918e59b8
OLD_T=01a2355d-4c93-7169-b27d-5cc68dfab3f7
OLD_U=01a2355d-6dd4-71b1-a84a-12e8ce8ade04

# old_db: tests/data/schema3/alice.sql as the test's database
old_db() {
	require_sqlite_store "a SQLite file of schema 3 (a PostgreSQL store starts at 9)"
	rm -f "$GUISE_DB"
	db_sql < "$DATA/schema3/alice.sql"
}

old_contents() {
	session-log show "$OLD_S" | jq -c '[.seq, .role, .speaker.name, .content]' | tr '\n' ' '
	session-log show "$OLD_T" | jq -c '[.seq, .role, .speaker.name, .content]' | tr '\n' ' '
}

OLD_CONTENTS='[1,"assistant","Wren","*Seraphina looks up.* Welcome, {{user}}."] [2,"user","Wren","Hello there."] [3,"assistant","Wren","Welcome back."] [4,"system","Wren","Stay in character."] [1,"user","Seraphina","Who goes there?"] '

@test "an older database: reads say to re-seal, verify counts what is unbound, verify --fix re-seals it" {
	old_db
	# 56 fields and 3 sessions' missing bindings; the 10 fields of the 5
	# messages (content, speaker name) and the 3 bindings are unbound
	run -65 --separate-stderr persona-encrypt verify
	assert_output "$(verify_json 59 0 13)"
	assert_equal "$stderr" "persona-encrypt: 13 encrypted fields of 'alice' are $UNBOUND"
	session_fails "$OLD_U" "chat_sessions '$OLD_U' binding" "$UNBOUND"
	run -65 --separate-stderr session-log show "$OLD_S"
	assert_equal "$stderr" "session-log: chat_sessions '$OLD_S' binding: $UNBOUND"
	# a dry run changes nothing
	run_ok persona-encrypt verify --fix -n
	assert_output '{"kind":"verify","user":"alice","fields":59,"failed":0,"unbound":13,"resealed":13}'
	run -65 --separate-stderr persona-encrypt verify
	run -0 --separate-stderr persona-encrypt verify --fix
	assert_output '{"kind":"verify","user":"alice","fields":59,"failed":0,"unbound":13,"resealed":13}'
	assert_equal "$stderr" ""
	clean 59
	assert_equal "$(db_sql 'PRAGMA user_version')" 9
	assert_equal "$(old_contents)" "$OLD_CONTENTS"
	assert_equal "$(session-bind show "$OLD_T" | jq -c '[.title, .character.name, .persona.name]')" '[null,"Kestrel","Seraphina"]'
	# a second fix finds nothing to do; and the rows are bound now
	run_ok persona-encrypt verify --fix
	assert_output '{"kind":"verify","user":"alice","fields":59,"failed":0,"unbound":0,"resealed":0}'
	sql "UPDATE chat_messages SET role = 'user' WHERE session_id = '$OLD_S' AND seq = 4"
	reads_fail "$OLD_S" "chat_messages '$(mid "$OLD_S" 4)' content" "$FAILS" 'Stay in character.'
}

@test "an older database after verify --fix: a copy of a row from before, put back and re-roled, is never sealed as it stands" {
	local m
	old_db
	m=$(mid "$OLD_S" 4)
	# the attacker's copy of the system message, in the unbound format
	sql "CREATE TABLE saved AS SELECT content, content_nonce, speaker_name, speaker_name_nonce FROM chat_messages WHERE id = '$m'"
	run_ok persona-encrypt verify --fix
	assert_equal "$(sql 'SELECT legacy_rows FROM users')" 0
	sql "UPDATE chat_messages SET role = 'user', (content, content_nonce, speaker_name, speaker_name_nonce) =
		(SELECT content, content_nonce, speaker_name, speaker_name_nonce FROM saved) WHERE id = '$m'"
	run -65 --separate-stderr persona-encrypt verify --fix
	assert_output '{"kind":"verify","user":"alice","fields":59,"failed":2,"unbound":0,"resealed":0}'
	assert_equal "${stderr_lines[0]}" "persona-encrypt: chat_messages '$m' content: $ALTERED"
	run -65 --separate-stderr persona-encrypt rekey
	assert_equal "$stderr" "persona-encrypt: chat_messages '$m' content: $ALTERED"
	reads_fail "$OLD_S" "chat_messages '$m' content" "$ALTERED" 'Stay in character.'
}

@test "an older database: a field that fails is reported and left alone by verify --fix" {
	old_db
	local m
	m=$(mid "$OLD_S" 2)
	sql "UPDATE chat_messages SET content = (SELECT content FROM chat_messages WHERE seq = 3 AND session_id = '$OLD_S'),
		content_nonce = (SELECT content_nonce FROM chat_messages WHERE seq = 3 AND session_id = '$OLD_S') WHERE id = '$m'"
	run -65 --separate-stderr persona-encrypt verify --fix
	assert_output '{"kind":"verify","user":"alice","fields":59,"failed":1,"unbound":12,"resealed":12}'
	assert_equal "${stderr_lines[0]}" "persona-encrypt: chat_messages '$m' content: $FAILS"
	assert_equal "${stderr_lines[1]}" "persona-encrypt: 1 of 59 encrypted fields of 'alice' fail their integrity check"
	assert_equal "${#stderr_lines[@]}" 2
	run -65 --separate-stderr persona-encrypt verify
	assert_output "$(verify_json 59 1 0)"
}

@test "an older database: rekey re-seals every row bound too" {
	old_db
	run_ok persona-encrypt rekey
	assert_equal "$(jq .fields_reencrypted <<< "$output")" 59
	clean 59
	assert_equal "$(old_contents)" "$OLD_CONTENTS"
}
