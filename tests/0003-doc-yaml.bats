#!/usr/bin/env bats
# YAML in the document model: yaml-test-suite (tests/data/yaml-test-suite,
# MIT, see its LICENSE and COMMIT; guise.jsonl files are its in.json in
# test-tool's JSON form, made by tests/helpers/yaml-expected.py), scalar
# resolution, aliases, records from YAML streams.

load common

setup() { common_setup; }

SUITE=$DATA/yaml-test-suite/data
GAPS=$DATA/yaml-test-suite/libyaml-gaps.tsv
LOCATED="^test-tool: '[^']+':[0-9]+:[0-9]+: .+$"
# What guise refuses on purpose, whatever libyaml thinks.
POLICY='aliases are not supported|a mapping key must be a scalar|duplicate mapping key|NUL byte in mapping key'

gap_kind() { awk -F'\t' -v id="$1" '$1 == id { print $2 }' "$GAPS"; }

@test "yaml-test-suite: no crash; errors rejected but for the listed libyaml gaps; valid cases read as in.json" {
	local dir id kind n=0 checked=0
	while IFS= read -r dir; do
		id=${dir#"$SUITE"/}
		kind=$(gap_kind "$id")
		run --separate-stderr test-tool doc --any --input yaml "$dir/in.yaml"
		case $status in 0 | 65) ;; *) fail "$id: exit $status: $stderr" ;; esac
		if [[ $status == 65 ]]; then
			[[ ${#stderr_lines[@]} -eq 1 && $stderr =~ $LOCATED ]] ||
				fail "$id: expected one located error, got: $stderr"
		fi
		if [[ -e $dir/error ]]; then
			if [[ $kind == accepts-invalid ]]; then
				[[ $status == 0 ]] || fail "$id: listed as accepted by libyaml but now refused: update $GAPS"
			else
				[[ $status == 65 ]] || fail "$id: an error case was accepted"
			fi
		elif [[ $status == 65 ]]; then
			[[ $kind == rejects-valid || $stderr =~ $POLICY ]] ||
				fail "$id: a valid case was refused: $stderr"
		elif [[ -e $dir/guise.jsonl ]]; then
			case $kind in
			misreads | key-order)
				[[ $output != "$(cat "$dir/guise.jsonl")" ]] ||
					fail "$id: listed as $kind but now reads right: update $GAPS" ;;
			*)
				assert_equal "$output" "$(cat "$dir/guise.jsonl")"
				checked=$((checked + 1)) ;;
			esac
		fi
		n=$((n + 1))
	done < <(find "$SUITE" -name in.yaml -printf '%h\n' | sort)
	assert_equal "$n" 402
	# the valid cases whose data was compared with in.json
	[[ $checked -ge 220 ]] || fail "only $checked cases compared"
}

@test "every listed gap names a case that exists, with a kind and a reason" {
	local id kind reason
	while IFS=$'\t' read -r id kind reason; do
		[[ $id == '#'* ]] && continue
		[[ -e $SUITE/$id/in.yaml ]] || fail "$id: no such case"
		[[ $kind =~ ^(accepts-invalid|rejects-valid|misreads|key-order)$ ]] || fail "$id: kind '$kind'"
		[[ -n $reason ]] || fail "$id: no reason"
	done < "$GAPS"
}

@test "YAML 1.1 scalars read into a string field stay that string" {
	run -0 --separate-stderr test-tool doc <<'YAML'
a: no
b: 0777
c: ~
d: yes
e: on
f: 0x1F
g: 1_000
h: .inf
i: Null
j: 12:30
YAML
	assert_output '{"a":"no","b":"0777","c":"~","d":"yes","e":"on","f":"0x1F","g":"1_000","h":".inf","i":"Null","j":"12:30"}'
	assert_equal "$stderr" ""
}

@test "plain scalars of YAML 1.2's JSON schema are typed; quotes and !!str make strings" {
	run_ok test-tool doc <<'YAML'
n: null
e:
t: true
f: false
i: -12
r: 1.5e3
q: "12"
s: !!str true
x: ! 7
fl: !!float 3
YAML
	assert_output '{"n":null,"e":null,"t":true,"f":false,"i":-12,"r":1500.0,"q":"12","s":"true","x":"7","fl":3.0}'
}

