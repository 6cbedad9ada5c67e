#!/usr/bin/env bats
# Limits on untrusted documents (STYLE.md 10): each a named constant in
# lib/doc.h, each tested here at and past its edge. How fast the bombs are
# refused is measured by bench/doc-limits.sh, not timed here.

load common

setup() { common_setup; }

# Virtual memory the refusals must fit in (KiB); not under a sanitizer.
SMALL_VM=16384

# run_small STATUS CMD...: run with the expected status under the cap.
run_small() {
	local status=$1
	shift
	if sanitized; then
		run "-$status" --separate-stderr "$@"
	else
		run "-$status" --separate-stderr \
			bash -c 'ulimit -v '"$SMALL_VM"' && exec "$@"' _ "$@"
	fi
}

# A 270-byte YAML "billion laughs": eight levels of nine aliases, 9^8 x's.
alias_bomb() {
	printf -- '- &a [x,x,x,x,x,x,x,x,x]\n'
	local prev=a name
	for name in b c d e f g h; do
		printf -- '- &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' "$name" \
			"$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev" "$prev"
		prev=$name
	done
}

repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }

@test "a 300-byte YAML alias bomb is refused at its first alias, in little memory" {
	alias_bomb > "$BATS_TEST_TMPDIR/bomb.yaml"
	[[ $(wc -c < "$BATS_TEST_TMPDIR/bomb.yaml") -le 300 ]]
	run_small 65 test-tool doc --any "$BATS_TEST_TMPDIR/bomb.yaml"
	assert_output ""
	assert_equal "$stderr" "test-tool: '$BATS_TEST_TMPDIR/bomb.yaml':2:7: aliases are not supported"
}

@test "100 000-deep nesting is refused, JSON and YAML, in little memory" {
	repeat '[' 100000 > "$BATS_TEST_TMPDIR/arrays"
	yes '{"a":' | head -n 100000 | tr -d '\n' > "$BATS_TEST_TMPDIR/objects"
	[[ $(wc -c < "$BATS_TEST_TMPDIR/objects") -eq 500000 ]]
	run_small 65 test-tool doc --any "$BATS_TEST_TMPDIR/arrays"
	assert_equal "$stderr" "test-tool: '$BATS_TEST_TMPDIR/arrays':1:1: nested deeper than 256 levels"
	run_small 65 test-tool doc "$BATS_TEST_TMPDIR/objects"
	assert_equal "$stderr" "test-tool: '$BATS_TEST_TMPDIR/objects':1:1: nested deeper than 256 levels"
	run_small 65 test-tool doc --any --input yaml "$BATS_TEST_TMPDIR/arrays"
	assert_equal "$stderr" "test-tool: '$BATS_TEST_TMPDIR/arrays':1:257: nested deeper than 256 levels"
	{ yes -- '- ' | head -n 100000 | tr -d '\n'; echo x; } > "$BATS_TEST_TMPDIR/block.yaml"
	run_small 65 test-tool doc --any "$BATS_TEST_TMPDIR/block.yaml"
	assert_equal "$stderr" "test-tool: '$BATS_TEST_TMPDIR/block.yaml':1:513: nested deeper than 256 levels"
}

@test "nesting: 256 levels pass, 257 do not (G_DOC_MAX_DEPTH)" {
	local ok bad
	ok="$(repeat '[' 256)$(repeat ']' 256)"
	bad="$(repeat '[' 257)$(repeat ']' 257)"
	run_ok test-tool doc --any <<< "$ok"
	assert_output "$ok"
	run_ok test-tool doc --any --input yaml <<< "$ok"
	assert_output "$ok"
	run -65 --separate-stderr test-tool doc --any <<< "$bad"
	assert_equal "$stderr" "test-tool: '<stdin>':1:1: nested deeper than 256 levels"
	run -65 --separate-stderr test-tool doc --any --input yaml <<< "$bad"
	assert_equal "$stderr" "test-tool: '<stdin>':1:257: nested deeper than 256 levels"
}

@test "nesting: 256 objects with a scalar inside pass, JSON and YAML alike" {
	local deep
	deep="$(for _ in $(seq 256); do printf '{"a":'; done)1$(repeat '}' 256)"
	run_ok test-tool doc <<< "$deep"
	assert_output "$deep"
	run_ok test-tool doc --input yaml <<< "$deep"
	assert_output "$deep"
	# and inside a list of records, the list does not count
	run_ok test-tool doc --input yaml <<< "[$deep]"
	assert_output "$deep"
	run_ok test-tool doc <<< "[$deep]"
	assert_output "$deep"
}

@test "a YAML list of records is read one record at a time, each under the cap" {
	local x
	x=$(repeat x 1000)
	# 70 000 records of 1 KiB: over 64 MiB together, far under it each
	yes -- "- k: $x" | head -n 70000 > "$BATS_TEST_TMPDIR/list.yaml"
	run -0 --separate-stderr sh -c 'test-tool doc "$1" | wc -l' _ "$BATS_TEST_TMPDIR/list.yaml"
	assert_output 70000
	assert_equal "$stderr" ""
}

@test "one record: 64 MiB passes, a byte more does not (G_DOC_MAX_RECORD_BYTES)" {
	local max=$((64 * 1024 * 1024))
	# {"a":"xxx...x"} is 8 bytes around the text
	{ printf '{"a":"'; repeat x $((max - 8)); printf '"}'; } > "$BATS_TEST_TMPDIR/max.json"
	{ printf '{"a":"'; repeat x $((max - 7)); printf '"}'; } > "$BATS_TEST_TMPDIR/over.json"
	run -0 --separate-stderr sh -c 'test-tool doc "$1" | wc -c' _ "$BATS_TEST_TMPDIR/max.json"
	assert_output "$((max + 1))"
	assert_equal "$stderr" ""
	run -65 --separate-stderr test-tool doc "$BATS_TEST_TMPDIR/over.json"
	assert_output ""
	assert_equal "$stderr" "test-tool: '$BATS_TEST_TMPDIR/over.json':1:1: record larger than 67108864 bytes"
	# the limit is per record: two records of 40 MiB each pass
	{ printf '{"a":"'; repeat x $((40 << 20)); printf '"}\n{"b":"'; repeat y $((40 << 20)); printf '"}\n'; } > "$BATS_TEST_TMPDIR/two.json"
	run_ok sh -c 'test-tool doc "$1" | wc -l' _ "$BATS_TEST_TMPDIR/two.json"
	assert_output 2
}

@test "one YAML document over 64 MiB is refused too" {
	{ printf 'a: '; repeat x $((65 << 20)); printf '\n'; } > "$BATS_TEST_TMPDIR/over.yaml"
	run -65 --separate-stderr test-tool doc "$BATS_TEST_TMPDIR/over.yaml"
	assert_output ""
	[[ $stderr =~ ^"test-tool: '$BATS_TEST_TMPDIR/over.yaml':"[0-9]+:[0-9]+": record larger than 67108864 bytes"$ ]] || fail "$stderr"
}
