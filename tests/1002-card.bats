#!/usr/bin/env bats
# Card shapes into the canonical V3 card (lib/card), through test-tool.

load common

setup() { common_setup; }

@test "the real cards (V2, SillyTavern exports) become V3 with every field kept" {
	local f
	for f in "$DATA"/cards-aicharlib/*.png; do
		run -0 --separate-stderr sh -c 'test-tool png-card "$1" 2>/dev/null | test-tool card -v' _ "$f"
		assert_equal "$stderr" "test-tool: '<stdin>': chara_card_v2"
		[[ $output == '{"spec":"chara_card_v3","spec_version":"3.0","data":{'* ]] || fail "${output:0:100}"
		# nothing of the original data is lost: each of its keys is there, same value
		run -0 sh -c 'test-tool png-card "$1" 2>/dev/null | test-tool doc -y' _ "$f"
		local v2=$output
		run -0 sh -c 'test-tool png-card "$1" 2>/dev/null | test-tool card -y' _ "$f"
		local key
		for key in $(printf '%s\n' "$v2" | sed -n 's/^  \([a-z_]*\):.*/\1/p'); do
			[[ $output == *"  $key:"* ]] || fail "$f: data.$key lost"
		done
	done
	run -0 sh -c 'test-tool png-card "$1" 2>/dev/null | test-tool card' _ "$DATA/cards-aicharlib/melina.png"
	[[ $output == *'"name":"Melina"'* && $output == *'"pygmalion_id":"14c38904-58f7-4038-bac7-4a18d41abe03"'* ]]
	[[ $output == *'"avatar":"https://assets.pygmalion.chat/'* ]] # an unknown key of data
}

@test "V1: the six flat fields; other top-level keys stay at the top" {
	run -0 --separate-stderr test-tool card -v <<< '{"name":"Wren","description":"d","personality":"p","scenario":"s","first_mes":"hi","mes_example":"m","talkativeness":"0.5"}'
	assert_equal "$stderr" "test-tool: '<stdin>': v1"
	assert_output '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Wren","description":"d","personality":"p","scenario":"s","first_mes":"hi","mes_example":"m","tags":[],"creator":"","character_version":"","extensions":{},"system_prompt":"","post_history_instructions":"","alternate_greetings":[],"creator_notes":"","group_only_greetings":[]},"talkativeness":"0.5"}'
}

@test "Pygmalion and text-generation-webui shapes, in JSON and YAML" {
	run -0 --separate-stderr test-tool card -v <<< '{"char_name":"Pyg","char_persona":"persona","char_greeting":"hi","world_scenario":"w","example_dialogue":"e","metadata":{"version":1}}'
	assert_equal "$stderr" "test-tool: '<stdin>': pygmalion"
	assert_output '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Pyg","description":"persona","scenario":"w","first_mes":"hi","mes_example":"e","tags":[],"creator":"","character_version":"","extensions":{},"system_prompt":"","post_history_instructions":"","alternate_greetings":[],"personality":"","creator_notes":"","group_only_greetings":[]},"metadata":{"version":1}}'
	run -0 --separate-stderr test-tool card -v < <(printf 'name: Tg\ncontext: |\n  A long context.\ngreeting: Hello.\nyour_name: You\n')
	assert_equal "$stderr" "test-tool: '<stdin>': textgen"
	[[ $output == '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Tg","description":"A long context.\n","first_mes":"Hello.",'* ]] || fail "$output"
	[[ $output == *',"your_name":"You"}' ]]
}

@test "V3: unknown keys kept at every level: top, data, extensions, book, entries" {
	local in='{"spec":"chara_card_v3","spec_version":"3.0","x_top":1,"data":{"name":"N","x_data":{"a":[1]},"extensions":{"x_ext":true},"character_book":{"x_book":"b","entries":[{"keys":["k"],"content":"c","id":"7","x_entry":null},{"keys":[],"content":"d","id":8}]}}}'
	run_ok test-tool card <<< "$in"
	[[ $output == *'"x_data":{"a":[1]}'* && $output == *'"extensions":{"x_ext":true}'* ]] || fail "$output"
	[[ $output == *'"x_book":"b"'* && $output == *'"x_entry":null'* && $output == *'"id":"7"'* && $output == *'"id":8'* ]] || fail "$output"
	[[ $output == *',"x_top":1}' ]] || fail "$output"
	# canonical is a fixed point
	run_ok sh -c 'test-tool card | test-tool card | test-tool card' <<< "$in"
	assert_equal "$output" "$(test-tool card <<< "$in")"
}

