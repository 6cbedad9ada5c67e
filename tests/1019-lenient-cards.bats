#!/usr/bin/env bats
# persona-import reads cards as people have them (DESIGN.md §7, issue 14):
# fields at the top level rather than in data, data null, dates as strings,
# source as a string, tags as objects, a text field as a list of strings, a
# card with no name. Each class: the exact warning on stderr, --strict
# refusing it with the field named and nothing stored, -q saying nothing,
# and an export that gives the card back as it came. Every card here is
# built by this file in the shape real cards come in; none is a real
# person's card.

load common

IMAGE=$DATA/pngsuite/png/basn0g01.png
# What every import adds to a card's data: V3's required fields, empty
# where the card had none (keys the card has win).
V3FILL='.data |= ({name: "", description: "", tags: [], creator: "", character_version: "",
	mes_example: "", extensions: {}, system_prompt: "", post_history_instructions: "",
	first_mes: "", alternate_greetings: [], personality: "", scenario: "", creator_notes: "",
	group_only_greetings: []} + .)'
# The V1 fields taken from the top level into data
FROMTOP='.data = ((.data // {}) + {name, description, personality, scenario, first_mes, mes_example})'

setup_file() {
	local f=$BATS_FILE_TMPDIR
	# a ccv3 chunk whose data holds only extensions, the fields at the top
	cat > "$f/top.json" <<'EOF'
{"spec": "chara_card_v3", "spec_version": "3.0", "name": "Mira",
 "description": "{{char}} lights the lamps of the old quarter.", "personality": "patient, dry",
 "scenario": "Dusk in the old quarter.", "first_mes": "Evening, {{user}}.",
 "mes_example": "<START>\n{{user}}: Late again?\n{{char}}: Never.",
 "data": {"extensions": {"talkativeness": "0.5", "fav": false}}}
EOF
	base64 -w0 "$f/top.json" | test-tool png-add "$IMAGE" "$f/top.png" tEXt ccv3
	# data with its name and extensions only: the rest at the top level
	jq -c '.name = "Oren" | .data = {name: "Oren", extensions: {}}' "$f/top.json" > "$f/half.json"
	# data null, spec v3, the fields at the top level
	jq -c '.name = "Nell" | .data = null' "$f/top.json" > "$f/null.json"
	# a whole V3 card, each wrong in one way
	jq -c '{spec, spec_version, data: {name: "Dara", description, personality, scenario,
		first_mes, mes_example, creator_notes: "", system_prompt: "", post_history_instructions: "",
		alternate_greetings: [], group_only_greetings: [], tags: ["guide"], creator: "guise tests",
		character_version: "1", extensions: {}}}' "$f/top.json" > "$f/whole.json"
	jq -c '.data.creation_date = "2024-03-09T12:00:00.000Z"' "$f/whole.json" > "$f/date.json"
	jq -c '.data.name = "Tam" | .data.tags = [{"_id": "6611a0", "_typeName": "Fantasy"},
		{"_id": "6611a1", "name": "Slice of life"}, "guide"]' "$f/whole.json" > "$f/tags.json"
	jq -c '.data.name = "Pell" | .data.personality = ["patient", "dry", "kind"]' \
		"$f/whole.json" > "$f/list.json"
	# source as a string, in a V2 card (V2 has no source field at all)
	jq -c '.spec = "chara_card_v2" | .spec_version = "2.0" | .data.name = "Sol"
		| del(.data.group_only_greetings) | .data.source = "https://example.org/sol"' \
		"$f/whole.json" > "$f/source.json"
	# no name anywhere: the file's name it is
	jq -c 'del(.data.name)' "$f/whole.json" > "$f/Quill.json"
}

setup() {
	common_setup
	export GUISE_PASSPHRASE=pw
	persona-encrypt init -u alice > /dev/null
	F=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
}

rows() { sqlite3 "$GUISE_DB" 'SELECT count(*) FROM characters'; }

