#!/bin/sh
# The LLM request for a chat, rendered as the persona changes, against a
# throwaway database: a custom persona, then another character the user
# plays, then nobody. The request says who the model is talking to each
# time, and the history stays as it was written. The character is a real
# V2 PNG card from tests/data/cards-aicharlib (see its LICENSE).
set -eu
# The set-up every example shares: $top, a throwaway database in $tmp, a
# demo passphrase in $tmp/passphrase; tidy and made for output that is the
# same on every run.
# shellcheck source=examples/sandbox.sh
. "$(dirname "$0")/sandbox.sh"

# block: the persona block at the end of the story string (the request's
# first message), from its opening line on; nothing if there is none.
block() {
	jq -r '.messages[0].content' |
		awk '/^\[(.* is the person you are talking to|The user is playing )/ { on = 1 } on'
}
# short: a transcript with each line cut to 60 characters.
short() {
	awk '{ print (length($0) > 64 ? substr($0, 1, 60) "..." : $0) }'
}

echo "# alice, unlocked once for the whole walkthrough"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt init -u alice > /dev/null
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt unlock -q --timeout 5m > /dev/null

echo "# Melina from her card, and Kestrel, a character alice will play"
mkdir "$tmp/cards"
cp "$top/tests/data/cards-aicharlib/melina.png" "$tmp/cards/"
cd "$tmp"
made MELINA persona-import cards/melina.png
made KESTREL persona create --character --name Kestrel \
	--description 'A falconer of few words, sworn to guard {{user}}.'

echo "# Wren, a custom persona"
made WREN persona create <<'EOF'
name: Wren
description: A quiet cartographer who maps the edges of the world.
personality: patient, dry, curious
EOF

echo "# a session with Melina as Wren; her greeting is message 1, then Wren speaks"
made SESSION session-bind new --character Melina --persona Wren --title 'At the campfire' > "$tmp/session"
S=$id
jq -c '{title, character, persona, messages}' "$tmp/session"
echo 'I accept your accord, if you tell me where it leads.' |
	session-log append "$S" | jq -c '{seq, role, speaker: .speaker.name}'

echo "# the request as Wren: who the model talks to, and Wren's block in the story string"
prompt-render -s "$S" -m 'Where do we ride first?' > "$tmp/request.json"
jq -c '.guise | {session, user, pending, persona}' "$tmp/request.json" | tidy
block < "$tmp/request.json"

echo "# alice plays Kestrel now: her block, and in her card {{user}} is Melina"
session-bind impersonate "$S" Kestrel | jq -c .persona | tidy
prompt-render -s "$S" -m 'Where do we ride first?' > "$tmp/request.json"
jq -c .guise.persona "$tmp/request.json" | tidy
block < "$tmp/request.json"

echo "# nobody in particular: no block at all, and {{user}} is alice"
session-bind clear "$S" | jq -c .persona
prompt-render -s "$S" -m 'Where do we ride first?' > "$tmp/request.json"
jq -c .guise.persona "$tmp/request.json"
block < "$tmp/request.json"
jq -r '.messages[0].content | split("\n")[0]' "$tmp/request.json"

echo "# the whole prompt to read, the new message from stdin, long lines cut short"
echo 'Where do we ride first?' | prompt-render -s "$S" --format text | short

echo "# what the budget kept: all of it at the default 8192 tokens; Melina's"
echo "# second example block has no '{{user}}:' or '{{char}}:' turns, so only one is sent"
prompt-render -s "$S" | jq -c .guise.budget
echo "# a smaller context: the example chat goes first, then the oldest history"
session-bind set "$S" context_tokens=700 > /dev/null
prompt-render -s "$S" | jq -c .guise.budget
session-bind set "$S" context_tokens=500 > /dev/null
prompt-render -s "$S" | jq -c .guise.budget
echo "# too small for what is never dropped: an error that says by how much"
session-bind set "$S" context_tokens=400 > /dev/null
prompt-render -s "$S" 2>&1 || echo "exit status $?"
