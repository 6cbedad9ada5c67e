#!/usr/bin/env bats
# persona (DESIGN.md §1-§5, the issue 5 contract): create from flags, flat
# records, full cards and show records; list, show and the ways of naming;
# update as a JSON Merge Patch, one field at a time; delete with sessions in
# the way; the default persona; dry runs and a locked user. Card fixtures
# come from tests/helpers/make-card-fixtures.bash; real cards from
# tests/data/cards-aicharlib (MIT, see its LICENSE).

load keys

setup_file() {
	store_setup_file
	card_fixtures_make
}

teardown_file() { store_teardown_file; }

setup() {
	card_fixtures_setup
}

teardown() { keys_teardown; }

ID='[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
TIME='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z'

# The V3 data fields a new card gets when it leaves them out (as card.c
# fills them in for an import).
EMPTY='{description: "", tags: [], creator: "", character_version: "",
	mes_example: "", extensions: {}, system_prompt: "", post_history_instructions: "",
	first_mes: "", alternate_greetings: [], personality: "", scenario: "",
	creator_notes: "", group_only_greetings: []}'

# RFC 7386, in jq: what a merge patch $p makes of the input.
MP='def mp($p): if ($p | type) == "object" then
	reduce ($p | to_entries[]) as $e ((if type == "object" then . else {} end);
		if $e.value == null then del(.[$e.key]) else .[$e.key] |= mp($e.value) end)
	else $p end;'

# rows: "characters personas sessions messages" stored
rows() {
	db_sql "SELECT (SELECT count(*) FROM characters) || ' ' ||
		(SELECT count(*) FROM user_personas) || ' ' ||
		(SELECT count(*) FROM chat_sessions) || ' ' || (SELECT count(*) FROM chat_messages)"
}

# created NAME [KIND]: the regexp of a create summary
created() {
	printf '^\\{"kind":"%s","id":"%s","name":"%s","status":"created"\\}$' "${2:-persona}" "$ID" "$1"
}

# summary ID NAME STATUS [KIND]: an update summary, exactly
summary() {
	printf '{"kind":"%s","id":"%s","name":%s,"status":"%s"}' "${4:-persona}" "$1" \
		"$(jq -n --arg n "$2" '$n')" "$3"
}

# mk NAME [DESCRIPTION]: a persona from flags; its id on stdout
mk() {
	persona create --name "$1" --description "${2:-$1, a persona.}" | jq -r .id
}

# mkchar NAME: a character made with create; its id on stdout
mkchar() {
	printf '{"name":"%s","description":"%s, a character.","first_mes":"Hello from %s."}' \
		"$1" "$1" "$1" | persona create --character | jq -r .id
}

# refused MESSAGE [OPTION...]: persona create [OPTION...] of the record on
# stdin fails 65, nothing on stdout, "persona: '-': MESSAGE" on stderr
refused() { run_err 65 "persona: '-': $1" persona create "${@:2}"; }

# shown REF: the stored record, keys sorted, without updated_at
shown() { persona show "$1" | jq -S -c 'del(.updated_at)'; }

# wren: the full V3 card of the fixtures made a persona; its id in $W
wren() {
	run_ok persona create < "$F/v3.json"
	[[ $output =~ $(created Wren) ]] || fail "$output"
	W=$(jq -r .id <<< "$output")
}

# --- create --------------------------------------------------------------------

