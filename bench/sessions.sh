#!/bin/sh
# What a session's length costs (DESIGN.md §8: the cost of reading history
# grows with the messages read, not with the session's length; chatlog.h:
# the last N cost N rows):
# - BENCH_BIG (100000) messages appended to one session in one
#   `session-log append --records` (timed: messages/s), BENCH_SMALL (1000)
#   to another;
# - `session-log show S --last BENCH_LAST (50)` on each, BENCH_REPS (50)
#   times, the two sessions taking turns, after one untimed run of each
#   whose output is checked; the best and the mean time of a whole process
#   (spawn to exit, test-tool time-runs: start, key from the unlock cache,
#   query, decryption, output). Target: big/small <= 1.5 on the best times.
# The user is unlocked first (the kernel keyring, else a session token), so
# no run derives a key. The exit status is 0 even when the target is missed.
set -eu
# shellcheck source=bench/lib/session-user.sh disable=SC1091
. "$(dirname "$0")/lib/session-user.sh"

# session: a new session with no greeting; its id
session() {
	"$BIN/session-bind" new --character Melina --persona Wren --no-greeting |
		sed 's/^{"kind":"session","id":"\([^"]*\)".*/\1/'
}

"$BIN/persona" create --character --name Melina \
	--description 'A traveller who guides the Tarnished.' > /dev/null
"$BIN/persona" create --name Wren --description 'A quiet cartographer.' > /dev/null
big=$(session)
small=$(session)

# append NAME SESSION N: N records appended in one process; the time in us
append() {
	messages "$3" "$tmp/$1.jsonl"
	sync
	start=$(now)
	"$BIN/session-log" append "$2" --records < "$tmp/$1.jsonl" > "$tmp/$1.out"
	end=$(now)
	got=$(grep -c '"kind":"message"' "$tmp/$1.out" || true)
	[ "$got" -eq "$3" ] || echo "warning: $1: $got of $3 messages appended" >&2
	echo $(((end - start) / 1000))
}

big_us=$(append big "$big" "$BIG")
small_us=$(append small "$small" "$SMALL")
printf 'append --records: %d messages in %.1f s (%d messages/s); %d in %.3f s (%d messages/s)\n' \
	"$BIG" "$(awk -v u="$big_us" 'BEGIN { print u / 1e6 }')" \
	"$(awk -v n="$BIG" -v u="$big_us" 'BEGIN { printf "%d", n / (u / 1e6) }')" \
	"$SMALL" "$(awk -v u="$small_us" 'BEGIN { print u / 1e6 }')" \
	"$(awk -v n="$SMALL" -v u="$small_us" 'BEGIN { printf "%d", n / (u / 1e6) }')"
awk -v b="$(cat "$GUISE_DB"* | wc -c)" 'BEGIN { printf "database: %.1f MiB\n", b / 1048576 }'

# check NAME SESSION COUNT: one untimed show --last, its output checked
# (LAST records, the last seq COUNT); it warms the page cache and the
# unlock cache too
check() {
	"$BIN/session-log" show "$2" --last "$LAST" > "$tmp/$1.show"
	[ "$(grep -c . "$tmp/$1.show")" -eq "$LAST" ] ||
		echo "warning: $1: show --last $LAST printed $(grep -c . "$tmp/$1.show") lines" >&2
	tail -n 1 "$tmp/$1.show" | grep -q "\"seq\":$3," ||
		echo "warning: $1: the last message shown is not seq $3" >&2
}
check big "$big" "$BIG"
check small "$small" "$SMALL"

# taking turns, each run timed alone (test-tool time-runs: a shell's
# date(1) around a run would count a process of its own into each)
# shellcheck disable=SC2046 # four numbers, split on purpose
set -- $("$BIN/test-tool" time-runs "$REPS" "$BIN/session-log" show "$big" --last "$LAST" -- \
	"$BIN/session-log" show "$small" --last "$LAST")
awk -v big="$BIG" -v small="$SMALL" -v last="$LAST" -v reps="$REPS" \
	-v bb="$1" -v bm="$2" -v sb="$3" -v sm="$4" 'BEGIN {
	r = bb / sb
	printf "session-log show --last %d, %d runs each (best / mean):\n", last, reps
	printf "  %6d messages: %8.3f ms / %8.3f ms\n", big, bb / 1000, bm / 1000
	printf "  %6d messages: %8.3f ms / %8.3f ms\n", small, sb / 1000, sm / 1000
	printf "  ratio %d/%d: %.2f (best), %.2f (mean); target <= 1.5: %s\n", big, small,
		r, bm / sm, r <= 1.5 ? "PASS" : "MISS"
}'
