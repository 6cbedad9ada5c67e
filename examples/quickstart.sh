#!/bin/sh
# The main job of guise, end to end, against a throwaway database (make
# demo runs this): a user, a character card, a persona, a chat session, the
# request for the next turn rendered and sent, a switch to another
# character in the middle of the chat, a second turn, and the transcript.
#
# With $GUISE_LLM_URL set, each turn goes to that provider and is recorded
# (set $GUISE_PROVIDER, $GUISE_MODEL and the key as llm-send(1) says, e.g.
# GUISE_LLM_URL=http://localhost:11434 GUISE_PROVIDER=ollama GUISE_MODEL=llama3).
# Without it, `llm-send --dry-run` shows the HTTP request that would be sent
# (long lines cut short), and only the user's lines are recorded.
# The character is a real V2 PNG card from tests/data/cards-aicharlib (see
# its LICENSE).
set -eu
# The set-up every example shares: $top, a throwaway database in $tmp, a
# demo passphrase in $tmp/passphrase; tidy and made for output that is the
# same on every run.
# shellcheck source=examples/sandbox.sh
. "$(dirname "$0")/sandbox.sh"

# short: each line cut to 60 characters.
short() {
	awk '{ print (length($0) > 64 ? substr($0, 1, 60) "..." : $0) }'
}
# http: an http-request record (llm-send --dry-run) as HTTP is written: the
# request line, the headers, then the body without its messages, and each
# message on a line of its own, cut to 60 characters.
http() {
	jq -r '"\(.method) \(.url)",
		(.headers | to_entries[] | "\(.key): \(.value)"),
		"",
		(.body | del(.messages) | tojson),
		(.body.messages[] | "  \(.role): " + (.content | gsub("\n"; " ") |
			if length > 60 then .[:60] + "..." else . end))'
}
# send: the request on stdin to the provider, recorded in the session; or,
# with no provider set, the HTTP request it would be, and the user's line
# recorded by hand.
send() {
	if [ -n "${GUISE_LLM_URL:-}" ]; then
		llm-send --record --text
	else
		tee "$tmp/request.json" | llm-send --dry-run -m "${GUISE_MODEL:-gpt-4o-mini}" | http
		jq -r .guise.pending.content "$tmp/request.json" |
			session-log append "$S" > /dev/null
	fi
}

echo "# a user and her keys (the recovery key is printed once: keep it)"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt init -u alice -y |
	sed -n -e 's/^recovery_key: .*/recovery_key: (printed once, shown here elided)/p' \
		-e '/^\(kind\|username\|account_status\):/p'

echo "# unlock once: the key waits in the kernel keyring for the pipeline"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt unlock --timeout 5m | tidy

echo "# a character card, imported and encrypted"
mkdir "$tmp/cards"
cp "$top/tests/data/cards-aicharlib/melina.png" "$tmp/cards/"
cd "$tmp"
made MELINA persona-import cards/melina.png

echo "# Wren, alice's own persona, the default for new chats"
made WREN persona create --default --name Wren \
	--description 'A quiet cartographer who maps the edges of the world.'
echo "# and Kestrel, a character alice will play later"
made KESTREL persona create --character --name Kestrel \
	--description 'A falconer of few words, sworn to guard {{user}}.'

echo "# a session with Melina: Wren is bound, Melina's greeting is message 1"
made SESSION session-bind new --character Melina --title 'At the campfire' > "$tmp/session"
S=$id
jq -c '{title, character, persona, messages}' "$tmp/session" | tidy

echo "# Wren speaks: the request says who the model is talking to"
echo 'Where does your accord lead?' | prompt-render -s "$S" > "$tmp/turn.json"
jq -c '.guise | {pending, persona}' "$tmp/turn.json" | tidy
jq -r '.messages[0].content' "$tmp/turn.json" | grep -A 2 '^\[Wren is'

echo "# sent to the provider (with no GUISE_LLM_URL: the HTTP request it would be)"
send < "$tmp/turn.json"

echo "# alice plays Kestrel now, in the middle of the chat"
session-bind impersonate "$S" Kestrel | jq -c .persona | tidy

echo "# Kestrel speaks: the request now tells the model about Kestrel"
echo 'Kestrel lifts the hawk from her glove.' | prompt-render -s "$S" > "$tmp/turn.json"
jq -c '.guise | {pending, persona}' "$tmp/turn.json" | tidy
jq -r '.messages[0].content' "$tmp/turn.json" | grep -A 2 '^\[The user is playing'
send < "$tmp/turn.json"

echo "# the transcript: each line under the persona it was written as"
session-log show "$S" --format text | short

echo "# lock: the key is gone, and commands fail closed"
persona-encrypt lock | tidy
prompt-render -s "$S" -m 'Hello?' 2>&1 || echo "exit status $?"
