#!/bin/sh
# The model writes both sides of a chat, against a throwaway database:
# for each of N turns (the first argument, 2 by default) a draft of Wren's
# next message (prompt-render --draft) recorded as hers, then Melina's
# reply recorded; then the last reply regenerated as a second swipe, and
# continued. The transcript shows who spoke each line.
#
# It needs a provider: set $GUISE_LLM_URL (and $GUISE_PROVIDER,
# $GUISE_MODEL and the key as llm-send(1) says, e.g.
# GUISE_LLM_URL=http://localhost:11434 GUISE_PROVIDER=ollama GUISE_MODEL=llama3).
# Without it, the request for the first draft is shown and nothing is sent.
# The character is a real V2 PNG card from tests/data/cards-aicharlib (see
# its LICENSE).
set -eu
# shellcheck source=examples/sandbox.sh
. "$(dirname "$0")/sandbox.sh"
turns=${1:-2}

# short: each line cut to 60 characters.
short() {
	awk '{ print (length($0) > 64 ? substr($0, 1, 60) "..." : $0) }'
}

echo "# alice, Wren, and a session with Melina"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt init -u alice > /dev/null
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt unlock -q --timeout 5m > /dev/null
persona-import "$top/tests/data/cards-aicharlib/melina.png" > /dev/null
persona create --default --name Wren \
	--description 'A quiet cartographer who maps the edges of the world.' > /dev/null
S=$(session-bind new --character Melina --title 'Self-play' | jq -r .id)

echo "# the request for Wren's next message ends with what to write"
prompt-render -s "$S" --draft < /dev/null > "$tmp/draft.json"
jq -c '.guise | {mode, draft, persona: .persona.name}' "$tmp/draft.json"
jq -r '.messages[-1].content' "$tmp/draft.json"
if [ -z "${GUISE_LLM_URL:-}" ]; then
	echo "# no GUISE_LLM_URL: nothing sent"
	exit 0
fi

i=0
while [ "$i" -lt "$turns" ]; do
	i=$((i + 1))
	echo "# turn $i: Wren, drafted by the model and recorded as hers"
	prompt-render -s "$S" --draft < /dev/null | llm-send --record --text
	echo "# turn $i: Melina answers"
	prompt-render -s "$S" < /dev/null | llm-send --record --text
done

echo "# Melina's last reply again, as a second swipe, and then continued"
prompt-render -s "$S" --regenerate < /dev/null | llm-send --record --text
prompt-render -s "$S" --continue < /dev/null | llm-send --record --text
last=$(session-log show "$S" --last 1 | jq -r .seq)
session-log swipes "$S" "$last" | jq -r '"swipe \(.swipe.index): \(.content)"' | short

echo "# the transcript"
session-log show "$S" --format text | short
