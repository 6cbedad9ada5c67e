#!/usr/bin/env bats
# persona-import (DESIGN.md §7): every card shape in JSON and YAML, PNG text
# chunks, CHARX, SillyTavern persona backups, batches and their options,
# and damaged input of every kind. Fixtures come from
# tests/helpers/make-card-fixtures.bash; real cards from
# tests/data/cards-aicharlib (MIT, see its LICENSE), PngSuite from
# tests/data/pngsuite (see its LICENSE).

load keys

setup_file() {
	store_setup_file
	card_fixtures_make
}

teardown_file() { store_teardown_file; }

setup() {
	card_fixtures_setup
	SUITE=$DATA/pngsuite/png
}

teardown() { keys_teardown; }

ID='[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'

# What card.c fills in for the required V3 fields a card leaves out.
EMPTY='def empty: {description: "", tags: [], creator: "", character_version: "",
	mes_example: "", extensions: {}, system_prompt: "", post_history_instructions: "",
	first_mes: "", alternate_greetings: [], personality: "", scenario: "",
	creator_notes: "", group_only_greetings: []};
def book: if type == "object" then {extensions: {}, entries: []} + . |
	.entries |= map({keys: [], content: "", extensions: {}, enabled: true,
		insertion_order: 0, use_regex: false} + .) else . end;'

# rows: "characters personas" stored
rows() {
	db_sql "SELECT (SELECT count(*) FROM characters) || ' ' || (SELECT count(*) FROM user_personas)"
}

# summary NAME STATUS SOURCE [KIND]: the regexp of one summary line
summary() {
	printf '^\\{"kind":"%s","id":"%s","name":"%s","status":"%s","source":"%s"\\}$' \
		"${4:-character}" "$ID" "$1" "$2" "$3"
}

# stable JSON, to compare documents whatever their key order
canon() { jq -S -c . <<< "$1"; }

# fresh NAME: a new database with alice in it
fresh() {
	store_new "$1"
	new_user alice
}

# shape BASE CARD EXPR: BASE.json and BASE.yaml, each imported into a new
# database, are stored as the record EXPR makes ({data, top_level}) of the
# JSON fixture; then each finds the other's card unchanged.
shape() {
	local base=$1 card=$2 expr=$3 ext other want id
	for ext in json yaml; do
		fresh "$ext"
		run -0 --separate-stderr persona-import --full "$F/$base.$ext"
		assert_equal "$stderr" ""
		assert_equal "${#lines[@]}" 1
		[[ $(jq -r .id <<< "$output") =~ ^$ID$ ]] || fail "id in $output"
		[[ $(jq -r '.created_at + " " + .updated_at' <<< "$output") =~ ^([0-9-]{10}T[0-9:.]{12}Z) ]] ||
			fail "times in $output"
		want=$(jq -S -c --arg file "$base.$ext" --arg format "$ext" --arg card "$card" \
			"$EMPTY ($expr | if .data | has(\"character_book\") then .data.character_book |= book else . end) as \$r | {kind: \"character\", name: \$r.data.name,
			spec: \"chara_card_v3\", spec_version: \"3.0\"} + \$r +
			{origin: {file: \$file, format: \$format, card: \$card}, status: \"created\"}" \
			"$F/$base.json")
		assert_equal "$(jq -S -c 'del(.id, .created_at, .updated_at)' <<< "$output")" "$want"
		id=$(jq -r .id <<< "$output")
		[[ $ext == json ]] && other=yaml || other=json
		run -0 --separate-stderr persona-import "$F/$base.$other"
		assert_output "{\"kind\":\"character\",\"id\":\"$id\",\"name\":$(jq .data.name <<< "$want"),\"status\":\"unchanged\",\"source\":\"$F/$base.$other\"}"
		assert_equal "$stderr" ""
	done
}

# --- the real cards --------------------------------------------------------

@test "the real cards: their names, every field as the PNG's chara chunk says" {
	run -0 --separate-stderr persona-import "$CARDS/alpin_dale.png" "$CARDS/melina.png"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 2
	[[ ${lines[0]} =~ $(summary "Alpin Dale" created "$CARDS/alpin_dale.png") ]] || fail "${lines[0]}"
	[[ ${lines[1]} =~ $(summary Melina created "$CARDS/melina.png") ]] || fail "${lines[1]}"
	local f card
	for f in alpin_dale melina; do
		run -0 --separate-stderr persona-import --full "$CARDS/$f.png"
		assert_equal "$stderr" ""
		card=$(test-tool png-card "$CARDS/$f.png" 2> /dev/null)
		# V2 has no group_only_greetings: the one field added
		assert_equal "$(jq -S -c .data <<< "$output")" \
			"$(jq -S -c '.data + {group_only_greetings: []}' <<< "$card")"
		assert_equal "$(jq -c '[.kind, .name, .spec, .spec_version, .status, has("top_level")]' <<< "$output")" \
			"[\"character\",$(jq .data.name <<< "$card"),\"chara_card_v3\",\"3.0\",\"unchanged\",false]"
		assert_equal "$(jq -c .origin <<< "$output")" \
			"{\"file\":\"$f.png\",\"format\":\"png\",\"card\":\"chara_card_v2\",\"chunk\":\"chara\"}"
	done
	# the fields a reader looks for first, spelled out once
	assert_equal "$(jq -c '[.data.name, (.data.tags | length > 0), (.data.first_mes | length > 0)]' <<< "$output")" '["Melina",true,true]'
	assert_equal "$(rows)" "2 0"
}

# --- every shape, JSON and YAML ----------------------------------------------

@test "V3: every field, assets, the book's decorator lines and ids, unknown keys at every level" {
	shape v3 chara_card_v3 '{data, top_level: {x_top}}'
	# spelled out, so that the fixture itself cannot be what is wrong
	run_ok persona-import --full "$F/v3.yaml"
	assert_equal "$(jq -c '.data.character_book.entries | map([.id, .content, .x_entry])' <<< "$output")" \
		'[["entry-1","@@depth 4\n@@role assistant\nThe port smells of tar.",{"k":1}],[2,"@@activate\nIt rains {{char}}'"'"'s way.",null]]'
	assert_equal "$(jq -c '[.top_level, .data.x_data, .data.extensions.x_ext, .data.character_book.x_book, .data.assets[1].x_asset]' <<< "$output")" \
		'[{"x_top":{"kept":[1,2.5,null,true]}},{"deep":{"er":["é","☃"]}},{"a":[1,{"b":null}]},"kept",1]'
}

@test "V3 with character_book null keeps the null" {
	shape v3-nullbook chara_card_v3 '{data: (empty + .data)}'
	run_ok persona-import --full "$F/v3-nullbook.json"
	assert_equal "$(jq -c '.data | [has("character_book"), .character_book]' <<< "$output")" '[true,null]'
}

@test "V2: data kept whole, group_only_greetings added, unknown keys kept" {
	shape v2 chara_card_v2 '{data: (.data + {group_only_greetings: []}), top_level: {x_top}}'
}

@test "SillyTavern export: V2 data, and the top-level V1 copies and ST keys kept in top_level" {
	shape st chara_card_v2 '{data: (.data + {group_only_greetings: []}), top_level: del(.spec, .spec_version, .data)}'
	run_ok persona-import --full "$F/st.json"
	assert_equal "$(jq -c '.top_level | [.create_date, .avatar, .chat, .talkativeness, .fav]' <<< "$output")" \
		'["2024-01-02@10h00m00s","none","Ash - 2024-01-02@10h00m00s","0.5",false]'
}

@test "V1: the six flat fields into data, other keys in top_level" {
	shape v1 v1 '{data: (empty + {name, description, personality, scenario, first_mes, mes_example}), top_level: {x_v1}}'
}

@test "Pygmalion: char_name and friends renamed into data" {
	shape pygmalion pygmalion '{data: (empty + {name: .char_name, description: .char_persona,
		scenario: .world_scenario, first_mes: .char_greeting, mes_example: .example_dialogue}),
		top_level: {metadata}}'
}

