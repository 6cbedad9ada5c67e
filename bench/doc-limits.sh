#!/bin/sh
# How fast, and in how little memory, hostile documents are refused
# (issue: "rejected in under a second with little memory"). Each case runs
# RUNS times; printed: mean wall time, peak RSS, and the ratios against the
# 1 s target and against reading a small benign document of the same kind.
set -eu
BUILD=${GUISE_BUILD:-../build}
TOOL=$BUILD/bin/test-tool
RUNS=${RUNS:-50}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# inputs
{
	printf -- '- &a [x,x,x,x,x,x,x,x,x]\n'
	prev=a
	for name in b c d e f g h; do
		printf -- '- &%s [' "$name"
		for i in 1 2 3 4 5 6 7 8; do printf '*%s,' "$prev"; done
		printf '*%s]\n' "$prev"
		prev=$name
	done
} > "$tmp/bomb.yaml"
head -c 100000 /dev/zero | tr '\0' '[' > "$tmp/deep.json"
yes -- '- ' | head -n 100000 | tr -d '\n' > "$tmp/deep.yaml"
echo x >> "$tmp/deep.yaml"
printf 'name: Wren\ndescription: a small benign card of about the same size\n' > "$tmp/benign.yaml"
printf '{"name":"Wren","description":"a small benign card"}' > "$tmp/benign.json"

# measure NAME FILE ARGS...: mean ms over RUNS, peak RSS in KiB
measure() {
	file=$1
	shift
	start=$(date +%s%N)
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		"$TOOL" doc "$@" "$file" > /dev/null 2>&1 || true
		i=$((i + 1))
	done
	end=$(date +%s%N)
	rss=$(/usr/bin/time -f %M "$TOOL" doc "$@" "$file" 2>&1 > /dev/null | tail -n 1)
	echo "$(( (end - start) / RUNS / 1000 )) $rss"
}

# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(measure "$tmp/benign.yaml" --any)
base_yaml_us=$1
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(measure "$tmp/benign.json" --any)
base_json_us=$1

report() {
	name=$1 us=$2 rss=$3 base=$4
	awk -v n="$name" -v us="$us" -v rss="$rss" -v base="$base" 'BEGIN {
		printf "%-32s %8.2f ms  %6d KiB peak RSS  %.5f of the 1 s target  %.2fx a benign document\n",
			n, us / 1000, rss, us / 1e6, us / base }'
}

# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(measure "$tmp/bomb.yaml" --any)
report "yaml alias bomb (270 bytes)" "$1" "$2" "$base_yaml_us"
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(measure "$tmp/deep.json" --any)
report "json 100000-deep arrays" "$1" "$2" "$base_json_us"
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(measure "$tmp/deep.json" --any --input yaml)
report "yaml 100000-deep flow" "$1" "$2" "$base_yaml_us"
# shellcheck disable=SC2046 # two numbers, split on purpose
set -- $(measure "$tmp/deep.yaml" --any)
report "yaml 100000-deep block" "$1" "$2" "$base_yaml_us"
printf '%-32s %8.2f ms (json), %.2f ms (yaml): the baseline above\n' \
	"benign document" "$(echo "$base_json_us" | awk '{print $1/1000}')" \
	"$(echo "$base_yaml_us" | awk '{print $1/1000}')"
