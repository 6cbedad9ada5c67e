#!/bin/sh
# Personas switched in the middle of a chat, against a throwaway database:
# a custom persona made the default, a session that starts with it, then
# the user plays another character, then nobody, then the persona again.
# Each message keeps the persona it was written as. The character is a real
# V2 PNG card from tests/data/cards-aicharlib (see its LICENSE).
set -eu
# The set-up every example shares: $top, a throwaway database in $tmp, a
# demo passphrase in $tmp/passphrase; tidy and made for output that is the
# same on every run.
# shellcheck source=examples/sandbox.sh
. "$(dirname "$0")/sandbox.sh"

echo "# alice, unlocked once for the whole walkthrough"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt init -u alice > /dev/null
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt unlock -q --timeout 5m > /dev/null

echo "# a character from a card, and a second one made from flags"
mkdir "$tmp/cards"
cp "$top/tests/data/cards-aicharlib/melina.png" "$tmp/cards/"
cd "$tmp"
made MELINA persona-import cards/melina.png
made KESTREL persona create --character --name Kestrel \
	--description 'A falconer of few words.'

echo "# a custom persona from YAML on stdin, made the default"
made WREN persona create <<'EOF'
name: Wren
description: A quiet cartographer who maps the edges of the world.
personality: patient, dry, curious
EOF
persona set-default Wren | tidy

echo "# a session with Melina: the default persona is bound, her greeting is message 1"
made SESSION session-bind new --character Melina --title 'At the campfire'
S=$id

echo "# Wren speaks"
echo 'I accept your accord, if you tell me where it leads.' |
	session-log append "$S" | jq -c '{seq, role, speaker}' | tidy

echo "# now alice plays Kestrel instead, mid-chat"
session-bind impersonate "$S" Kestrel | jq -c .persona | tidy
echo 'Kestrel steps out of the trees, a hawk on her glove.' |
	session-log append "$S" | jq -c '{seq, role, speaker}' | tidy

echo "# then nobody in particular"
session-bind clear "$S" | jq -c .persona
echo 'Is anyone else out here?' |
	session-log append "$S" | jq -c '{seq, role, speaker}'

echo "# and Wren again; her details, as the session sees them"
session-bind use-persona "$S" Wren | jq -c .persona | tidy
session-bind persona "$S" | jq -c '{kind, name, description: .data.description, default}'
echo 'It is only me, Wren.' |
	session-log append "$S" | jq -c '{seq, role, speaker}' | tidy

echo "# the transcript, the long greeting cut short"
session-log show "$S" --format text |
	awk '{ print (length($0) > 64 ? substr($0, 1, 60) "..." : $0) }'

echo "# who spoke as whom: switching never rewrote an earlier message"
session-log show "$S" |
	jq -r '"\(.seq) \(.role) \(.speaker.kind) \(.speaker.name // "-")"'
