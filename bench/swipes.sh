#!/bin/sh
# What swipes cost a chat's reading (DESIGN.md §8, issue 16): `session-log
# show` of a whole session of BENCH_BIG (100000) messages each with 3
# versions (swipes) against one of as many messages with one version each,
# the same text shown. Both come in as SillyTavern chat files (`session-log
# import`, timed). Only the current version is read by show (it stays in
# chat_messages; the others are rows of chat_swipes that show never
# touches), so the target is swiped/plain <= 1.2 on the best of
# BENCH_SHOW_REPS (5) whole-process runs each (spawn to exit, test-tool
# time-runs), the two taking turns, after one untimed run of each whose
# output is checked. The plain session is the show of before swipes: one
# row a message, read and opened as it was. The exit status is 0 even
# when the target is missed.
set -eu
# shellcheck source=bench/lib/session-user.sh disable=SC1091
. "$(dirname "$0")/lib/session-user.sh"
SHOW_REPS=${BENCH_SHOW_REPS:-5}

"$BIN/persona" create --character --name Melina \
	--description 'A traveller who guides the Tarnished.' > /dev/null
"$BIN/persona" create --name Wren --description 'A quiet cartographer.' > /dev/null

# chat SWIPES FILE: the generator's BIG messages as a SillyTavern chat
# file; with SWIPES, each has two more versions before its current one
messages "$BIG" "$tmp/records.jsonl"
chat() {
	{
		echo '{"user_name":"Wren","character_name":"Melina","create_date":"2024-05-01T00:00:00Z","chat_metadata":{}}'
		jq -c --argjson swipes "$1" '{name: (if .role == "user" then "Wren" else "Melina" end),
			is_user: (.role == "user"), is_system: false, send_date: "2024-05-01T00:00:00.000Z",
			mes: .content, extra: {}} +
			if $swipes then {swipe_id: 2, swipes: ["First: \(.content)", "Second: \(.content)", .content],
				swipe_info: [{send_date: "2024-05-01T00:00:00.000Z", extra: {}},
					{send_date: "2024-05-01T00:00:00.000Z", extra: {}},
					{send_date: "2024-05-01T00:00:00.000Z", extra: {}}]} else {} end' \
			"$tmp/records.jsonl"
	} > "$2"
}
chat false "$tmp/plain.jsonl"
chat true "$tmp/swiped.jsonl"

# import NAME: the chat file imported as a session; "id us" printed
import() {
	start=$(now)
	id=$("$BIN/session-log" import --persona Wren "$tmp/$1.jsonl" |
		sed 's/^{"kind":"session","id":"\([^"]*\)".*/\1/')
	end=$(now)
	echo "$id $(((end - start) / 1000))"
}
# shellcheck disable=SC2046 # two words, split on purpose
set -- $(import plain) $(import swiped)
plain=$1 plain_us=$2 swiped=$3 swiped_us=$4
printf 'import: %d messages in %.1f s; with 3 swipes each, %.1f s\n' "$BIG" \
	"$(awk -v u="$plain_us" 'BEGIN { print u / 1e6 }')" \
	"$(awk -v u="$swiped_us" 'BEGIN { print u / 1e6 }')"

# check NAME SESSION: one untimed whole show, its output checked (BIG
# records); it warms the page cache too
check() {
	"$BIN/session-log" show "$2" > "$tmp/$1.show"
	[ "$(grep -c . "$tmp/$1.show")" -eq "$BIG" ] ||
		echo "warning: $1: show printed $(grep -c . "$tmp/$1.show") lines" >&2
}
check plain "$plain"
check swiped "$swiped"
tail -n 1 "$tmp/swiped.show" | grep -q '"swipe":{"index":2,"count":3}' ||
	echo "warning: the swiped session's last message is not swipe 2 of 3" >&2

# taking turns, each run timed alone (test-tool time-runs: a shell's
# date(1) around a run would count a process of its own into each)
# shellcheck disable=SC2046 # four numbers, split on purpose
set -- $("$BIN/test-tool" time-runs "$SHOW_REPS" "$BIN/session-log" show "$plain" -- \
	"$BIN/session-log" show "$swiped")
awk -v big="$BIG" -v reps="$SHOW_REPS" -v pb="$1" -v pm="$2" -v sb="$3" -v sm="$4" 'BEGIN {
	r = sb / pb
	printf "session-log show, all %d messages, %d runs each (best / mean):\n", big, reps
	printf "  one version each:    %9.1f ms / %9.1f ms\n", pb / 1000, pm / 1000
	printf "  three versions each: %9.1f ms / %9.1f ms\n", sb / 1000, sm / 1000
	printf "  ratio: %.2f (best), %.2f (mean); target <= 1.2: %s\n", r, sm / pm,
		r <= 1.2 ? "PASS" : "MISS"
}'
