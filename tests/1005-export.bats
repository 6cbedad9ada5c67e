#!/usr/bin/env bats
# persona-export (DESIGN.md §7): every format (V3, V2, YAML, PNG, CHARX) for
# the real cards of tests/data/cards-aicharlib (MIT, see its LICENSE) and
# for a persona; import then export loses nothing, for every card shape and
# for the 485 strings of the Big List of Naughty Strings (tests/data/blns,
# MIT, see its ORIGIN and LICENSE) in every text field; what the npm
# oracles (tests/oracles) make of our exports; and the errors.
# The canonical card of an input is what `test-tool card` makes of it;
# cards are compared with their keys sorted (jq -S).

load common

ORACLES=$TOP/tests/oracles
NOTE='This character card is Character Card V3, but it is loaded as a Character Card V2. Please use a Character Card V3 compatible application to use this character card properly.'
# the text fields of a card's data, and one tag and alternate greeting
FIELDS='.data | {name, description, personality, scenario, first_mes, mes_example, creator_notes, system_prompt, post_history_instructions, creator, character_version, nickname, tags, alternate_greetings}'

setup_file() {
	local f=$BATS_FILE_TMPDIR
	# V3: unknown keys at the top, in data, extensions, the book and its
	# entries; entries that start with decorator lines
	cat > "$f/v3.json" <<'EOF'
{
  "spec": "chara_card_v3",
  "spec_version": "3.0",
  "x_top": {"kept": [1, 2.5, null, true]},
  "data": {
    "name": "Wren",
    "description": "A courier who knows {{user}} by sight.",
    "personality": "curious, quick",
    "scenario": "A port town in the rain.",
    "first_mes": "A letter for you, {{user}}.",
    "mes_example": "<START>\n{{user}}: Any mail?\n{{char}}: Always.",
    "creator_notes": "Test card.",
    "system_prompt": "Stay in character.",
    "post_history_instructions": "Be brief.",
    "alternate_greetings": ["Rain again.", "Sign here."],
    "group_only_greetings": ["Mail for all of you."],
    "tags": ["courier", "fantasy"],
    "creator": "guise tests",
    "character_version": "1.2",
    "nickname": "Wr",
    "creator_notes_multilingual": {"en": "Test card.", "fr": "Carte de test."},
    "source": ["https://example.org/wren"],
    "creation_date": 1700000000,
    "modification_date": 1700000100,
    "assets": [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png", "x_asset": 1}],
    "extensions": {"talkativeness": "0.5", "x_ext": {"a": [1, {"b": null}]}},
    "x_data": {"deep": ["\u00e9", "\u2603"]},
    "character_book": {
      "name": "Wren's port",
      "scan_depth": 3,
      "extensions": {"x_book_ext": 1},
      "x_book": "kept",
      "entries": [
        {"keys": ["port"], "content": "@@depth 4\n@@activate\nThe port smells of tar.",
         "extensions": {}, "enabled": true, "insertion_order": 1, "use_regex": false,
         "id": 1, "x_entry": {"k": 1}},
        {"keys": ["rain"], "content": "@@depth 4\n@@activate\nIt rains.\n@@depth 2 is no decorator here",
         "extensions": {"x_entry_ext": "e"}, "enabled": true, "insertion_order": 2,
         "use_regex": false, "id": 2},
        {"keys": ["tide"], "content": "No decorators. @@depth 4", "extensions": {},
         "enabled": false, "insertion_order": 3, "use_regex": true, "id": 3},
        {"keys": ["bell"], "content": "@@dont_activate", "extensions": {},
         "enabled": true, "insertion_order": 4, "use_regex": false, "id": 4}
      ]
    }
  }
}
EOF
	# the same with a string entry id, which V3 allows
	jq '.data.name = "Wren S" | .data.character_book.entries[1].id = "two"' \
		"$f/v3.json" > "$f/v3-strid.json"
	# a SillyTavern export: V2, its V1 fields copied to the top with ST keys
	cat > "$f/st.json" <<'EOF'
{"name": "Ash", "description": "A smith.", "personality": "gruff", "scenario": "A forge.",
 "first_mes": "Hot iron. Careful.", "mes_example": "", "creatorcomment": "exported",
 "avatar": "none", "chat": "Ash - 2024-01-02@10h00m00s", "talkativeness": "0.5",
 "fav": false, "tags": ["smith"], "create_date": "2024-01-02@10h00m00s",
 "spec": "chara_card_v2", "spec_version": "2.0",
 "data": {"name": "Ash", "description": "A smith.", "personality": "gruff",
  "scenario": "A forge.", "first_mes": "Hot iron. Careful.", "mes_example": "",
  "creator_notes": "exported", "system_prompt": "", "post_history_instructions": "",
  "tags": ["smith"], "creator": "", "character_version": "", "alternate_greetings": [],
  "extensions": {"talkativeness": "0.5", "fav": false, "world": "",
   "depth_prompt": {"prompt": "", "depth": 4, "role": "system"}},
  "x_data": [1]}}
EOF
	cat > "$f/v1.json" <<'EOF'
{"name": "Old", "description": "From before specs.", "personality": "plain",
 "scenario": "Anywhere.", "first_mes": "Hello.", "mes_example": "<START>",
 "x_v1": {"kept": true}}
EOF
	cat > "$f/pygmalion.json" <<'EOF'
{"char_name": "Pyg", "char_persona": "A test subject.", "char_greeting": "Hi.",
 "world_scenario": "A lab.", "example_dialogue": "<START>\nPyg: Hi.", "x_pyg": 1}
EOF
	cat > "$f/textgen.yaml" <<'EOF'
name: Tex
context: A text generator.
greeting: Hello there.
x_tg: [1, 2]
EOF
	cat > "$f/textgen.json" <<'EOF'
{"name": "Tex J", "context": "A text generator.", "greeting": "Hello there.", "x_tg": [1, 2]}
EOF
	# blns: one V3 card a string, the string in every text field, a tag
	# and an alternate greeting; the name is "blns-N-" and the string
	# (one string is empty, and a card needs a name)
	jq -c '{spec: "chara_card_v3", spec_version: "3.0",
		data: {name: "blns-\(input_line_number)-\(.)", description: ., personality: .,
		scenario: ., first_mes: ., mes_example: ., creator_notes: ., system_prompt: .,
		post_history_instructions: ., creator: ., character_version: ., nickname: .,
		tags: [.], alternate_greetings: [.]}}' "$DATA/blns/blns.jsonl" > "$f/blns-cards.jsonl"
}

