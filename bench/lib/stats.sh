# shellcheck shell=sh
# stats NAME: "best mean" in us of a bench's timed runs, one a line in
# $tmp/NAME.us (the bench's throwaway directory).
# shellcheck disable=SC2154 # $tmp is the bench's
stats() { sort -n "$tmp/$1.us" | awk '
	NR == 1 { best = $1 } { sum += $1 } END { printf "%d %d\n", best, sum / NR }'; }
