#!/usr/bin/env bats
# Backyard AI archives (.byaf, lib/byaf and lib/byaf_card): a zip with a
# manifest, the character's JSON, scenarios and images, imported as
# SillyTavern 1.13 maps it to a card. The zip is read as a CHARX is (same
# caps, in memory); the paths the manifest and character give are checked.
# Fixtures come from tests/helpers/make-byaf.bash (parts, changed here with
# jq, then packed with test-tool zip-make).

load keys

setup() {
	keys_setup_alice
	P=$BATS_TEST_TMPDIR/parts
	mkdir -p "$P"
	"$TOP/tests/helpers/make-byaf.bash" "$P"
	B=$BATS_TEST_TMPDIR/w.byaf
	SUITE=$DATA/pngsuite/png
}

teardown() { keys_teardown; }

ID='[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'

# pack [NAME SOURCE]...: $B from the parts in $P, plus the entries given
pack() { "$TOP/tests/helpers/make-byaf.bash" --pack "$B" "$P" "$@"; }

# edit PART JQ: change a part in place
edit() {
	jq "$2" "$P/$1" > "$P/$1.new"
	mv "$P/$1.new" "$P/$1"
}

# rows: "characters personas" stored
rows() {
	sqlite3 "$GUISE_DB" 'SELECT (SELECT count(*) FROM characters) || " " || (SELECT count(*) FROM user_personas)'
}

# refused FILE MESSAGE [FLAG...]: persona-import refuses FILE with 65 and
# MESSAGE after the file's name, nothing on stdout, nothing stored
refused() {
	local f=$1 msg=$2
	shift 2
	run -65 --separate-stderr persona-import "$@" "$f"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$f': $msg"
	assert_equal "$(rows)" "0 0"
}

