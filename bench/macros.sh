#!/bin/sh
# What a text full of "{{" costs the macro pass and the template parser
# (DESIGN.md §8: one pass; a stray "{{" is text): a card's description and a
# --template each made of nothing but "{{" (and one {{char}} at the end), at
# 50, 100, 200 and 400 KB, rendered by `prompt-render` (best of BENCH_REPS,
# 3, whole processes timed from spawn to exit by test-tool time-runs, the
# field and the template taking turns; printed in ms, the ratios taken from
# the times in us). The 400/50 ratio of each shows how the cost grows; the
# start-up of a process weighs at these sizes, so a linear pass shows well
# under 8, a quadratic one about 64. Target: 200 KB in milliseconds (under
# 100 ms), the ratio under 16. The exit status is 0 even when a target is
# missed.
set -eu
# shellcheck source=bench/lib/session-user.sh disable=SC1091
. "$(dirname "$0")/lib/session-user.sh"
REPS=${BENCH_REPS:-3}

"$BIN/persona" create --name Wren --description 'A quiet cartographer.' > /dev/null

# braces KB: KB kilobytes of "{{", then {{char}}
braces() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n * 512; i++) printf "{{"; printf "{{char}}" }'
}

# best SESSION TEMPLATE: "FIELD TEMPLATE", the best times in us of REPS
# renders of SESSION without and with --template TEMPLATE, taking turns,
# each run timed alone (test-tool time-runs: a shell's date(1) around a
# run would count a process of its own into each, and the 50 KB renders
# take a few ms); "0 0" (said) when a render fails
best() {
	if ! times=$("$BIN/test-tool" time-runs "$REPS" "$BIN/prompt-render" -s "$1" -m hi -- \
		"$BIN/prompt-render" -s "$1" -m hi --template "$2"); then
		echo "warning: prompt-render -s $1 -m hi [--template $2] failed" >&2
		times="0 0 0 0"
	fi
	echo "$times" | awk '{ b[NR] = $1 } END { print b[1] + 0, b[2] + 0 }'
}

sid=
printf '%-10s %10s %10s\n' "KB of {{" "field ms" "template ms"
for kb in 50 100 200 400; do
	braces "$kb" | jq -R -s -c '{name: "Brace'"$kb"'", description: .}' |
		"$BIN/persona" create --character > /dev/null
	braces "$kb" > "$tmp/t$kb.hbs"
	sid=$("$BIN/session-bind" new --character "Brace$kb" --persona Wren \
		--set context_tokens=100000000 | sed 's/^{"kind":"session","id":"\([^"]*\)".*/\1/')
	# shellcheck disable=SC2046 # two numbers, split on purpose
	set -- $(best "$sid" "$tmp/t$kb.hbs")
	awk -v kb="$kb" -v f="$1" -v t="$2" 'BEGIN {
		printf "%-10s %10d %10d\n", kb, f / 1000 + 0.5, t / 1000 + 0.5 }'
	eval "f$kb=$1 t$kb=$2"
done
# shellcheck disable=SC2154 # set by the eval above
awk -v f50="$f50" -v f400="$f400" -v t50="$t50" -v t400="$t400" 'BEGIN {
	printf "400/50 ratio: field %.1f, template %.1f (linear: 8)\n",
		f400 / (f50 ? f50 : 1), t400 / (t50 ? t50 : 1) }'
