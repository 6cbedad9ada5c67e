#!/usr/bin/env bats
# The conventions every command shares (DESIGN.md §3), through test-tool.

load common

setup() { common_setup; }

@test "shared options resolve, flags over environment" {
	run -0 --separate-stderr test-tool cli
	assert_output "{\"db\":\"$GUISE_DB\",\"user\":null,\"input\":\"auto\",\"output\":\"jsonl\",\"verbosity\":0,\"dry_run\":false}"
	assert_equal "$stderr" "test-tool: warning: a warning is silenced by -q"

	GUISE_USER=alice GUISE_FORMAT=yaml run -0 --separate-stderr \
		test-tool cli -d /tmp/x.db -u bob --input yaml -n -v -v -q
	assert_output "---
db: /tmp/x.db
user: bob
input: yaml
output: yaml
verbosity: -1
dry_run: true"
	assert_equal "$stderr" ""

	run -0 --separate-stderr test-tool cli --pretty -v
	assert_line --index 0 "{"
	assert_line '  "verbosity": 1,'
	assert_equal "$stderr" "test-tool: verbose chatter goes to stderr
test-tool: warning: a warning is silenced by -q"
}

@test "database path: -d, GUISE_DB, XDG_DATA_HOME, HOME" {
	unset GUISE_DB
	run_ok test-tool cli -q
	assert_output --partial "\"db\":\"$HOME/.local/share/guise/guise.db\""
	XDG_DATA_HOME=/x/data run_ok test-tool cli -q
	assert_output --partial '"db":"/x/data/guise/guise.db"'
	GUISE_DB=/y.db run_ok test-tool cli -q
	assert_output --partial '"db":"/y.db"'
	HOME= run -78 --separate-stderr test-tool cli -q
	assert_output ""
	assert_equal "$stderr" "test-tool: no database: set HOME, XDG_DATA_HOME or GUISE_DB, or use -d"
}

@test "a bad GUISE_FORMAT is a configuration error (78)" {
	GUISE_FORMAT=xml run -78 --separate-stderr test-tool cli
	assert_output ""
	assert_equal "$stderr" "test-tool: GUISE_FORMAT: 'xml' is not 'json' or 'yaml'"
}

@test "usage errors are 64 with the synopsis on stderr" {
	run -64 --separate-stderr test-tool cli --input xml
	assert_output ""
	assert_equal "${stderr_lines[0]}" "test-tool: --input: 'xml' is not 'json' or 'yaml'"
	[[ $stderr == *"usage: test-tool doc"* ]]
	run -64 --separate-stderr test-tool cli --no-such-flag
	assert_output ""
	assert_equal "${stderr_lines[0]}" "test-tool: unknown option '--no-such-flag'"
}

@test "-h prints help to stdout, -V the version, both exit 0" {
	run -0 --separate-stderr test-tool cli -h
	assert_line --index 0 "usage: test-tool doc [--any] [FILE...]"
	assert_equal "$stderr" ""
	run -0 --separate-stderr test-tool cli --version
	assert_output --regexp '^test-tool \(guise\) [0-9]+\.[0-9]+\.[0-9]+$'
	assert_equal "$stderr" ""
}

@test "a failed write to stdout is 74, whatever was read" {
	run -74 --separate-stderr sh -c 'echo "{\"a\":1}" | test-tool doc > /dev/full'
	assert_output ""
	assert_equal "$stderr" "test-tool: error writing output: No space left on device"
	run -74 --separate-stderr sh -c 'test-tool cli -V > /dev/full'
	assert_equal "$stderr" "test-tool: error writing stdout: No space left on device"
}

@test "a batch goes on past a bad input; the status says so at the end" {
	printf '{"a":1}' > "$BATS_TEST_TMPDIR/good.json"
	printf '{"a":' > "$BATS_TEST_TMPDIR/bad.json"
	run -65 --separate-stderr test-tool doc "$BATS_TEST_TMPDIR/bad.json" \
		"$BATS_TEST_TMPDIR/good.json" "$BATS_TEST_TMPDIR/missing.json" \
		"$BATS_TEST_TMPDIR/good.json"
	assert_output '{"a":1}
{"a":1}'
	assert_equal "${stderr_lines[0]}" "test-tool: '$BATS_TEST_TMPDIR/bad.json':1:5: unexpected token near end of file"
	[[ ${#stderr_lines[@]} -eq 2 ]]
	assert_equal "${stderr_lines[1]}" "test-tool: cannot open '$BATS_TEST_TMPDIR/missing.json': No such file or directory"
}

@test "a bad GUISE_FORMAT gives way to -y, --pretty, -h and -V" {
	GUISE_FORMAT=xml run_ok test-tool cli -y -q
	assert_line "output: yaml"
	GUISE_FORMAT=xml run_ok test-tool cli --pretty -q
	assert_line '  "output": "pretty",'
	GUISE_FORMAT=xml run_ok test-tool cli -h
	assert_line --index 0 "usage: test-tool doc [--any] [FILE...]"
	GUISE_FORMAT=xml run -0 --separate-stderr test-tool cli -V
	assert_equal "$stderr" ""
}

@test "an input that cannot be read is reported and the batch goes on" {
	printf '{"a":1}' > "$BATS_TEST_TMPDIR/good.json"
	mkdir "$BATS_TEST_TMPDIR/dir"
	run -74 --separate-stderr test-tool doc "$BATS_TEST_TMPDIR/dir" "$BATS_TEST_TMPDIR/good.json"
	assert_output '{"a":1}'
	assert_equal "$stderr" "test-tool: '$BATS_TEST_TMPDIR/dir': read error: Is a directory"
}

@test "records on a pipe are handled as they arrive, not when the pipe ends" {
	local out=$BATS_TEST_TMPDIR/out fifo=$BATS_TEST_TMPDIR/in
	mkfifo "$fifo"
	test-tool doc < "$fifo" > "$out" &
	local reader=$!
	exec 5> "$fifo"
	echo '{"a":1}' >&5
	# the first record comes out while the pipe is still open
	wait_until 10 test -s "$out"
	assert_equal "$(cat "$out")" '{"a":1}'
	echo '{"b":2}' >&5
	exec 5>&-
	wait "$reader"
	assert_equal "$(cat "$out")" '{"a":1}
{"b":2}'
}

@test "a command's heap: its next 2 MiB advised huge, on a boundary, one huge page" {
	[[ $BUILD != *address* ]] || skip "a sanitizer's allocator is its own: nothing is shaped"
	local thp=/sys/kernel/mm/transparent_hugepage/enabled
	[[ -r $thp ]] || skip "this kernel has no transparent huge pages"
	run -0 --separate-stderr test-tool heap
	assert_equal "$stderr" ""
	case $(cat "$thp") in
	*"[never]"*) assert_output '{"advised":true,"aligned":true,"huge_kib":0}' ;;
	*) assert_output '{"advised":true,"aligned":true,"huge_kib":2048}' ;;
	esac
	# as on a kernel that gives none (the bench's small-pages runs): the
	# same heap, in small pages
	run -0 --separate-stderr test-tool time-runs --small-pages 1 \
		sh -c 'exec test-tool heap > "$1"' sh "$BATS_TEST_TMPDIR/heap"
	assert_output --regexp '^[0-9]+ [0-9]+$'
	assert_equal "$stderr" ""
	assert_equal "$(cat "$BATS_TEST_TMPDIR/heap")" '{"advised":true,"aligned":true,"huge_kib":0}'
	run -64 --separate-stderr test-tool heap x
	assert_output ""
	assert_equal "${stderr%%$'\n'*}" "test-tool: heap takes no argument"
}