@test "text-generation-webui: name, context, greeting, example_dialogue" {
	shape textgen textgen '{data: (empty + {name, description: .context, first_mes: .greeting,
		mes_example: .example_dialogue}), top_level: {your_name}}'
}

@test "a byte order mark before a JSON file's card is skipped" {
	run -0 --separate-stderr persona-import --full "$F/bom.json"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.name, .origin]' <<< "$output")" \
		'["Bom",{"file":"bom.json","format":"json","card":"chara_card_v2"}]'
}

# --- PNG -------------------------------------------------------------------------

@test "PNG: tEXt, zTXt, iTXt and compressed iTXt each carry the V3 card with assets and decorators" {
	run -0 --separate-stderr persona-import --full "$F"/png-{text,ztxt,itxt,itxtz}.png
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 4
	# one card and one image: found again, whatever chunk carried it
	assert_equal "$(jq -r .status <<< "$output" | tr '\n' ' ')" "created unchanged unchanged unchanged "
	assert_equal "$(jq -r .id <<< "$output" | sort -u | wc -l)" 1
	assert_equal "$(jq -S -c '{data, top_level}' <<< "${lines[0]}")" \
		"$(jq -S -c '{data, top_level: {x_top}}' "$F/v3.json")"
	assert_equal "$(jq -c .origin <<< "${lines[0]}")" \
		'{"file":"png-text.png","format":"png","card":"chara_card_v3","chunk":"ccv3"}'
	local f
	for f in png-text png-ztxt png-itxt png-itxtz; do
		run -0 --separate-stderr persona-import -n "$F/$f.png"
		assert_equal "$stderr" ""
		assert_equal "$(jq -c '[.name, .origin]' <<< "$output")" \
			"[\"Wren\",{\"file\":\"$f.png\",\"format\":\"png\",\"card\":\"chara_card_v3\",\"chunk\":\"ccv3\"}]"
	done
	assert_equal "$(rows)" "1 0"
}

