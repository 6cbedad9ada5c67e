#!/usr/bin/env bats
# persona-encrypt move (issue 17, DESIGN.md §5 "A shared store"): a user
# and everything they own moved to another store and back, ids and all, so
# that everything they see is the same; the same passphrase opens it there.
# The other store is a second SQLite file whatever GUISE_TEST_STORE says
# (so under pg the moves are PostgreSQL to SQLite and back), and a second
# store of the test's own kind (another file; another database).

load lore

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	lore_setup
	export ANTHROPIC_API_KEY=$CANARY
	SRC=$GUISE_DB
	FILE=$BATS_TEST_TMPDIR/other.db
}

teardown() {
	GUISE_DB=$FILE keys_teardown
	lore_teardown
}

# as DB CMD...: CMD against the store DB
as() { GUISE_DB=$1 "${@:2}"; }

# keyed ID ORDER KEY STICKY CONTENT: an entry fired by KEY, sticky STICKY
keyed() { entry "$1" "$2" "{\"position\": 0, \"sticky\": $4}" "$5" "{\"constant\": false, \"keys\": [\"$3\"]}"; }

# build: alice with one of everything, and bob beside her (who stays):
# characters (one a real card with its image, one with a book and
# greetings), personas (one the default), a session with a custom persona,
# settings and an author's note, one impersonating, one with none;
# messages, a swipe made current, a recorded turn with lore's timed state;
# a book attached to a session, a persona, a character and globally
build() {
	new_user bob
	GUISE_USER=bob mkpersona Bo > /dev/null
	export GUISE_USER=alice
	MELINA=$(import_card "$CARDS/melina.png")
	SERA=$(lorechar Sera "$(book Glade "$(keyed 1 10 lantern 9 'Lantern lore.')")" \
		'{"alternate_greetings": ["*Sera waves.* Over here!"]}')
	WREN=$(mkpersona Wren --default)
	ASH=$(mkpersona Ash)
	S1=$(mksession --character Sera --persona Wren --title Glade --set provider=anthropic \
		--set model=m-1 --set temperature=0.5 --set note='Keep it short.' --set note_depth=2)
	S2=$(mksession --character Melina --impersonate Sera)
	S3=$(mksession --character Melina --no-persona --no-greeting)
	session-bind use-persona "$S2" Ash > /dev/null 2>&1 || true
	session-bind impersonate "$S2" Sera > /dev/null
	session-log swipe "$S1" 1 1 > /dev/null
	echo 'Hello.' | session-log append "$S3" > /dev/null
	session-bind set "$S1" lore_scan_depth=1 > /dev/null
	fake_start "$(script "$(streamf anthropic_stream)")"
	prompt-render -s "$S1" -m 'Light the lantern' > "$BATS_TEST_TMPDIR/r.json"
	llm-send --record --url "$FAKE_URL" "$BATS_TEST_TMPDIR/r.json" > /dev/null
	printf '%s' '{"entries": {"0": {"uid": 0, "key": ["owl"], "content": "Owls.", "constant": true}}}' \
		> "$BATS_TEST_TMPDIR/owls.json"
	lore import --name Owls "$BATS_TEST_TMPDIR/owls.json" > /dev/null
	lore attach Owls --session "$S1" > /dev/null
	lore attach Owls --persona Ash > /dev/null
	lore attach Owls --character Melina > /dev/null
	lore attach Owls --global > /dev/null
}

# seen: everything alice sees, as the commands print it
seen() {
	local s
	persona-encrypt users | jq -c 'select(.username == "alice")'
	persona list --all
	persona show --persona Wren Ash
	persona show --character Sera Melina
	persona-export --character Melina --format png | sha256sum
	lore list
	lore show --full Owls
	session-bind list
	for s in "$S1" "$S2" "$S3"; do
		session-bind show "$s"
		session-bind persona "$s"
		session-log show "$s"
		session-log swipes "$s" 1 2> /dev/null || true
		prompt-render -s "$s" -m 'An owl and a lantern' --seed 7
	done
}

# moved_ok RECORD-LINE: a move's record, its counts those of build
moved_ok() {
	assert_equal "$(jq -c '[.kind, .username, .moved, .source, .dry_run]' <<< "$1")" \
		'["user_moved","alice",{"characters":2,"personas":2,"sessions":3,"messages":5,"swipes":1,"books":1,"attachments":4},"deleted",false]'
}

