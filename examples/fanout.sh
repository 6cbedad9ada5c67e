#!/bin/sh
# A batch fanned out over many processes at once, all writing one store:
# cards imported eight processes at a time, a session made with each card,
# a turn recorded into every session and every session's request rendered,
# again eight at a time. Here the processes are local (xargs -P); across
# hosts the same lines run under GNU parallel, each host with GUISE_DB
# naming one PostgreSQL store and the user unlocked on it once:
#   printf '%s\n' cards/* | parallel --sshlogin host1,host2 --env GUISE_DB -n 20 persona-import
# Against a throwaway database, or the store FANOUT_DB names (a
# postgresql:// URI, as hosts share; it must not have a user alice yet).
set -eu
# The set-up every example shares: $top, a throwaway database in $tmp, a
# demo passphrase in $tmp/passphrase; tidy and made for output that is the
# same on every run.
# shellcheck source=examples/sandbox.sh
. "$(dirname "$0")/sandbox.sh"
[ -z "${FANOUT_DB-}" ] || GUISE_DB=$FANOUT_DB
cd "$tmp"

echo "# alice, unlocked once: every process on this host finds her key"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt init -u alice > /dev/null
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt unlock -q --timeout 5m > /dev/null

echo "# 40 cards, imported 8 processes at a time, 5 cards each"
mkdir cards
i=0
while [ "$i" -lt 40 ]; do
	i=$((i + 1))
	printf 'name: Traveller %02d\ncontext: A wanderer of the north roads, number %d.\ngreeting: Well met.\n' \
		"$i" "$i" > "cards/traveller-$i.yaml"
done
printf '%s\n' cards/*.yaml | xargs -P 8 -n 5 persona-import > imported.jsonl
echo "created: $(grep -c '"status":"created"' imported.jsonl)"
echo "characters stored: $(persona list --characters | grep -c '"kind":"character"')"

echo "# a session with each, made 8 at a time"
persona list --characters | jq -r .id |
	xargs -P 8 -I '{}' session-bind new --character '{}' --no-persona > sessions.jsonl
echo "sessions stored: $(session-bind list | grep -c '"kind":"session"')"

echo "# a turn recorded into every session at once, each after its greeting"
# shellcheck disable=SC2016 # $1 is the inner shell's
session-bind list | jq -r .id |
	xargs -P 8 -I '{}' sh -c 'echo "Which road is safest?" | session-log append "$1"' sh '{}' |
	jq -r '"message \(.seq)"' | sort | uniq -c | sed 's/^ *//'

echo "# every session's request rendered, 8 at a time, each to a file: each ends with that turn"
mkdir requests
# shellcheck disable=SC2016 # $1 is the inner shell's
session-bind list | jq -r .id |
	xargs -P 8 -I '{}' sh -c 'prompt-render -s "$1" > "requests/$1.json"' sh '{}'
jq -r '.messages[-1].content' requests/*.json | sort | uniq -c | sed 's/^ *//'
