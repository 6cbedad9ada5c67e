#!/bin/sh
# What the generation modes cost a render (DESIGN.md §8 "Generation modes",
# issue 16): `prompt-render -s S` with --draft, --regenerate and --continue
# against a plain reply render (`-m TEXT`) of the same session, on a
# session of BENCH_SMALL (1000) messages and one of BENCH_BIG (100000)
# (one `session-log append --records` each, the last message the
# character's), both with history_limit BENCH_LAST (50). BENCH_REPS (50)
# rounds, each rendering every mode on both sessions in turn, after one
# untimed render of each whose output is checked: the best and the mean
# time of each whole process (spawn to exit, test-tool time-runs), and
# each mode's ratio to the plain render of its session. Target: each mode
# within 1.1x of plain (best times): a mode reads what a reply reads, the
# last history_limit messages, not the session's whole length. The user
# is unlocked first, so no run derives a key. The exit status is 0 even
# when a target is missed.
set -eu
# shellcheck source=bench/lib/session-user.sh disable=SC1091
. "$(dirname "$0")/lib/session-user.sh"
MODES="plain draft regenerate continue"

"$BIN/persona" create --character --name Melina \
	--description '{{char}} is a traveller who guides {{user}}, the Tarnished.' \
	--set 'first_mes=*{{char}} appears by the grace.* Greetings, {{user}}.' > /dev/null
"$BIN/persona" create --name Wren --description 'A quiet cartographer.' > /dev/null

# session N: a new session of the greeting and N messages, history_limit
# LAST; its id
session() {
	id=$("$BIN/session-bind" new --character Melina --persona Wren --set "history_limit=$LAST" |
		sed 's/^{"kind":"session","id":"\([^"]*\)".*/\1/')
	messages "$1" "$tmp/records.jsonl"
	got=$("$BIN/session-log" append "$id" --records < "$tmp/records.jsonl" |
		grep -c '"kind":"message"' || true)
	[ "$got" -eq "$1" ] || echo "warning: $got of $1 messages appended" >&2
	echo "$id"
}
big=$(session "$BIG")
small=$(session "$SMALL")
awk -v b="$(cat "$GUISE_DB"* | wc -c)" 'BEGIN { printf "database: %.1f MiB\n", b / 1048576 }'

# check SIZE MODE SESSION: one untimed render, its output checked (LAST
# history messages, the mode named, nothing dropped); it warms the page
# cache and the unlock cache too
check() {
	out="$tmp/$1-$2.json"
	if [ "$2" = plain ]; then
		"$BIN/prompt-render" -s "$3" -m 'Which way now?' < /dev/null > "$out"
	else
		"$BIN/prompt-render" -s "$3" "--$2" < /dev/null > "$out"
	fi
	[ "$2" = plain ] && mode=reply || mode=$2
	grep -q "\"mode\":\"$mode\"" "$out" ||
		echo "warning: $1 $2: the request is not mode $mode" >&2
	grep -q "\"history\":{\"limit\":$LAST,\"included\":$LAST}" "$out" ||
		echo "warning: $1 $2: the render does not include $LAST history messages" >&2
	grep -q '"dropped":{"examples":0,"messages":0}' "$out" ||
		echo "warning: $1 $2: the render dropped something" >&2
}

# every mode on both sessions: checked once, then timed taking turns, each
# run alone (test-tool time-runs: a shell's date(1) around a run would
# count a process of its own into each); "SIZE-MODE BEST MEAN" a line in
# $tmp/times
order=
set --
for m in $MODES; do
	for size in big small; do
		[ "$size" = big ] && s=$big || s=$small
		check "$size" "$m" "$s"
		order="$order $size-$m"
		[ $# -eq 0 ] || set -- "$@" --
		if [ "$m" = plain ]; then
			set -- "$@" "$BIN/prompt-render" -s "$s" -m 'Which way now?'
		else
			set -- "$@" "$BIN/prompt-render" -s "$s" "--$m"
		fi
	done
done
"$BIN/test-tool" time-runs "$REPS" "$@" < /dev/null > "$tmp/us"
# shellcheck disable=SC2086 # names without blanks, split on purpose
printf '%s\n' $order | paste -d ' ' - "$tmp/us" > "$tmp/times"
# stats SIZE-MODE: its "BEST MEAN" in us
stats() { sed -n "s/^$1 //p" "$tmp/times"; }

printf 'prompt-render -s S in each mode, history_limit %d, %d runs each (best / mean):\n' \
	"$LAST" "$REPS"
for size in big small; do
	[ "$size" = big ] && n=$BIG || n=$SMALL
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(stats "$size-plain")
	pb=$1 pm=$2
	printf '  %6d messages:\n' "$n"
	for m in $MODES; do
		# shellcheck disable=SC2046 # two numbers, split on purpose
		set -- $(stats "$size-$m")
		awk -v m="$m" -v b="$1" -v a="$2" -v pb="$pb" -v pm="$pm" 'BEGIN {
			printf "    %-12s %8.3f ms / %8.3f ms", m == "plain" ? "-m TEXT" : "--" m, b / 1000, a / 1000
			if (m != "plain")
				printf "; ratio %.2f (best), %.2f (mean); target <= 1.1: %s", b / pb,
					a / pm, b / pb <= 1.1 ? "PASS" : "MISS"
			printf "\n"
		}'
	done
done