@test "move to another store and back: everything alice sees is the same, ids included" {
	build
	before=$(seen)
	run_ok persona-encrypt move --to "$FILE"
	moved_ok "$output"
	[[ $(jq -r .recovery_key <<< "$output") =~ ^[A-Z2-7]{4}(-[A-Z2-7]{4}){12}$ ]]
	# gone from the source, bob stays there
	run_err 66 "persona: no such user 'alice'" persona list
	assert_equal "$(GUISE_USER=bob persona list | jq -r .name)" Bo
	assert_equal "$(as "$FILE" seen)" "$before"
	# and back, into the store bob is in
	run_ok as "$FILE" persona-encrypt move --to "$SRC"
	moved_ok "$output"
	assert_equal "$(seen)" "$before"
	run_err 66 "persona: no such user 'alice'" as "$FILE" persona list
	# the chat goes on where it was: the lore's timed state came along
	run_ok prompt-render -s "$S1" -m 'Go on'
	assert_equal "$(jq -r '.guise.lore.fired[] | select(.book == "Glade") | .why' <<< "$output")" \
		"sticky until message 11"
}

@test "move to a second store of the test's own kind (a file; a PostgreSQL database) and back" {
	build
	before=$(seen)
	store_new second
	OTHER=$GUISE_DB
	GUISE_DB=$SRC
	run_ok persona-encrypt move --to "$OTHER"
	moved_ok "$output"
	assert_equal "$(as "$OTHER" seen)" "$before"
	run_ok as "$OTHER" persona-encrypt move --to "$SRC"
	assert_equal "$(seen)" "$before"
}

@test "the target opens with the same passphrase; a new recovery key there, or the old one kept" {
	local old new
	old=$(jq -r .recovery_key "$BATS_TEST_TMPDIR/alice.json")
	mkpersona Wren > /dev/null
	run_ok persona-encrypt move --to "$FILE"
	new=$(jq -r .recovery_key <<< "$output")
	[[ $new != "$old" ]]
	run_err 77 "persona: wrong passphrase for user 'alice'" \
		env GUISE_PASSPHRASE_FILE="$PASS2" GUISE_DB="$FILE" persona list
	run_ok as "$FILE" persona list
	assert_equal "$(jq -r .name <<< "$output")" Wren
	# the new key recovers there, the old one does not
	printf '%s\n' "$old" > "$BATS_TEST_TMPDIR/old.key"
	printf '%s\n' "$new" > "$BATS_TEST_TMPDIR/new.key"
	run_err 77 "persona-encrypt: wrong recovery key for user 'alice'" as "$FILE" \
		persona-encrypt recover --recovery-key-file "$BATS_TEST_TMPDIR/old.key" --new-passphrase-file "$PASS2"
	# back with --recovery-key-file: the key given is checked, then kept
	run_err 77 "persona-encrypt: wrong recovery key for user 'alice'" as "$FILE" \
		persona-encrypt move --to "$SRC" --recovery-key-file "$BATS_TEST_TMPDIR/old.key"
	run_ok as "$FILE" persona-encrypt move --to "$SRC" --recovery-key-file "$BATS_TEST_TMPDIR/new.key"
	[[ $output != *recovery_key* ]]
	run_ok persona-encrypt recover --recovery-key-file "$BATS_TEST_TMPDIR/new.key" --new-passphrase-file "$PASS2"
	run_ok env GUISE_PASSPHRASE_FILE="$PASS2" persona list
}

@test "--keep leaves the source as it was; a dry run writes to neither store" {
	local src_print file_print
	build
	run_ok persona-encrypt move --to "$FILE" -n
	assert_equal "$(jq -c '[.source, .dry_run, has("recovery_key")]' <<< "$output")" '["deleted",true,false]'
	[[ ! -e $FILE ]] || [[ $(sqlite3 "$FILE" 'SELECT count(*) FROM users') == 0 ]]
	src_print=$(store_fingerprint)
	run_ok persona-encrypt move --to "$FILE" --keep
	assert_equal "$(jq -r .source <<< "$output")" kept
	assert_equal "$(store_fingerprint)" "$src_print"
	assert_equal "$(as "$FILE" persona list | jq -r .name)" "$(persona list | jq -r .name)"
}

