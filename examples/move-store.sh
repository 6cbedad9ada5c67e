#!/bin/sh
# A user moved between stores and back: from the SQLite file to another
# store (here a second file; a PostgreSQL URI such as
# postgresql://db.example/guise is given the same way), with every card,
# persona, book, session, message and swipe, ids included; then back. The
# same passphrase opens it there; the record carries a new recovery key.
set -eu
# shellcheck source=examples/sandbox.sh
. "$(dirname "$0")/sandbox.sh"
export GUISE_PASSPHRASE_FILE="$tmp/passphrase"
home=$GUISE_DB
other="$tmp/other.db"

echo "# alice, with a persona, a character and a chat"
persona-encrypt init -u alice > /dev/null
made WREN persona create --default --name Wren --description 'A quiet cartographer.'
made SERA persona create --character --name Sera --description 'A guardian of the glade.' \
	--set 'first_mes=Welcome, {{user}}.'
made S session-bind new --character Sera --title 'In the glade' > /dev/null
S=$id
echo 'Where am I?' | session-log append "$S" > /dev/null
session-log show "$S" --format text

echo "# moved: the counts of what went across (the recovery key is new there)"
persona-encrypt move --to "$other" |
	jq -c '{kind, username, moved, source, recovery_key: (.recovery_key | length > 0)}'

echo "# the source has no alice now; the other store has all of her, same ids"
persona list 2>&1 || true
GUISE_DB=$other session-bind list | jq -c '{id, title, persona: .persona.name, messages}' | tidy
GUISE_DB=$other session-log show "$S" --format text

echo "# and back again"
GUISE_DB=$other persona-encrypt move --to "$home" | jq -c '{kind, moved, source}'
persona list | tidy
