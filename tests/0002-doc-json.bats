#!/usr/bin/env bats
# JSON in the document model: JSONTestSuite (tests/data/json-test-suite,
# MIT, see its LICENSE and COMMIT), records, NUL policy, output forms.

load common

setup() { common_setup; }

SUITE=$DATA/json-test-suite/test_parsing
LOCATED="^test-tool: '[^']+':[0-9]+:[0-9]+: .+$"

# A rejected input: exit 65, nothing on stdout, one located line on stderr.
assert_rejected() {
	run -65 --separate-stderr test-tool doc "$@"
	assert_output ""
	[[ ${#stderr_lines[@]} -eq 1 && $stderr =~ $LOCATED ]] ||
		fail "$*: expected one located error, got: $stderr"
}

@test "every n_ file is rejected as a JSON text: 65, located, nothing on stdout" {
	local f files=("$SUITE"/n_*.json)
	assert_equal "${#files[@]}" 188
	for f in "${files[@]}"; do
		assert_rejected --any --input json "$f"
	done
}

@test "as a record stream every n_ file is rejected but the documented four" {
	# A record stream is JSON texts one after another (JSON Lines, or
	# concatenated as jq reads them), so these four are well-formed streams
	# of no records:
	local f
	for f in "$SUITE"/n_*.json; do
		case ${f##*/} in
		n_single_space.json | n_structure_no_data.json | \
			n_structure_UTF8_BOM_no_data.json | n_structure_double_array.json)
			run -0 --separate-stderr test-tool doc --input json "$f"
			assert_output ""
			assert_equal "$stderr" ""
			;;
		*)
			# records before the fault are out already: a stream
			run -65 --separate-stderr test-tool doc --input json "$f"
			[[ ${#stderr_lines[@]} -eq 1 && $stderr =~ $LOCATED ]] ||
				fail "$f: expected one located error, got: $stderr"
			;;
		esac
	done
}

@test "every y_ file parses, but for the three that break a stated policy" {
	local f
	for f in "$SUITE"/y_*.json; do
		case ${f##*/} in
		y_object_duplicated_key.json | y_object_duplicated_key_and_value.json)
			assert_rejected --any "$f"
			assert_equal "$stderr" "test-tool: '$f':1:12: duplicate object key near '\"a\"'"
			;;
		y_object_escaped_null_in_key.json)
			assert_rejected --any "$f"
			assert_equal "$stderr" "test-tool: '$f':1:15: NUL byte in object key not supported near '\"foo\\u0000bar\"'"
			;;
		*)
			run -0 --separate-stderr test-tool doc --any --input json "$f"
			[[ -n $output ]] || fail "$f: no output"
			assert_equal "$stderr" ""
			;;
		esac
	done
}

@test "as records, a y_ file's top level must be an object or objects" {
	local f first
	for f in "$SUITE"/y_*.json; do
		case ${f##*/} in y_object_duplicated_key* | y_object_escaped_null_in_key.json) continue ;; esac
		first=$(tr -d ' \t\r\n' < "$f" | head -c 2)
		case $first in
		'{'* | '[]' | '[{')
			run_ok test-tool doc --input json "$f"
			;;
		*)
			assert_rejected --input json "$f"
			[[ $stderr == *": not a record: expected an object" ]] ||
				fail "$f: $stderr"
			;;
		esac
	done
}

@test "JSON -> YAML -> JSON is lossless for every y_ object or array" {
	local f json via_yaml n=0
	for f in "$SUITE"/y_*.json; do
		case ${f##*/} in y_object_duplicated_key* | y_object_escaped_null_in_key.json) continue ;; esac
		case $(tr -d ' \t\r\n' < "$f" | head -c 1) in '{' | '[') ;; *) continue ;; esac
		json=$(test-tool doc --any "$f")
		via_yaml=$(test-tool doc --any -y "$f" | test-tool doc --any --input yaml)
		[[ $json == "$via_yaml" ]] || fail "$f: '$json' became '$via_yaml'"
		# and JSON -> JSON is a fixed point
		[[ $(printf '%s' "$json" | test-tool doc --any) == "$json" ]] ||
			fail "$f: JSON output does not read back the same"
		n=$((n + 1))
	done
	assert_equal "$n" 84
}

@test "i_ files never crash: accepted, or rejected with a located error" {
	local f
	for f in "$SUITE"/i_*.json; do
		run --separate-stderr test-tool doc --any --input json "$f"
		case $status in
		0) assert_equal "$stderr" "" ;;
		65) [[ $stderr =~ $LOCATED && -z $output ]] || fail "$f: $stderr" ;;
		*) fail "$f: exit $status: $stderr" ;;
		esac
	done
}