@test "PNG: ccv3 wins over chara in either order, keywords in any case; chara alone is read" {
	local f st=created
	for f in png-chara-ccv3 png-ccv3-chara; do
		run -0 --separate-stderr persona-import "$F/$f.png"
		# the same card on the same image: the second is the first again
		[[ $output =~ $(summary "New card" $st "$F/$f.png") ]] || fail "$f: $output"
		assert_equal "$stderr" ""
		st=unchanged
		run_ok persona-import -n "$F/$f.png"
		assert_equal "$(jq -c .origin <<< "$output")" \
			"{\"file\":\"$f.png\",\"format\":\"png\",\"card\":\"chara_card_v3\",\"chunk\":\"ccv3\"}"
	done
	run -0 --separate-stderr persona-import -n "$F/png-chara.png"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.name, .origin]' <<< "$output")" \
		'["Old card",{"file":"png-chara.png","format":"png","card":"chara_card_v2","chunk":"chara"}]'
	assert_equal "$(rows)" "1 0"
}

@test "PNG: of two ccv3 chunks the first counts" {
	run -0 --separate-stderr persona-import "$F/png-dup.png"
	[[ $output =~ $(summary First created "$F/png-dup.png") ]] || fail "$output"
	assert_equal "$stderr" ""
}

@test "PNG: base64 without padding, cut by spaces and line breaks, or after a byte order mark" {
	run -0 --separate-stderr persona-import "$F/png-unpadded.png" "$F/png-wrapped.png" "$F/png-bom.png"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 3
	[[ ${lines[0]} =~ $(summary Pad created "$F/png-unpadded.png") ]] || fail "${lines[0]}"
	[[ ${lines[1]} =~ $(summary Wren created "$F/png-wrapped.png") ]] || fail "${lines[1]}"
	[[ ${lines[2]} =~ $(summary Bom created "$F/png-bom.png") ]] || fail "${lines[2]}"
	run_ok persona-import --full "$F/png-wrapped.png"
	assert_equal "$(jq -S -c .data <<< "$output")" "$(jq -S -c .data "$F/v3.json")"
}

@test "PngSuite: the 14 corrupt files in one batch, each refused with its reason" {
	local rows e file status reason files=() want=()
	mapfile -t rows < <(pngsuite_expected 'x*')
	assert_equal "${#rows[@]}" 14
	for e in "${rows[@]}"; do
		IFS=$'\t' read -r file status reason <<< "$e"
		assert_equal "$status" 65
		files+=("$SUITE/$file")
		want+=("persona-import: '$SUITE/$file': $reason")
	done
	run -65 --separate-stderr persona-import "${files[@]}"
	assert_output ""
	assert_equal "$stderr" "$(printf '%s\n' "${want[@]}")"
	assert_equal "$(rows)" "0 0"
}

@test "PngSuite: every valid image, in one batch, has no character data" {
	local rows e file status reason files=() want=()
	mapfile -t rows < <(pngsuite_expected '[!x]*')
	for e in "${rows[@]}"; do
		IFS=$'\t' read -r file status reason <<< "$e"
		files+=("$SUITE/$file")
		want+=("persona-import: '$SUITE/$file': $reason")
	done
	assert_equal "$(printf '%s\n' "${rows[@]}" | cut -f2- | sort -u)" $'65\tno character data'
	assert_equal "${#want[@]}" 161
	run -65 --separate-stderr persona-import "${files[@]}"
	assert_output ""
	assert_equal "$stderr" "$(printf '%s\n' "${want[@]}")"
	assert_equal "$(rows)" "0 0"
}

