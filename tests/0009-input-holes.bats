#!/usr/bin/env bats
# Holes in reading input (issue 12): text options that are not UTF-8 are
# 65 naming the option, and nothing is written (never "out of memory");
# a NUL inside a card's name is refused where the card comes in, located;
# a CHARX entry whose name holds a control character is refused; importing
# a large card stays within a small multiple of its size in memory.

load common
load keys
load sessions

setup() {
	sessions_setup
}

teardown() { keys_teardown; }

# --- item 13: text options that are not UTF-8 -------------------------------------

# bad_utf8 PROG OPTION CMD...: CMD is 65, "PROG: OPTION: not valid UTF-8" on
# stderr, nothing on stdout
bad_utf8() {
	run -65 --separate-stderr "${@:3}"
	assert_output ""
	assert_equal "$stderr" "$1: $2: not valid UTF-8"
}

@test "a title, name, description, model or email that is not UTF-8 is 65 naming the option, and nothing is stored" {
	local s before
	mkchar Sera > /dev/null
	mkpersona Wren > /dev/null
	s=$(mksession --character Sera --persona Wren)
	before=$(sqlite3 "$GUISE_DB" .dump | md5sum)
	bad_utf8 session-bind --title session-bind new --character Sera --title $'a\xffb'
	bad_utf8 session-log --title session-log import --character Sera --title $'a\xffb' /dev/null
	bad_utf8 session-log --model session-log append "$s" --role assistant --model $'m\xc0\x80' <<< hi
	bad_utf8 persona --name persona create --name $'\xff'
	bad_utf8 persona --name persona create --name $'W\xed\xa0\x80'
	bad_utf8 persona --description persona create --name Ash --description $'a\xf5b'
	bad_utf8 prompt-render -m prompt-render --character Sera -m $'\xe2\x82'
	bad_utf8 persona-encrypt --email env GUISE_PASSPHRASE_FILE="$PASS1" \
		persona-encrypt init -u bob --email $'b\xff@example.org'
	assert_equal "$(sqlite3 "$GUISE_DB" .dump | md5sum)" "$before"
	# what is UTF-8 still goes through, four-byte forms too
	run -0 --separate-stderr session-bind new --character Sera --title $'caf\xc3\xa9 \xf0\x9f\x8d\xb5'
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .title <<< "$output")" $'caf\xc3\xa9 \xf0\x9f\x8d\xb5'
}

@test "--set values and names given as references that are not UTF-8: 65 or not found, never 70" {
	mkchar Sera > /dev/null
	mkpersona Wren > /dev/null
	run -65 --separate-stderr persona update Wren --set $'description=\xff'
	assert_output ""
	assert_equal "$stderr" "persona: '--set': description: not valid UTF-8"
	run -65 --separate-stderr session-bind new --character Sera --set $'stop=\xff'
	assert_output ""
	assert_equal "$stderr" "session-bind: stop: not valid UTF-8"
	run -66 --separate-stderr persona show $'\xff'
	assert_output ""
	assert_equal "$stderr" $'persona: no such character or persona \'\xff\''
	run -66 --separate-stderr session-bind new --character $'Sera\xff'
	assert_output ""
	assert_equal "$stderr" $'session-bind: no such character \'Sera\xff\''
	run -66 --separate-stderr prompt-render --character Sera --persona $'\xff'
	assert_output ""
	assert_equal "$stderr" $'prompt-render: no such persona \'\xff\''
}