setup() {
	common_setup
	export GUISE_PASSPHRASE='correct horse'
	persona-encrypt init -u alice > /dev/null
	F=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
	CARDS=$DATA/cards-aicharlib
}

# canon FILE: the canonical card of a card file (JSON, YAML or PNG), sorted
canon() {
	local in=$1
	if [[ $1 == *.png ]]; then
		in=$T/canon-in.json
		test-tool png-card "$1" > "$in" 2> /dev/null
	fi
	test-tool card "$in" | jq -S .
}

# A card sorted for comparison; a persona's placement, which its export
# carries in extensions.guise_persona, is checked on its own.
sorted() { jq -S 'del(.data.extensions.guise_persona?)' "$@"; }

# the id of the only summary line in $output, checking its status
summary_id() {
	assert_equal "$(jq -r .status <<< "$output")" "$1"
	jq -r .id <<< "$output"
}

# The real cards as characters and Melina as a persona too; ID holds the
# ids, SRC their files.
import_real() {
	run -0 --separate-stderr persona-import "$CARDS/alpin_dale.png" "$CARDS/melina.png"
	assert_equal "$stderr" ""
	ID=($(jq -r .id <<< "$output"))
	run_ok persona-import --as persona "$CARDS/melina.png"
	assert_equal "$(jq -r .kind <<< "$output")" persona
	ID+=("$(summary_id created)")
	SRC=("$CARDS/alpin_dale.png" "$CARDS/melina.png" "$CARDS/melina.png")
}

# walk_chunks PNG [KEYWORD]: the PNG's chunk types, a line each (a text
# chunk's with its keyword); with KEYWORD, the text of the first tEXt
# chunk keyed KEYWORD instead (status 1 if there is none)
walk_chunks() {
	od -An -v -tu1 "$1" | awk -v want="${2-}" '
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	END {
		for (off = 8; off + 12 <= n; off += 12 + len) {
			len = ((b[off] * 256 + b[off + 1]) * 256 + b[off + 2]) * 256 + b[off + 3]
			type = sprintf("%c%c%c%c", b[off + 4], b[off + 5], b[off + 6], b[off + 7])
			kw = ""
			if (type == "tEXt" || type == "zTXt" || type == "iTXt") {
				for (j = off + 8; j < off + 8 + len && b[j] != 0; j++)
					kw = kw sprintf("%c", b[j])
				if (want != "" && type == "tEXt" && kw == want) {
					for (j++; j < off + 8 + len; j++)
						printf "%c", b[j]
					exit 0
				}
			}
			if (want == "")
				print type (kw == "" ? "" : " " kw)
		}
		exit want != ""
	}'
}

# the oracles run where scripts/install-deps installed them; under CI they must
need_oracles() {
	if [[ ! -d $ORACLES/node_modules ]] || ! command -v node > /dev/null; then
		[[ -z ${CI:-} ]] || fail "no node or no tests/oracles/node_modules under CI: run scripts/install-deps"
		skip "no node or no tests/oracles/node_modules: run scripts/install-deps"
	fi
}

# --- every format --------------------------------------------------------

@test "v3, the default: the canonical card, for the real cards and a persona" {
	import_real
	local k
	for k in 0 1 2; do
		run -0 --separate-stderr persona-export "${ID[k]}"
		assert_equal "$stderr" ""
		assert_equal "${#lines[@]}" 1
		assert_equal "$(sorted <<< "$output")" "$(canon "${SRC[k]}")"
		assert_equal "$(persona-export --format v3 "${ID[k]}")" "$output"
	done
	# and by name (any case), the kind told apart by --character and --persona
	run_ok persona-export 'alpin dale'
	assert_equal "$output" "$(persona-export "${ID[0]}")"
	run_ok persona-export --character melina
	assert_equal "$output" "$(persona-export "${ID[1]}")"
	run_ok persona-export --persona MELINA
	assert_equal "$output" "$(persona-export "${ID[2]}")"
}