# check_card FILE JSON NAME WARNINGS STRICT EXPECT [AGAIN]: one card's
# whole story. --strict refuses FILE with the error STRICT and stores
# nothing; a plain import stores it as NAME, saying WARNINGS; -q finds it
# unchanged and says nothing; its V3 export is EXPECT (jq) applied to
# JSON, the card as written, then V3FILL; and the export re-imports
# unchanged (a PNG's as a PNG), saying AGAIN (its own warnings, with the
# export's name).
check_card() {
	local file=$1 json=$2 name=$3 warnings=$4 strict=$5 expect=$6 again=${7-} id
	run -65 --separate-stderr persona-import --strict "$file"
	assert_output ""
	assert_equal "$stderr" "persona-import: $strict"
	assert_equal "$(rows)" 0
	run -0 --separate-stderr persona-import "$file"
	assert_equal "$(jq -c 'del(.id)' <<< "$output")" \
		"$(jq -n -c --arg n "$name" --arg f "$file" '{kind: "character", name: $n, status: "created", source: $f}')"
	assert_equal "$stderr" "$warnings"
	id=$(jq -r .id <<< "$output")
	run_ok persona-import -q "$file"
	assert_equal "$(jq -r '"\(.status) \(.id)"' <<< "$output")" "unchanged $id"
	run_ok persona-export "$id"
	assert_equal "$(jq -S . <<< "$output")" "$(jq -S "($expect) | $V3FILL" "$json")"
	printf '%s\n' "$output" > "$T/export.json"
	# a PNG's card comes back with its image, in a PNG
	if [[ $file == *.png ]]; then
		run_ok persona-export --format png -o "$T/export.png" "$id"
		run -0 --separate-stderr persona-import "$T/export.png"
	else
		run -0 --separate-stderr persona-import "$T/export.json"
	fi
	assert_equal "$(jq -r '"\(.status) \(.id)"' <<< "$output")" "unchanged $id"
	assert_equal "$stderr" "$again"
	assert_equal "$(rows)" 1
}

W="persona-import: warning:"

@test "fields at the top level of a ccv3 chunk, data holding only extensions: taken from the top level" {
	check_card "$F/top.png" "$F/top.json" Mira \
		"$W '$F/top.png': ccv3 chunk: data: no name, description, personality, scenario, first_mes, mes_example: taken from the top level" \
		"'$F/top.png': ccv3 chunk: data.name: missing, only the top level has it" \
		"$FROMTOP"
	# persona show: data holds what the prompt uses, the top level as it came
	run_ok persona show Mira
	assert_equal "$(jq -c '[.data.description, .data.first_mes, .data.extensions, .top_level.name, .origin.card]' <<< "$output")" \
		'["{{char}} lights the lamps of the old quarter.","Evening, {{user}}.",{"talkativeness":"0.5","fav":false},"Mira","chara_card_v3"]'
	assert_equal "$(jq -c '.top_level | keys' <<< "$output")" \
		'["description","first_mes","mes_example","name","personality","scenario"]'
}

@test "data with its name and extensions only: the prompt gets the top level's description, personality, scenario, greeting" {
	check_card "$F/half.json" "$F/half.json" Oren \
		"$W '$F/half.json': data: no description, personality, scenario, first_mes, mes_example: taken from the top level" \
		"'$F/half.json': data.description: missing, only the top level has it" \
		"$FROMTOP"
	local s
	s=$(session-bind new --character Oren | jq -r .id)
	run_ok prompt-render -s "$s" --format text -m 'Hello.'
	assert_output "[SYSTEM]
Write Oren's next reply in a fictional chat between Oren and alice.
Oren lights the lamps of the old quarter.
Oren's personality: patient, dry
Scenario: Dusk in the old quarter.

[SYSTEM]
[Example Chat]

[USER]
Late again?

[ASSISTANT]
Never.

[SYSTEM]
[Start a new chat]

[ASSISTANT]
Evening, alice.

[USER]
Hello."
}

@test "data: null with spec v3 is read as a V1 card from the top level" {
	check_card "$F/null.json" "$F/null.json" Nell \
		"$W '$F/null.json': data: null, read as a V1 card from the top level" \
		"'$F/null.json': data: expected an object" \
		"$FROMTOP"
	run_ok persona show Nell
	assert_equal "$(jq -c '[.data.name, .data.scenario, .origin.card]' <<< "$output")" \
		'["Nell","Dusk in the old quarter.","v1"]'
	# and with no data at all
	jq -c 'del(.data)' "$F/null.json" > "$T/nodata.json"
	run -0 --separate-stderr persona-import "$T/nodata.json"
	assert_equal "$stderr" "$W '$T/nodata.json': data: missing, read as a V1 card from the top level"
	assert_equal "$(jq -r .status <<< "$output")" unchanged
}

