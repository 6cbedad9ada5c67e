#!/bin/sh
# What lore costs a render (issue 15, DESIGN.md §8 "Lore"):
# (a) activation alone (`test-tool lore-time`: the activation timed in the
#     process, JSON parsing left out), BENCH_LORE_REPS (10) runs: books of
#     50, 500 and 5000 entries made by `test-tool lore-gen` (5 constant, a
#     chain of 5, a fifth regex keys, none named but the chain's first, so
#     what fires, and the recursion text it adds, is the same for every
#     size) against 8 messages of 4 KiB in all and of 8 KiB. The cost
#     should grow at most linearly with entries x scanned text: the time
#     per entry*KiB, the ratios to the smaller size (10x the entries: 10;
#     2x the text: 2 at most, as making each key ready costs the same
#     whatever the text), the time per entry and what the second 4 KiB
#     cost per entry*KiB. Where valgrind is installed, the same in
#     instructions (callgrind: 3 activations less 1, halved), which a busy
#     machine does not blur.
# (b) `prompt-render -s S -m TEXT` on a session of BENCH_SMALL (1000)
#     messages (history_limit BENCH_LAST, 50) whose character's card carries
#     a 500-entry book (100 regex keys, 20 constant, a chain of 5; TEXT
#     names the chain's first key and four more), against the same card
#     without its book, BENCH_REPS (50) runs each, taking turns: the best
#     and the mean time of each whole process (spawn to exit, test-tool
#     time-runs), their ratio against the goal 1.1 and the limit 1.2;
#     then the same with transparent huge pages off (time-runs
#     --small-pages), as on a machine whose kernel gives none (lib/heap.c):
#     the figures only, as every page of heap is then a fault of its own.
# (c) the peak RSS (/usr/bin/time -f %M) of that render with the book,
#     against 32 MiB.
# BENCH_LORE_PARTS (abc) says which parts run: "bc" leaves (a) out.
# The user is unlocked first, so no run derives a key. The exit status is
# 0 even when a target is missed.
set -eu
# shellcheck source=bench/lib/session-user.sh disable=SC1091
. "$(dirname "$0")/lib/session-user.sh"
LORE_REPS=${BENCH_LORE_REPS:-10}
PARTS=${BENCH_LORE_PARTS:-abc}

# part X: whether part X (a, b or c) runs
part() { case $PARTS in *"$1"*) return 0 ;; esac; return 1; }

# instructions N: what N activations of $tmp/doc.json cost in instructions,
# the process included (callgrind reports on stderr)
# shellcheck disable=SC2154 # $tmp is sandbox.sh's
instructions() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$BIN/test-tool" lore-time \
		--repeat "$1" < "$tmp/doc.json" 2>&1 > /dev/null | sed -n 's/.*Collected : //p'
}

# (a) activation alone
if part a; then
printf 'lore activation alone (test-tool lore-time), best of %d:\n' "$LORE_REPS"
printf '  %7s %6s %10s %10s %14s\n' entries KiB "best ms" "mean ms" "ns/entry*KiB"
for n in 50 500 5000; do
	for kib in 4 8; do
		"$BIN/test-tool" lore-gen --entries "$n" --constant 5 --chain 5 --regex $((n / 5)) \
			--mention 0 --messages 8 --kib "$kib" --seed 1 --format doc > "$tmp/doc.json"
		# shellcheck disable=SC2046 # three numbers, split on purpose
		set -- $("$BIN/test-tool" lore-time --repeat "$LORE_REPS" < "$tmp/doc.json")
		[ "$3" -eq 10 ] || echo "warning: $n entries, $kib KiB: $3 fired, not 10" >&2
		echo "$n $kib $1 $2" >> "$tmp/act"
		if command -v valgrind > /dev/null; then
			echo "$n $kib $(instructions 3) $(instructions 1)" >> "$tmp/ins"
		fi
		awk -v n="$n" -v k="$kib" -v b="$1" -v m="$2" 'BEGIN {
			printf "  %7d %6d %10.3f %10.3f %14.1f\n", n, k, b / 1000, m / 1000, b * 1000 / (n * k) }'
	done
done
awk '{ t[$1 " " $2] = $3 } END {
	printf "  ratios (best): 2x text: %.2f (50), %.2f (500), %.2f (5000); at most 2\n",
		t["50 8"] / t["50 4"], t["500 8"] / t["500 4"], t["5000 8"] / t["5000 4"]
	printf "  ratios (best): 10x entries: %.2f (50->500), %.2f (500->5000) at 4 KiB, " \
		"%.2f, %.2f at 8 KiB; ideal 10\n", t["500 4"] / t["50 4"], t["5000 4"] / t["500 4"],
		t["500 8"] / t["50 8"], t["5000 8"] / t["500 8"]
	printf "  per entry at 4 KiB: %.2f us (50), %.2f us (500), %.2f us (5000); " \
		"the next 4 KiB: %.0f, %.0f, %.0f ns per entry*KiB\n",
		t["50 4"] / 50, t["500 4"] / 500, t["5000 4"] / 5000,
		(t["50 8"] - t["50 4"]) * 1000 / (50 * 4), (t["500 8"] - t["500 4"]) * 1000 / (500 * 4),
		(t["5000 8"] - t["5000 4"]) * 1000 / (5000 * 4)
}' "$tmp/act"

