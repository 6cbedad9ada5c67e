#!/usr/bin/env bats
# Ownership (DESIGN.md §2, §3, §5): two users in one database. Every
# command of persona, session-bind, session-log and lore that names a persona,
# character or session finds none of another user's: 66, no output, the
# very words a missing object of the same length gets, and the database
# left as it was. Rows forced past the store's triggers and checks are
# refused when used: 77, no plaintext. Real cards from
# tests/data/cards-aicharlib (MIT, see its LICENSE).

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

as_alice() { GUISE_PASSPHRASE_FILE=$PASS1 "$@" -u alice; }
as_bob() { GUISE_PASSPHRASE_FILE=$PASS2 "$@" -u bob; }

# alice: characters Melina ($AC) and Alpin Dale ($AC2), persona Wren ($AP),
# session 'Tea at dusk' ($AS) with Melina as Wren, a greeting and a message.
# bob: characters Oak ($BC) and Elm ($BC2), persona Bobby ($BP), session
# 'A walk' ($BS) with Oak as Bobby.
setup() {
	keys_setup
	new_user alice
	new_user bob "$PASS2"
	CARDS=$DATA/cards-aicharlib
	AC=$(as_alice persona-import "$CARDS/melina.png" | jq -r .id)
	AC2=$(as_alice persona-import "$CARDS/alpin_dale.png" | jq -r .id)
	AP=$(as_alice persona create --name Wren --description 'A courier.' | jq -r .id)
	AS=$(as_alice session-bind new --character Melina --persona Wren --title 'Tea at dusk' | jq -r .id)
	printf 'Hello, Melina.\n' | as_alice session-log append "$AS" > /dev/null
	BC=$(as_bob persona create --character --name Oak --description 'An old tree.' | jq -r .id)
	BC2=$(as_bob persona create --character --name Elm --description 'A young tree.' | jq -r .id)
	BP=$(as_bob persona create --name Bobby --description 'A walker.' | jq -r .id)
	BS=$(as_bob session-bind new --character Oak --persona Bobby --title 'A walk' | jq -r .id)
	local v
	for v in "$AC" "$AC2" "$AP" "$AS" "$BC" "$BC2" "$BP" "$BS"; do
		[[ $v =~ ^[0-9a-f-]{36}$ ]] || fail "setup: '$v'"
	done
	CHAT=$BATS_TEST_TMPDIR/chat.jsonl
	printf '%s\n' '{"user_name":"You","character_name":"Oak","create_date":"2024-01-01T00:00:00Z","chat_metadata":{}}' \
		'{"name":"Oak","is_user":false,"is_system":false,"send_date":"2024-01-01T00:00:00Z","mes":"Rustle.","extra":{}}' \
		'{"name":"You","is_user":true,"is_system":false,"send_date":"2024-01-01T00:01:00Z","mes":"Hi.","extra":{}}' > "$CHAT"
}

teardown() { keys_teardown; }

dump() { db_dump; }

# A missing object of the same length as $1: an id (or id prefix) of
# zeros, or a name of x's.
missing() {
	if [[ $1 =~ ^[0-9a-f-]+$ ]]; then
		local z=00000000-0000-7000-8000-000000000000
		printf '%s' "${z:0:${#1}}"
	else
		printf '%s' "${1//?/x}"
	fi
}

