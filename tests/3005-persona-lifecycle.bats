#!/usr/bin/env bats
# A persona's whole life from the shell (DESIGN.md §1, §4, §5): made, made
# the default, bound to sessions, switched mid-chat (custom, impersonated,
# none, custom again), renamed and deleted; every message keeps the speaker
# that was active when it was written, with the name it had then. Real
# cards from tests/data/cards-aicharlib (MIT, see its LICENSE).

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup_cast
	W=$(who custom "$WREN" Wren)
	A=$(who impersonated "$ALPIN" 'Alpin Dale')
}

teardown() { keys_teardown; }

# say S TEXT [OPTION...]: append TEXT to S, quietly
say() { printf '%s\n' "$2" | session-log append "$1" "${@:3}" > /dev/null; }

# said S: seq, role, speaker and content of each message, one line each
said() { session-log show "$1" | jq -c '[.seq, .role, .speaker, .content]'; }

# line SEQ ROLE SPEAKER-JSON CONTENT: what said prints for one message
line() { jq -n -c --argjson q "$1" --arg r "$2" --argjson sp "$3" --arg c "$4" '[$q, $r, $sp, $c]'; }

@test "switched mid-chat, custom -> impersonated -> none -> custom: each message keeps the persona it was written as" {
	local s greeting
	greeting=$(test-tool png-card "$CARDS/melina.png" 2> /dev/null | jq -r .data.first_mes)
	run -0 --separate-stderr session-bind new --character Melina --persona Wren --title Campfire
	assert_equal "$stderr" ""
	s=$(jq -r .id <<< "$output")
	assert_equal "$(jq -c .persona <<< "$output")" "$W"
	say "$s" 'I accept your accord.'
	say "$s" 'Then walk with me.' --role assistant
	run -0 --separate-stderr session-bind impersonate "$s" 'Alpin Dale'
	assert_equal "$stderr" ""
	assert_equal "$(jq -c .persona <<< "$output")" "$A"
	say "$s" '*Alpin glances up from the screen.*'
	say "$s" 'A scholar, then.' --role assistant
	run_ok session-bind clear "$s"
	assert_equal "$(jq -c .persona <<< "$output")" "$NONE"
	say "$s" 'Is anyone else out here?'
	say "$s" 'Only the wind.' --role assistant
	run_ok session-bind use-persona "$s" Wren
	assert_equal "$(jq -c .persona <<< "$output")" "$W"
	say "$s" 'It is only me, Wren.'
	run -0 --separate-stderr session-log show "$s"
	assert_equal "$stderr" ""
	assert_equal "$(said "$s")" "$(line 1 assistant "$W" "$greeting")
$(line 2 user "$W" 'I accept your accord.')
$(line 3 assistant "$W" 'Then walk with me.')
$(line 4 user "$A" '*Alpin glances up from the screen.*')
$(line 5 assistant "$A" 'A scholar, then.')
$(line 6 user "$NONE" 'Is anyone else out here?')
$(line 7 assistant "$NONE" 'Only the wind.')
$(line 8 user "$W" 'It is only me, Wren.')"
	assert_equal "$(session-bind show "$s" | jq -c '[.persona, .messages]')" "[$W,8]"
	# the transcript names each user turn by its speaker
	run_ok session-log show "$s" --format text --last 7
	assert_equal "$output" 'Wren: I accept your accord.

Melina: Then walk with me.

Alpin Dale: *Alpin glances up from the screen.*

Melina: A scholar, then.

User: Is anyone else out here?

Melina: Only the wind.

Wren: It is only me, Wren.'
	# and so does the SillyTavern export
	assert_equal "$(session-log export "$s" --format st | tail -n +2 | jq -r 'select(.is_user) | .name' | paste -sd ,)" \
		'Wren,Alpin Dale,User,Wren'
}

@test "renaming a persona or a character afterwards rewrites no stored speaker; the session shows the new names" {
	local s before
	s=$(mksession --character Melina --persona Wren --no-greeting)
	say "$s" 'As Wren.'
	session-bind impersonate "$s" 'Alpin Dale' > /dev/null
	say "$s" 'As Alpin.'
	session-bind use-persona "$s" Wren > /dev/null
	before=$(session-log show "$s")
	run -0 --separate-stderr persona update Wren --set name=Wrenna
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.kind, .id, .name, .status]' <<< "$output")" "[\"persona\",\"$WREN\",\"Wrenna\",\"updated\"]"
	run_ok persona update --character 'Alpin Dale' --set name=Alpin
	assert_equal "$(jq -r .status <<< "$output")" updated
	run_ok persona update --character Melina --set name=Mel
	# the stored messages are exactly as they were
	assert_equal "$(session-log show "$s")" "$before"
	# the session names what it binds as it is now
	assert_equal "$(session-bind show "$s" | jq -c '[.character.name, .persona]')" "[\"Mel\",$(who custom "$WREN" Wrenna)]"
	assert_equal "$(session-bind persona "$s" | jq -r .data.name)" Wrenna
	# a message written now carries the new name
	say "$s" 'As Wrenna.'
	say "$s" 'Noted.' --role assistant
	assert_equal "$(speakers "$s" | tail -n 2 | sort -u)" "$(who custom "$WREN" Wrenna)"
	run_ok session-log show "$s" --format text
	assert_equal "$output" 'Wren: As Wren.