@test "v2: the V2 labels and the backfill note after the creator's notes, the rest as v3" {
	import_real
	run -0 persona-import "$F/v1.json"
	ID+=("$(summary_id created)")
	local k v3
	for k in 0 1 2 3; do
		v3=$(persona-export "${ID[k]}")
		run -0 --separate-stderr persona-export --format v2 "${ID[k]}"
		assert_equal "$stderr" ""
		assert_equal "$(jq -r '.spec, .spec_version' <<< "$output")" "chara_card_v2
2.0"
		assert_equal "$(sorted <<< "$output")" "$(jq -S --arg n "$NOTE" '.spec = "chara_card_v2"
			| .spec_version = "2.0"
			| .data.creator_notes |= if . == "" then $n else . + "\n\n" + $n end' <<< "$v3" | sorted)"
	done
	# the real cards have notes of their own; the V1 card has none
	run -0 persona-export --format v2 --persona Melina
	assert_equal "$(jq -r .data.creator_notes <<< "$output")" "Melina from Elden Ring

$NOTE"
	run -0 persona-export --format v2 Old
	assert_equal "$(jq -r .data.creator_notes <<< "$output")" "$NOTE"
}

@test "v2: leading decorator lines are stripped from lorebook entries, nothing else" {
	run -0 persona-import "$F/v3.json"
	# v3 keeps them
	run_ok persona-export Wren
	assert_equal "$(jq -c '[.data.character_book.entries[].content]' <<< "$output")" \
		'["@@depth 4\n@@activate\nThe port smells of tar.","@@depth 4\n@@activate\nIt rains.\n@@depth 2 is no decorator here","No decorators. @@depth 4","@@dont_activate"]'
	local v3=$output
	run -0 --separate-stderr persona-export --format v2 Wren
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.data.character_book.entries[].content]' <<< "$output")" \
		'["The port smells of tar.","It rains.\n@@depth 2 is no decorator here","No decorators. @@depth 4",""]'
	# the book and the rest of each entry, unknown keys included, unchanged
	assert_equal "$(jq -S 'del(.data.character_book.entries[].content)' <<< "$output")" \
		"$(jq -S --arg n "$NOTE" 'del(.data.character_book.entries[].content)
			| .spec = "chara_card_v2" | .spec_version = "2.0"
			| .data.creator_notes += "\n\n" + $n' <<< "$v3")"
	assert_equal "$(jq -c '.x_top, .data.character_book.x_book, .data.character_book.entries[0].x_entry' <<< "$output")" \
		'{"kept":[1,2.5,null,true]}
"kept"
{"k":1}'
}

@test "yaml: -y and --format yaml are one document that reads back as the card" {
	import_real
	run -0 persona-import "$F/v3.json"
	ID+=("$(summary_id created)")
	SRC+=("$F/v3.json")
	local k
	for k in 0 1 2 3; do
		run -0 --separate-stderr persona-export --format yaml -o "$T/card.yaml" "${ID[k]}"
		assert_output ""
		assert_equal "$stderr" ""
		run_ok persona-export -y "${ID[k]}"
		assert_equal "$output" "$(cat "$T/card.yaml")"
		assert_equal "${lines[0]}" "---"
		assert_equal "${lines[1]}" "spec: chara_card_v3"
		# read back as a document, and as an import
		run_ok test-tool doc "$T/card.yaml"
		assert_equal "$(sorted <<< "$output")" "$(canon "${SRC[k]}")"
		run -0 --separate-stderr persona-import -n "$T/card.yaml"
		assert_equal "$stderr" ""
		assert_equal "$(jq -S '{spec, spec_version, data} + (.top_level // {})' <<< "$output" | sorted)" \
			"$(canon "${SRC[k]}")"
		assert_equal "$(jq -c .origin <<< "$output")" \
			'{"file":"card.yaml","format":"yaml","card":"chara_card_v3"}'
	done
	# v2 in YAML is the v2 card
	run_ok persona-export --format v2 -y Wren
	assert_equal "$(test-tool doc <<< "$output" | sorted)" "$(persona-export --format v2 Wren | sorted)"
}

@test "png: the avatar kept, a chara chunk (V2) then a ccv3 chunk (V3), old ones gone" {
	import_real
	local k
	for k in 0 1 2; do
		run -0 --separate-stderr persona-export --format png -o "$T/out.png" "${ID[k]}"
		assert_output ""
		assert_equal "$stderr" ""
		# one chara then one ccv3 text chunk, in tEXt
		assert_equal "$(walk_chunks "$T/out.png" | grep -v '^IDAT$')" "IHDR
tEXt chara
tEXt ccv3
IEND"
		assert_equal "$(grep -a -o -e 'tEXtchara' -e 'tEXtccv3' "$T/out.png")" "tEXtchara
tEXtccv3"
		# a reader finds the V3 card in ccv3
		run -0 --separate-stderr test-tool png-card "$T/out.png"
		assert_equal "$stderr" "test-tool: from 'ccv3'"
		assert_equal "$(sorted <<< "$output")" "$(canon "${SRC[k]}")"
		assert_equal "$(sorted <<< "$output")" "$(persona-export "${ID[k]}" | sorted)"
		# chara holds the V2 backfill
		walk_chunks "$T/out.png" chara | base64 -d > "$T/chara.json"
		assert_equal "$(sorted "$T/chara.json")" "$(persona-export --format v2 "${ID[k]}" | sorted)"
		# the image is the original's, chunk for chunk
		test-tool png-strip "$T/out.png" "$T/out-image.png"
		test-tool png-strip "${SRC[k]}" "$T/in-image.png"
		cmp "$T/out-image.png" "$T/in-image.png"
		# stdout (not a terminal here) gets the same bytes
		persona-export --format png "${ID[k]}" > "$T/stdout.png"
		cmp "$T/stdout.png" "$T/out.png"
	done
}

