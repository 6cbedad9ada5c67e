#!/usr/bin/env bash
# make-card-fixtures DIR: the cards tests/1004-import.bats imports, written
# into DIR. Text cards are written out by hand (the YAML ones too, so that
# the YAML reader is checked against JSON rather than against our own
# writer); PNGs get their chunks from test-tool png-add, CHARX files from
# test-tool charx-make and charx-write. Needs test-tool on PATH, and jq.
#
#   v3 v3-nullbook v2 st v1 pygmalion textgen (.json and .yaml)
#                  every card shape, unknown keys at every level
#   png-*.png      text chunk types, keyword precedence, duplicates,
#                  base64 variants, a byte order mark
#   charx-*.charx  a valid CHARX (its card: charx-card.json) and the ones
#                  to refuse
#   personas*.json SillyTavern persona backups, good and bad
#   and: bom.json empty.json deep-ok.json deep.json spec31.json
#        specnone.json vale-[abc].json macros.json stream.json
#        one.json bad.json three.json
set -euo pipefail

if [[ $# -ne 1 || ! -d $1 ]]; then
	printf 'usage: make-card-fixtures DIR\n' >&2
	exit 64
fi
dir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=$here/../data/pngsuite/png
image=$suite/basn0g01.png # a 32x32 greyscale image: the PNG cards' picture
icon=$suite/basn2c08.png  # the CHARX icon: a real PNG

put() { cat > "$dir/$1"; }
b64() { base64 -w0; }

# png NAME IN TYPE KEYWORD TEXT [z]: the PNG IN with one
# more text chunk, as NAME
png() {
	local out=$dir/$1 in=$2
	printf '%s' "$5" | test-tool png-add "$in" "$out.tmp" "$3" "$4" ${6:+"$6"}
	mv "$out.tmp" "$out"
}

# --- every card shape, JSON and YAML -------------------------------------

# V3 with every field of data, assets, a lorebook whose entries have
# decorator lines, string and number ids, and unknown keys at every level.
put v3.json <<'EOF'
{
  "spec": "chara_card_v3",
  "spec_version": "3.0",
  "x_top": {"kept": [1, 2.5, null, true]},
  "data": {
    "name": "Wren",
    "description": "A courier who knows {{user}} by sight.",
    "tags": ["courier", "fantasy"],
    "creator": "guise tests",
    "character_version": "1.2",
    "mes_example": "<START>\n{{user}}: Any mail?\n{{char}}: Always.",
    "extensions": {
      "talkativeness": "0.5",
      "depth_prompt": {"prompt": "Wren whistles.", "depth": 4, "role": "system"},
      "x_ext": {"a": [1, {"b": null}]}
    },
    "system_prompt": "Stay in character.",
    "post_history_instructions": "Be brief.",
    "first_mes": "A letter for you, {{user}}.",
    "alternate_greetings": ["Rain again.", "Sign here."],
    "personality": "curious, quick",
    "scenario": "A port town in the rain.",
    "creator_notes": "Test card.",
    "character_book": {
      "name": "Wren's port",
      "description": "places",
      "scan_depth": 3,
      "token_budget": 512,
      "recursive_scanning": false,
      "extensions": {"x_book_ext": 1},
      "x_book": "kept",
      "entries": [
        {
          "keys": ["port", "harbour"],
          "content": "@@depth 4\n@@role assistant\nThe port smells of tar.",
          "extensions": {},
          "enabled": true,
          "insertion_order": 1,
          "use_regex": false,
          "id": "entry-1",
          "x_entry": {"k": 1}
        },
        {
          "keys": ["rain"],
          "content": "@@activate\nIt rains {{char}}'s way.",
          "extensions": {"x_entry_ext": "e"},
          "enabled": true,
          "insertion_order": 2,
          "use_regex": false,
          "id": 2,
          "constant": false,
          "secondary_keys": ["storm"]
        }
      ]
    },
    "assets": [
      {"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"},
      {"type": "background", "uri": "https://example.org/bg.webp", "name": "bg", "ext": "webp", "x_asset": 1}
    ],
    "nickname": "Wr",
    "creator_notes_multilingual": {"en": "Test card.", "fr": "Carte de test."},
    "source": ["https://example.org/wren"],
    "group_only_greetings": ["Mail for all of you."],
    "creation_date": 1700000000,
    "modification_date": 1700000100,
    "x_data": {"deep": {"er": ["\u00e9", "☃"]}}
  }
}
EOF

put v3.yaml <<'EOF'
# the same card as v3.json
spec: chara_card_v3
spec_version: "3.0"
x_top:
  kept: [1, 2.5, null, true]
data:
  name: Wren
  description: "A courier who knows {{user}} by sight."
  tags:
    - courier
    - fantasy
  creator: guise tests
  character_version: "1.2"
  mes_example: |-
    <START>
    {{user}}: Any mail?
    {{char}}: Always.
  extensions:
    talkativeness: "0.5"
    depth_prompt: {prompt: Wren whistles., depth: 4, role: system}
    x_ext:
      a:
        - 1
        - b: null
  system_prompt: Stay in character.
  post_history_instructions: Be brief.
  first_mes: 'A letter for you, {{user}}.'
  alternate_greetings: [Rain again., Sign here.]
  personality: curious, quick
  scenario: A port town in the rain.
  creator_notes: Test card.
  character_book:
    name: Wren's port
    description: places
    scan_depth: 3
    token_budget: 512
    recursive_scanning: false
    extensions: {x_book_ext: 1}
    x_book: kept
    entries:
      - keys: [port, harbour]
        content: "@@depth 4\n@@role assistant\nThe port smells of tar."
        extensions: {}
        enabled: true
        insertion_order: 1
        use_regex: false
        id: entry-1
        x_entry: {k: 1}
      - keys: [rain]
        content: |-
          @@activate
          It rains {{char}}'s way.
        extensions: {x_entry_ext: e}
        enabled: true
        insertion_order: 2
        use_regex: false
        id: 2
        constant: false
        secondary_keys: [storm]
  assets:
    - {type: icon, uri: "ccdefault:", name: main, ext: png}
    - type: background
      uri: https://example.org/bg.webp
      name: bg
      ext: webp
      x_asset: 1
  nickname: Wr
  creator_notes_multilingual:
    en: Test card.
    fr: Carte de test.
  source: ["https://example.org/wren"]
  group_only_greetings: [Mail for all of you.]
  creation_date: 1700000000
  modification_date: 1700000100
  x_data:
    deep:
      er: ["\u00e9", ☃]
EOF

put v3-nullbook.json <<'EOF'
{"spec": "chara_card_v3", "spec_version": "3.0",
 "data": {"name": "Nib", "description": "No book.", "character_book": null}}
EOF
put v3-nullbook.yaml <<'EOF'
spec: chara_card_v3
spec_version: "3.0"
data:
  name: Nib
  description: No book.
  character_book: null
EOF

# V2 without group_only_greetings (V3 only: the import adds it empty)
put v2.json <<'EOF'
{
  "spec": "chara_card_v2",
  "spec_version": "2.0",
  "x_top": "kept",
  "data": {
    "name": "Moss",
    "description": "A gardener.",
    "personality": "patient",
    "scenario": "A greenhouse.",
    "first_mes": "Mind the seedlings.",
    "mes_example": "<START>\n{{char}}: Water first.",
    "creator_notes": "",
    "system_prompt": "",
    "post_history_instructions": "",
    "alternate_greetings": [],
    "tags": ["garden"],
    "creator": "guise tests",
    "character_version": "2",
    "extensions": {"fav": true, "x_ext": [null]},
    "character_book": {
      "entries": [
        {"keys": ["fern"], "content": "Ferns like shade.", "extensions": {}, "enabled": true,
         "insertion_order": 0, "id": 7, "x_entry": "e"}
      ],
      "extensions": {},
      "x_book": 0
    },
    "x_data": 3
  }
}
EOF
put v2.yaml <<'EOF'
spec: chara_card_v2
spec_version: '2.0'
x_top: kept
data:
  name: Moss
  description: A gardener.
  personality: patient
  scenario: A greenhouse.
  first_mes: Mind the seedlings.
  mes_example: "<START>\n{{char}}: Water first."
  creator_notes: ''
  system_prompt: ""
  post_history_instructions: ""
  alternate_greetings: []
  tags: [garden]
  creator: guise tests
  character_version: "2"
  extensions:
    fav: true
    x_ext: [null]
  character_book:
    entries:
      - keys: [fern]
        content: Ferns like shade.
        extensions: {}
        enabled: true
        insertion_order: 0
        id: 7
        x_entry: e
    extensions: {}
    x_book: 0
  x_data: 3
EOF

# A SillyTavern export: V2 with the V1 fields copied to the top level and
# SillyTavern's own keys beside them.
put st.json <<'EOF'
{
  "name": "Ash",
  "description": "A smith.",
  "personality": "gruff",
  "scenario": "A forge.",
  "first_mes": "Hot iron. Careful.",
  "mes_example": "",
  "creatorcomment": "exported",
  "avatar": "none",
  "chat": "Ash - 2024-01-02@10h00m00s",
  "talkativeness": "0.5",
  "fav": false,
  "tags": ["smith"],
  "create_date": "2024-01-02@10h00m00s",
  "spec": "chara_card_v2",
  "spec_version": "2.0",
  "data": {
    "name": "Ash",
    "description": "A smith.",
    "personality": "gruff",
    "scenario": "A forge.",
    "first_mes": "Hot iron. Careful.",
    "mes_example": "",
    "creator_notes": "exported",
    "system_prompt": "",
    "post_history_instructions": "",
    "tags": ["smith"],
    "creator": "",
    "character_version": "",
    "alternate_greetings": [],
    "extensions": {"talkativeness": "0.5", "fav": false, "world": "", "depth_prompt": {"prompt": "", "depth": 4, "role": "system"}}
  }
}
EOF
put st.yaml <<'EOF'
name: Ash
description: A smith.
personality: gruff
scenario: A forge.
first_mes: Hot iron. Careful.
mes_example: ""
creatorcomment: exported
avatar: none
chat: Ash - 2024-01-02@10h00m00s
talkativeness: "0.5"
fav: false
tags: [smith]
create_date: 2024-01-02@10h00m00s
spec: chara_card_v2
spec_version: "2.0"
data:
  name: Ash
  description: A smith.
  personality: gruff
  scenario: A forge.
  first_mes: Hot iron. Careful.
  mes_example: ""
  creator_notes: exported
  system_prompt: ""
  post_history_instructions: ""
  tags: [smith]
  creator: ""
  character_version: ""
  alternate_greetings: []
  extensions:
    talkativeness: "0.5"
    fav: false
    world: ""
    depth_prompt:
      prompt: ""
      depth: 4
      role: system
EOF

put v1.json <<'EOF'
{"name": "Old", "description": "From before specs.", "personality": "plain",
 "scenario": "Anywhere.", "first_mes": "Hello.", "mes_example": "<START>",
 "x_v1": {"kept": true}}
EOF
put v1.yaml <<'EOF'
name: Old
description: From before specs.
personality: plain
scenario: Anywhere.
first_mes: Hello.
mes_example: <START>
x_v1:
  kept: true
EOF

put pygmalion.json <<'EOF'
{"char_name": "Pyg", "char_persona": "A persona.", "world_scenario": "A world.",
 "char_greeting": "Greetings.", "example_dialogue": "<START>\nPyg: hm",
 "metadata": {"version": 1, "x": [true]}}
EOF
put pygmalion.yaml <<'EOF'
char_name: Pyg
char_persona: A persona.
world_scenario: A world.
char_greeting: Greetings.
example_dialogue: |-
  <START>
  Pyg: hm
metadata:
  version: 1
  x: [true]
EOF

put textgen.yaml <<'EOF'
name: Tex
greeting: Good evening.
context: |
  Tex is a butler.
  He is formal.
example_dialogue: "{{user}}: Tea?\n{{char}}: At once."
your_name: You
EOF
put textgen.json <<'EOF'
{"name": "Tex", "greeting": "Good evening.",
 "context": "Tex is a butler.\nHe is formal.\n",
 "example_dialogue": "{{user}}: Tea?\n{{char}}: At once.", "your_name": "You"}
EOF

# --- PNG -------------------------------------------------------------------

v3=$(jq -c . "$dir/v3.json")
v3b64=$(printf '%s' "$v3" | b64)
png png-text.png "$image" tEXt ccv3 "$v3b64"
png png-ztxt.png "$image" zTXt ccv3 "$v3b64"
png png-itxt.png "$image" iTXt ccv3 "$v3b64"
png png-itxtz.png "$image" iTXt ccv3 "$v3b64" z

old=$(printf '%s' '{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Old card"}}' | b64)
new=$(printf '%s' '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"New card"}}' | b64)
# chara then ccv3, and CCV3 then Chara: ccv3 wins either way
png png-chara-ccv3.png.1 "$image" tEXt chara "$old"
png png-chara-ccv3.png "$dir/png-chara-ccv3.png.1" tEXt ccv3 "$new"
png png-ccv3-chara.png.1 "$image" zTXt CCV3 "$new"
png png-ccv3-chara.png "$dir/png-ccv3-chara.png.1" tEXt Chara "$old"
png png-chara.png "$image" iTXt Chara "$old" z
rm "$dir"/*.png.1

# two ccv3 chunks: the first counts
png png-dup.png.1 "$image" tEXt ccv3 "$(printf '%s' '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"First"}}' | b64)"
png png-dup.png "$dir/png-dup.png.1" tEXt ccv3 "$(printf '%s' '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Second"}}' | b64)"
rm "$dir/png-dup.png.1"

# base64 without its padding; base64 cut by spaces, tabs and line breaks
text='{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Pad"}}'
padded=$(printf '%s' "$text" | b64)
if [[ $padded != *= ]]; then
	printf 'make-card-fixtures: the unpadded card needs a text whose base64 is padded\n' >&2
	exit 70
fi
png png-unpadded.png "$image" tEXt chara "${padded%%=*}"
png png-wrapped.png "$image" tEXt chara "$(printf '%s' "$v3b64" | fold -w 60 | sed 's/^/ \t/;s/$/\r/')"

# a byte order mark before the JSON: in a file, and in a chunk
printf '\357\273\277{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Bom"}}\n' > "$dir/bom.json"
png png-bom.png "$image" tEXt chara "$(b64 < "$dir/bom.json")"

# --- CHARX -------------------------------------------------------------------

jq -c '.data.name = "Cx" | .data.assets = [
	{"type": "icon", "uri": "embeded://assets/icon/images/main.png", "name": "main", "ext": "png"},
	{"type": "other", "uri": "embeded://assets/other/notes.txt", "name": "notes", "ext": "txt"}]' \
	"$dir/v3.json" > "$dir/charx-card.json"
printf 'notes\n' > "$dir/notes.txt"
test-tool charx-write "$dir/charx-valid.charx" assets/icon/images/main.png "$icon" \
	assets/other/notes.txt "$dir/notes.txt" < "$dir/charx-card.json"
rm "$dir/notes.txt"
# charx-make's icon has a PNG signature and nothing else
printf '%s' '{"spec":"chara_card_v3","spec_version":"3.0","data":{"name":"Fake","assets":[{"type":"icon","uri":"embeded://assets/icon/images/main.png","name":"main","ext":"png"}]}}' |
	test-tool charx-make "$dir/charx-fakeicon.charx" valid
for kind in slip absolute bomb-declared bomb-ratio encrypted no-card dup; do
	test-tool charx-make "$dir/charx-$kind.charx" "$kind"
done

# --- SillyTavern persona backups -------------------------------------------

put personas.json <<'EOF'
{
  "personas": {"a.png": "Wren", "b.png": "Kai", "c.png": "Ash"},
  "persona_descriptions": {
    "a.png": {"description": "Wren is {{user}}, a courier.", "position": 4, "depth": 3, "role": 1,
              "title": "t", "lorebook": ""},
    "b.png": {"description": "Kai keeps bees.", "position": 9},
    "c.png": {"description": "Ash is a smith.", "position": 2}
  },
  "default_persona": "b.png"
}
EOF
put personas-badpos.json <<'EOF'
{"personas": {"a.png": "Wren"}, "persona_descriptions": {"a.png": {"description": "d", "position": "x"}}}
EOF
put personas-badrole.json <<'EOF'
{"personas": {"a.png": "Wren"}, "persona_descriptions": {"a.png": {"description": "d", "role": 7}}}
EOF
put personas-badlast.json <<'EOF'
{"personas": {"a.png": "Wren", "b.png": "Kai"}, "persona_descriptions": {"a.png": {"description": "d"}, "b.png": {"description": "d", "role": 7}}}
EOF

# --- limits, warnings, conflicts, macros, batches ---------------------------

: > "$dir/empty.json"
# nesting: the card object and 255 lists is 256 levels, 256 lists too many
nest() {
	printf '{"name":"Deep","x":'
	printf '%*s' "$1" '' | tr ' ' '['
	printf '%*s' "$1" '' | tr ' ' ']'
	printf '}\n'
}
nest 255 > "$dir/deep-ok.json"
nest 256 > "$dir/deep.json"

printf '%s\n' '{"spec":"chara_card_v3","spec_version":"3.1","data":{"name":"Newer"}}' > "$dir/spec31.json"
printf '%s\n' '{"spec":"chara_card_v3","data":{"name":"Versionless"}}' > "$dir/specnone.json"

# one name, three contents (the name's case differs, as it may)
printf '%s\n' '{"name":"Vale","description":"first"}' > "$dir/vale-a.json"
printf '%s\n' '{"name":"vale","description":"second"}' > "$dir/vale-b.json"
printf '%s\n' '{"name":"VALE","description":"third"}' > "$dir/vale-c.json"

put macros.json <<'EOF'
{"spec": "chara_card_v3", "spec_version": "3.0", "data": {
  "name": "Mirror",
  "description": "{{char}} watches {{user}}; {{Char}} and {{USER}}; {{chars}} {{user}}{{char}}",
  "first_mes": "Hello {{user}}, I am {{char}}.",
  "alternate_greetings": ["{{user}}?", "{{CHAR}}!"],
  "extensions": {"note": "{{char}} {{user}}", "n": 1},
  "character_book": {"entries": [{"keys": ["{{user}}"], "content": "{{char}} knows {{user}}.", "id": 1}]}}}
EOF

# three cards in one file, the second bad
put stream.json <<'EOF'
[{"name": "S1"}, {"name": "S2", "data": {}}, {"name": "S3"}]
EOF

printf '%s\n' '{"name":"One"}' > "$dir/one.json"
printf '%s\n' '{"name":' > "$dir/bad.json"
printf '%s\n' '{"name":"Three"}' > "$dir/three.json"
