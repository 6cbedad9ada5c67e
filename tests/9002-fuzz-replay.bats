#!/usr/bin/env bats
# The kept fuzz corpus (fuzz/seeds/<target>) replayed through each target
# built without libFuzzer (make fuzz-replay, which make check builds), so
# that every finding kept as a seed stays fixed, under the sanitizers too.

load common

@test "every fuzz target replays its seeds cleanly" {
	local src t n seeds=0
	for src in "$TOP"/fuzz/*_fuzz.c; do
		t=$(basename "$src" .c)
		n=$(find "$TOP/fuzz/seeds/$t" -maxdepth 1 -type f | wc -l)
		[[ $n -gt 0 ]] || fail "$t: no seeds in fuzz/seeds/$t"
		run -0 --separate-stderr "$BUILD/fuzz-replay/$t" "$TOP/fuzz/seeds/$t"/*
		assert_output "replayed $n inputs"
		assert_equal "$stderr" ""
		seeds=$((seeds + n))
	done
	[[ $seeds -gt 0 ]] || fail "no fuzz targets"
}

@test "a replay reads every file it is given, and says so when it cannot" {
	run -66 --separate-stderr "$BUILD/fuzz-replay/base64_fuzz" "$BATS_TEST_TMPDIR/missing"
	assert_output ""
	assert_equal "$stderr" "replay: cannot read '$BATS_TEST_TMPDIR/missing'"
	run_ok "$BUILD/fuzz-replay/base64_fuzz"
	assert_output "replayed 0 inputs"
}