@test "png: a card without an avatar gets a 1x1 default image" {
	run -0 persona-import "$F/v3.json"
	run_ok persona-export --format png -o "$T/out.png" Wren
	assert_equal "$(walk_chunks "$T/out.png" | grep -v '^IDAT$')" "IHDR
tEXt chara
tEXt ccv3
IEND"
	# IHDR: width 1, height 1
	assert_equal "$(od -An -tx1 -j 16 -N 8 "$T/out.png" | tr -d ' \n')" 0000000100000001
	run -0 --separate-stderr test-tool png-card "$T/out.png"
	assert_equal "$stderr" "test-tool: from 'ccv3'"
	assert_equal "$(sorted <<< "$output")" "$(canon "$F/v3.json")"
}

@test "charx: card.json is the V3 card, the avatar its icon asset" {
	import_real
	local k sha
	for k in 0 1 2; do
		run -0 --separate-stderr persona-export --format charx -o "$T/out.charx" "${ID[k]}"
		assert_output ""
		assert_equal "$stderr" ""
		run -0 --separate-stderr test-tool charx "$T/out.charx"
		assert_equal "$stderr" ""
		test-tool png-strip "${SRC[k]}" "$T/image.png"
		sha=$(sha256sum < "$T/image.png" | cut -d' ' -f1)
		assert_equal "$(jq -c .entries <<< "$output")" \
			"[{\"path\":\"assets/icon/images/main.png\",\"len\":$(stat -c %s "$T/image.png"),\"sha256\":\"$sha\"}]"
		assert_equal "$(jq -r .card <<< "$output" | sorted)" \
			"$(canon "${SRC[k]}" | jq -S '.data.assets = [{type: "icon",
				uri: "embeded://assets/icon/images/main.png", name: "main", ext: "png"}]')"
	done
	# without an avatar: the card alone
	run -0 persona-import "$F/v3.json"
	run_ok persona-export --format charx -o "$T/wren.charx" Wren
	run_ok test-tool charx "$T/wren.charx"
	assert_equal "$(jq -c .entries <<< "$output")" "[]"
	assert_equal "$(jq -r .card <<< "$output" | sorted)" "$(canon "$F/v3.json")"
}

@test "charx: a card imported from a CHARX goes out with its assets, byte for byte" {
	local icon=$DATA/pngsuite/png/basn2c08.png
	jq '.data.name = "Kit" | .data.assets = [
		{type: "icon", uri: "embeded://assets/icon/images/main.png", name: "main", ext: "png"},
		{type: "background", uri: "embeded://assets/other/bg.bin", name: "bg", ext: "bin"}]' \
		"$F/v3.json" > "$T/kit.json"
	# every byte value, twice
	printf "$(printf '\\%03o' {0..255} {0..255})" > "$T/bg.bin"
	assert_equal "$(stat -c %s "$T/bg.bin")" 512
	test-tool charx-write "$T/kit.charx" assets/icon/images/main.png "$icon" \
		assets/other/bg.bin "$T/bg.bin" < "$T/kit.json"
	run_ok persona-import "$T/kit.charx"
	local id
	id=$(summary_id created)
	run -0 --separate-stderr persona-export --format charx -o "$T/out.charx" Kit
	assert_equal "$stderr" ""
	run_ok test-tool charx "$T/out.charx"
	assert_equal "$(jq -c .entries <<< "$output")" "$(test-tool charx "$T/kit.charx" | jq -c .entries)"
	assert_equal "$(jq -c '.entries[].sha256' <<< "$output")" \
		"\"$(sha256sum < "$icon" | cut -d' ' -f1)\"
\"$(sha256sum < "$T/bg.bin" | cut -d' ' -f1)\""
	assert_equal "$(jq -r .card <<< "$output" | sorted)" "$(canon "$T/kit.json")"
	# the same card again, from the export: unchanged
	run_ok persona-import "$T/out.charx"
	assert_equal "$(summary_id unchanged)" "$id"
	# its PNG is the icon, and re-imports as the same card too
	run_ok persona-export --format png -o "$T/out.png" Kit
	test-tool png-strip "$T/out.png" "$T/image.png"
	cmp "$T/image.png" "$icon"
	run_ok persona-import "$T/out.png"
	assert_equal "$(summary_id unchanged)" "$id"
}

# --- lossless --------------------------------------------------------------