# hidden REAL STDIN ARG...: bob runs ARG... with each '@@' (in the
# arguments and in STDIN) replaced by REAL, one of alice's: what a missing
# object of the same length gives, word for word (66, no output), and the
# database unchanged.
hidden() {
	local real=$1 in=$2 fake before want
	shift 2
	fake=$(missing "$real")
	before=$(dump)
	run -66 --separate-stderr as_bob "${@//@@/$fake}" <<< "${in//@@/$fake}"
	assert_output ""
	[[ -n $stderr ]] || fail "$*: nothing on stderr for a missing '$fake'"
	want=${stderr//"$fake"/"$real"}
	run_err 66 "$want" as_bob "${@//@@/$real}" <<< "${in//@@/$real}"
	assert_equal "$(dump)" "$before"
}

# hidden_each_verb REAL KIND: hidden REAL (above) for every verb of persona
# that names one object, by the name alone and with --KIND
hidden_each_verb() {
	hidden "$1" '' persona show @@
	hidden "$1" '' persona show "--$2" @@
	hidden "$1" '' persona update @@ --set personality=nosy
	hidden "$1" '' persona update "--$2" @@ --clear scenario
	hidden "$1" '' persona delete @@
	hidden "$1" '' persona set-default @@
}

@test "persona show, update, delete, set-default: alice's persona is not there for bob" {
	local r
	for r in "$AP" "${AP:0:35}" Wren WREN; do
		hidden_each_verb "$r" persona
		hidden "$r" '{"personality":"nosy"}' persona update @@
		hidden "$r" '' persona delete --persona @@
		hidden "$r" '' persona show Bobby @@
	done
}

@test "persona show, update, delete: alice's character is not there for bob" {
	local r
	for r in "$AC" "${AC:0:35}" Melina melina; do
		hidden_each_verb "$r" character
		hidden "$r" '{"name":null}' persona update --character @@
		hidden "$r" '' persona delete --cascade @@
		hidden "$r" '' persona delete --character --cascade @@
	done
}

@test "session-bind new: alice's character, persona and impersonation are not there for bob" {
	local r
	for r in "$AC" "${AC:0:35}" Melina; do
		hidden "$r" '' session-bind new --character @@
		hidden "$r" '' session-bind new --character @@ --no-persona
		hidden "$r" '' session-bind new --character @@ --persona Bobby
	done
	for r in "$AC2" "${AC2:0:35}" 'Alpin Dale'; do
		hidden "$r" '' session-bind new --character Oak --impersonate @@
	done
	for r in "$AP" "${AP:0:35}" Wren; do
		hidden "$r" '' session-bind new --character Oak --persona @@
	done
}

@test "session-bind show, persona, use-persona, impersonate, clear, set, delete: alice's session is not there for bob" {
	local r
	for r in "$AS" "${AS:0:35}" 'Tea at dusk' 'TEA AT DUSK'; do
		hidden "$r" '' session-bind show @@
		hidden "$r" '' session-bind persona @@
		hidden "$r" '' session-bind use-persona @@ Bobby
		hidden "$r" '' session-bind impersonate @@ Elm
		hidden "$r" '' session-bind clear @@
		hidden "$r" '' session-bind set @@ temperature=1
		hidden "$r" '' session-bind delete @@
		hidden "$r" '' session-bind list --character @@
	done
}

@test "session-bind use-persona and impersonate: alice's persona and characters are not there for bob's session" {
	local r
	for r in "$AP" "${AP:0:35}" Wren; do
		hidden "$r" '' session-bind use-persona "$BS" @@
	done
	for r in "$AC2" "${AC2:0:35}" 'Alpin Dale' "$AC" Melina; do
		hidden "$r" '' session-bind impersonate "$BS" @@
	done
	for r in "$AC" Melina; do
		hidden "$r" '' session-bind list --character @@
	done
}

@test "session-log show, append, edit, swipes, swipe, delete, export: alice's session is not there for bob" {
	local r
	for r in "$AS" "${AS:0:35}" 'Tea at dusk'; do
		hidden "$r" '' session-log show @@
		hidden "$r" '' session-log show @@ --last 1 --format text
		hidden "$r" 'Sneaky.' session-log append @@
		hidden "$r" '{"role":"user","content":"Sneaky."}' session-log append @@ --records
		hidden "$r" 'Sneaky.' session-log edit @@ 1
		hidden "$r" '' session-log swipes @@ 1
		hidden "$r" '' session-log swipe @@ 1 0
		hidden "$r" '' session-log delete @@ 1
		hidden "$r" '' session-log delete @@ --last 1
		hidden "$r" '' session-log export @@
		hidden "$r" '' session-log export @@ --format st
	done
}

@test "session-log import: alice's character and persona are not there for bob, named by flag or by the chat's header" {
	local r
	for r in "$AC" "${AC:0:35}" Melina; do
		hidden "$r" '' session-log import --character @@ "$CHAT"
		hidden "$r" "$(sed 's/"character_name":"Oak"/"character_name":"@@"/' "$CHAT")" session-log import -
	done
	for r in "$AP" Wren; do
		hidden "$r" '' session-log import --character Oak --persona @@ "$CHAT"
	done
	for r in "$AC2" 'Alpin Dale'; do
		hidden "$r" '' session-log import --character Oak --impersonate @@ "$CHAT"
	done
}

@test "the words bob gets are the library's not-found words" {
	run_err 66 "persona: no such character or persona '$AP'" as_bob persona show "$AP"
	run -66 --separate-stderr as_bob persona show --persona Wren
	assert_equal "$stderr" "persona: no such persona 'Wren'"
	run -66 --separate-stderr as_bob persona delete --character "$AC"
	assert_equal "$stderr" "persona: no such character '$AC'"
	run_err 66 "session-bind: no such character 'Melina'" as_bob session-bind new --character Melina
	run -66 --separate-stderr as_bob session-bind new --character Oak --persona "$AP"
	assert_equal "$stderr" "session-bind: no such persona '$AP'"
	run -66 --separate-stderr as_bob session-bind show 'Tea at dusk'
	assert_equal "$stderr" "session-bind: no such session 'Tea at dusk'"
	run_err 66 "session-log: no such session '$AS'" as_bob session-log show "$AS"
}

@test "lists show bob only his own; a name alice also uses finds bob's object" {
	run_ok as_bob persona list --all
	assert_equal "$(jq -r .id <<< "$output" | sort | tr '\n' ' ')" "$(printf '%s\n' "$BP" "$BC" "$BC2" | sort | tr '\n' ' ')"
	run_ok as_bob session-bind list
	assert_equal "$(jq -r .id <<< "$output")" "$BS"
	# bob's own Wren and Melina, alice's are not in the way
	local w m
	w=$(as_bob persona create --name Wren --description "Bob's Wren." | jq -r .id)
	m=$(as_bob persona-import "$CARDS/melina.png" | jq -r .id)
	run_ok as_bob persona show Wren Melina
	assert_equal "$(jq -r .id <<< "$output" | tr '\n' ' ')" "$w $m "
	run_ok as_bob session-bind new --character Melina --persona Wren --no-greeting
	assert_equal "$(jq -c '[.character.id, .persona.id]' <<< "$output")" "[\"$m\",\"$w\"]"
	# and alice still has hers
	run_ok as_alice persona show Wren
	assert_equal "$(jq -r .id <<< "$output")" "$AP"
}

# --- rows forced with the sqlite3 command (psql) ----------------------------------------

# refused SQL WORDS: the sqlite3 command (psql) with the triggers and checks
# in place refuses SQL, WORDS in the error, and changes nothing
refused() {
	local before
	before=$(dump)
	db_sql_refused "$2" "$1"
	assert_output ""
	assert_equal "$(dump)" "$before"
}

@test "the store refuses a session bound to another user's persona or character, to two personas, to its own character" {
	refused "UPDATE chat_sessions SET active_custom_persona_id = '$BP' WHERE id = '$AS'" \
		'session binds an object of another user'
	refused "UPDATE chat_sessions SET active_custom_persona_id = NULL,
		active_impersonated_character_id = '$BC' WHERE id = '$AS'" 'session binds an object of another user'
	refused "UPDATE chat_sessions SET character_id = '$BC' WHERE id = '$AS'" \
		'session binds an object of another user'
	refused "UPDATE chat_sessions SET active_impersonated_character_id = '$AC2' WHERE id = '$AS'" \
		'CHECK constraint failed'
	refused "UPDATE chat_sessions SET active_custom_persona_id = NULL,
		active_impersonated_character_id = '$AC' WHERE id = '$AS'" 'CHECK constraint failed'
	refused "INSERT INTO chat_sessions (id, user_id, character_id, created_at, updated_at,
		active_custom_persona_id) SELECT '00000000-0000-7000-8000-000000000001', user_id,
		character_id, created_at, updated_at, '$BP' FROM chat_sessions WHERE id = '$AS'" \
		'session binds an object of another user'
	refused "UPDATE users SET default_persona_id = '$BP' WHERE username = 'alice'" \
		'default persona belongs to another user'
}

