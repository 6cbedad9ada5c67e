#!/usr/bin/env bats
# Holes in reading input (issue 12): text options that are not UTF-8 are
# 65 naming the option, and nothing is written (never "out of memory");
# a NUL inside a card's name is refused where the card comes in, located;
# a CHARX entry whose name holds a control character is refused; importing
# a large card stays within a small multiple of its size in memory.

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

@test "a title, name, description, model, url or email that is not UTF-8 is 65 naming the option (78 naming the variable), and nothing is stored" {
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
	# llm-send: a flag is 65, the environment variable instead 78
	bad_utf8 llm-send -m llm-send -n -m $'a\xffb' <<< '{"messages":[{"role":"user","content":"hi"}]}'
	bad_utf8 llm-send --url llm-send -n -m x --url $'http://a\xff/' <<< '{"messages":[{"role":"user","content":"hi"}]}'
	GUISE_MODEL=$'a\xffb' run -78 --separate-stderr llm-send -n <<< '{"messages":[{"role":"user","content":"hi"}]}'
	assert_output ""
	assert_equal "$stderr" "llm-send: GUISE_MODEL: not valid UTF-8"
	GUISE_LLM_URL=$'http://a\xff/' run -78 --separate-stderr llm-send -n -m x <<< '{"messages":[{"role":"user","content":"hi"}]}'
	assert_output ""
	assert_equal "$stderr" "llm-send: GUISE_LLM_URL: not valid UTF-8"
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

# --- item 14: NUL bytes in names and fields -----------------------------------------

@test "a card whose name holds a NUL byte is refused, located; any other field keeps it" {
	local f=$BATS_TEST_TMPDIR/nul.json
	printf '%s' '{"name": "Nul\u0000Hidden", "description": "x"}' > "$f"
	run -65 --separate-stderr persona-import "$f"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$f': data.name: contains a NUL byte"
	run -65 --separate-stderr persona create --character <<< '{"name": "A\u0000B"}'
	assert_output ""
	assert_equal "$stderr" "persona: '-': data.name: contains a NUL byte"
	mkchar Plain > /dev/null
	run -65 --separate-stderr persona update Plain <<< '{"data": {"name": "P\u0000Q"}}'
	assert_output ""
	assert_equal "$stderr" "persona: '-': data.name: contains a NUL byte"
	assert_equal "$(count characters)" 1
	# another field keeps the byte in the store
	printf '%s' '{"name": "Kept", "description": "before\u0000after"}' > "$f"
	run -0 --separate-stderr persona-import "$f"
	assert_equal "$stderr" ""
	assert_equal "$(persona show Kept | jq -c .data.description)" '"before\u0000after"'
}

@test "a card file with a raw NUL byte after a number or a literal is refused, located, whichever parser reads it" {
	local f=$BATS_TEST_TMPDIR/raw.json
	printf '{"name": "N", "v": 1\000}' > "$f"
	run_err 65 "persona-import: '$f':1:21: NUL byte in JSON input" persona-import "$f"
	printf '{"name": "N", "v": true\000, "w": 2}' > "$f"
	run_err 65 "persona-import: '$f':1:24: NUL byte in JSON input" persona-import "$f"
	assert_equal "$(count characters)" 0
}

@test "a name is looked up by its whole length: a stored NUL or a long common start does not match" {
	local id long
	id=$(mkchar Nul)
	# a row from before NULs were refused: its name sealed by hand
	printf 'Nul\0Hidden' | test-tool vault-put -u alice characters name "$id"
	run -66 --separate-stderr persona show Nul
	assert_output ""
	assert_equal "$stderr" "persona: no such character or persona 'Nul'"
	run_ok persona show "$id"
	assert_equal "$(jq -c .name <<< "$output")" '"Nul\u0000Hidden"'
	run_ok persona list --characters
	assert_equal "$(jq -c .name <<< "$output")" '"Nul\u0000Hidden"'
	# names longer than any fold buffer compare by all their bytes
	long=$(printf 'L%.0s' {1..1100})
	mkchar "${long}X" > /dev/null
	run -66 --separate-stderr persona show "${long}Y"
	run_ok persona show "${long}x"
	assert_equal "$(jq -r .name <<< "$output")" "${long}X"
}

@test "a prompt refuses a field with a NUL byte, never cuts it" {
	local f=$BATS_TEST_TMPDIR/nul.json
	mkpersona Wren > /dev/null
	printf '%s' '{"name": "Kept", "description": "before\u0000after"}' > "$f"
	persona-import "$f" > /dev/null
	run -65 --separate-stderr prompt-render --character Kept --persona Wren -m hi
	assert_output ""
	assert_equal "$stderr" "prompt-render: the character's data.description contains a NUL byte"
}

# --- item 15: control characters in CHARX entry names -------------------------------

@test "a CHARX entry whose name holds ESC, BEL or DEL is refused, however libzip reads it" {
	local f name shown
	for name in $'assets/a\e]0;pwned\a.png|assets/a\\x1b]0;pwned\\x07.png' \
		$'assets/\e[2J|assets/\\x1b[2J' $'x\x7fy|x\\x7fy' $'a\x1fb|a\\x1fb'; do
		f=$BATS_TEST_TMPDIR/c.charx
		printf '%s' '{"name": "Zed", "description": "x"}' | test-tool charx-make "$f" name "${name%%|*}"
		shown=${name#*|}
		run -65 --separate-stderr persona-import "$f"
		assert_output ""
		assert_equal "$stderr" "persona-import: '$f': '$shown': unsafe entry name: control character"
	done
	assert_equal "$(count characters)" 0
}