@test "import then export loses nothing, for every card shape; the export re-imports 'unchanged'" {
	local f id
	for f in v3.json v3-strid.json st.json v1.json pygmalion.json textgen.yaml textgen.json; do
		run -0 --separate-stderr persona-import "$F/$f"
		assert_equal "$stderr" ""
		id=$(summary_id created)
		run -0 --separate-stderr persona-export "$id"
		assert_equal "$stderr" ""
		assert_equal "$(sorted <<< "$output")" "$(canon "$F/$f")"
		printf '%s\n' "$output" > "$T/export.json"
		run -0 --separate-stderr persona-import "$T/export.json"
		assert_equal "$stderr" ""
		assert_equal "$(summary_id unchanged)" "$id"
	done
	# the unknown keys are there to be lost: every level, and ST's top keys
	run -0 persona-export Wren
	assert_equal "$(jq -c '[.x_top, .data.x_data, .data.extensions.x_ext, .data.character_book.x_book,
		.data.character_book.extensions, .data.character_book.entries[0].x_entry,
		.data.character_book.entries[1].extensions, .data.assets[0].x_asset]' <<< "$output")" \
		'[{"kept":[1,2.5,null,true]},{"deep":["é","☃"]},{"a":[1,{"b":null}]},"kept",{"x_book_ext":1},{"k":1},{"x_entry_ext":"e"},1]'
	run -0 persona-export 'wren s'
	assert_equal "$(jq -c '[.data.character_book.entries[].id]' <<< "$output")" '[1,"two",3,4]'
	run -0 persona-export Ash
	assert_equal "$(jq -c '[.creatorcomment, .chat, .talkativeness, .fav, .create_date, .name, .data.x_data]' <<< "$output")" \
		'["exported","Ash - 2024-01-02@10h00m00s","0.5",false,"2024-01-02@10h00m00s","Ash",[1]]'
	run -0 persona-export Old Pyg Tex
	assert_equal "$(jq -c '[.x_v1, .x_pyg, .x_tg]' <<< "$output")" '[{"kept":true},null,null]
[null,1,null]
[null,null,[1,2]]'
}

@test "a persona loses nothing either, and re-imports 'unchanged' as a persona" {
	local f id
	for f in v3.json st.json; do
		run_ok persona-import --as persona "$F/$f"
		assert_equal "$(jq -r .kind <<< "$output")" persona
		id=$(summary_id created)
		run_ok persona-export --persona "$id"
		assert_equal "$(sorted <<< "$output")" "$(canon "$F/$f")"
		assert_equal "$(jq -c .data.extensions.guise_persona <<< "$output")" \
			'{"position":"in_prompt","depth":2,"role":"system"}'
		printf '%s\n' "$output" > "$T/export.json"
		run_ok persona-import --as persona "$T/export.json"
		assert_equal "$(summary_id unchanged)" "$id"
	done
}

@test "a persona's placement goes out with it and comes back: export, then import --as persona" {
	printf '%s' '{"personas": {"w.png": "Wren"}, "persona_descriptions": {"w.png": {"description": "d", "position": 4, "depth": 7, "role": 1}}}' > "$T/backup.json"
	run_ok persona-import --full "$T/backup.json"
	assert_equal "$(jq -c '[.position, .depth, .role]' <<< "$output")" '["at_depth",7,"user"]'
	run_ok persona-export --persona Wren
	assert_equal "$(jq -c .data.extensions.guise_persona <<< "$output")" \
		'{"position":"at_depth","depth":7,"role":"user"}'
	printf '%s\n' "$output" > "$T/wren.json"
	# into another user's store: the same placement, and no guise_persona left in the card
	export GUISE_PASSPHRASE=pw
	persona-encrypt init -u bob > /dev/null
	run_ok persona-import -u bob --as persona --full "$T/wren.json"
	assert_equal "$(jq -c '[.position, .depth, .role, (.data.extensions | has("guise_persona"))]' <<< "$output")" \
		'["at_depth",7,"user",false]'
	# and as a character the extension is only an extension, kept as it came
	run_ok persona-import -u bob --full "$T/wren.json"
	assert_equal "$(jq -c '[.kind, .data.extensions.guise_persona.depth]' <<< "$output")" '["character",7]'
}

@test "every shape in a PNG: the exported PNG re-imports 'unchanged' (same avatar, same card)" {
	local image=$DATA/pngsuite/png/basn0g01.png f id
	for f in v3.json st.json v1.json pygmalion.json textgen.json; do
		base64 -w0 "$F/$f" | test-tool png-add "$image" "$T/$f.png" tEXt chara
		run -0 --separate-stderr persona-import "$T/$f.png"
		assert_equal "$stderr" ""
		id=$(summary_id created)
		run_ok persona-export "$id"
		assert_equal "$(sorted <<< "$output")" "$(canon "$F/$f")"
		run_ok persona-export --format png -o "$T/out.png" "$id"
		test-tool png-strip "$T/out.png" "$T/image.png"
		cmp "$T/image.png" "$image"
		run -0 --separate-stderr persona-import "$T/out.png"
		assert_equal "$stderr" ""
		assert_equal "$(summary_id unchanged)" "$id"
	done
	# the real cards, and a persona
	import_real
	local k
	for k in 0 1 2; do
		persona-export --format png -o "$T/real.png" "${ID[k]}"
		if ((k == 2)); then
			run_ok persona-import --as persona "$T/real.png"
		else
			run_ok persona-import "$T/real.png"
		fi
		assert_equal "$(summary_id unchanged)" "${ID[k]}"
	done
}