# forced SQL: SQL applied past the triggers and checks; then alice's
# commands that use the session refuse it: 77, nothing on stdout, the
# same words from both commands, and nothing stored
forced() {
	db_sql_unguarded chat_sessions chat_sessions_owner_update "$1"
	local before words="binds what it may not: refused" args
	before=$(dump)
	for args in "session-bind show" "session-bind persona" "session-log show" "session-log export"; do
		# shellcheck disable=SC2086
		run_err 77 "${args%% *}: session '$AS' $words" as_alice $args "$AS"
	done
	run_err 77 "session-bind: session '$AS' $words" as_alice session-bind show 'Tea at dusk'
	run_err 77 "session-log: session '$AS' $words" as_alice session-log show "$AS" --format text
	run_err 77 "session-log: session '$AS' $words" as_alice session-log append "$AS" <<< 'More.'
	# the list holds it, and switching or setting starts by reading it
	for args in "session-bind list" "session-bind clear $AS" "session-bind set $AS temperature=1" \
		"session-bind use-persona $AS Wren" "session-log delete $AS 1"; do
		# shellcheck disable=SC2086
		run_err 77 "${args%% *}: session '$AS' $words" as_alice $args
	done
	assert_equal "$(dump)" "$before"
	# bob gets nothing of it either
	run_err 66 "session-bind: no such session '$AS'" as_bob session-bind show "$AS"
}