@test "a Backyard archive imports as the card SillyTavern makes of it, the first image its avatar" {
	run_ok persona-import "$P/valid.byaf"
	[[ $output =~ ^\{\"kind\":\"character\",\"id\":\"$ID\",\"name\":\"Wren\",\"status\":\"created\",\"source\":\"$P/valid.byaf\"\}$ ]] ||
		fail "$output"
	run_ok persona show Wren
	assert_equal "$(jq -c '[.kind, .name, .spec, .spec_version, .origin]' <<< "$output")" \
		'["character","Wren","chara_card_v3","3.0",{"file":"valid.byaf","format":"byaf","card":"chara_card_v3"}]'
	# field by field, as SillyTavern's byaf.js maps them, macros turned
	assert_equal "$(jq -c '.data | del(.extensions, .character_book)' <<< "$output")" \
		"$(jq -c -n '{name: "Wren",
			description: "{{char}} knows {{user}} by sight; {{user}} stays as it is. Ünïcode.",
			tags: ["nsfw"], creator: "Mara", character_version: "",
			mes_example: "<START>\n{{user}}: Hi\n{{char}}: Hello\n<START>\n{{user}}: Mail?\n{{char}}: Always.",
			system_prompt: "Write as {{char}}.", post_history_instructions: "",
			first_mes: "Hello {{user}}!", alternate_greetings: ["Wet day, {{user}}."],
			personality: "", scenario: "{{user}} meets {{char}}.",
			creator_notes: "https://backyard.ai/hub/user/mara", group_only_greetings: [],
			creation_date: 1746100800, modification_date: 1746187200}')"
	assert_equal "$(jq -c '.data.character_book' <<< "$output")" \
		'{"entries":[{"keys":["vale","river"],"content":"{{user}} lives by the river.","extensions":{},"enabled":true,"insertion_order":0,"use_regex":false},{"keys":["inn"],"content":"The inn.","extensions":{},"enabled":true,"insertion_order":2,"use_regex":false}],"extensions":{}}'
	# what V3 has no place for, as written: less what went into fields and
	# the first scenario's chat
	assert_equal "$(jq -c '.data.extensions.display_name' <<< "$output")" '"Wren of the Vale"'
	assert_equal "$(jq -S -c '.data.extensions.backyard' <<< "$output")" \
		"$(jq -S -c -n --slurpfile m "$P/manifest.json" --slurpfile c "$P/character.json" \
			--slurpfile s1 "$P/s1.json" --slurpfile s2 "$P/s2.json" \
			'{manifest: $m[0], character: ($c[0] | del(.persona, .loreItems)),
			  scenarios: [($s1[0] | del(.messages, .narrative, .formattingInstructions,
					.firstMessages, .exampleMessages)), ($s2[0] | del(.messages))]}')"
	# the avatar is main.png, byte for byte, under the card chunks
	run_ok persona-export --format png -o "$BATS_TEST_TMPDIR/w.png" Wren
	run_ok test-tool png-strip "$BATS_TEST_TMPDIR/w.png" "$BATS_TEST_TMPDIR/bare.png"
	cmp "$BATS_TEST_TMPDIR/bare.png" "$SUITE/basn2c08.png"
	assert_equal "$(rows)" "1 0"
	# the same archive again changes nothing
	run_ok persona-import "$P/valid.byaf"
	[[ $output == *'"status":"unchanged"'* ]] || fail "$output"
}

@test "exported as V3, a Backyard card keeps every field, and imports back the same" {
	run_ok persona-import -q "$P/valid.byaf"
	run_ok persona show Wren
	local shown=$output
	run_ok persona-export Wren
	assert_equal "$(jq -c '[.spec, .spec_version]' <<< "$output")" '["chara_card_v3","3.0"]'
	assert_equal "$(jq -S -c .data <<< "$output")" "$(jq -S -c .data <<< "$shown")"
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/wren.json"
	export GUISE_DB=$BATS_TEST_TMPDIR/other.db
	new_user alice
	run_ok persona-import "$BATS_TEST_TMPDIR/wren.json"
	run_ok persona show Wren
	assert_equal "$(jq -S -c .data <<< "$output")" "$(jq -S -c .data <<< "$shown")"
	# and the CHARX export carries the avatar as its icon
	export GUISE_DB=$BATS_TEST_TMPDIR/guise.db
	run_ok persona-export --format charx -o "$BATS_TEST_TMPDIR/w.charx" Wren
	run_ok test-tool charx "$BATS_TEST_TMPDIR/w.charx"
	assert_equal "$(jq -c '.entries | map(.path)' <<< "$output")" '["assets/icon/images/main.png"]'
	assert_equal "$(jq -r '.entries[0].sha256' <<< "$output")" "$(sha256sum < "$SUITE/basn2c08.png" | cut -d' ' -f1)"
}

@test "the content decides: any name, and a zip with card.json is a CHARX still" {
	cp "$P/valid.byaf" "$BATS_TEST_TMPDIR/noext"
	run_ok persona-import -n "$BATS_TEST_TMPDIR/noext"
	assert_equal "$(jq -c '[.name, .origin.format]' <<< "$output")" '["Wren","byaf"]'
	# card.json wins: the manifest is then an asset
	printf '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Cx"}}' > "$P/card.json"
	pack card.json "$P/card.json"
	run_ok persona-import -n "$B"
	assert_equal "$(jq -c '[.name, .origin.format]' <<< "$output")" '["Cx","charx"]'
	assert_equal "$(rows)" "0 0"
}

@test "what SillyTavern passes over is a warning that names it, and an error with --strict" {
	# a second character, a scenario and an image missing, a scenario not JSON
	edit manifest.json '.characters += ["characters/c2/character.json"] | .scenarios += ["scenarios/gone.json"]'
	edit character.json '.images = [{"path": "images/gone.png", "label": ""}, {"path": "", "label": ""}] + .images'
	printf '{"narrative": ' > "$P/s2.json"
	pack
	run -0 --separate-stderr persona-import -n "$B"
	assert_equal "$(jq -c '[.name, .data.scenario, .data.alternate_greetings]' <<< "$output")" \
		'["Wren","{{user}} meets {{char}}.",[]]'
	assert_equal "$stderr" "persona-import: warning: '$B': manifest.json: characters: 2 characters, only the first is imported
persona-import: warning: '$B': scenarios/s2.json:1:14: unexpected token near end of file, skipped
persona-import: warning: '$B': manifest.json: scenarios[2]: no entry 'scenarios/gone.json', skipped
persona-import: warning: '$B': characters/c1/character.json: images[0].path: no entry 'characters/c1/images/gone.png', skipped
persona-import: warning: '$B': characters/c1/character.json: images[1].path: no path, skipped"
	run_ok persona-import -q -n "$B"
	refused "$B" "manifest.json: characters: 2 characters, only the first is imported" --strict
	# no scenarios at all: a card with no scenario
	edit manifest.json '.characters = [.characters[0]] | del(.scenarios)'
	pack
	run -0 --separate-stderr persona-import -n "$B"
	assert_equal "$stderr" "persona-import: warning: '$B': manifest.json: scenarios: none, the card has no scenario
persona-import: warning: '$B': characters/c1/character.json: images[0].path: no entry 'characters/c1/images/gone.png', skipped
persona-import: warning: '$B': characters/c1/character.json: images[1].path: no path, skipped"
	assert_equal "$(jq -c '.data | [.scenario, .first_mes, .mes_example, .system_prompt]' <<< "$output")" '["","","",""]'
	refused "$B" "manifest.json: scenarios: none, the card has no scenario" --strict
}

@test "paths in the manifest and the character that leave the archive are refused (zip slip)" {
	local m=manifest.json c=characters/c1/character.json
	local expect=(
		"$m|.characters = [\"../x/character.json\"]|$m: characters[0]: unsafe path '../x/character.json': a '..' component"
		"$m|.characters = [\"/etc/passwd\"]|$m: characters[0]: unsafe path '/etc/passwd': absolute path"
		"$m|.characters = [\"characters/c1/../../../x\"]|$m: characters[0]: unsafe path 'characters/c1/../../../x': a '..' component"
		"$m|.characters = [\"C:/x/character.json\"]|$m: characters[0]: unsafe path 'C:/x/character.json': drive letter"
		"$m|.characters = [\"characters\\\\c1\\\\character.json\"]|$m: characters[0]: unsafe path 'characters\\c1\\character.json': backslash"
		"$m|.characters = [7]|$m: characters[0]: expected a path"
		"$m|.characters = \"x\"|$m: characters: expected a list of paths"
		"$m|.characters = []|$m: characters: no character"
		"$m|.scenarios[1] = \"../../s.json\"|$m: scenarios[1]: unsafe path '../../s.json': a '..' component"
		"character.json|.images[1].path = \"../../../../etc/x.png\"|$c: images[1].path: unsafe path '../../../../etc/x.png': a '..' component"
		"character.json|.images[0].path = \"/x.png\"|$c: images[0].path: unsafe path '/x.png': absolute path"
		"character.json|.images[0] = \"x\"|$c: images[0]: expected an object"
	)
	local e part
	for e in "${expect[@]}"; do
		IFS='|' read -r part expr msg <<< "$e"
		part=${part##*/}
		cp "$P/$part" "$BATS_TEST_TMPDIR/$part.orig"
		edit "$part" "$expr"
		pack
		refused "$B" "$msg"
		cp "$BATS_TEST_TMPDIR/$part.orig" "$P/$part"
	done
	# an entry of the zip itself: refused as a CHARX's is
	pack ../../evil.txt "$P/s2.json"
	refused "$B" "'../../evil.txt': unsafe entry name: a '..' component"
}

@test "a missing or broken manifest or character is refused, located" {
	mv "$P/manifest.json" "$BATS_TEST_TMPDIR/manifest.json"
	pack
	refused "$B" "no manifest.json"
	# a character folder with no manifest at all is still a Backyard archive
	rm "$P"/s?.json "$P"/*.png
	pack
	refused "$B" "no manifest.json"
	mv "$BATS_TEST_TMPDIR/manifest.json" "$P/manifest.json"
	"$TOP/tests/helpers/make-byaf.bash" "$P"
	edit manifest.json '.characters = ["characters/c2/character.json"]'
	pack
	refused "$B" "manifest.json: characters[0]: no entry 'characters/c2/character.json'"
	printf '{"characters": [' > "$P/manifest.json"
	pack
	refused "$B" "manifest.json:1:16: ']' expected near end of file"
	printf '[]' > "$P/manifest.json"
	pack
	refused "$B" "manifest.json: expected a JSON object"
	"$TOP/tests/helpers/make-byaf.bash" "$P"
	printf '{"name": "Wren",}' > "$P/character.json"
	pack
	refused "$B" "characters/c1/character.json:1:17: string or '}' expected near '}'"
	# a text of another type, and a card with no name
	"$TOP/tests/helpers/make-byaf.bash" "$P"
	edit character.json '.persona = 5'
	pack
	refused "$B" "characters/c1/character.json: persona: expected a string"
	edit character.json '.persona = "p" | .loreItems[0].key = ["a"]'
	pack
	refused "$B" "characters/c1/character.json: loreItems[0].key: expected a string"
	edit character.json '.loreItems = ["x"]'
	pack
	refused "$B" "characters/c1/character.json: loreItems[0]: expected an object"
	"$TOP/tests/helpers/make-byaf.bash" "$P"
	edit s1.json '.firstMessages[0].text = {}'
	pack
	refused "$B" "scenarios/s1.json: firstMessages[0].text: expected a string"
	edit s1.json '.firstMessages = [] | .exampleMessages[2].text = 1'
	pack
	refused "$B" "scenarios/s1.json: exampleMessages[2].text: expected a string"
	edit s1.json '.exampleMessages = [] | .narrative = true'
	pack
	refused "$B" "scenarios/s1.json: narrative: expected a string"
	edit manifest.json '.author.name = 1'
	pack
	refused "$B" "manifest.json: author.name: expected a string"
	"$TOP/tests/helpers/make-byaf.bash" "$P"
	edit character.json '.name = "" | .displayName = "Wren Full"'
	pack
	run_ok persona-import -n "$B"
	assert_equal "$(jq -c '.name' <<< "$output")" '"Wren Full"'
	# no name anywhere: the archive's, with a warning (DESIGN.md §7); --strict refuses it
	edit character.json 'del(.name, .displayName)'
	pack
	refused "$B" "characters/c1/character.json: data.name: a card needs a name" --strict
	run -0 --separate-stderr persona-import -n "$B"
	assert_equal "$(jq -c '.name' <<< "$output")" '"w"'
	assert_equal "$stderr" "persona-import: warning: '$B': characters/c1/character.json: data.name: no name anywhere, named 'w' after the file"
}

@test "not a zip, a broken zip, an encrypted one: refused" {
	printf 'not a zip' > "$B"
	run -65 --separate-stderr persona-import "$B"
	assert_output ""
	assert_equal "$stderr" "persona-import: '$B':1:1: not a record: expected a mapping"
	printf 'PK\003\004garbage, not a zip at all' > "$B"
	refused "$B" "not a zip archive"
	pack
	head -c 300 "$B" > "$B.cut"
	mv "$B.cut" "$B"
	run -65 --separate-stderr persona-import "$B"
	assert_output ""
	[[ $stderr == "persona-import: '$B': "* ]] || fail "$stderr"
	assert_equal "$(rows)" "0 0"
	mv "$P/manifest.json" "$BATS_TEST_TMPDIR/manifest.json"
	pack manifest.json "crypt:$BATS_TEST_TMPDIR/manifest.json"
	refused "$B" "'manifest.json': encrypted zip entries are not supported"
}

@test "bombs and caps: the CHARX limits, before anything inflates" {
	# an image over the entry cap, one over the ratio, many small entries
	pack characters/c1/images/big.png zeros:104857600
	refused "$B" "'characters/c1/images/big.png': inflates to 104857600 bytes, more than 67108864"
	pack characters/c1/images/bomb.png zeros:62914560
	run -65 --separate-stderr persona-import "$B"
	assert_output ""
	[[ $stderr =~ ^"persona-import: '$B': 'characters/c1/images/bomb.png': compression ratio over 200 (62914560 bytes from "[0-9]+")"$ ]] ||
		fail "$stderr"
	local args
	mapfile -t args < <(seq 1 100 | awk '{ print "scenarios/z" $1 ".json"; print "zeros:1048576" }')
	pack "${args[@]}"
	run -65 --separate-stderr persona-import "$B"
	assert_output ""
	[[ $stderr =~ ^"persona-import: '$B': entries inflate to 10"[0-9]+" bytes from "[0-9]+": compression ratio over 200"$ ]] ||
		fail "$stderr"
	assert_equal "$(rows)" "0 0"
}

@test "at most 10000 entries, the manifest included" {
	local args
	# six parts and 9994 more: just at the cap (made in one command: a
	# loop under bats' trap is slow)
	mapfile -t args < <(seq 1 9994 | awk '{ print "x/" $1; print "zeros:1" }')
	pack "${args[@]}"
	run_ok persona-import -n "$B"
	pack "${args[@]}" x/one-more zeros:1
	refused "$B" "more than 10000 entries"
}

@test "Backyard bombs are refused in little memory" {
	sanitized && skip "peak memory means nothing under a sanitizer"
	local rss=$BATS_TEST_TMPDIR/rss
	pack characters/c1/images/bomb.png zeros:62914560
	run -65 --separate-stderr /usr/bin/time -q -f %M -o "$rss" persona-import "$B"
	assert_output ""
	[[ $stderr == "persona-import: '$B': 'characters/c1/images/bomb.png': compression ratio over 200 "* ]] ||
		fail "$stderr"
	(($(cat "$rss") < 65536)) || fail "peak RSS $(cat "$rss") KiB"
}

@test "an avatar that claims to be a PNG and is not is named as its entry" {
	printf '\211PNG\r\n\032\nnot real' > "$P/main.png"
	pack
	refused "$B" "characters/c1/images/main.png: truncated at byte 8: no IEND chunk"
	refused "$B" "characters/c1/images/main.png: truncated at byte 8: no IEND chunk" -n
	# another kind of image is kept as it is
	printf '\377\330\377\340 a JPEG, say' > "$P/main.png"
	pack
	run_ok persona-import "$B"
	assert_equal "$(rows)" "1 0"
}