# --- the Big List of Naughty Strings -----------------------------------------

# all 485 blns cards, in one persona-import call; their ids in order in IDS
import_blns() {
	run -0 --separate-stderr persona-import "$F/blns-cards.jsonl"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 485
	assert_equal "$(jq -r .status <<< "$output" | sort -u)" created
	IDS=($(jq -r .id <<< "$output"))
}

@test "blns: the input holds what it should (485 cards; empty, U+2029, control characters)" {
	assert_equal "$(wc -l < "$F/blns-cards.jsonl")" 485
	assert_equal "$(jq -s -c 'map(.data.description) | [(.[0] == ""), any(test("\u2029")),
		any(test("\u001b")), any(test("\u0007")), any(test("\b"))]' "$F/blns-cards.jsonl")" \
		'[true,true,true,true,true]'
	# every field but the name is the raw string, byte for byte
	assert_equal "$(jq -c .data.description "$F/blns-cards.jsonl")" "$(jq -c . "$DATA/blns/blns.jsonl")"
	assert_equal "$(jq -c "$FIELDS"' | del(.name) | [.[] | arrays[0] // .] | unique | length' "$F/blns-cards.jsonl" | sort -u)" 1
}

@test "blns: every string survives import and export in every text field" {
	import_blns
	run -0 --separate-stderr persona-export "${IDS[@]}"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 485
	printf '%s\n' "$output" > "$T/out.jsonl"
	# field by field, in order
	run -0 diff <(jq -c -S "$FIELDS" "$F/blns-cards.jsonl") <(jq -c -S "$FIELDS" "$T/out.jsonl")
	# and the whole card: the canonical card of the input
	run -0 diff <(test-tool card "$F/blns-cards.jsonl" | jq -c -S .) <(jq -c -S . "$T/out.jsonl")
	# the raw bytes of one field, for the empty string and U+2029
	assert_equal "$(jq -j '.data.scenario' <<< "${lines[0]}" | od -An -tx1)" ""
	assert_equal "$(sed -n 160p "$T/out.jsonl" | jq -j '.data.scenario' | od -An -tx1 | tr -d ' ')" \
		e280a974657374e280a9
}

@test "blns: every string survives a YAML export and its re-import" {
	import_blns
	run -0 --separate-stderr persona-export --format yaml -o "$T/out.yaml" "${IDS[@]}"
	assert_equal "$stderr" ""
	assert_equal "$(grep -c '^---$' "$T/out.yaml")" 485
	run -0 --separate-stderr persona-import -n "$T/out.yaml"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 485
	printf '%s\n' "$output" > "$T/back.jsonl"
	run -0 diff <(jq -c -S "$FIELDS" "$F/blns-cards.jsonl") <(jq -c -S "$FIELDS" "$T/back.jsonl")
}