@test "forced: alice's session bound to bob's persona is refused, 77" {
	forced "UPDATE chat_sessions SET active_custom_persona_id = '$BP' WHERE id = '$AS'"
}

@test "forced: alice's session impersonating bob's character is refused, 77" {
	forced "UPDATE chat_sessions SET active_custom_persona_id = NULL,
		active_impersonated_character_id = '$BC' WHERE id = '$AS'"
}

@test "forced: alice's session with both a persona and an impersonation is refused, 77" {
	forced "UPDATE chat_sessions SET active_impersonated_character_id = '$AC2' WHERE id = '$AS'"
}

@test "forced: alice's session impersonating its own character is refused, 77" {
	forced "UPDATE chat_sessions SET active_custom_persona_id = NULL,
		active_impersonated_character_id = '$AC' WHERE id = '$AS'"
}

@test "forced: alice's session with bob's character is refused, 77" {
	forced "UPDATE chat_sessions SET character_id = '$BC' WHERE id = '$AS'"
}

# --- lore -------------------------------------------------------------------------------

# alice's book Azkar ($AB) attached to her session; bob's book Oakleaf ($BB)
lore_books() {
	printf '{"entries": [{"keys": ["azkar"], "content": "Red stone."}]}' > "$BATS_TEST_TMPDIR/Azkar.json"
	printf '{"entries": [{"keys": ["oak"], "content": "Old bark."}]}' > "$BATS_TEST_TMPDIR/Oakleaf.json"
	AB=$(as_alice lore import "$BATS_TEST_TMPDIR/Azkar.json" | jq -r .id)
	BB=$(as_bob lore import "$BATS_TEST_TMPDIR/Oakleaf.json" | jq -r .id)
	as_alice lore attach Azkar --session "$AS" > /dev/null
	[[ $AB =~ ^[0-9a-f-]{36}$ && $BB =~ ^[0-9a-f-]{36}$ ]] || fail "lore_books: '$AB' '$BB'"
}