@test "NUL in a string value survives JSON and YAML; in a key it is refused" {
	run_ok test-tool doc <<< '{"a":"x\u0000y","b":["\u0000"]}'
	assert_output '{"a":"x\u0000y","b":["\u0000"]}'
	run_ok test-tool doc -y <<< '{"a":"x\u0000y"}'
	assert_output '---
a: "x\0y"'
	run_ok sh -c 'test-tool doc -y | test-tool doc' <<< '{"a":"x\u0000y"}'
	assert_output '{"a":"x\u0000y"}'
	run_err 65 "test-tool: '<stdin>':1:10: NUL byte in object key not supported near '\"k\\u0000\"'" \
		test-tool doc <<< '{"k\u0000":1}'
	run_err 65 "test-tool: '<stdin>':1:1: NUL byte in mapping key not supported" test-tool doc <<< '"k\0": 1'
	# a raw NUL byte is never JSON: jansson would take it for the end
	run -65 --separate-stderr sh -c "printf '{\"a\":1}\\000' | test-tool doc --input json"
	assert_output '{"a":1}'
	assert_equal "$stderr" "test-tool: '<stdin>':1:8: NUL byte in JSON input"
}

@test "records: an object, an array of objects, JSON Lines, concatenated" {
	run_ok test-tool doc <<< '{"a":1}'
	assert_output '{"a":1}'
	run_ok test-tool doc <<< ' [ {"a":1} , {"b":2} ] '
	assert_output '{"a":1}
{"b":2}'
	run -0 --separate-stderr test-tool doc < <(printf '{"a":1}\n{"b":2}\n\n{"c":3}{"d":4}\n[{"e":5}]')
	assert_output '{"a":1}
{"b":2}
{"c":3}
{"d":4}
{"e":5}'
	assert_equal "$stderr" ""
	run_ok test-tool doc < /dev/null
	assert_output ""
}

@test "a bad record in JSON Lines is located on its own line" {
	run -65 --separate-stderr test-tool doc < <(printf '{"a":1}\n{"b":2}\n{"c":}\n{"d":4}\n')
	assert_output '{"a":1}
{"b":2}'
	assert_equal "$stderr" "test-tool: '<stdin>':3:6: unexpected token near '}'"
	run -65 --separate-stderr test-tool doc < <(printf '[{"a":1},\n {"b":2}\n 7]')
	assert_output '{"a":1}
{"b":2}'
	assert_equal "$stderr" "test-tool: '<stdin>':3:2: expected ',' or ']'"
	run -65 --separate-stderr test-tool doc <<< '[{"a":1},]'
	assert_equal "$stderr" "test-tool: '<stdin>':1:10: not a record: expected an object"
}

@test "a UTF-8 byte order mark is skipped" {
	run_ok test-tool doc < <(printf '\357\273\277{"a":"\303\251"}')
	assert_output '{"a":"é"}'
}

@test "output: key order kept, reals in their shortest exact form, three styles" {
	local in='{"z":0.8,"a":[1,-0.0,1e22,0.1],"m":{"y":true,"x":null},"e":{},"l":[]}'
	run_ok test-tool doc <<< "$in"
	assert_output '{"z":0.8,"a":[1,-0.0,1e+22,0.1],"m":{"y":true,"x":null},"e":{},"l":[]}'
	run_ok test-tool doc --pretty <<< "$in"
	assert_output '{
  "z": 0.8,
  "a": [
    1,
    -0.0,
    1e+22,
    0.1
  ],
  "m": {
    "y": true,
    "x": null
  },
  "e": {},
  "l": []
}'
	run_ok test-tool doc -y <<< "$in"
	assert_output '---
z: 0.8
a:
- 1
- -0.0
- 1e+22
- 0.1
m:
  "y": true
  x: null
e: {}
l: []'
}

@test "stdout is the same bytes to a terminal, a pipe or a file" {
	test-tool doc -y <<< '{"a":[1,"two"]}' > "$BATS_TEST_TMPDIR/file"
	run_ok sh -c 'test-tool doc -y | cat' <<< '{"a":[1,"two"]}'
	assert_equal "$output" "$(cat "$BATS_TEST_TMPDIR/file")"
	run -0 script -qec "test-tool doc -y < /dev/null; echo '{\"a\":[1,\"two\"]}' | test-tool doc -y" /dev/null
	assert_equal "$(printf '%s' "$output" | tr -d '\r')" "$(cat "$BATS_TEST_TMPDIR/file")"
}