@test "a target that has the user already is refused (65) before anything is written" {
	mkpersona Wren > /dev/null
	as "$FILE" new_user alice
	before=$(sha256sum < "$FILE")
	src_print=$(store_fingerprint)
	run_err 65 "persona-encrypt: --to: user 'alice' exists in the target store: nothing moved" \
		persona-encrypt move --to "$FILE"
	assert_equal "$(sha256sum < "$FILE")" "$before"
	assert_equal "$(store_fingerprint)" "$src_print"
}

@test "a move that fails half-way leaves no part of the user in the target, and the source whole" {
	build
	src_print=$(store_fingerprint)
	# bob in the target holds a character with the id of one of alice's
	as "$FILE" new_user bob
	sqlite3 "$FILE" "INSERT INTO characters (id, user_id, created_at, updated_at)
		VALUES ('$SERA', (SELECT id FROM users WHERE username = 'bob'), 't', 't')"
	run -65 --separate-stderr persona-encrypt move --to "$FILE"
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: characters '$SERA': database '$FILE': UNIQUE constraint failed: characters.id"
	assert_equal "$(sqlite3 "$FILE" 'SELECT username FROM users')" bob
	assert_equal "$(sqlite3 "$FILE" 'SELECT count(*) FROM user_personas')" 0
	assert_equal "$(store_fingerprint)" "$src_print"
	# a field that does not open in the source: caught before the target commits
	sqlite3 "$FILE" "DELETE FROM characters WHERE id = '$SERA'"
	db_sql "UPDATE chat_sessions SET title = $(db_blob 00) WHERE id = '$S1'"
	src_print=$(store_fingerprint)
	run -65 --separate-stderr persona-encrypt move --to "$FILE"
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: chat_sessions '$S1' title: unknown ciphertext format version 0: nothing moved (run 'persona-encrypt verify' on the source)"
	assert_equal "$(sqlite3 "$FILE" 'SELECT username FROM users')" bob
	assert_equal "$(sqlite3 "$FILE" 'SELECT count(*) FROM characters')" 0
	assert_equal "$(store_fingerprint)" "$src_print"
}

@test "every column of every table the user owns goes across" {
	build
	run -0 --separate-stderr persona-encrypt move --to "$FILE" -v
	for t in characters user_personas chat_sessions chat_messages chat_swipes lorebooks lore_bindings; do
		n=$(sqlite3 "$FILE" "SELECT count(*) FROM pragma_table_info('$t')")
		[[ $stderr == *"persona-encrypt: $t: "*" rows of $n columns"* ]] || fail "$t: $n columns: $stderr"
	done
}

@test "bad moves: located errors with their exit statuses, nothing written" {
	mkpersona Wren > /dev/null
	run -64 --separate-stderr persona-encrypt move
	assert_output ""
	assert_equal "${stderr_lines[0]}" "persona-encrypt: move: name the target store with --to"
	run -64 --separate-stderr persona-encrypt move --to ''
	assert_equal "${stderr_lines[0]}" "persona-encrypt: --to: empty"
	run -64 --separate-stderr persona-encrypt move --to "$SRC"
	assert_equal "${stderr_lines[0]}" "persona-encrypt: --to: user 'alice' is in that store already"
	run_err 66 "persona-encrypt: no such user 'carol'" persona-encrypt move -u carol --to "$FILE"
	run_err 77 "persona-encrypt: wrong passphrase for user 'alice'" \
		env GUISE_PASSPHRASE_FILE="$PASS2" persona-encrypt move --to "$FILE"
	printf 'not a database, only text\n%.0s' {1..200} > "$BATS_TEST_TMPDIR/text.db"
	run -78 --separate-stderr persona-encrypt move --to "$BATS_TEST_TMPDIR/text.db"
	assert_output ""
	[[ $stderr == "persona-encrypt: --to: "* ]] || fail "$stderr"
	run -64 --separate-stderr persona-encrypt move --to 'postgresql://me:secret@%zz/db'
	assert_output ""
	[[ $stderr == "persona-encrypt: --to: "* && $stderr != *secret* ]] || fail "$stderr"
	# alice is still where she was, with her persona
	assert_equal "$(persona list | jq -r .name)" Wren
}
