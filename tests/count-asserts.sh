#!/usr/bin/env bash
# count-asserts.sh: the asserting lines of each test file, so a refactor of
# the suites can show it lost none (issue 13: "no test lost an assertion").
#
#   tests/count-asserts.sh [FILE...]        count in the work tree
#   tests/count-asserts.sh --since REV      compare REV with the work tree;
#                                           exit 1 if any file counts fewer
#
# A line counts once if it holds any of: [ ... ], [[ ... ]], assert_* or
# refute_*, fail, run -N, run_ok, run_err, diff, cmp, jq -e. Comment lines
# do not count. FILE defaults to tests/*.bats tests/*.bash.
set -euo pipefail

count_file() { grep -vE '^[[:space:]]*#' "$1" | count_stream; }
count_stream() {
	grep -cE '(^|[^[])\[ .* \]|\[\[ .* \]\]|\b(assert|refute)(_[a-z_]+)?\b|\bfail\b|\brun (-[0-9]+|"-\$[^"]+")( |$)|\brun_(ok|err)\b|\b(diff|cmp)\b|\bjq( -[a-zA-Z]+)* -[a-zA-Z]*e\b' || true
}

cd "$(dirname "$0")/.."
if [ "${1-}" = --since ]; then
	rev=${2:?usage: $0 --since REV}
	worse=0 before_all=0 after_all=0
	printf '%-36s %7s %7s\n' file before after
	for f in tests/*.bats tests/*.bash; do
		if git cat-file -e "$rev:$f" 2> /dev/null; then
			before=$(git show "$rev:$f" | grep -vE '^[[:space:]]*#' | count_stream)
		else
			before=0
		fi
		after=$(count_file "$f")
		before_all=$((before_all + before)) after_all=$((after_all + after))
		mark=
		if [ "$after" -lt "$before" ]; then mark=' FEWER' worse=1; fi
		printf '%-36s %7d %7d%s\n' "$f" "$before" "$after" "$mark"
	done
	printf '%-36s %7d %7d\n' total "$before_all" "$after_all"
	exit "$worse"
fi

[ $# -gt 0 ] || set -- tests/*.bats tests/*.bash
total=0
for f in "$@"; do
	n=$(count_file "$f")
	total=$((total + n))
	printf '%7d %s\n' "$n" "$f"
done
printf '%7d total\n' "$total"