@test "creation_date as an ISO date string is kept as written" {
	check_card "$F/date.json" "$F/date.json" Dara \
		"$W '$F/date.json': data.creation_date: a string, not a number: kept as written" \
		"'$F/date.json': data.creation_date: expected a number" \
		. \
		"$W '$T/export.json': data.creation_date: a string, not a number: kept as written"
	run_ok persona show Dara
	assert_equal "$(jq -c '[.data.creation_date, .top_level]' <<< "$output")" '["2024-03-09T12:00:00.000Z",null]'
}

@test "source as a string in a V2 card is kept as written" {
	check_card "$F/source.json" "$F/source.json" Sol \
		"$W '$F/source.json': data.source: a string, not a list of strings: kept as written" \
		"'$F/source.json': data.source: expected a list of strings" \
		'.spec = "chara_card_v3" | .spec_version = "3.0"' \
		"$W '$T/export.json': data.source: a string, not a list of strings: kept as written"
}

@test "tags that are objects keep their names; the objects go back out on export" {
	check_card "$F/tags.json" "$F/tags.json" Tam \
		"$W '$F/tags.json': data.tags[0]: object tag, kept its name 'Fantasy'
$W '$F/tags.json': data.tags[1]: object tag, kept its name 'Slice of life'" \
		"'$F/tags.json': data.tags[0]: expected a string" \
		. \
		"$W '$T/export.json': data.tags[0]: object tag, kept its name 'Fantasy'
$W '$T/export.json': data.tags[1]: object tag, kept its name 'Slice of life'"
	run_ok persona show Tam
	assert_equal "$(jq -c '[.data.tags, .top_level.guise_as_written.tags[0]]' <<< "$output")" \
		'[["Fantasy","Slice of life","guide"],{"_id":"6611a0","_typeName":"Fantasy"}]'
}

@test "a text field given as a list of strings is joined with newlines; the list goes back out" {
	check_card "$F/list.json" "$F/list.json" Pell \
		"$W '$F/list.json': data.personality: a list of strings, joined with newlines" \
		"'$F/list.json': data.personality: expected a string" \
		. \
		"$W '$T/export.json': data.personality: a list of strings, joined with newlines"
	run_ok persona show Pell
	assert_equal "$(jq -c .data.personality <<< "$output")" '"patient\ndry\nkind"'
	run_ok prompt-render --character Pell --format text -m 'Hi.'
	[[ $output == *"Pell's personality: patient"$'\n'"dry"$'\n'"kind"$'\n'* ]] || fail "$output"
	# an edit since wins over the card as it came
	run_ok persona update Pell <<< '{"data": {"personality": "brisk"}}'
	run_ok persona-export Pell
	assert_equal "$(jq -c '[.data.personality, has("guise_as_written")]' <<< "$output")" '["brisk",false]'
}

@test "creator notes given as a list: a V2 export carries their text before the backfill note" {
	printf '%s' '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Noor","description":"d","creator_notes":["line one","line two"]}}' > "$T/notes.json"
	run -0 --separate-stderr persona-import "$T/notes.json"
	assert_equal "$stderr" "$W '$T/notes.json': data.creator_notes: a list of strings, joined with newlines"
	run_ok persona-export --format v2 Noor
	assert_equal "$(jq -r .data.creator_notes <<< "$output")" "line one
line two

This character card is Character Card V3, but it is loaded as a Character Card V2. Please use a Character Card V3 compatible application to use this character card properly."
	run_ok persona-export Noor
	assert_equal "$(jq -c .data.creator_notes <<< "$output")" '["line one","line two"]'
}

@test "a card with no name anywhere takes its file's name; from stdin it is 'unnamed'" {
	check_card "$F/Quill.json" "$F/Quill.json" Quill \
		"$W '$F/Quill.json': data.name: no name anywhere, named 'Quill' after the file" \
		"'$F/Quill.json': data.name: a card needs a name" \
		'.data.name = "Quill"'
	run -0 --separate-stderr persona-import - < "$F/Quill.json"
	assert_equal "$(jq -c '[.name, .status, .source]' <<< "$output")" '["unnamed","created","<stdin>"]'
	assert_equal "$stderr" "$W '<stdin>': data.name: no name anywhere, named 'unnamed' after the file"
	# a V1 card with no name, in a PNG: the PNG's name
	jq -c '.data | {description, first_mes}' "$F/Quill.json" | base64 -w0 |
		test-tool png-add "$IMAGE" "$T/Wisp.card.png" tEXt chara
	run -0 --separate-stderr persona-import "$T/Wisp.card.png"
	assert_equal "$(jq -c '[.name, .status]' <<< "$output")" '["Wisp.card","created"]'
	assert_equal "$stderr" "$W '$T/Wisp.card.png': chara chunk: data.name: no name anywhere, named 'Wisp.card' after the file"
}