Alpin Dale: As Alpin.

Wrenna: As Wrenna.

Mel: Noted.'
}

@test "deleting the active persona: its sessions are unbound, their messages keep its name" {
	local s1 s2 s3 before
	s1=$(mksession --character Melina --persona Wren)
	say "$s1" 'Wren speaks.'
	s2=$(mksession --character 'Alpin Dale' --persona Wren --no-greeting)
	say "$s2" 'Wren speaks to Alpin.'
	s3=$(mksession --character Melina --persona Wren --no-greeting)
	say "$s3" 'Wren, before the switch.'
	session-bind impersonate "$s3" 'Alpin Dale' > /dev/null
	before=$(session-log show "$s1")$(session-log show "$s2")$(session-log show "$s3")
	run -0 --separate-stderr persona delete Wren
	assert_output "{\"kind\":\"persona\",\"id\":\"$WREN\",\"name\":\"Wren\",\"status\":\"deleted\",\"sessions\":2}"
	assert_equal "$stderr" "persona: 'Wren' was the active persona of 2 session(s): they now have none"
	assert_equal "$(bound "$s1") $(bound "$s2") $(bound "$s3")" "$NONE $NONE $A"
	run_ok session-bind persona "$s1"
	assert_output '{"kind":"none"}'
	# every stored speaker as it was, the deleted persona's id and name included
	assert_equal "$(session-log show "$s1")$(session-log show "$s2")$(session-log show "$s3")" "$before"
	assert_equal "$(speakers "$s1" | sort -u)" "$W"
	run_ok session-log show "$s1" --format text --last 1
	assert_output 'Wren: Wren speaks.'
	# what is written now has no persona
	say "$s1" 'Who speaks now?'
	assert_equal "$(speakers "$s1" | tail -n 1)" "$NONE"
	# the persona is gone by every name
	run -66 --separate-stderr persona show Wren
	assert_output ""
	assert_equal "$stderr" "persona: no such character or persona 'Wren'"
	run -66 --separate-stderr session-bind use-persona "$s1" "$WREN"
	assert_equal "$stderr" "session-bind: no such persona '$WREN'"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "3 5"
}

@test "the default persona: copied into new sessions, and when deleted, no longer the default of anything" {
	run -0 --separate-stderr persona create --default --name Ash --description 'A smith.'
	assert_equal "$stderr" ""
	local ash s1 s2
	ash=$(jq -r .id <<< "$output")
	run_ok persona list
	assert_equal "$(jq -c '[.name, .default]' <<< "$output")" '["Wren",false]
["Ash",true]'
	s1=$(mksession --character Melina)
	assert_equal "$(bound "$s1")" "$(who custom "$ash" Ash)"
	# switched away and back: the session's binding, not the default, decides
	session-bind use-persona "$s1" Wren > /dev/null
	s2=$(mksession --character Melina)
	assert_equal "$(bound "$s1") $(bound "$s2")" "$W $(who custom "$ash" Ash)"
	run -0 --separate-stderr persona delete Ash
	assert_output "{\"kind\":\"persona\",\"id\":\"$ash\",\"name\":\"Ash\",\"status\":\"deleted\",\"sessions\":1}"
	assert_equal "$stderr" "persona: 'Ash' was the active persona of 1 session(s): they now have none"
	run_ok persona list
	assert_output "{\"kind\":\"persona\",\"id\":\"$WREN\",\"name\":\"Wren\",\"source\":null,\"default\":false}"
	# no default: clear-default has nothing to say, a new session has no persona
	run -0 --separate-stderr persona clear-default
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(bound "$(mksession --character Melina)")" "$NONE"
	assert_equal "$(speakers "$s2")" "$(who custom "$ash" Ash)"
}

@test "deleting an impersonated character: refused while it has sessions of its own; --cascade unbinds the others" {
	local s own before
	s=$(mksession --character Melina --impersonate 'Alpin Dale')
	say "$s" 'Alpin, impersonated.'
	own=$(mksession --character 'Alpin Dale' --persona Wren)
	say "$own" 'Wren to Alpin.'
	run -65 --separate-stderr persona delete --character 'Alpin Dale'
	assert_output ""
	assert_equal "$stderr" "persona: 'Alpin Dale' has 1 session(s): delete them first, or use --cascade"
	assert_equal "$(bound "$s")" "$A"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "2 4"
	before=$(session-log show "$s")
	run -0 --separate-stderr persona delete --character --cascade 'Alpin Dale'
	assert_output "{\"kind\":\"character\",\"id\":\"$ALPIN\",\"name\":\"Alpin Dale\",\"status\":\"deleted\",\"sessions\":1}"
	assert_equal "$stderr" "persona: 'Alpin Dale' was the active persona of 1 session(s): they now have none"
	# its own session and messages are gone; the one that played it is unbound
	run -66 --separate-stderr session-bind show "$own"
	assert_equal "$stderr" "session-bind: no such session '$own'"
	assert_equal "$(bound "$s")" "$NONE"
	assert_equal "$(session-log show "$s")" "$before"
	assert_equal "$(speakers "$s")" "$A
$A"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "1 2"
	# Wren, who spoke in the deleted session, is still there
	assert_equal "$(persona show Wren | jq -r .id)" "$WREN"
}