if [ -s "$tmp/ins" ]; then
	awk '{ t[$1 " " $2] = ($3 - $4) / 2 } END {
	printf "  in instructions (callgrind), per activation:\n"
	printf "  %7d %12d %12d\n", 50, t["50 4"], t["50 8"]
	printf "  %7d %12d %12d\n", 500, t["500 4"], t["500 8"]
	printf "  %7d %12d %12d\n", 5000, t["5000 4"], t["5000 8"]
	printf "  ratios: 2x text: %.2f (50), %.2f (500), %.2f (5000); 10x entries: %.2f, %.2f " \
		"(4 KiB), %.2f, %.2f (8 KiB)\n", t["50 8"] / t["50 4"], t["500 8"] / t["500 4"],
		t["5000 8"] / t["5000 4"], t["500 4"] / t["50 4"], t["5000 4"] / t["500 4"],
		t["500 8"] / t["50 8"], t["5000 8"] / t["500 8"]
	}' "$tmp/ins"
fi
fi

# (b) a render with the card's book and without
"$BIN/test-tool" lore-gen --entries 500 --constant 20 --chain 5 --regex 100 --seed 1 \
	--format card > "$tmp/book.json"
jq -c '.data.name = "Plainmaster" | del(.data.character_book)' "$tmp/book.json" > "$tmp/plain.json"
"$BIN/persona-import" "$tmp/book.json" "$tmp/plain.json" > /dev/null
"$BIN/persona" create --name Wren --description 'A quiet cartographer.' > /dev/null
# the chain's first key (entry 20) and four others, one of them a regex's
said=$(jq -r '.data.character_book.entries as $e | "Tell me of \($e[20].keys[0]), " +
	"\($e[200].keys[0]), \($e[201].keys[0]), \($e[300].keys[0]) and " +
	"\($e[40].comment | rtrimstr(" (regex)"))."' "$tmp/book.json")

# session CHARACTER: a new session, history_limit LAST, SMALL messages; its id
session() {
	id=$("$BIN/session-bind" new --character "$1" --persona Wren --set "history_limit=$LAST" |
		sed 's/^{"kind":"session","id":"\([^"]*\)".*/\1/')
	"$BIN/session-log" append "$id" --records < "$tmp/msgs.jsonl" > "$tmp/append.out"
	got=$(grep -c '"kind":"message"' "$tmp/append.out" || true)
	[ "$got" -eq "$SMALL" ] || echo "warning: $1: $got of $SMALL messages appended" >&2
	echo "$id"
}
messages "$SMALL" "$tmp/msgs.jsonl"
book=$(session Loremaster)
plain=$(session Plainmaster)

if part b; then
"$BIN/prompt-render" -s "$book" -m "$said" > "$tmp/book.json"
fired=$(jq '.guise.lore.fired // [] | length' "$tmp/book.json")
# taking turns, each run timed alone (test-tool time-runs: a shell's
# date(1) around a run would count a process of its own into both)
printf 'prompt-render -s S, %d messages, history_limit %d, %d runs each (best / mean):\n' \
	"$SMALL" "$LAST" "$REPS"
# with_book_and_without [--small-pages] HOW: both renders timed, and their
# ratio; a verdict (VERDICT 1) for the first, as users get it
with_book_and_without() {
	# shellcheck disable=SC2046 # four numbers, split on purpose
	set -- $("$BIN/test-tool" time-runs ${1:+"$1"} "$REPS" "$BIN/prompt-render" -s "$book" \
		-m "$said" -- "$BIN/prompt-render" -s "$plain" -m "$said") "$2" "$3"
	awk -v fired="$fired" -v bb="$1" -v bm="$2" -v pb="$3" -v pm="$4" -v how="$5" \
		-v verdict="$6" 'BEGIN {
		r = bb / pb
		printf "  %s:\n", how
		printf "    card with a 500-entry book: %8.3f ms / %8.3f ms (%d entries fired)\n",
			bb / 1000, bm / 1000, fired
		printf "    the same card without:      %8.3f ms / %8.3f ms\n", pb / 1000, pm / 1000
		printf "    ratio: %.2f (best), %.2f (mean)", r, bm / pm
		if (verdict)
			printf "; goal <= 1.1: %s; limit <= 1.2: %s", r <= 1.1 ? "PASS" : "MISS",
				r <= 1.2 ? "PASS" : "MISS"
		printf "\n"
	}'
}
with_book_and_without "" "as run (the heap in a huge page where the kernel gives one)" 1
# the same where it gives none: each page of heap a fault of its own
with_book_and_without --small-pages "with transparent huge pages off" 0
fi

# (c) the peak RSS of the render with the book
if part c; then
/usr/bin/time -o "$tmp/rss" -f %M "$BIN/prompt-render" -s "$book" -m "$said" > /dev/null
awk -v kb="$(tail -n 1 "$tmp/rss")" 'BEGIN {
	printf "peak RSS of that render: %.1f MiB; limit 32 MiB: %s\n", kb / 1024,
		kb <= 32 * 1024 ? "PASS" : "MISS" }'
fi