@test "lore: alice's book is not there for bob, by id, prefix or name, for any verb" {
	lore_books
	local r
	for r in "$AB" "${AB:0:35}" Azkar azkar; do
		hidden "$r" '' lore show @@
		hidden "$r" '' lore show --full Oakleaf @@
		hidden "$r" '' lore update @@ --set token_budget=5
		hidden "$r" '{"description": "mine"}' lore update @@
		hidden "$r" '' lore delete @@
		hidden "$r" '' lore export @@
		hidden "$r" '' lore export --format st @@
		hidden "$r" '' lore attach @@ --global
		hidden "$r" '' lore attach @@ --session 'A walk'
		hidden "$r" '' lore detach @@ --session "$AS"
	done
	run_ok as_bob lore list
	assert_equal "$(jq -r .name <<< "$output")" Oakleaf
}

@test "lore: bob cannot attach his book to alice's session, persona or character, nor copy her card's book" {
	lore_books
	local r
	for r in "$AS" "${AS:0:35}" 'Tea at dusk'; do
		hidden "$r" '' lore attach Oakleaf --session @@
		hidden "$r" '' lore detach Oakleaf --session @@
	done
	for r in "$AP" "${AP:0:35}" Wren; do
		hidden "$r" '' lore attach Oakleaf --persona @@
	done
	for r in "$AC" "${AC:0:35}" Melina; do
		hidden "$r" '' lore attach Oakleaf --character @@
		hidden "$r" '' lore import --from-card @@
	done
	assert_equal "$(db_sql "SELECT count(*) FROM lore_bindings WHERE user_id = '$(user_id bob)'")" 0
}

@test "lore: the store refuses a binding of another user's book or to another user's object" {
	lore_books
	local a b
	a=$(user_id alice)
	b=$(user_id bob)
	refused "INSERT INTO lore_bindings (book_id, user_id, created_at) VALUES ('$BB', '$a', 't')" \
		'lore binding binds an object of another user'
	refused "INSERT INTO lore_bindings (book_id, user_id, session_id, created_at) VALUES ('$AB', '$a', '$BS', 't')" \
		'lore binding binds an object of another user'
	refused "INSERT INTO lore_bindings (book_id, user_id, persona_id, created_at) VALUES ('$AB', '$a', '$BP', 't')" \
		'lore binding binds an object of another user'
	refused "INSERT INTO lore_bindings (book_id, user_id, character_id, created_at) VALUES ('$AB', '$a', '$BC', 't')" \
		'lore binding binds an object of another user'
	refused "INSERT INTO lore_bindings (book_id, user_id, created_at) VALUES ('$AB', '$b', 't')" \
		'lore binding binds an object of another user'
	refused "UPDATE lore_bindings SET book_id = '$BB' WHERE book_id = '$AB'" \
		'lore binding binds an object of another user'
	refused "UPDATE lore_bindings SET session_id = '$BS' WHERE book_id = '$AB'" \
		'lore binding binds an object of another user'
	refused "UPDATE lorebooks SET user_id = '$b' WHERE id = '$AB'" \
		'lore binding binds an object of another user'
	refused "INSERT INTO lore_bindings (book_id, user_id, session_id, persona_id, created_at)
		VALUES ('$AB', '$a', '$AS', '$AP', 't')" 'CHECK constraint failed'
}

@test "lore: a binding of bob's book forced into alice's session is refused when used, 77; bob's book stays his" {
	lore_books
	db_sql_unguarded lore_bindings lore_bindings_owner_insert \
		"INSERT INTO lore_bindings (book_id, user_id, session_id, created_at)
		VALUES ('$BB', '$(user_id alice)', '$AS', 't')"
	run_err 77 "test-tool: the lorebooks of session '$AS' bind what they may not: refused" \
		as_alice test-tool lore-attached session "$AS"
	run_ok as_bob lore show Oakleaf
	assert_equal "$(jq -c .attached <<< "$output")" '[]'
	run_ok as_alice lore list
	assert_equal "$(jq -r .name <<< "$output")" Azkar
	run_err 66 "lore: no such lorebook '$BB'" as_alice lore export "$BB"
}