@test "create from flags: the summary, then every field of the record; stdin is not read" {
	run_ok persona create --name Wren --description 'A quiet archivist.' <<< 'not: [a record'
	[[ $output =~ $(created Wren) ]] || fail "$output"
	local id
	id=$(jq -r .id <<< "$output")
	run_ok persona show "$id"
	assert_equal "$(jq -c 'keys_unsorted' <<< "$output")" \
		'["kind","id","name","spec","spec_version","data","origin","default","position","depth","role","created_at","updated_at"]'
	assert_equal "$(jq -S -c 'del(.created_at, .updated_at)' <<< "$output")" \
		"$(jq -S -c -n --arg id "$id" "{kind: \"persona\", id: \$id, name: \"Wren\",
			spec: \"user_persona_spec_v1\", spec_version: \"1.0.0\",
			data: ($EMPTY + {name: \"Wren\", description: \"A quiet archivist.\"}),
			origin: null, default: false, position: \"in_prompt\", depth: 2, role: \"system\"}")"
	[[ $(jq -r '.created_at + " " + .updated_at' <<< "$output") =~ ^($TIME)\ ($TIME)$ ]] || fail "$output"
	assert_equal "$(jq -r .created_at <<< "$output")" "$(jq -r .updated_at <<< "$output")"
	assert_equal "$(rows)" "0 1 0 0"
}

@test "create from flags with --set: text, JSON-typed fields and the placement" {
	run -0 --separate-stderr persona create --name Wren --description 'A courier.' \
		--set personality='quick, {not json}' --set 'tags=["a","b"]' \
		--set 'extensions={"x":{"y":1}}' --set position=at_depth --set depth=4 --set role=user
	assert_equal "$stderr" ""
	[[ $output =~ $(created Wren) ]] || fail "$output"
	run_ok persona show Wren
	assert_equal "$(jq -c '[.data.personality, .data.tags, .data.extensions, .position, .depth, .role]' <<< "$output")" \
		'["quick, {not json}",["a","b"],{"x":{"y":1}},"at_depth",4,"user"]'
}

@test "create from flat records on stdin: a YAML stream, a JSON array, JSON Lines" {
	run -0 --separate-stderr persona create <<- 'EOF'
		name: Wren
		description: A courier.
		personality: quick
		tags: [courier]
		position: at_depth
		depth: 3
		role: assistant
		---
		name: Moss
		description: A gardener.
	EOF
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 2
	[[ ${lines[0]} =~ $(created Wren) ]] || fail "${lines[0]}"
	[[ ${lines[1]} =~ $(created Moss) ]] || fail "${lines[1]}"
	run_ok persona create <<< '[{"name":"Ash","description":"A smith."},{"name":"Bay","description":"A sailor.","default":true}]'
	[[ ${lines[0]} =~ $(created Ash) ]] || fail "${lines[0]}"
	[[ ${lines[1]} =~ $(created Bay) ]] || fail "${lines[1]}"
	run -0 --separate-stderr persona create <<- 'EOF'
		{"name":"Cob","description":"A baker."}
		{"name":"Dew","description":"A scout.","scenario":"Dawn."}
	EOF
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 2
	[[ ${lines[1]} =~ $(created Dew) ]] || fail "${lines[1]}"
	# the fields went where they belong
	run_ok persona show Wren
	assert_equal "$(jq -c '[.data.personality, .data.tags, .position, .depth, .role, .default]' <<< "$output")" \
		'["quick",["courier"],"at_depth",3,"assistant",false]'
	run_ok persona show Bay
	assert_equal "$(jq -c '[.data.description, .default]' <<< "$output")" '["A sailor.",true]'
	run_ok persona show Dew
	assert_equal "$(jq -c .data.scenario <<< "$output")" '"Dawn."'
	assert_equal "$(rows)" "0 6 0 0"
}

@test "create from full cards: V3 and V2 data kept whole, the persona's placement from extensions.guise_persona" {
	run_ok persona create < "$F/v3.json"
	[[ $output =~ $(created Wren) ]] || fail "$output"
	run_ok persona show Wren
	assert_equal "$(jq -c '[.spec, .spec_version, .position, .depth, .role]' <<< "$output")" \
		'["user_persona_spec_v1","1.0.0","in_prompt",2,"system"]'
	# every field of the V3 card's data, unknown keys and the book included
	assert_equal "$(jq -S -c '.data | del(.character_book)' <<< "$output")" \
		"$(jq -S -c '.data | del(.character_book)' "$F/v3.json")"
	assert_equal "$(jq -c '.data.character_book | [.name, .x_book, (.entries | map(.id))]' <<< "$output")" \
		'["Wren'"'"'s port","kept",["entry-1",2]]'
	run_ok persona create < "$F/v2.json"
	[[ $output =~ $(created Moss) ]] || fail "$output"
	run_ok persona show Moss
	assert_equal "$(jq -c '[.data.personality, .data.x_data, .data.extensions, .data.group_only_greetings]' <<< "$output")" \
		'["patient",3,{"fav":true,"x_ext":[null]},[]]'
	# placement carried in the card's extensions: taken out of them
	jq -c '.data.name = "Placed" | .data.extensions.guise_persona =
		{position: "at_depth", depth: 7, role: "assistant"}' "$F/v3.json" > "$BATS_TEST_TMPDIR/placed.json"
	run_ok persona create < "$BATS_TEST_TMPDIR/placed.json"
	run_ok persona show Placed
	assert_equal "$(jq -c '[.position, .depth, .role, (.data.extensions | has("guise_persona"))]' <<< "$output")" \
		'["at_depth",7,"assistant",false]'
	# a full card with --character is a character
	run_ok persona create --character < "$F/v3.json"
	[[ $output =~ $(created Wren character) ]] || fail "$output"
	run_ok persona show --character Wren
	assert_equal "$(jq -c '[.kind, .spec, .spec_version, has("default"), .data.nickname]' <<< "$output")" \
		'["character","chara_card_v3","3.0",false,"Wr"]'
	assert_equal "$(rows)" "1 3 0 0"
}

@test "create from a record as 'persona show' prints it: the same data and placement, a new id" {
	wren
	run_ok persona update "$W" <<< '{"position":"at_depth","depth":5,"role":"user"}'
	persona show "$W" > "$BATS_TEST_TMPDIR/rec.json"
	run_ok persona create < "$BATS_TEST_TMPDIR/rec.json"
	[[ $output =~ $(created Wren) ]] || fail "$output"
	local id
	id=$(jq -r .id <<< "$output")
	[[ $id != "$W" ]] || fail "same id"
	run_ok persona show "$id"
	assert_equal "$(jq -S -c '{data, position, depth, role, default, spec}' <<< "$output")" \
		"$(jq -S -c '{data, position, depth, role, default, spec}' "$BATS_TEST_TMPDIR/rec.json")"
	# the YAML form of the record too
	persona show -y "$W" > "$BATS_TEST_TMPDIR/rec.yaml"
	run_ok persona create < "$BATS_TEST_TMPDIR/rec.yaml"
	run_ok persona show "$(jq -r .id <<< "$output")"
	assert_equal "$(jq -S -c '{data, position, depth, role}' <<< "$output")" \
		"$(jq -S -c '{data, position, depth, role}' "$BATS_TEST_TMPDIR/rec.json")"
}

@test "several records in one stdin: the bad one reported, the others stored, 65 at the end" {
	run -65 --separate-stderr persona create <<- 'EOF'
		name: Ash
		description: A smith.
		---
		name: Bay
		---
		name: Cob
		description: A baker.
	EOF
	assert_equal "${#lines[@]}" 2
	[[ ${lines[0]} =~ $(created Ash) ]] || fail "${lines[0]}"
	[[ ${lines[1]} =~ $(created Cob) ]] || fail "${lines[1]}"
	assert_equal "$stderr" "persona: '-': data.description: required"
	run_ok persona list
	assert_equal "$(jq -r .name <<< "$output" | tr '\n' ' ')" "Ash Cob "
	assert_equal "$(rows)" "0 2 0 0"
}

@test "a record that does not parse ends the batch there: those before it stored, 65, located" {
	run -65 --separate-stderr persona create <<- 'EOF'
		{"name":"Ash","description":"A smith."}
		{"name":"Bay",
		{"name":"Cob","description":"A baker."}
	EOF
	[[ $output =~ $(created Ash) ]] || fail "$output"
	assert_equal "${#lines[@]}" 1
	assert_regex "$stderr" "^persona: '-':3:1: "
	assert_equal "$(rows)" "0 1 0 0"
}

@test "required: name and description, non-empty strings; nothing stored" {
	refused 'data.name: required' <<< '{"description":"No name."}'
	refused 'data.description: required' <<< '{"name":"Wren"}'
	refused 'data.description: required' <<< '{"name":"Wren","description":""}'
	refused 'data.name: required' <<< '{"name":"","description":"Blank."}'
	# a full card without a description is no persona either
	refused 'data.description: required' <<< '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Wren"}}'
	# from flags
	run_err 65 "persona: 'arguments': data.description: required" persona create --name Wren
	run_err 65 "persona: 'arguments': data.name: required" persona create --description 'No name.'
	# a character needs a name, not a description
	refused 'data.name: required' --character <<< '{"description":"No name."}'
	run_ok persona create --character <<< '{"name":"Nib"}'
	[[ $output =~ $(created Nib character) ]] || fail "$output"
	assert_equal "$(rows)" "1 0 0 0"
}

@test "an unknown flat key and type errors are located; nothing stored" {
	refused 'descripton: not a card field' <<< '{"name":"Wren","description":"A courier.","descripton":"typo"}'
	refused 'data.tags[1]: expected a string' <<< '{"name":"Wren","description":"A courier.","tags":["a",1]}'
	refused 'data.personality: expected a string' <<< '{"name":"Wren","description":"A courier.","personality":["x"]}'
	refused 'data.name: expected a string' <<< '{"name":7,"description":"A courier."}'
	refused 'data.alternate_greetings: expected a list of strings' <<< '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Wren","description":"d","alternate_greetings":"hi"}}'
	# a bad placement
	run -65 --separate-stderr persona create <<< '{"name":"Wren","description":"A courier.","position":"sideways"}'
	assert_output ""
	assert_regex "$stderr" "^persona: '-': position: "
	run -65 --separate-stderr persona create <<< '{"name":"Wren","description":"A courier.","depth":-1}'
	assert_output ""
	assert_regex "$stderr" "^persona: '-': depth: "
	run -65 --separate-stderr persona create <<< '{"name":"Wren","description":"A courier.","role":"narrator"}'
	assert_output ""
	assert_regex "$stderr" "^persona: '-': role: "
	assert_equal "$(rows)" "0 0 0 0"
}

@test "--default: the new persona is the default; with --character it is a usage error" {
	run_ok persona create --default --name Wren --description 'A courier.'
	run_ok persona list
	assert_equal "$(jq -c '[.name, .default]' <<< "$output")" '["Wren",true]'
	run -64 --separate-stderr persona create --character --default --name Nib --description x
	assert_output ""
	[[ $stderr == persona:* ]] || fail "$stderr"
	assert_equal "$(rows)" "0 1 0 0"
}

# --- list ---------------------------------------------------------------------------

@test "list: personas, --characters, --all, in the order made; default and source" {
	local a b c m
	a=$(mk Wren)
	b=$(mk Ash)
	c=$(mkchar Nib)
	run -0 persona-import "$CARDS/melina.png"
	m=$(jq -r .id <<< "$output")
	persona set-default Ash > /dev/null
	run_ok persona list
	assert_equal "$output" "{\"kind\":\"persona\",\"id\":\"$a\",\"name\":\"Wren\",\"source\":null,\"default\":false}
{\"kind\":\"persona\",\"id\":\"$b\",\"name\":\"Ash\",\"source\":null,\"default\":true}"
	run_ok persona list --characters
	assert_equal "$output" "{\"kind\":\"character\",\"id\":\"$c\",\"name\":\"Nib\",\"source\":null}
{\"kind\":\"character\",\"id\":\"$m\",\"name\":\"Melina\",\"source\":\"melina.png\"}"
	run_ok persona list --all
	assert_equal "$(jq -r '.kind + " " + .name' <<< "$output" | tr '\n' ,)" \
		"persona Wren,persona Ash,character Nib,character Melina,"
	# options before or after the subcommand
	run_ok persona -y list
	local yaml=$output
	run_ok persona list -y
	assert_equal "$output" "$yaml"
	[[ $yaml == *'name: Ash'* ]] || fail "$yaml"
	# an imported persona's source is its file
	run -0 persona-import --as persona "$CARDS/alpin_dale.png"
	run_ok persona list
	assert_equal "$(tail -n 1 <<< "$output" | jq -c '[.name, .source, .default]')" '["Alpin Dale","alpin_dale.png",false]'
}

@test "list of nothing: no output, 0" {
	run -0 --separate-stderr persona list --all
	assert_output ""
	assert_equal "$stderr" ""
}

# --- show and names ---------------------------------------------------------------

@test "show: by id, by a 4-character id prefix, by name in any case; several in the order named" {
	local w a
	w=$(mk Wren)
	run_ok persona show "$w"
	local want=$output
	assert_equal "$(jq -c '[.kind, .id, .name]' <<< "$want")" "[\"persona\",\"$w\",\"Wren\"]"
	run_ok persona show "${w:0:4}"
	assert_equal "$output" "$want"
	run_ok persona show wREN
	assert_equal "$output" "$want"
	run_ok persona show --persona WREN
	assert_equal "$output" "$want"
	# a prefix shorter than 4 is not an id
	run_err 66 "persona: no such character or persona '${w:0:3}'" persona show "${w:0:3}"
	a=$(mk Ash)
	run_ok persona show Ash "$w" ash
	assert_equal "$(jq -r .id <<< "$output" | tr '\n' ' ')" "$a $w $a "
}

@test "show: an ambiguous name or prefix is 65 and lists the candidates; --persona/--character choose" {
	local w1 w2 c
	w1=$(mk Wren)
	w2=$(mk wren 'Another.')
	run_err 65 "persona: 'WREN' is ambiguous: 2 match (persona $w1, persona $w2)" persona show WREN
	# the two ids were made the same millisecond or nearly: a common prefix
	local n=4
	while [[ ${w1:0:n+1} == "${w2:0:n+1}" ]]; do n=$((n + 1)); done
	run_err 65 "persona: '${w1:0:n}' is ambiguous: 2 match (persona $w1, persona $w2)" persona show "${w1:0:n}"
	# a character and a persona of one name
	persona delete "$w2" > /dev/null
	c=$(mkchar Wren)
	run -65 --separate-stderr persona show Wren
	assert_output ""
	[[ $stderr == "persona: 'Wren' is ambiguous: 2 match ("*"character $c"*"persona $w1"* ||
		$stderr == "persona: 'Wren' is ambiguous: 2 match ("*"persona $w1"*"character $c"* ]] || fail "$stderr"
	run_ok persona show --persona Wren
	assert_equal "$(jq -r '.kind + " " + .id' <<< "$output")" "persona $w1"
	run_ok persona show --character Wren
	assert_equal "$(jq -r '.kind + " " + .id' <<< "$output")" "character $c"
}

@test "show: not found is 66 with the kind asked for; all or nothing" {
	mk Wren > /dev/null
	run_err 66 "persona: no such character or persona 'Nobody'" persona show Nobody
	run_err 66 "persona: no such persona 'Nobody'" persona show --persona Nobody
	run_err 66 "persona: no such character 'Wren'" persona show --character Wren
	run_err 66 "persona: no such character or persona '00000000-0000-7000-8000-000000000000'" persona show 00000000-0000-7000-8000-000000000000
	run_err 66 "persona: no such character or persona 'Nobody'" persona show Wren Nobody
}

# --- update, one field at a time ------------------------------------------------------

# A new value for every V3 data field; objects are merged (RFC 7386).
PATCHES='{
	"name": "Wren Two", "description": "A new description.", "personality": "calm",
	"scenario": "A dry town.", "first_mes": "Hello, {{user}}.", "mes_example": "<START>\n{{user}}: Hi",
	"creator_notes": "New notes.", "system_prompt": "New system.",
	"post_history_instructions": "New instructions.", "creator": "someone else",
	"character_version": "2.0", "nickname": "W2",
	"alternate_greetings": ["One.", "Two.", "Three."], "group_only_greetings": [],
	"tags": ["new"], "source": ["https://example.org/other"],
	"creation_date": 1600000000, "modification_date": 1600000001,
	"assets": [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "webp"}],
	"creator_notes_multilingual": {"de": "Testkarte.", "fr": null},
	"character_book": {"name": "Renamed book", "x_book": null},
	"extensions": {"x_new": true, "talkativeness": null, "depth_prompt": {"depth": 6}}
}'

@test "update: a patch of one data field changes that field and nothing else, field by field" {
	wren
	local k before after want
	for k in $(jq -r 'keys_unsorted[]' <<< "$PATCHES"); do
		before=$(shown "$W")
		run_ok persona update "$W" <<< "$(jq -c --arg k "$k" '{($k): .[$k]}' <<< "$PATCHES")"
		after=$(shown "$W")
		want=$(jq -S -c --arg k "$k" --argjson p "$PATCHES" "$MP"'
			.data |= mp({($k): $p[$k]}) | if $k == "name" then .name = $p.name else . end' <<< "$before")
		assert_equal "$output" "$(summary "$W" "$(jq -r .name <<< "$want")" updated)"
		assert_equal "$after" "$want"
	done
}

@test "update: 'data: {...}' patches data itself, unknown keys included; 'data: {}' and '{}' change nothing" {
	wren
	local before
	before=$(shown "$W")
	run_ok persona update "$W" <<< '{"data":{"personality":"sly","x_custom":{"a":1},"x_data":null}}'
	assert_equal "$output" "$(summary "$W" Wren updated)"
	assert_equal "$(shown "$W")" \
		"$(jq -S -c '.data.personality = "sly" | .data.x_custom = {a: 1} | del(.data.x_data)' <<< "$before")"
	local stamp
	stamp=$(persona show "$W" | jq -r .updated_at)
	local p
	for p in '{"data":{}}' '{}'; do
		run_ok persona update "$W" <<< "$p"
		assert_equal "$output" "$(summary "$W" Wren unchanged)"
	done
	assert_equal "$(persona show "$W" | jq -r .updated_at)" "$stamp"
}

@test "update: the placement, one key at a time" {
	wren
	local before k v
	for k in position:'"at_depth"' depth:9 role:'"assistant"' position:'"none"' depth:0 role:'"user"'; do
		v=${k#*:}
		k=${k%%:*}
		before=$(shown "$W")
		run_ok persona update "$W" <<< "{\"$k\":$v}"
		assert_equal "$output" "$(summary "$W" Wren updated)"
		assert_equal "$(shown "$W")" "$(jq -S -c --arg k "$k" --argjson v "$v" '.[$k] = $v' <<< "$before")"
	done
	run -65 --separate-stderr persona update "$W" <<< '{"position":"sideways"}'
	assert_output ""
	assert_regex "$stderr" "^persona: '-': position: "
	run -65 --separate-stderr persona update "$W" <<< '{"depth":"deep"}'
	assert_output ""
	assert_regex "$stderr" "^persona: '-': depth: "
}

@test "update: null clears a field to its empty value and touches nothing else" {
	wren
	local k want before
	# field: what it is once cleared (absent: removed). The fields V3
	# requires get their empty value; the optional ones (nickname, source,
	# assets, creator_notes_multilingual, the dates) and the book go.
	local -A cleared=([personality]='""' [scenario]='""' [first_mes]='""' [mes_example]='""'
		[creator_notes]='""' [system_prompt]='""' [post_history_instructions]='""'
		[creator]='""' [character_version]='""' [alternate_greetings]='[]'
		[group_only_greetings]='[]' [tags]='[]' [extensions]='{}' [character_book]=absent
		[nickname]=absent [source]=absent [assets]=absent [creator_notes_multilingual]=absent
		[creation_date]=absent [modification_date]=absent)
	for k in "${!cleared[@]}"; do
		before=$(shown "$W")
		run_ok persona update "$W" <<< "{\"$k\":null}"
		assert_equal "$output" "$(summary "$W" Wren updated)"
		if [[ ${cleared[$k]} == absent ]]; then
			want=$(jq -S -c --arg k "$k" 'del(.data[$k])' <<< "$before")
		else
			want=$(jq -S -c --arg k "$k" --argjson v "${cleared[$k]}" '.data[$k] = $v' <<< "$before")
		fi
		assert_equal "$(shown "$W")" "$want"
		# cleared twice: nothing left to change
		run_ok persona update "$W" <<< "{\"$k\":null}"
		assert_equal "$output" "$(summary "$W" Wren unchanged)"
	done
	# the placement goes back to in_prompt, 2, system
	persona update "$W" <<< '{"position":"at_depth","depth":5,"role":"user"}' > /dev/null
	before=$(shown "$W")
	run_ok persona update "$W" <<< '{"position":null,"depth":null,"role":null}'
	assert_equal "$(shown "$W")" "$(jq -S -c '.position = "in_prompt" | .depth = 2 | .role = "system"' <<< "$before")"
}

@test "update: renaming a persona keeps its description (the bug of other systems), by patch, by data and by --set" {
	wren
	local before
	before=$(shown "$W")
	run_ok persona update Wren <<< '{"name":"Robin"}'
	assert_equal "$output" "$(summary "$W" Robin updated)"
	assert_equal "$(shown "$W")" "$(jq -S -c '.name = "Robin" | .data.name = "Robin"' <<< "$before")"
	assert_equal "$(persona show Robin | jq -r .data.description)" 'A courier who knows {{user}} by sight.'
	run_ok persona update Robin <<< '{"data":{"name":"Jay"}}'
	assert_equal "$output" "$(summary "$W" Jay updated)"
	assert_equal "$(shown "$W")" "$(jq -S -c '.name = "Jay" | .data.name = "Jay"' <<< "$before")"
	run_ok persona update Jay --set name=Wren
	assert_equal "$output" "$(summary "$W" Wren updated)"
	assert_equal "$(shown "$W")" "$before"
	# and the description alone keeps the name
	run_ok persona update Wren --set description='Only this.'
	assert_equal "$(shown "$W")" "$(jq -S -c '.data.description = "Only this."' <<< "$before")"
}

@test "update --set and --clear: text as is, JSON-typed fields parsed, the placement, applied in order" {
	wren
	local before
	before=$(shown "$W")
	run -0 --separate-stderr persona update "$W" --set 'personality={"not":"json"}' --set 'tags=["a","b"]' \
		--set 'alternate_greetings=["x"]' --set 'group_only_greetings=["y"]' \
		--set 'creator_notes_multilingual={"es":"hola"}' --set 'assets=[]' \
		--set 'character_book={"name":"B2"}' --set 'extensions={"k":1}' \
		--set position=at_depth --set depth=4 --set role=assistant
	assert_equal "$stderr" ""
	assert_equal "$output" "$(summary "$W" Wren updated)"
	assert_equal "$(shown "$W")" "$(jq -S -c "$MP"'.data |= mp({personality: "{\"not\":\"json\"}", tags: ["a","b"],
		alternate_greetings: ["x"], group_only_greetings: ["y"], creator_notes_multilingual: {es: "hola"},
		assets: [], character_book: {name: "B2"}, extensions: {k: 1}}) |
		.position = "at_depth" | .depth = 4 | .role = "assistant"' <<< "$before")"
	before=$(shown "$W")
	run -0 --separate-stderr persona update "$W" --set scenario=one --set scenario=two --clear tags \
		--clear extensions --clear character_book --clear position --clear depth --clear role
	assert_equal "$stderr" ""
	assert_equal "$(shown "$W")" "$(jq -S -c '.data.scenario = "two" | .data.tags = [] | .data.extensions = {} |
		del(.data.character_book) | .position = "in_prompt" | .depth = 2 | .role = "system"' <<< "$before")"
	before=$(shown "$W")
	run_ok persona update "$W" --set first_mes=kept --clear first_mes --set 'first_mes=a=b'
	assert_equal "$(shown "$W")" "$(jq -S -c '.data.first_mes = "a=b"' <<< "$before")"
	# a value that is not the JSON its field needs: 65; a key that is no
	# field: 64; nothing changed
	before=$(shown "$W")
	run -64 --separate-stderr persona update "$W" --set bogus=1
	assert_output ""
	[[ $stderr == persona:*bogus* ]] || fail "$stderr"
	run -64 --separate-stderr persona update "$W" --clear bogus
	assert_output ""
	[[ $stderr == persona:*bogus* ]] || fail "$stderr"
	run -65 --separate-stderr persona update "$W" --set 'tags=not json'
	assert_output ""
	[[ $stderr == persona:*tags* ]] || fail "$stderr"
	run -65 --separate-stderr persona update "$W" --set 'tags=[1]'
	assert_output ""
	[[ $stderr == *'tags[0]: expected a string' ]] || fail "$stderr"
	run -65 --separate-stderr persona update "$W" --set depth=deep
	assert_output ""
	[[ $stderr == persona:*depth* ]] || fail "$stderr"
	assert_equal "$(shown "$W")" "$before"
}

@test "update: clearing or emptying name or description is 65 and changes nothing" {
	wren
	local before p stamp
	before=$(shown "$W")
	stamp=$(persona show "$W" | jq -r .updated_at)
	for p in '{"name":null}' '{"name":""}' '{"data":{"name":null}}' '{"personality":"x","description":null}' \
		'{"description":""}' '{"data":{"description":""}}'; do
		run -65 --separate-stderr persona update "$W" <<< "$p"
		assert_output ""
		[[ $stderr =~ ^persona:\ \'-\':\ data\.(name|description):\ required$ ]] || fail "$p: $stderr"
	done
	run_err 65 "persona: 'arguments': data.description: required" persona update "$W" --clear description
	run_err 65 "persona: 'arguments': data.name: required" persona update "$W" --set personality=x --clear name
	assert_equal "$(shown "$W")" "$before"
	assert_equal "$(persona show "$W" | jq -r .updated_at)" "$stamp"
	# a character: the name only
	local c
	c=$(mkchar Nib)
	run_err 65 "persona: '-': data.name: required" persona update "$c" <<< '{"name":null}'
	run_ok persona update "$c" <<< '{"description":null}'
	assert_equal "$output" "$(summary "$c" Nib updated character)"
	assert_equal "$(persona show "$c" | jq -c .data.description)" '""'
}

@test "update: a patch that changes nothing is 'unchanged', and updated_at stays" {
	wren
	local before stamp
	before=$(persona show "$W")
	stamp=$(jq -r .updated_at <<< "$before")
	run_ok persona update "$W" <<< "$(jq -c '{name: .data.name, personality: .data.personality, tags: .data.tags, position: .position, extensions: {}}' <<< "$before")"
	assert_equal "$output" "$(summary "$W" Wren unchanged)"
	run_ok persona update "$W" --set personality='curious, quick' --set role=system
	assert_equal "$output" "$(summary "$W" Wren unchanged)"
	assert_equal "$(persona show "$W")" "$before"
	# a real change moves updated_at, and only it
	run_ok persona update "$W" --set personality=other
	assert_equal "$output" "$(summary "$W" Wren updated)"
	local after
	after=$(persona show "$W")
	[[ $(jq -r .updated_at <<< "$after") > $stamp ]] || fail "updated_at: $stamp then $(jq -r .updated_at <<< "$after")"
	assert_equal "$(jq -r .created_at <<< "$after")" "$(jq -r .created_at <<< "$before")"
}

@test "update: an unknown flat key is 65; a patch that is not an object is 65" {
	wren
	local before
	before=$(shown "$W")
	run_err 65 "persona: '-': descripton: not a card field" persona update "$W" <<< '{"descripton":"typo"}'
	run -65 --separate-stderr persona update "$W" <<< '["name"]'
	assert_output ""
	[[ $stderr == "persona: '-'"* ]] || fail "$stderr"
	run_err 65 "persona: '-': data.tags[1]: expected a string" persona update "$W" <<< '{"tags":["a",2]}'
	assert_equal "$(shown "$W")" "$before"
}

@test "update of an imported persona keeps its origin, created_at and avatar" {
	run -0 persona-import --as persona "$CARDS/melina.png"
	local id before
	id=$(jq -r .id <<< "$output")
	persona-export --format png -o "$BATS_TEST_TMPDIR/before.png" "$id"
	before=$(shown "$id")
	run_ok persona update Melina --set personality=wary
	assert_equal "$output" "$(summary "$id" Melina updated)"
	assert_equal "$(shown "$id")" "$(jq -S -c '.data.personality = "wary"' <<< "$before")"
	assert_equal "$(persona show "$id" | jq -c .origin)" '{"file":"melina.png","format":"png","card":"chara_card_v2","chunk":"chara"}'
	persona-export --format png -o "$BATS_TEST_TMPDIR/after.png" "$id"
	test-tool png-strip "$BATS_TEST_TMPDIR/before.png" "$BATS_TEST_TMPDIR/before.img"
	test-tool png-strip "$BATS_TEST_TMPDIR/after.png" "$BATS_TEST_TMPDIR/after.img"
	cmp "$BATS_TEST_TMPDIR/before.img" "$BATS_TEST_TMPDIR/after.img"
}

# --- delete ----------------------------------------------------------------------------

@test "delete a persona no session uses: sessions 0, nothing on stderr" {
	local w
	w=$(mk Wren)
	run_ok persona delete Wren
	assert_output "{\"kind\":\"persona\",\"id\":\"$w\",\"name\":\"Wren\",\"status\":\"deleted\",\"sessions\":0}"
	assert_equal "$(rows)" "0 0 0 0"
	run_err 66 "persona: no such character or persona 'Wren'" persona delete Wren
}

@test "delete a persona sessions use: they lose it (SET NULL), the count on stdout and stderr, messages kept" {
	local w c s1 s2 s3
	w=$(mk Wren)
	c=$(mkchar Nib)
	s1=$(session-bind new --character Nib --persona Wren | jq -r .id)
	s2=$(session-bind new --character Nib --persona Wren | jq -r .id)
	s3=$(session-bind new --character Nib --no-persona | jq -r .id)
	run -0 --separate-stderr persona delete wren
	assert_output "{\"kind\":\"persona\",\"id\":\"$w\",\"name\":\"Wren\",\"status\":\"deleted\",\"sessions\":2}"
	assert_equal "$stderr" "persona: 'Wren' was the active persona of 2 session(s): they now have none"
	run_ok session-bind show "$s1" "$s2" "$s3"
	assert_equal "$(jq -c .persona <<< "$output" | sort -u)" '{"kind":"none","id":null,"name":null}'
	# the greetings each session got are still there
	assert_equal "$(rows)" "1 0 3 3"
	[[ -n $c ]]
}

@test "delete the default persona: no default any more" {
	mk Wren > /dev/null
	mk Ash > /dev/null
	persona set-default Wren > /dev/null
	run_ok persona delete Wren
	run_ok persona list
	assert_equal "$(jq -c .default <<< "$output")" false
	assert_equal "$(db_sql 'SELECT count(default_persona_id) FROM users')" 0
	run -0 --separate-stderr persona clear-default
	assert_output ""
	assert_equal "$stderr" ""
}

@test "delete a character with sessions: 65 and nothing changed; --cascade deletes its sessions and messages" {
	local c o s1 before
	c=$(mkchar Nib)
	o=$(mkchar Oak)
	s1=$(session-bind new --character Nib | jq -r .id)
	session-bind new --character Nib --no-greeting > /dev/null
	printf 'hello\n' | session-log append "$s1" > /dev/null
	# a session of Oak where the user plays Nib
	session-bind new --character Oak --impersonate Nib > /dev/null
	before=$(db_dump)
	run_err 65 "persona: 'Nib' has 2 session(s): delete them first, or use --cascade" persona delete Nib
	assert_equal "$(db_dump)" "$before"
	assert_equal "$(rows)" "2 0 3 3"
	run -0 --separate-stderr persona delete --cascade Nib
	assert_output "{\"kind\":\"character\",\"id\":\"$c\",\"name\":\"Nib\",\"status\":\"deleted\",\"sessions\":2}"
	assert_equal "$stderr" "persona: 'Nib' was the active persona of 1 session(s): they now have none"
	assert_equal "$(rows)" "1 0 1 1"
	run_ok session-bind list
	assert_equal "$(jq -c '[.character.id, .persona.kind]' <<< "$output")" "[\"$o\",\"none\"]"
	# the other character, its one session with it
	run -0 --separate-stderr persona delete --cascade Oak
	assert_output "{\"kind\":\"character\",\"id\":\"$o\",\"name\":\"Oak\",\"status\":\"deleted\",\"sessions\":1}"
	assert_equal "$stderr" ""
	assert_equal "$(rows)" "0 0 0 0"
}

@test "delete several: each on its own, one not found does not stop the others" {
	local a b
	a=$(mk Ash)
	b=$(mk Bay)
	run -66 --separate-stderr persona delete Ash Nobody Bay
	assert_equal "$output" "{\"kind\":\"persona\",\"id\":\"$a\",\"name\":\"Ash\",\"status\":\"deleted\",\"sessions\":0}
{\"kind\":\"persona\",\"id\":\"$b\",\"name\":\"Bay\",\"status\":\"deleted\",\"sessions\":0}"
	assert_equal "$stderr" "persona: no such character or persona 'Nobody'"
	assert_equal "$(rows)" "0 0 0 0"
}

# --- the default persona ------------------------------------------------------------------

@test "set-default and clear-default: one default at a time, a character refused" {
	local w a c
	w=$(mk Wren)
	a=$(mk Ash)
	c=$(mkchar Nib)
	run_ok persona set-default wren
	assert_output "{\"kind\":\"persona\",\"id\":\"$w\",\"name\":\"Wren\",\"default\":true}"
	run_ok persona set-default Ash
	assert_output "{\"kind\":\"persona\",\"id\":\"$a\",\"name\":\"Ash\",\"default\":true}"
	run_ok persona list
	assert_equal "$(jq -c '[.name, .default]' <<< "$output" | tr '\n' ' ')" '["Wren",false] ["Ash",true] '
	assert_equal "$(persona show Ash | jq .default)" true
	run_err 65 "persona: 'Nib' is a character: only a persona can be the default" persona set-default Nib
	run_err 66 "persona: no such character or persona 'Nobody'" persona set-default Nobody
	run_ok persona clear-default
	assert_output "{\"kind\":\"persona\",\"id\":\"$a\",\"name\":\"Ash\",\"default\":false}"
	run -0 --separate-stderr persona clear-default
	assert_output ""
	assert_equal "$stderr" ""
	run_ok persona list
	assert_equal "$(jq -c .default <<< "$output" | sort -u)" false
	[[ -n $c ]]
}

# --- dry runs, help, a locked user ---------------------------------------------------------

@test "-n: create, update, delete, set-default and clear-default print what they would do and store nothing" {
	run_ok persona create -n --name Wren --description 'A courier.'
	[[ $output =~ $(created Wren) ]] || fail "$output"
	assert_equal "$(rows)" "0 0 0 0"
	run_ok persona -n create < "$F/v3.json"
	[[ $output =~ $(created Wren) ]] || fail "$output"
	assert_equal "$(rows)" "0 0 0 0"
	wren
	persona set-default Wren > /dev/null
	local before
	before=$(db_dump)
	run_ok persona update -n "$W" --set personality=other
	assert_equal "$output" "$(summary "$W" Wren updated)"
	run_ok persona delete -n "$W"
	assert_equal "$output" "{\"kind\":\"persona\",\"id\":\"$W\",\"name\":\"Wren\",\"status\":\"deleted\",\"sessions\":0}"
	run_ok persona clear-default -n
	assert_output "{\"kind\":\"persona\",\"id\":\"$W\",\"name\":\"Wren\",\"default\":false}"
	run_ok persona -n create --character --name Nib --description x
	[[ $output =~ $(created Nib character) ]] || fail "$output"
	assert_equal "$(db_dump)" "$before"
}

@test "-h: the synopsis on stdout, 0; a bad subcommand or option is 64" {
	run_ok persona -h
	assert_line --index 0 'usage: persona create [--character] [--default] [--name NAME] [--description TEXT]'
	run_ok persona show -h
	assert_line --index 0 --partial 'usage: persona create'
	run -64 --separate-stderr persona frobnicate
	assert_output ""
	[[ $stderr == persona:* ]] || fail "$stderr"
	run -64 --separate-stderr persona list --bogus
	assert_output ""
	run -64 --separate-stderr persona list --characters --all
	assert_output ""
}

@test "a locked user: 77 for every subcommand, nothing printed, nothing stored" {
	mk Wren > /dev/null
	unset GUISE_PASSPHRASE_FILE
	local before locked="persona: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
	before=$(db_dump)
	run_err 77 "$locked" persona create --name Ash --description 'A smith.'
	run_err 77 "$locked" persona create <<< '{"name":"Ash","description":"A smith."}'
	run_err 77 "$locked" persona list
	run_err 77 "$locked" persona show Wren
	run_err 77 "$locked" persona update Wren --set personality=x
	run_err 77 "$locked" persona delete Wren
	run_err 77 "$locked" persona set-default Wren
	run_err 77 "$locked" persona clear-default
	assert_equal "$(db_dump)" "$before"
}