@test "-q silences every leniency warning in a batch; errors still speak" {
	printf '%s' '{"spec":"chara_card_v3","data":{"name":"X","tags":[1]}' > "$T/cut.json"
	run -65 --separate-stderr persona-import -q "$F/top.png" "$F/half.json" "$F/null.json" \
		"$F/date.json" "$F/source.json" "$F/tags.json" "$F/list.json" "$F/Quill.json" \
		"$F/top.json" "$T/cut.json"
	assert_equal "$(jq -r .name <<< "$output" | tr '\n' ' ')" "Mira Oren Nell Dara Sol Tam Pell Quill Mira "
	assert_equal "$stderr" "persona-import: '$T/cut.json':1:54: '}' expected near end of file"
}

@test "only a card with no usable text, or bytes that are not a card, is refused" {
	printf '%s' '{"spec":"chara_card_v3","spec_version":"3.0","data":{"tags":["x"],"extensions":{}}}' > "$T/Blank.json"
	run -65 --separate-stderr persona-import "$T/Blank.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$T/Blank.json': card: no usable text: no name, description or greeting"
	printf '%s' '{"spec":"chara_card_v2","spec_version":"2.0","data":null}' > "$T/Null.json"
	run -65 --separate-stderr persona-import -q "$T/Null.json"
	assert_equal "$stderr" "persona-import: '$T/Null.json': card: no usable text: no name, description or greeting"
	printf '%s' '{"title":"a recipe","steps":["boil"]}' > "$T/recipe.json"
	run -65 --separate-stderr persona-import "$T/recipe.json"
	assert_equal "$stderr" "persona-import: '$T/recipe.json': card: not a character card: no spec, name or char_name"
	# a lorebook of the wrong shape is the card's structure, not a slip: refused
	printf '%s' '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"B","character_book":{"entries":7}}}' > "$T/book.json"
	run -65 --separate-stderr persona-import "$T/book.json"
	assert_equal "$stderr" "persona-import: '$T/book.json': data.character_book.entries: expected a list"
	assert_equal "$(rows)" 0
}

@test "other slips: null text, a number for text, a string for a list, null extensions" {
	jq -c '.data.name = "Ivo" | .data.creator_notes = null | .data.character_version = 1.5
		| .data.alternate_greetings = "Hello again." | .data.extensions = null
		| .data.tags = ["a", 3, null, ["b"]]' "$F/whole.json" > "$T/slips.json"
	run -0 --separate-stderr persona-import "$T/slips.json"
	assert_equal "$stderr" "$W '$T/slips.json': data.tags[1]: a number, read as the text '3'
$W '$T/slips.json': data.tags[2]: null, left out
$W '$T/slips.json': data.tags[3]: a list, left out
$W '$T/slips.json': data.character_version: a number, read as the text '1.5'
$W '$T/slips.json': data.extensions: null, read as an empty object
$W '$T/slips.json': data.alternate_greetings: a string, read as a list of one
$W '$T/slips.json': data.creator_notes: null, not text: read as empty"
	run_ok persona show Ivo
	assert_equal "$(jq -c '.data | [.tags, .character_version, .extensions, .alternate_greetings, .creator_notes]' <<< "$output")" \
		'[["a","3"],"1.5",{},["Hello again."],""]'
	run_ok persona-export Ivo
	assert_equal "$(jq -S . <<< "$output")" "$(jq -S . "$T/slips.json")"
}

@test "a warning is one line, whatever the tag's name holds" {
	jq -c '.data.name = "Nia" | .data.tags = [{"name": "line\nbreak\u001b[31m and a very long name that goes on past any sensible width"}]' \
		"$F/whole.json" > "$T/odd.json"
	run -0 --separate-stderr persona-import "$T/odd.json"
	assert_equal "$stderr" "$W '$T/odd.json': data.tags[0]: object tag, kept its name 'line?break?[31m and a very long name that goes on past any s...'"
}
