#!/usr/bin/env bash
# make-byaf DIR: the parts of a Backyard AI archive (.byaf), built here in
# the shape of Backyard's format (specs at github.com/ahoylabs/byaf), and
# the archive they make, DIR/valid.byaf.
# make-byaf --pack OUT DIR [NAME SOURCE]...: the parts left in DIR at their
# places in an archive, then the entries given (SOURCE as test-tool
# zip-make takes it). tests/1020-byaf.bats changes the parts and packs them
# again; the fuzz seeds (fuzz/seeds/byaf_fuzz) came from here too.
# The images are PngSuite's (tests/data/pngsuite, see its LICENSE). Needs
# test-tool on PATH.
#
#   manifest.json   the root manifest: one character, two scenarios
#   character.json  characters/c1/character.json: macros, lore, two images
#   s1.json s2.json scenarios/: the first with everything the card takes
#                   and a chat; the second with its own greeting
#   main.png alt.png  characters/c1/images/
set -euo pipefail

# pack OUT PARTS [NAME SOURCE]...
pack() {
	local out=$1 parts=$2 args=() p
	shift 2
	for p in manifest.json:manifest.json character.json:characters/c1/character.json \
		s1.json:scenarios/s1.json s2.json:scenarios/s2.json \
		main.png:characters/c1/images/main.png alt.png:characters/c1/images/alt.png; do
		if [[ -e $parts/${p%%:*} ]]; then
			args+=("${p#*:}" "$parts/${p%%:*}")
		fi
	done
	test-tool zip-make "$out" "${args[@]}" "$@"
}

if [[ ${1-} == --pack && $# -ge 3 && -d $3 ]]; then
	shift
	pack "$@"
	exit
fi
if [[ $# -ne 1 || ! -d $1 ]]; then
	printf 'usage: make-byaf DIR | make-byaf --pack OUT DIR [NAME SOURCE]...\n' >&2
	exit 64
fi
dir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=$here/../data/pngsuite/png

cat > "$dir/manifest.json" <<'EOF'
{
  "schemaVersion": 1,
  "createdAt": "2025-06-01T10:00:00.000Z",
  "author": {"name": "Mara", "backyardURL": "https://backyard.ai/hub/user/mara"},
  "characters": ["characters/c1/character.json"],
  "scenarios": ["scenarios/s1.json", "scenarios/s2.json"]
}
EOF

cat > "$dir/character.json" <<'EOF'
{
  "schemaVersion": 1,
  "id": "c1",
  "name": "Wren",
  "displayName": "Wren of the Vale",
  "isNSFW": true,
  "persona": "{character} knows {USER} by sight; {{user}} stays as it is. Ünïcode.",
  "createdAt": "2025-05-01T12:00:00.000Z",
  "updatedAt": "2025-05-02T12:00:00.500Z",
  "loreItems": [
    {"key": "vale, river ,", "value": "{user} lives by the river."},
    null,
    {"key": "inn", "value": "The inn."}
  ],
  "images": [
    {"path": "images/main.png", "label": "main"},
    {"path": "images/alt.png", "label": "alt"}
  ]
}
EOF

cat > "$dir/s1.json" <<'EOF'
{
  "schemaVersion": 1,
  "title": "First",
  "model": "a-model",
  "narrative": "{user} meets {character}.",
  "formattingInstructions": "Write as {character}.",
  "firstMessages": [{"characterID": "c1", "text": "Hello {user}!"}],
  "exampleMessages": [
    {"characterID": "c1", "text": "#{user}: Hi\n#{character}: Hello"},
    {"characterID": "c1", "text": ""},
    {"characterID": "c1", "text": "{user}: Mail?\n{character}: Always.  \n"}
  ],
  "minP": 0.1, "minPEnabled": true, "temperature": 1.2, "repeatPenalty": 1.05,
  "repeatLastN": 256, "topK": 40, "topP": 0.9,
  "canDeleteExampleMessages": false,
  "promptTemplate": null,
  "grammar": null,
  "backgroundImage": "backgrounds/b.png",
  "messages": [
    {"type": "human", "createdAt": "2025-05-01T12:00:00.000Z",
     "updatedAt": "2025-05-01T12:00:00.000Z", "text": "hi"}
  ]
}
EOF

cat > "$dir/s2.json" <<'EOF'
{
  "schemaVersion": 1,
  "title": "Second",
  "narrative": "Rain.",
  "formattingInstructions": "",
  "firstMessages": [{"characterID": "c1", "text": "Wet day, {user}."}],
  "exampleMessages": [],
  "messages": []
}
EOF

cp "$suite/basn2c08.png" "$dir/main.png"
cp "$suite/basn0g01.png" "$dir/alt.png"

pack "$dir/valid.byaf" "$dir"
