#!/usr/bin/env bats
# Ids (UUIDv7) and times (RFC 3339 UTC).

load common

setup() { common_setup; }

UUID7='^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

@test "ids are UUIDv7 text: version 7, RFC variant, lower case" {
	run -0 --separate-stderr test-tool uuid 100
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 100
	local id
	for id in "${lines[@]}"; do
		[[ $id =~ $UUID7 ]] || fail "not a UUIDv7: $id"
	done
}

@test "ids of one process are unique and sort in the order they were made" {
	run_ok test-tool uuid 20000
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 20000
	assert_equal "$(printf '%s\n' "${lines[@]}" | LC_ALL=C sort -c && echo sorted)" sorted
}

@test "an id's first 48 bits are the time it was made, in milliseconds" {
	local before after id ms
	before=$(date +%s%3N)
	id=$(test-tool uuid)
	after=$(date +%s%3N)
	ms=$((16#$(printf '%s' "${id//-/}" | cut -c1-12)))
	[[ $ms -ge $before && $ms -le $after ]] || fail "$ms not in [$before, $after]"
}

@test "ids across processes are unique" {
	local i
	for i in 1 2 3 4 5 6 7 8; do test-tool uuid 1000 & done > "$BATS_TEST_TMPDIR/ids"
	wait
	assert_equal "$(sort -u "$BATS_TEST_TMPDIR/ids" | wc -l)" 8000
}

@test "times are RFC 3339 UTC with milliseconds" {
	run_ok test-tool timestamp now
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'
	run_ok test-tool timestamp format 0
	assert_output "1970-01-01T00:00:00.000Z"
	run_ok test-tool timestamp format 1795476474123
	assert_output "2026-11-23T23:27:54.123Z"
}

@test "RFC 3339 text parses, offsets included; anything else is refused" {
	run -0 test-tool timestamp parse 2026-11-23T23:27:54.123Z
	assert_output 1795476474123
	run -0 test-tool timestamp parse 2026-11-24T01:27:54.123+02:00
	assert_output 1795476474123
	run -0 test-tool timestamp parse 2024-02-29T00:00:00Z
	assert_output 1709164800000
	local bad
	for bad in 2023-02-29T00:00:00Z 2026-13-01T00:00:00Z 2026-11-23 \
		2026-11-23T23:27:54 2026-11-23T24:00:00Z 2026-11-23T23:27:54.Z \
		'2026-11-23T23:27:54Z junk' 2026-11-23T23:27:54+2:00; do
		run -65 --separate-stderr test-tool timestamp parse "$bad"
		assert_equal "$stderr" "test-tool: '$bad' is not an RFC 3339 time"
	done
}

@test "the benches' timer: whole processes, taking turns, best and mean each; a failing run stops it" {
	# sleep 0.05 cannot take under 50 ms; true far less; one line each, in order
	run -0 --separate-stderr test-tool time-runs 3 sleep 0.05 -- true
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 2
	local best mean
	read -r best mean <<< "${lines[0]}"
	((best >= 50000 && best <= mean && mean < 1000000)) || fail "sleep: ${lines[0]}"
	read -r best mean <<< "${lines[1]}"
	((best > 0 && best <= mean && best < 50000)) || fail "true: ${lines[1]}"
	# what a run prints goes nowhere
	run -0 test-tool time-runs 1 echo loud
	[[ $output =~ ^[0-9]+\ [0-9]+$ ]] || fail "$output"
	run -1 --separate-stderr test-tool time-runs 2 true -- false
	assert_output ""
	assert_equal "$stderr" "test-tool: time-runs: false: exited 1"
	run -1 --separate-stderr test-tool time-runs 1 no-such-command-here
	assert_equal "$stderr" "test-tool: time-runs: no-such-command-here: cannot run it"
	run -64 --separate-stderr test-tool time-runs 0 true
	assert_equal "${stderr%%$'\n'*}" "test-tool: time-runs: expected N (1 or more) and a command"
	local empty
	for empty in "true --" "-- true" "true -- -- true"; do
		# shellcheck disable=SC2086 # the words, split on purpose
		run -64 --separate-stderr test-tool time-runs 1 $empty
		assert_equal "${stderr%%$'\n'*}" "test-tool: time-runs: an empty command"
	done
}