@test "each real card cut short at 44 places is refused, never a crash, nothing stored" {
	local f size chara len at cuts want line i
	local reason="(no character data|byte 0: invalid leading UTF-8 octet|not a PNG file \(bad signature\)|truncated at byte [0-9]+: no IEND chunk|chunk '(IHDR|IDAT|tEXt)' at byte [0-9]+: length [0-9]+ runs past the end)"
	for f in "$CARDS"/*.png; do
		size=$(stat -c %s "$f")
		# the chara chunk: its length field stands 4 bytes before its type
		chara=$(($(grep -obUa 'tEXtchara' "$f" | cut -d: -f1) - 4))
		len=$(od -An -tu1 -j "$chara" -N4 "$f" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
		cuts=(0 1 7 8 12 16 20 33 37 41)
		for i in $(seq 1 19); do cuts+=($((size * i / 20))); done
		cuts+=("$chara" $((chara + 4)) $((chara + 8)) $((chara + 14)) $((chara + 12 + len / 2))
			$((chara + 8 + len)) $((chara + 11 + len)) $((size - 16)) $((size - 13))
			$((size - 12)) $((size - 11)) $((size - 8)) $((size - 4)) $((size - 1)))
		assert_equal "${#cuts[@]}" 43
		cuts+=($((size - 2)))
		want=()
		for at in "${cuts[@]}"; do
			head -c "$at" "$f" > "$BATS_TEST_TMPDIR/cut-$at.png"
			want+=("$BATS_TEST_TMPDIR/cut-$at.png")
		done
		run -65 --separate-stderr persona-import "${want[@]}"
		assert_output ""
		assert_equal "${#stderr_lines[@]}" 44
		for i in "${!cuts[@]}"; do
			line=${stderr_lines[$i]}
			[[ $line =~ ^"persona-import: '${want[$i]}': "$reason$ ]] || fail "$f cut at ${cuts[$i]}: $line"
		done
		# the places that matter, exactly
		assert_equal "${stderr_lines[0]}" "persona-import: '${want[0]}': no character data"
		assert_equal "${stderr_lines[3]}" "persona-import: '${want[3]}': truncated at byte 8: no IEND chunk"
		assert_equal "${stderr_lines[32]}" "persona-import: '${want[32]}': chunk 'tEXt' at byte $chara: length $len runs past the end"
		assert_equal "${stderr_lines[38]}" "persona-import: '${want[38]}': truncated at byte $((size - 12)): no IEND chunk"
		rm -f "${want[@]}"
	done
	assert_equal "$(rows)" "0 0"
}

# --- CHARX -----------------------------------------------------------------------

@test "CHARX: the card and its icon are imported, the icon kept as the avatar, the assets kept" {
	run -0 --separate-stderr persona-import --full "$F/charx-valid.charx"
	assert_equal "$stderr" ""
	assert_equal "$(jq -S -c '{name, data, top_level, origin}' <<< "$output")" \
		"$(jq -S -c '{name: "Cx", data, top_level: {x_top}, origin: {file: "charx-valid.charx", format: "charx", card: "chara_card_v3"}}' "$F/charx-card.json")"
	# the avatar is the icon, byte for byte, under the new card chunks
	run_ok persona-export --format png -o "$BATS_TEST_TMPDIR/cx.png" Cx
	run_ok test-tool png-strip "$BATS_TEST_TMPDIR/cx.png" "$BATS_TEST_TMPDIR/bare.png"
	cmp "$BATS_TEST_TMPDIR/bare.png" "$SUITE/basn2c08.png"
	# and the CHARX goes back out with its assets
	run_ok persona-export --format charx -o "$BATS_TEST_TMPDIR/cx.charx" Cx
	run_ok test-tool charx "$BATS_TEST_TMPDIR/cx.charx"
	assert_equal "$(jq -c '.entries | map([.path, .len])' <<< "$output")" \
		"[[\"assets/icon/images/main.png\",$(stat -c %s "$SUITE/basn2c08.png")],[\"assets/other/notes.txt\",6]]"
	assert_equal "$(jq -c '.entries[0].sha256' <<< "$output")" "\"$(sha256sum < "$SUITE/basn2c08.png" | cut -d' ' -f1)\""
	assert_equal "$(rows)" "1 0"
}

@test "CHARX: unsafe, encrypted, incomplete and duplicated archives are refused, nothing stored" {
	local expect=(
		"slip:'../../evil.txt': unsafe entry name: a '..' component"
		"absolute:'/etc/evil': unsafe entry name: absolute path"
		"bomb-declared:'assets/bomb-declared.bin': inflates to 4294967294 bytes, more than 67108864"
		"encrypted:'card.json': encrypted zip entries are not supported"
		"no-card:no card.json"
		"dup:'card.json': duplicate entry name"
	)
	local e kind
	for e in "${expect[@]}"; do
		kind=${e%%:*}
		run -65 --separate-stderr persona-import "$F/charx-$kind.charx"
		assert_output ""
		assert_equal "$stderr" "persona-import: '$F/charx-$kind.charx': ${e#*:}"
	done
	# 60 MiB of zeros deflate to some 60 KiB
	run -65 --separate-stderr persona-import "$F/charx-bomb-ratio.charx"
	assert_output ""
	[[ $stderr =~ ^"persona-import: '$F/charx-bomb-ratio.charx': 'assets/bomb-ratio.bin': compression ratio over 200 (62914560 bytes from "[0-9]{5}")"$ ]] ||
		fail "$stderr"
	# an icon that is no PNG after all is named as the entry it is
	run -65 --separate-stderr persona-import "$F/charx-fakeicon.charx"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$F/charx-fakeicon.charx': assets/icon/images/main.png: truncated at byte 8: no IEND chunk"
	# -n checks the icon as the import does
	run -65 --separate-stderr persona-import -n "$F/charx-fakeicon.charx"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$F/charx-fakeicon.charx': assets/icon/images/main.png: truncated at byte 8: no IEND chunk"
	assert_equal "$(rows)" "0 0"
	run -66 --separate-stderr persona-export Wren
	assert_equal "$stderr" "persona-export: no such character or persona 'Wren'"
}

@test "CHARX bombs are refused in little memory" {
	sanitized && skip "peak memory means nothing under a sanitizer"
	local kind rss=$BATS_TEST_TMPDIR/rss
	for kind in bomb-declared bomb-ratio; do
		run -65 --separate-stderr /usr/bin/time -q -f %M -o "$rss" persona-import "$F/charx-$kind.charx"
		assert_output ""
		[[ $stderr == "persona-import: '$F/charx-$kind.charx': "* ]] || fail "$stderr"
		[[ $(cat "$rss") =~ ^[0-9]+$ ]] || fail "rss: $(cat "$rss")"
		(($(cat "$rss") < 65536)) || fail "$kind: peak RSS $(cat "$rss") KiB"
	done
	assert_equal "$(rows)" "0 0"
}

# --- batches and options -----------------------------------------------------------

# two_of_three NAME1 FROM1 NAME2 FROM2 MESSAGE FILE...: persona-import
# FILE... exits 65 having stored and told the two good cards (NAME1 from
# FROM1, NAME2 from FROM2, regexes) and MESSAGE on stderr for the bad one
two_of_three() {
	run -65 --separate-stderr persona-import "${@:6}"
	assert_equal "${#lines[@]}" 2
	[[ ${lines[0]} =~ $(summary "$1" created "$2") ]] || fail "${lines[0]}"
	[[ ${lines[1]} =~ $(summary "$3" created "$4") ]] || fail "${lines[1]}"
	assert_equal "$stderr" "$5"
	assert_equal "$(rows)" "2 0"
}

@test "a bad file in the middle: the others stored and told, the bad one named, 65 at the end" {
	two_of_three One "$F/one.json" Three "$F/three.json" \
		"persona-import: '$F/bad.json':2:1: unexpected token near end of file" \
		"$F/one.json" "$F/bad.json" "$F/three.json"
}

@test "--fail-fast stops at the bad file: nothing after it is imported" {
	run -65 --separate-stderr persona-import --fail-fast "$F/one.json" "$F/bad.json" "$F/three.json"
	[[ $output =~ $(summary One created "$F/one.json") ]] || fail "$output"
	assert_equal "$stderr" "persona-import: '$F/bad.json':2:1: unexpected token near end of file"
	assert_equal "$(rows)" "1 0"
	run -66 --separate-stderr persona-export Three
}

@test "a file of several cards: each named FILE[N], a bad one does not stop the rest" {
	two_of_three S1 "$F/stream.json\\[1\\]" S3 "$F/stream.json\\[3\\]" \
		"persona-import: '$F/stream.json[2]': data: not expected in a card without spec" \
		"$F/stream.json"
}

@test "'-' and no file at all read stdin" {
	run -0 --separate-stderr persona-import - < "$F/one.json"
	[[ $output =~ $(summary One created '<stdin>') ]] || fail "$output"
	assert_equal "$stderr" ""
	run_ok persona-import --full < "$F/three.json"
	assert_equal "$(jq -c '[.name, .status, .origin]' <<< "$output")" \
		'["Three","created",{"file":"<stdin>","format":"json","card":"v1"}]'
	run_ok persona-import - < "$F/png-text.png"
	[[ $output =~ $(summary Wren created '<stdin>') ]] || fail "$output"
	assert_equal "$(rows)" "3 0"
}

@test "a file that does not exist is 66; the files after it are still imported" {
	run -66 --separate-stderr persona-import "$F/nope.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: cannot open '$F/nope.json': No such file or directory"
	run -66 --separate-stderr persona-import "$F/nope.json" "$F/one.json"
	[[ $output =~ $(summary One created "$F/one.json") ]] || fail "$output"
	assert_equal "$stderr" "persona-import: cannot open '$F/nope.json': No such file or directory"
}

@test "importing the same files again: every one unchanged, same ids" {
	local files=("$F"/v3.json "$F"/v2.yaml "$F"/st.json "$F"/pygmalion.yaml "$F"/png-chara.png
		"$F"/charx-valid.charx "$F"/personas.json "$CARDS"/melina.png)
	run -0 --separate-stderr persona-import "${files[@]}"
	assert_equal "$stderr" ""
	local first=$output
	assert_equal "${#lines[@]}" 10
	assert_equal "$(jq -r .status <<< "$output" | sort -u)" created
	run -0 --separate-stderr persona-import "${files[@]}"
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .status <<< "$output" | sort -u)" unchanged
	assert_equal "$(jq -c 'del(.status)' <<< "$output")" "$(jq -c 'del(.status)' <<< "$first")"
	assert_equal "$(rows)" "7 3"
}

@test "--on-conflict: new makes another row, skip keeps the old, replace keeps the id" {
	run_ok persona-import "$F/vale-a.json"
	local id
	id=$(jq -r .id <<< "$output")
	run_ok persona-import --on-conflict skip "$F/vale-b.json"
	assert_output "{\"kind\":\"character\",\"id\":\"$id\",\"name\":\"vale\",\"status\":\"skipped\",\"source\":\"$F/vale-b.json\"}"
	assert_equal "$(rows)" "1 0"
	run -0 --separate-stderr persona-import --on-conflict replace --full "$F/vale-b.json"
	assert_equal "$(jq -c '[.id, .name, .data.description, .status]' <<< "$output")" "[\"$id\",\"vale\",\"second\",\"updated\"]"
	assert_equal "$stderr" ""
	assert_equal "$(rows)" "1 0"
	run_ok persona-import "$F/vale-a.json"
	[[ $output =~ $(summary Vale created "$F/vale-a.json") ]] || fail "$output"
	[[ $output != *"$id"* ]] || fail "new is a new row: $output"
	assert_equal "$(rows)" "2 0"
	# two rows of that name: which one to replace is not ours to guess
	run -65 --separate-stderr persona-import --on-conflict replace "$F/vale-c.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$F/vale-c.json': 2 characters are called that: cannot tell which to replace"
	assert_equal "$(rows)" "2 0"
	run -64 --separate-stderr persona-import --on-conflict merge "$F/vale-c.json"
	assert_equal "${stderr_lines[0]}" "persona-import: --on-conflict: 'merge' is not new, replace or skip"
}

@test "-n prints the records and stores nothing; it needs no database and no user" {
	run -0 --separate-stderr persona-import -n "$F/v1.json" "$F/personas.json"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 4
	assert_equal "$(rows)" "0 0"
	run -0 --separate-stderr env -u GUISE_PASSPHRASE_FILE GUISE_DB="$BATS_TEST_TMPDIR/none/dir/guise.db" \
		persona-import -n "$F/v1.json" "$F/charx-valid.charx"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 2
	assert_equal "$(jq -S -c . <<< "${lines[0]}")" \
		"$(jq -S -c "$EMPTY"'{kind: "character", name, spec: "chara_card_v3", spec_version: "3.0",
			data: (empty + {name, description, personality, scenario, first_mes, mes_example}),
			top_level: {x_v1}, origin: {file: "v1.json", format: "json", card: "v1"}}' "$F/v1.json")"
	assert_equal "$(jq -c '[has("id"), .name, .origin.format]' <<< "${lines[1]}")" '[false,"Cx","charx"]'
	[[ ! -e $BATS_TEST_TMPDIR/none ]] || fail "-n made $(find "$BATS_TEST_TMPDIR/none")"
}

@test "--strict: a newer or missing spec_version is an error, not a warning" {
	run -0 --separate-stderr persona-import "$F/spec31.json" "$F/specnone.json"
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" "persona-import: warning: '$F/spec31.json': spec_version 3.1 is newer than 3.0: read as 3.0
persona-import: warning: '$F/specnone.json': no spec_version: read as 3.0"
	fresh strict
	run -65 --separate-stderr persona-import --strict "$F/spec31.json" "$F/specnone.json" "$F/one.json"
	[[ $output =~ $(summary One created "$F/one.json") ]] || fail "$output"
	assert_equal "$stderr" "persona-import: '$F/spec31.json': spec_version 3.1 is newer than 3.0: read as 3.0
persona-import: '$F/specnone.json': no spec_version: read as 3.0"
	assert_equal "$(rows)" "1 0"
}

@test "--as persona: a card stored as a custom persona" {
	run -0 --separate-stderr persona-import --as persona --full "$F/v3.json"
	assert_equal "$stderr" ""
	assert_equal "$(jq -S -c 'del(.id, .created_at, .updated_at)' <<< "$output")" \
		"$(jq -S -c '{kind: "persona", name: "Wren", spec: "user_persona_spec_v1", spec_version: "1.0.0",
			data, top_level: {x_top}, origin: {file: "v3.json", format: "json", card: "chara_card_v3"},
			default: false, position: "in_prompt", depth: 2, role: "system", status: "created"}' "$F/v3.json")"
	assert_equal "$(rows)" "0 1"
	# a persona and a character of the same card are two things
	run_ok persona-import "$F/v3.json"
	[[ $output =~ $(summary Wren created "$F/v3.json") ]] || fail "$output"
	run_ok persona-import --as persona "$F/v3.json"
	[[ $output =~ $(summary Wren unchanged "$F/v3.json" persona) ]] || fail "$output"
	assert_equal "$(rows)" "1 1"
}

@test "--swap-macros swaps {{char}} and {{user}}, in any case, in every string of data" {
	run -0 --separate-stderr persona-import --as persona --swap-macros --full "$F/macros.json"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '.data | [.name, .description, .first_mes, .alternate_greetings, .extensions, .character_book]' <<< "$output")" \
		'["Mirror","{{user}} watches {{char}}; {{user}} and {{char}}; {{chars}} {{char}}{{user}}","Hello {{char}}, I am {{user}}.",["{{char}}?","{{user}}!"],{"note":"{{user}} {{char}}","n":1},{"entries":[{"keys":["{{char}}"],"content":"{{user}} knows {{char}}.","id":1,"extensions":{},"enabled":true,"insertion_order":0,"use_regex":false}],"extensions":{}}]'
	# without the swap the text is as it came
	run_ok persona-import --as persona --full "$F/macros.json"
	assert_equal "$(jq -S -c .data <<< "$output")" "$(jq -S -c "$EMPTY"'empty + .data | .character_book |= book' "$F/macros.json")"
}

@test "--swap-macros goes with --as persona only" {
	run -64 --separate-stderr persona-import --swap-macros "$F/macros.json"
	assert_output ""
	assert_equal "${stderr_lines[0]}" "persona-import: --swap-macros goes with --as persona"
	run -64 --separate-stderr persona-import --as character --swap-macros "$F/macros.json"
	assert_equal "${stderr_lines[0]}" "persona-import: --swap-macros goes with --as persona"
	assert_equal "$(rows)" "0 0"
}

# --- SillyTavern persona backups -------------------------------------------------

@test "a SillyTavern persona backup: three personas, their placement, the default set" {
	run -0 --separate-stderr persona-import --full "$F/personas.json"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 3
	local want
	want=$(jq -S -c "$EMPTY"'.persona_descriptions as $d | .personas | to_entries | map(
		{kind: "persona", name: .value, spec: "user_persona_spec_v1", spec_version: "1.0.0",
		 data: (empty + {name: .value, description: $d[.key].description,
			extensions: {sillytavern_persona: ({avatar: .key} + ($d[.key] | del(.description, .position, .depth, .role)))}}),
		 origin: {file: "personas.json", format: "sillytavern-personas", card: "user_persona", avatar: .key},
		 status: "created"})
		| .[0] += {default: false, position: "at_depth", depth: 3, role: "user"}
		| .[1] += {default: true, position: "none", depth: 2, role: "system"}
		| .[2] += {default: false, position: "an_top", depth: 2, role: "system"}' "$F/personas.json")
	assert_equal "$(jq -S -c -s 'map(del(.id, .created_at, .updated_at))' <<< "$output")" "$want"
	assert_equal "$(jq -c '.data.extensions.sillytavern_persona' <<< "${lines[0]}")" '{"avatar":"a.png","title":"t","lorebook":""}'
	assert_equal "$(db_sql 'SELECT default_persona_id FROM users')" "$(jq -r .id <<< "${lines[1]}")"
	assert_equal "$(rows)" "0 3"
	# the summary names each persona by its place in the backup
	run -0 --separate-stderr persona-import "$F/personas.json"
	assert_equal "$stderr" ""
	[[ ${lines[1]} =~ $(summary Kai unchanged "$F/personas.json: personas.b.png" persona) ]] || fail "${lines[1]}"
}

@test "a persona backup with a bad position or role is refused where it is wrong" {
	run -65 --separate-stderr persona-import "$F/personas-badpos.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$F/personas-badpos.json': persona_descriptions.a.png: position: expected a number"
	run -65 --separate-stderr persona-import "$F/personas-badrole.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$F/personas-badrole.json': persona_descriptions.a.png: role: expected 0, 1 or 2"
	assert_equal "$(rows)" "0 0"
	# a bad entry refuses the whole backup: the good one before it is not stored
	run -65 --separate-stderr persona-import "$F/personas-badlast.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$F/personas-badlast.json': persona_descriptions.b.png: role: expected 0, 1 or 2"
	assert_equal "$(rows)" "0 0"
	assert_equal "$(db_sql 'SELECT count(default_persona_id) FROM users')" 0
}

# --- limits ------------------------------------------------------------------------

@test "nesting: 256 levels are read, 257 refused" {
	run_ok persona-import "$F/deep-ok.json"
	[[ $output =~ $(summary Deep created "$F/deep-ok.json") ]] || fail "$output"
	fresh deep
	run -65 --separate-stderr persona-import "$F/deep.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$F/deep.json':1:1: nested deeper than 256 levels"
	assert_equal "$(rows)" "0 0"
}

@test "an empty file has no character data" {
	run -65 --separate-stderr persona-import "$F/empty.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$F/empty.json': no character data"
	assert_equal "$(rows)" "0 0"
}

@test "the JSON in a card chunk is held to the document rules: duplicate keys, a raw NUL, deep nesting" {
	local img=$SUITE/basn0g01.png out=$BATS_TEST_TMPDIR
	printf '{"spec":"chara_card_v2","data":{"name":"A","name":"B"}}' | base64 -w0 |
		test-tool png-add "$img" "$out/dup.png" tEXt chara
	printf '{"spec":"chara_card_v2",\n"data":{"name":"A\0"}}' | base64 -w0 |
		test-tool png-add "$img" "$out/nul.png" tEXt chara
	{ printf '{"spec":"chara_card_v2","data":{"name":"A","extensions":'
	  printf '[%.0s' $(seq 300); printf ']%.0s' $(seq 300); printf '}}'; } | base64 -w0 |
		test-tool png-add "$img" "$out/deep.png" tEXt chara
	run -65 --separate-stderr persona-import "$out/dup.png" "$out/nul.png" "$out/deep.png"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$out/dup.png': chara chunk:1:49: duplicate object key near '\"name\"'
persona-import: '$out/nul.png': chara chunk:2:18: NUL byte in JSON input
persona-import: '$out/deep.png': chara chunk: nested deeper than 256 levels"
	assert_equal "$(rows)" "0 0"
}

@test "compressed text chunks that are not the card are never inflated: a 60 MiB zTXt costs no memory" {
	sanitized && skip "peak memory means nothing under a sanitizer"
	local img=$SUITE/basn0g01.png out=$BATS_TEST_TMPDIR
	head -c 62914560 /dev/zero | test-tool png-add "$img" "$out/junk.png" zTXt Comment
	printf '{"name":"Quiet","description":"d"}' | base64 -w0 |
		test-tool png-add "$out/junk.png" "$out/card.png" tEXt chara
	run_ok /usr/bin/time -f %M -o "$out/rss" persona-import -n "$out/card.png"
	assert_equal "$(jq -r .name <<< "$output")" Quiet
	(($(cat "$out/rss") < 32768)) || fail "peak RSS $(cat "$out/rss") KiB"
	run_ok /usr/bin/time -f %M -o "$out/rss" persona-import "$out/card.png"
	(($(cat "$out/rss") < 32768)) || fail "peak RSS $(cat "$out/rss") KiB"
}

@test "a batch commits before stdin is read: no lock is held while a pipe keeps us waiting" {
	local T=$BATS_TEST_TMPDIR pid
	mkfifo "$T/in"
	persona-import "$F/v2.json" - < "$T/in" > "$T/out" 2> "$T/err" &
	pid=$!
	exec 5> "$T/in"
	# v2.json is told (so committed) while stdin is still open and empty
	for _ in $(seq 100); do [[ -s $T/out ]] && break; sleep 0.1; done
	[[ $(jq -r .source "$T/out") == "$F/v2.json" ]] || fail "$(cat "$T/out" "$T/err")"
	# and another writer gets the lock at once
	run -0 store_write_free
	cat "$F/v1.json" >&5
	exec 5>&-
	wait "$pid"
	assert_equal "$(jq -r .source "$T/out")" "$F/v2.json
<stdin>"
	assert_equal "$(cat "$T/err")" ""
}

@test "--progress: a progress line never runs into a message, and ends with a newline" {
	run -66 --separate-stderr persona-import --progress "$F/v2.json" "$F/nope.json" "$F/v1.json"
	assert_equal "${#lines[@]}" 2
	[[ $stderr != *"filespersona-import"* ]] || fail "$stderr"
	[[ $stderr == *$'\n'"persona-import: cannot open '$F/nope.json': No such file or directory"$'\n'* ]] ||
		fail "$stderr"
	[[ $stderr == *"persona-import: 3/3 files" ]] || fail "$stderr"
	# one file, no --progress, stderr not a terminal: no progress at all
	run -0 --separate-stderr persona-import "$F/v2.json"
	assert_equal "$stderr" ""
}

@test "a persona backup stands or falls whole: one persona that fails its card stores none" {
	local T=$BATS_TEST_TMPDIR
	printf '%s' '{"personas": {"a.png": "Alpha", "b.png": ""}, "persona_descriptions": {}}' > "$T/half.json"
	run -65 --separate-stderr persona-import "$T/half.json"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$T/half.json': personas.b.png: data.name: a card needs a name"
	assert_equal "$(rows)" "0 0"
	# and with batches of one card, a backup is still one commit
	printf '%s' '{"personas": {"a.png": "Alpha", "b.png": "Beta", "c.png": "Gamma"}}' > "$T/three.json"
	run_ok persona-import --batch 1 "$T/three.json"
	assert_equal "${#lines[@]}" 3
	assert_equal "$(rows)" "0 3"
	# a backup's persona keeps no copy of the backup: its own entry is in its card
	assert_equal "$(db_sql 'SELECT count(*) FROM user_personas WHERE card_raw IS NOT NULL')" 0
}

@test "a file name that is not UTF-8 is told as the bytes it is" {
	local name
	name=$BATS_TEST_TMPDIR/$(printf 'caf\xe9.json')
	cp "$F/v2.json" "$name"
	run -0 --separate-stderr persona-import "$name"
	assert_equal "$stderr" ""
	[[ $output == *"\"source\":\"$name\"}" ]] || fail "$output"
	assert_equal "$(rows)" "1 0"
}

@test "a message about a place inside a file names the file, then the place (DESIGN.md §3)" {
	local T=$BATS_TEST_TMPDIR img=$SUITE/basn0g01.png
	printf '%s' '{"spec":"chara_card_v3","spec_version":"3.5","data":{"name":"X","tags":[1]}}' |
		base64 -w0 | test-tool png-add "$img" "$T/tags.png" tEXt ccv3
	printf '{"name": 1}' | test-tool charx-make "$T/flat.charx" valid
	printf '%s' '{"personas": {"a.png": ""}}' > "$T/backup.json"
	run -65 --separate-stderr persona-import "$T/tags.png" "$T/flat.charx" "$T/backup.json"
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" "persona-import: warning: '$T/tags.png': ccv3 chunk: spec_version 3.5 is newer than 3.0: read as 3.0
persona-import: warning: '$T/tags.png': ccv3 chunk: data.tags[0]: a number, read as the text '1'
persona-import: warning: '$T/flat.charx': card.json: name: a number, read as the text '1'
persona-import: '$T/backup.json': personas.a.png: data.name: a card needs a name"
	# and the same wrong types as errors, under --strict
	run -65 --separate-stderr persona-import --strict "$T/flat.charx"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$T/flat.charx': card.json: name: expected a string"
}

@test "long file names and persona keys are cut in messages, never overrun" {
	local T=$BATS_TEST_TMPDIR long dir
	long=$(printf 'x%.0s' $(seq 250))
	dir=$T/$long/$long/$long
	mkdir -p "$dir"
	printf '{"personas": {"%s.png": ""}}' "$(printf 'a%.0s' $(seq 400))" > "$dir/b.json"
	run -65 --separate-stderr persona-import "$dir/b.json"
	assert_output ""
	# too long for a message to hold both: the place is left out, not overrun
	[[ $stderr == "persona-import: '$dir/b.json': data.name: a card needs a name" ]] ||
		fail "$stderr"
}
