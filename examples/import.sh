#!/bin/sh
# A directory of cards kept in step with the store by make
# (examples/import/Makefile), against a throwaway database: each card is
# imported once, and again only when it changes. Two of the cards are real
# V2 PNG cards from tests/data/cards-aicharlib (see its LICENSE), the third
# a text-generation-webui YAML card written here.
set -eu
# The set-up every example shares: $top, a throwaway database in $tmp, a
# demo passphrase in $tmp/passphrase; tidy and made for output that is the
# same on every run.
# shellcheck source=examples/sandbox.sh
. "$(dirname "$0")/sandbox.sh"
# This make runs as if typed at a shell, not as part of one that runs us.
unset MAKEFLAGS MFLAGS MAKELEVEL
run_make() { make --no-print-directory -C "$tmp" -f "$top/examples/import/Makefile" "$@"; }

echo "# alice, unlocked once for every import make runs"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt init -u alice > /dev/null
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt unlock -q --timeout 5m > /dev/null

mkdir "$tmp/cards"
cp "$top/tests/data/cards-aicharlib/alpin_dale.png" \
	"$top/tests/data/cards-aicharlib/melina.png" "$tmp/cards/"
printf 'name: Kestrel\ncontext: A falconer of few words.\ngreeting: Hold still.\n' \
	> "$tmp/cards/kestrel.yaml"

echo "# the first run imports every card, four at a time"
run_make -s -j4

echo "# the second has nothing to do"
run_make

echo "# a touched card is imported again, and only it: the same card, unchanged"
touch "$tmp/cards/melina.png"
run_make -s -j4

echo "# an edited card replaces its row (--on-conflict replace): updated, same id"
printf 'name: Kestrel\ncontext: A falconer of few words, fewer smiles.\ngreeting: Hold still.\n' \
	> "$tmp/cards/kestrel.yaml"
run_make -s -j4

echo "# out again as a PNG card, which imports as the very same card"
persona-export --format png -o "$tmp/melina.png" Melina
cd "$tmp"
persona-import melina.png