@test "character_book null is no book; spec_version compares as a number" {
	run -0 --separate-stderr test-tool card <<< '{"spec":"chara_card_v3","spec_version":3,"data":{"name":"N","character_book":null}}'
	[[ $output == *'"character_book":null'* ]]
	assert_equal "$stderr" ""
	run -0 --separate-stderr test-tool card <<< '{"spec":"chara_card_v3","spec_version":"3.10","data":{"name":"N"}}'
	assert_equal "$stderr" "test-tool: warning: '<stdin>': spec_version 3.1 is newer than 3.0: read as 3.0"
	run_err 65 "test-tool: '<stdin>': spec_version 3.1 is newer than 3.0: read as 3.0" \
		test-tool card --strict <<< '{"spec":"chara_card_v3","spec_version":"3.10","data":{"name":"N"}}'
	run_err 65 "test-tool: '<stdin>': spec_version: not a V3 version" \
		test-tool card <<< '{"spec":"chara_card_v3","spec_version":"4.0","data":{"name":"N"}}'
	run -0 --separate-stderr test-tool card <<< '{"spec":"chara_card_v3","data":{"name":"N"}}'
	assert_equal "$stderr" "test-tool: warning: '<stdin>': no spec_version: read as 3.0"
	[[ $output == '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"N",'* ]] || fail "$output"
}

@test "wrong types are read with a warning, and refused with their place under --strict" {
	local spec='"spec":"chara_card_v2","spec_version":"2.0"'
	run -0 --separate-stderr test-tool card <<< "{$spec,\"data\":{\"name\":\"N\",\"tags\":[\"a\",2]}}"
	assert_equal "$stderr" "test-tool: warning: '<stdin>': data.tags[1]: a number, read as the text '2'"
	assert_equal "$(jq -c '[.data.tags, .guise_as_written]' <<< "$output")" '[["a","2"],{"tags":["a",2]}]'
	# refused, with or without --strict: OPTION (or -), the card, the message
	local opt card msg
	while IFS=$'\t' read -r opt card msg; do
		[[ $opt == - ]] && opt=()
		run_err 65 "test-tool: '<stdin>': $msg" test-tool card "${opt[@]}" <<< "$card"
	done <<- EOF
	--strict	{$spec,"data":{"name":"N","tags":["a",2]}}	data.tags[1]: expected a string
	--strict	{$spec,"data":{"name":"N","description":7}}	data.description: expected a string
	-	{$spec,"data":{"name":"N","character_book":{"entries":[{"keys":[1]}]}}}	data.character_book.entries[0].keys[0]: expected a string
	-	{$spec,"data":{"name":""}}	data.name: a card needs a name
	-	{$spec,"data":[]}	data: expected an object
	-	{"spec":"chara_card_v9","data":{}}	spec: not chara_card_v2 or chara_card_v3
	-	{"title":"not a card"}	card: not a character card: no spec, name or char_name
	--strict	{"char_name":["x"]}	char_name: expected a string
	-	{"name":"V1","data":{"name":"other"}}	data: not expected in a card without spec
	-	{"char_name":"P","spec_version":"2.0"}	spec_version: not expected in a card without spec
	EOF
}

@test "a lorebook is made whole as V3 requires; what it had is kept" {
	run -0 --separate-stderr test-tool card <<< '{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"N","character_book":{"entries":[{"keys":["k"],"content":"c","x":1},{"content":"d","enabled":false,"insertion_order":5,"use_regex":true,"extensions":{"e":2}}]}}}'
	assert_equal "$stderr" ""
	assert_equal "$(jq -S -c .data.character_book <<< "$output")" \
		'{"entries":[{"content":"c","enabled":true,"extensions":{},"insertion_order":0,"keys":["k"],"use_regex":false,"x":1},{"content":"d","enabled":false,"extensions":{"e":2},"insertion_order":5,"keys":[],"use_regex":true}],"extensions":{}}'
	# a canonical card is its own canonical form
	run -0 test-tool card <<< "$output"
	assert_equal "$(jq -S -c .data.character_book <<< "$output")" \
		'{"entries":[{"content":"c","enabled":true,"extensions":{},"insertion_order":0,"keys":["k"],"use_regex":false,"x":1},{"content":"d","enabled":false,"extensions":{"e":2},"insertion_order":5,"keys":[],"use_regex":true}],"extensions":{}}'
}
