#!/bin/sh
# What a text full of "{{" costs the macro pass and the template parser
# (DESIGN.md §8: one pass; a stray "{{" is text): a card's description and a
# --template each made of nothing but "{{" (and one {{char}} at the end), at
# 50, 100, 200 and 400 KB, rendered by `prompt-render` (best of BENCH_REPS,
# 3, whole processes, in ms). The 400/50 ratio of each shows how the cost
# grows; the start-up of a process weighs at these sizes, so a linear pass
# shows well under 8, a quadratic one about 64. Target: 200 KB in
# milliseconds (under 100 ms), the ratio under 16. The exit status is 0
# even when a target is missed.
set -eu
# shellcheck source=bench/lib/session-user.sh disable=SC1091
. "$(dirname "$0")/lib/session-user.sh"
REPS=${BENCH_REPS:-3}

"$BIN/persona" create --name Wren --description 'A quiet cartographer.' > /dev/null

# braces KB: KB kilobytes of "{{", then {{char}}
braces() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n * 512; i++) printf "{{"; printf "{{char}}" }'
}

# best CMD...: the best time of REPS runs of CMD, in ms
best() {
	b=
	for _ in $(seq "$REPS"); do
		start=$(now)
		"$@" > "$tmp/out" 2> "$tmp/err" || {
			echo "warning: $*: $(cat "$tmp/err")" >&2
			break
		}
		t=$((($(now) - start) / 1000000))
		if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
	done
	echo "${b:-0}"
}

sid=
printf '%-10s %10s %10s\n' "KB of {{" "field ms" "template ms"
for kb in 50 100 200 400; do
	braces "$kb" | jq -R -s -c '{name: "Brace'"$kb"'", description: .}' |
		"$BIN/persona" create --character > /dev/null
	braces "$kb" > "$tmp/t$kb.hbs"
	sid=$("$BIN/session-bind" new --character "Brace$kb" --persona Wren \
		--set context_tokens=100000000 | sed 's/^{"kind":"session","id":"\([^"]*\)".*/\1/')
	f=$(best "$BIN/prompt-render" -s "$sid" -m hi)
	t=$(best "$BIN/prompt-render" -s "$sid" -m hi --template "$tmp/t$kb.hbs")
	printf '%-10s %10s %10s\n' "$kb" "$f" "$t"
	eval "f$kb=$f t$kb=$t"
done
# shellcheck disable=SC2154 # set by the eval above
awk -v f50="$f50" -v f400="$f400" -v t50="$t50" -v t400="$t400" 'BEGIN {
	printf "400/50 ratio: field %.1f, template %.1f (linear: 8)\n",
		f400 / (f50 ? f50 : 1), t400 / (t50 ? t50 : 1) }'
