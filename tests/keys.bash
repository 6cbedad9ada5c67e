# Helpers for the key suites (2xxx): users made cheaply, passphrases from
# files, rows with encrypted fields made through the library.
# shellcheck shell=bash
load common

PASS1=$BATS_TEST_TMPDIR/pass1
PASS2=$BATS_TEST_TMPDIR/pass2

keys_setup() {
	common_setup
	printf 'correct horse\n' > "$PASS1"
	printf 'battery staple\n' > "$PASS2"
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	mkdir -p "$XDG_RUNTIME_DIR"
	chmod 700 "$XDG_RUNTIME_DIR"
}

# keys_setup, then the user alice, whose passphrase file commands read.
keys_setup_alice() {
	keys_setup
	new_user alice
	export GUISE_PASSPHRASE_FILE=$PASS1
}

# card_fixtures_make: the fixtures of tests/helpers/make-card-fixtures.bash
# in $BATS_FILE_TMPDIR, once a file (for setup_file)
card_fixtures_make() {
	"$TOP/tests/helpers/make-card-fixtures.bash" "$BATS_FILE_TMPDIR"
}

# keys_setup_alice, with F the made fixtures and CARDS the real cards of
# tests/data/cards-aicharlib
# shellcheck disable=SC2034 # F and CARDS are for the suites
card_fixtures_setup() {
	keys_setup_alice
	F=$BATS_FILE_TMPDIR
	CARDS=$DATA/cards-aicharlib
}

# Lock every user of the test's database, so no keyring entry outlives it.
keys_teardown() {
	local u
	store_exists || return 0
	for u in $(db_sql 'SELECT username FROM users' 2>/dev/null); do
		persona-encrypt lock -u "$u" > /dev/null 2>&1 || true
	done
}

# new_user NAME [PASSFILE]: init, the record on $BATS_TEST_TMPDIR/NAME.json
new_user() {
	GUISE_PASSPHRASE_FILE=${2:-$PASS1} persona-encrypt init -u "$1" \
		> "$BATS_TEST_TMPDIR/$1.json"
}

user_id() { db_sql "SELECT id FROM users WHERE username = '$1'"; }

# character ROW USER: a bare character row, by hand
character() {
	db_sql "INSERT INTO characters (id, user_id, created_at, updated_at)
		VALUES ('$1', '$(user_id "$2")', 't', 't')"
}

# put USER ROW COLUMN TEXT: an encrypted field, through the library
put() {
	printf '%s' "$4" | GUISE_PASSPHRASE_FILE=$PASS1 test-tool vault-put -u "$1" characters "$3" "$2"
}

# hex of a column of a character row
col_hex() { db_sql "SELECT $(db_hex "$2") FROM characters WHERE id = '$1'"; }
