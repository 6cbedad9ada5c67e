#!/bin/sh
# What rendering a prompt costs (DESIGN.md §8: rendering cost grows with the
# messages included, not with the session's length):
# - BENCH_BIG (100000) messages in one session, BENCH_SMALL (1000) in
#   another (one `session-log append --records` each), both with
#   history_limit BENCH_LAST (50);
# - `prompt-render -s S -m TEXT` on each, BENCH_REPS (50) times, the two
#   sessions taking turns, with a bare `sqlite3 DB 'select 1'` between (a
#   process that opens the same database and does nothing): the best and
#   the mean time of each whole process (spawn to exit, test-tool
#   time-runs), after one untimed run of each whose output is checked.
# Targets: big/small <= 1.2 on the best times; a render of the big session
# within 3x of the bare sqlite3 process (best times).
# The user is unlocked first (the kernel keyring, else a session token), so
# no run derives a key. The exit status is 0 even when a target is missed.
set -eu
# shellcheck source=bench/lib/session-user.sh disable=SC1091
. "$(dirname "$0")/lib/session-user.sh"

# session: a new session with the card's greeting, history_limit LAST; its id
session() {
	"$BIN/session-bind" new --character Melina --persona Wren --set "history_limit=$LAST" |
		sed 's/^{"kind":"session","id":"\([^"]*\)".*/\1/'
}

# the character, its fields holding macros as real cards do
printf '%s\n' '{"name": "Melina",
	"description": "{{char}} is a traveller who guides {{user}}, the Tarnished.",
	"personality": "calm, {{random:wry,grave}}", "scenario": "{{user}} rests at a site of grace.",
	"first_mes": "*{{char}} appears by the grace.* Greetings, {{user}}.",
	"mes_example": "<START>\n{{user}}: Who are you?\n{{char}}: One who offers a bargain."}' |
	"$BIN/persona" create --character > /dev/null
"$BIN/persona" create --name Wren --description 'A quiet cartographer.' > /dev/null
big=$(session)
small=$(session)

# append NAME SESSION N: N records appended in one process
append() {
	messages "$3" "$tmp/$1.jsonl" '{{user}}' '{{char}}'
	"$BIN/session-log" append "$2" --records < "$tmp/$1.jsonl" > "$tmp/$1.out"
	got=$(grep -c '"kind":"message"' "$tmp/$1.out" || true)
	[ "$got" -eq "$3" ] || echo "warning: $1: $got of $3 messages appended" >&2
}

append big "$big" "$BIG"
append small "$small" "$SMALL"
awk -v b="$(cat "$GUISE_DB"* | wc -c)" 'BEGIN { printf "database: %.1f MiB\n", b / 1048576 }'

# check NAME SESSION: one untimed render, its output checked (LAST history
# messages included, nothing dropped, the new message last); it warms the
# page cache and the unlock cache too
check() {
	"$BIN/prompt-render" -s "$2" -m 'Which way now?' > "$tmp/$1.json"
	grep -q "\"history\":{\"limit\":$LAST,\"included\":$LAST}" "$tmp/$1.json" ||
		echo "warning: $1: the render does not include $LAST history messages" >&2
	grep -q '"dropped":{"examples":0,"messages":0}' "$tmp/$1.json" ||
		echo "warning: $1: the render dropped something" >&2
	grep -q '{"role":"user","content":"Which way now?"}],' "$tmp/$1.json" ||
		echo "warning: $1: the new message is not last" >&2
}
check big "$big"
check small "$small"
sqlite3 "$GUISE_DB" 'select 1' > /dev/null

# taking turns, each run timed alone (test-tool time-runs: a shell's
# date(1) around a run would count a process of its own into each)
# shellcheck disable=SC2046 # six numbers, split on purpose
set -- $("$BIN/test-tool" time-runs "$REPS" "$BIN/prompt-render" -s "$big" -m 'Which way now?' -- \
	"$BIN/prompt-render" -s "$small" -m 'Which way now?' -- sqlite3 "$GUISE_DB" 'select 1')
awk -v big="$BIG" -v small="$SMALL" -v last="$LAST" -v reps="$REPS" \
	-v bb="$1" -v bm="$2" -v sb="$3" -v sm="$4" -v qb="$5" -v qm="$6" 'BEGIN {
	r = bb / sb
	q = bb / qb
	printf "prompt-render -s S, history_limit %d, %d runs each (best / mean):\n", last, reps
	printf "  %6d messages: %8.3f ms / %8.3f ms\n", big, bb / 1000, bm / 1000
	printf "  %6d messages: %8.3f ms / %8.3f ms\n", small, sb / 1000, sm / 1000
	printf "  sqlite3 select 1: %8.3f ms / %8.3f ms\n", qb / 1000, qm / 1000
	printf "  ratio %d/%d: %.2f (best), %.2f (mean); target <= 1.2: %s\n", big, small,
		r, bm / sm, r <= 1.2 ? "PASS" : "MISS"
	printf "  render %d / sqlite3: %.2f (best), %.2f (mean); target <= 3: %s\n", big,
		q, bm / qm, q <= 3 ? "PASS" : "MISS"
}'