@test "blns: every 10th string survives a PNG export and its re-import" {
	import_blns
	local k
	mkdir "$T/png"
	for ((k = 0; k < 485; k += 10)); do
		persona-export --format png -o "$(printf '%s/png/%03d.png' "$T" "$k")" "${IDS[k]}"
	done
	run -0 --separate-stderr persona-import -n "$T"/png/*.png
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 49
	printf '%s\n' "$output" > "$T/back.jsonl"
	run -0 diff <(sed -n '1~10p' "$F/blns-cards.jsonl" | jq -c -S "$FIELDS") <(jq -c -S "$FIELDS" "$T/back.jsonl")
}

@test "beyond blns: U+2028, U+0085, NUL, DEL, every C0 control and a non-BMP character survive" {
	jq -n -c '["\u2028", "\u0085", "a\u0000b", "\u007f", "\u2028\u2029\u0085 \r\n\t",
		([range(1; 32)] | implode), "\ud83d\ude00"] | to_entries[]
		| .value as $s | {spec: "chara_card_v3", spec_version: "3.0",
		data: {name: "odd-\(.key)", description: $s, personality: $s, scenario: $s,
		first_mes: $s, mes_example: $s, creator_notes: $s, system_prompt: $s,
		post_history_instructions: $s, creator: $s, character_version: $s, nickname: $s,
		tags: [$s], alternate_greetings: [$s]}}' > "$T/odd.jsonl"
	run_ok persona-import "$T/odd.jsonl"
	local ids=($(jq -r .id <<< "$output")) id
	assert_equal "${#ids[@]}" 7
	persona-export "${ids[@]}" > "$T/out.jsonl"
	run -0 diff <(jq -c -S "$FIELDS" "$T/odd.jsonl") <(jq -c -S "$FIELDS" "$T/out.jsonl")
	# the bytes themselves: NEL is C2 85, LS E2 80 A8, NUL a 00 b
	assert_equal "$(sed -n 2p "$T/out.jsonl" | jq -j .data.creator | od -An -tx1 | tr -d ' ')" c285
	assert_equal "$(sed -n 3p "$T/out.jsonl" | jq -j .data.creator | od -An -tx1 | tr -d ' ')" 610062
	persona-export --format yaml "${ids[@]}" | persona-import -n > "$T/yaml.jsonl"
	run -0 diff <(jq -c -S "$FIELDS" "$T/odd.jsonl") <(jq -c -S "$FIELDS" "$T/yaml.jsonl")
	: > "$T/png.jsonl"
	for id in "${ids[@]}"; do
		persona-export --format png -o "$T/odd.png" "$id"
		persona-import -n "$T/odd.png" >> "$T/png.jsonl"
	done
	run -0 diff <(jq -c -S "$FIELDS" "$T/odd.jsonl") <(jq -c -S "$FIELDS" "$T/png.jsonl")
}

# --- the oracles ---------------------------------------------------------------

@test "ccardlib: our v2 exports are V2 and our v3 exports V3 (real cards, a persona, a lorebook, blns)" {
	need_oracles
	import_real
	run -0 persona-import "$F/v3.json"
	ID+=("$(summary_id created)")
	import_blns
	local k files=() expected=
	for ((k = 0; k < 485; k += 10)); do
		ID+=("${IDS[k]}")
	done
	for k in "${!ID[@]}"; do
		persona-export "${ID[k]}" > "$T/$k-v3.json"
		persona-export --format v2 "${ID[k]}" > "$T/$k-v2.json"
		files+=("$T/$k-v3.json" "$T/$k-v2.json")
		expected+="$T/$k-v3.json v3"$'\n'"$T/$k-v2.json v2"$'\n'
	done
	assert_equal "${#files[@]}" $((2 * (4 + 49)))
	run -0 --separate-stderr node "$ORACLES/ccardlib-check.mjs" "${files[@]}"
	assert_equal "$stderr" ""
	assert_equal "$output" "${expected%$'\n'}"
}

@test "char-card-reader: our PNGs read back as chara_card_v3 with our v3 data" {
	need_oracles
	import_real
	import_blns
	local k files=()
	for ((k = 0; k < 485; k += 50)); do
		ID+=("${IDS[k]}")
	done
	for k in "${!ID[@]}"; do
		persona-export --format png -o "$T/$k.png" "${ID[k]}"
		persona-export "${ID[k]}" | jq -c --arg f "$T/$k.png" \
			'{file: $f, spec, spec_version, data}' >> "$T/expected.jsonl"
		files+=("$T/$k.png")
	done
	run -0 --separate-stderr node "$ORACLES/png-read.mjs" "${files[@]}"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 13
	printf '%s\n' "$output" > "$T/read.jsonl"
	run -0 diff <(jq -c -S . "$T/expected.jsonl") <(jq -c -S . "$T/read.jsonl")
}

# --- errors --------------------------------------------------------------------

@test "an unknown name, id or kind: 66, nothing on stdout" {
	run -0 persona-import "$F/v3.json"
	run -0 persona-import --as persona "$F/st.json"
	run -66 --separate-stderr persona-export x
	assert_output ""
	assert_equal "$stderr" "persona-export: no such character or persona 'x'"
	run -66 --separate-stderr persona-export 00000000-0000-7000-8000-000000000000
	assert_equal "$stderr" "persona-export: no such character or persona '00000000-0000-7000-8000-000000000000'"
	run -66 --separate-stderr persona-export --persona Wren
	assert_output ""
	assert_equal "$stderr" "persona-export: no such persona 'Wren'"
	run -66 --separate-stderr persona-export --character ash
	assert_equal "$stderr" "persona-export: no such character 'ash'"
	# text formats print all the cards or none
	run -66 --separate-stderr persona-export Wren nobody Ash
	assert_output ""
	assert_equal "$stderr" "persona-export: no such character or persona 'nobody'"
	run -66 --separate-stderr persona-export --format png -o "$T/x.png" nobody
	assert_equal "$stderr" "persona-export: no such character or persona 'nobody'"
	[[ ! -e $T/x.png ]]
}

@test "an ambiguous name or id prefix: 65, the candidates listed" {
	import_real
	run -65 --separate-stderr persona-export melina
	assert_output ""
	assert_equal "$stderr" "persona-export: 'melina' is ambiguous: 2 match (character ${ID[1]}, persona ${ID[2]})"
	# two characters' ids share a prefix: both are listed (a persona is
	# not a character)
	local a=${ID[0]} b=${ID[1]} n=0
	while [[ ${a:n:1} == "${b:n:1}" ]]; do n=$((n + 1)); done
	((n >= 4)) || skip "ids share fewer than 4 characters"
	run -65 --separate-stderr persona-export --character "${a:0:n}"
	assert_output ""
	assert_equal "$stderr" "persona-export: '${a:0:n}' is ambiguous: 2 match (character $a, character $b)"
	# two characters of one name
	run -0 persona-import "$F/v3.json"
	local w1 w2
	w1=$(summary_id created)
	jq '.data.description = "Another Wren."' "$F/v3.json" > "$T/wren2.json"
	run -0 persona-import "$T/wren2.json"
	w2=$(summary_id created)
	run -65 --separate-stderr persona-export --format v2 WREN
	assert_output ""
	assert_equal "$stderr" "persona-export: 'WREN' is ambiguous: 2 match (character $w1, character $w2)"
	# a longer prefix is one card
	run_ok persona-export "${a:0:35}"
	assert_equal "$(jq -r .data.name <<< "$output")" "Alpin Dale"
}

@test "usage errors: 64 (one card for PNG and CHARX, a known format, a name)" {
	run -0 persona-import "$F/v3.json" "$F/st.json"
	local f
	for f in png charx; do
		run -64 --separate-stderr persona-export --format "$f" -o "$T/x" Wren Ash
		assert_output ""
		assert_equal "${stderr_lines[0]}" "persona-export: a PNG or CHARX holds one card: name one"
		assert_equal "${stderr_lines[1]}" "usage: persona-export [--format v3|v2|yaml|png|charx] [-o FILE]"
		[[ ! -e $T/x ]]
	done
	run -64 --separate-stderr persona-export --format v4 Wren
	assert_equal "${stderr_lines[0]}" "persona-export: --format: 'v4' is not v3, v2, yaml, png or charx"
	run -64 --separate-stderr persona-export
	assert_equal "${stderr_lines[0]}" "persona-export: name a character or persona"
}

@test "-o writes the file whole or not at all; no temporary file is left" {
	run -0 persona-import "$F/v3.json" "$F/st.json"
	mkdir "$T/out"
	run -0 --separate-stderr persona-export -o "$T/out/cards.json" Wren Ash
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(cat "$T/out/cards.json")" "$(persona-export Wren Ash)"
	assert_equal "$(ls -A "$T/out")" cards.json
	# a failed export leaves the old file as it was
	run -66 --separate-stderr persona-export -o "$T/out/cards.json" Ash nobody
	assert_equal "$(cat "$T/out/cards.json")" "$(persona-export Wren Ash)"
	assert_equal "$(ls -A "$T/out")" cards.json
	# replaced whole by a new one
	run_ok persona-export --format png -o "$T/out/cards.json" Ash
	run -0 --separate-stderr test-tool png-card "$T/out/cards.json"
	assert_equal "$stderr" "test-tool: from 'ccv3'"
	assert_equal "$(jq -r .data.name <<< "$output")" Ash
	assert_equal "$(ls -A "$T/out")" cards.json
	# onto a directory: 74, the temporary file removed
	mkdir "$T/out/dir"
	run -74 --separate-stderr persona-export -o "$T/out/dir" Wren
	assert_output ""
	assert_equal "$stderr" "persona-export: cannot write '$T/out/dir': Is a directory"
	assert_equal "$(ls -A "$T/out")" "cards.json
dir"
	assert_equal "$(ls -A "$T/out/dir")" ""
	# into a missing directory: 74, nothing written
	local f
	for f in v3 png charx; do
		run -74 --separate-stderr persona-export --format "$f" -o "$T/missing/x.$f" Wren
		assert_output ""
		assert_equal "$stderr" "persona-export: cannot write '$T/missing/x.$f': No such file or directory"
		[[ ! -e $T/missing ]]
	done
}

@test "another user's card is not found, in the same words as a missing one" {
	run -0 persona-import "$CARDS/melina.png"
	local id
	id=$(summary_id created)
	persona-encrypt init -u bob > /dev/null
	run -66 --separate-stderr persona-export -u bob "$id"
	assert_output ""
	assert_equal "$stderr" "persona-export: no such character or persona '$id'"
	run -66 --separate-stderr persona-export -u bob 00000000-0000-7000-8000-000000000000
	assert_equal "$stderr" "persona-export: no such character or persona '00000000-0000-7000-8000-000000000000'"
	local ref
	for ref in "${id:0:8}" Melina; do
		run -66 --separate-stderr persona-export -u bob --format png -o "$T/x.png" "$ref"
		assert_output ""
		assert_equal "$stderr" "persona-export: no such character or persona '$ref'"
		[[ ! -e $T/x.png ]]
	done
	# alice still has it
	run_ok persona-export -u alice "$id"
	assert_equal "$(jq -r .data.name <<< "$output")" Melina
}

@test "a locked user: 77, nothing printed, nothing written" {
	run -0 persona-import "$F/v3.json"
	unset GUISE_PASSPHRASE
	local f
	for f in v3 png; do
		run -77 --separate-stderr persona-export --format "$f" -o "$T/x" Wren
		assert_output ""
		assert_equal "$stderr" "persona-export: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
		[[ ! -e $T/x ]]
	done
	run -77 --separate-stderr persona-export Wren
	assert_output ""
}

@test "-o keeps the mode of the file it replaces: a private file stays private" {
	import_real
	printf 'old\n' > "$T/private.json"
	chmod 600 "$T/private.json"
	run_ok persona-export -o "$T/private.json" "${ID[0]}"
	assert_equal "$(stat -c %a "$T/private.json")" 600
	assert_equal "$(jq -r .data.name "$T/private.json")" "Alpin Dale"
	(umask 022 && persona-export -o "$T/new.json" "${ID[0]}")
	assert_equal "$(stat -c %a "$T/new.json")" 644
	(umask 077 && persona-export -o "$T/new2.json" "${ID[0]}")
	assert_equal "$(stat -c %a "$T/new2.json")" 600
}