@test "strings that another reader could misread are quoted on the way out" {
	run_ok test-tool doc -y <<< '{"a":"no","b":"0777","c":"~","d":"12","e":"true","f":"","g":"-1","h":".5","i":"plain text","j":"null"}'
	assert_output '---
a: "no"
b: "0777"
c: "~"
d: "12"
e: "true"
f: ""
g: "-1"
h: ".5"
i: plain text
j: "null"'
	run_ok sh -c 'test-tool doc -y | test-tool doc' <<< '{"a":"no","b":"0777","c":"~","d":"12","e":"true","f":"","g":"-1","h":".5"}'
	assert_output '{"a":"no","b":"0777","c":"~","d":"12","e":"true","f":"","g":"-1","h":".5"}'
}

@test "multi-line text is a literal block and reads back exactly" {
	local in='{"d":"line one\nline two\n","k":"keep\n\n","s":"no end","t":"  lead\nx","w":"trail \nx"}'
	run_ok test-tool doc -y <<< "$in"
	assert_line --index 1 'd: |'
	assert_line --index 2 '  line one'
	run_ok sh -c 'test-tool doc -y | test-tool doc' <<< "$in"
	assert_output "$in"
}

@test "aliases are refused, located; anchors alone are harmless" {
	run -65 --separate-stderr test-tool doc <<'YAML'
a: &x hello
b: *x
YAML
	assert_output ""
	assert_equal "$stderr" "test-tool: '<stdin>':2:4: aliases are not supported"
	run_ok test-tool doc <<< 'a: &x hello'
	assert_output '{"a":"hello"}'
}

@test "duplicate keys and complex keys are refused, located" {
	run -65 --separate-stderr test-tool doc < <(printf 'a: 1\nb: 2\na: 3\n')
	assert_equal "$stderr" "test-tool: '<stdin>':3:1: duplicate mapping key"
	run -65 --separate-stderr test-tool doc < <(printf '? [a, b]\n: 1\n')
	assert_equal "$stderr" "test-tool: '<stdin>':1:3: a mapping key must be a scalar"
}

@test "records from a YAML stream: documents, lists of mappings, empty documents" {
	run -0 --separate-stderr test-tool doc <<'YAML'
name: one
---
- name: two
- name: three
---
---
name: four
...
YAML
	assert_output '{"name":"one"}
{"name":"two"}
{"name":"three"}
{"name":"four"}'
	assert_equal "$stderr" ""
}

@test "a YAML document that is not a record is refused where it stands" {
	run -65 --separate-stderr test-tool doc < <(printf 'a: 1\n---\njust text\n')
	assert_output '{"a":1}'
	assert_equal "$stderr" "test-tool: '<stdin>':3:1: not a record: expected a mapping"
	# a list hands its records out as each ends: the first is out already
	run -65 --separate-stderr test-tool doc < <(printf -- '- a: 1\n- 2\n')
	assert_output '{"a":1}'
	assert_equal "$stderr" "test-tool: '<stdin>':2:3: not a record: expected a mapping"
}

@test "malformed YAML is located by libyaml's mark" {
	run -65 --separate-stderr test-tool doc < <(printf 'a: 1\nb: [2, 3\nc: 4\n')
	assert_output ""
	[[ $stderr =~ ^"test-tool: '<stdin>':"[0-9]+:[0-9]+": did not find expected ',' or ']'" ]] || fail "$stderr"
	# a bad byte is found ahead of the parser: its byte offset is what is known
	run -65 --separate-stderr test-tool doc < <(printf 'a: "\377"\n')
	assert_equal "$stderr" "test-tool: '<stdin>': byte 4: invalid leading UTF-8 octet"
	run -65 --separate-stderr test-tool doc < <(printf 'a: b\nc: d\ne: \001\n')
	assert_equal "$stderr" "test-tool: '<stdin>': byte 13: control characters are not allowed"
}
