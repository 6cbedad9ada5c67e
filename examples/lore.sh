#!/bin/sh
# Lorebooks, against a throwaway database: a SillyTavern World Info file
# imported, a book written in YAML, both attached (one to every chat, one
# to a character), a book patched, the lore a message calls for in a
# chat's prompt (with the report of why), and the World Info file given
# back as it came in. The World Info file is tests/data/lore/world-info.json (ours).
set -eu
# shellcheck source=examples/sandbox.sh
. "$(dirname "$0")/sandbox.sh"

echo "# alice, unlocked once for the whole walkthrough"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt init -u alice > /dev/null
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt unlock -q --timeout 5m > /dev/null
cp "$top/tests/data/lore/world-info.json" "$tmp/Azkar.json"
cd "$tmp"

echo "# a SillyTavern World Info file: the book is named after its file"
made AZKAR lore import Azkar.json
echo "# the same file again is unchanged"
lore import Azkar.json | tidy

echo "# a book written by hand in YAML, on standard input"
made HARBOUR lore import --name Harbour <<'EOF2'
entries:
  - keys: [harbour, docks]
    content: The harbour freezes every winter.
    insertion_order: 5
    enabled: true
EOF2

echo "# Azkar for every chat, Harbour for Kestrel only"
made KESTREL persona create --character --name Kestrel --description 'A falconer of few words.'
lore attach Azkar --global | tidy
lore attach Harbour --character Kestrel | tidy
lore list | tidy

echo "# a patch: the harbour book gets a token budget"
lore update Harbour --set token_budget=300 | tidy
lore show --full Harbour | jq -c .book

echo "# a chat with Kestrel: what the new message names enters the prompt, and the report says why"
S=$(session-bind new --character Kestrel --no-persona | jq -r .id)
echo 'Is Azkar far from the docks?' | prompt-render -s "$S" |
	jq -c '.guise.lore.fired[] | [.book, .entry, .why]'

echo "# exported as World Info, the entries are the ones that came in"
lore export Azkar --format st > Azkar-again.json
jq -S .entries Azkar.json > a.json
jq -S .entries Azkar-again.json > b.json
cmp a.json b.json && echo "same entries"
