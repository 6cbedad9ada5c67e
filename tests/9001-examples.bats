#!/usr/bin/env bats
# Every example in examples/ runs, and says what it should.

load common
load llm

# GUISE_TEST_STORE=pg: the examples keep their own throwaway files, but
# fanout.sh and the README's blocks write the test's store
setup_file() { store_setup_file; }
teardown_file() { store_teardown_file; }
setup() { common_setup; }
teardown() { fake_stop; }

@test "examples/quickstart.sh runs the main job against a throwaway database, --dry-run without a provider" {
	llm_setup
	run -0 --separate-stderr "$TOP/examples/quickstart.sh"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat <<'EOF'
# a user and her keys (the recovery key is printed once: keep it)
kind: user
username: alice
account_status: active
recovery_key: (printed once, shown here elided)
# unlock once: the key waits in the kernel keyring for the pipeline
{"kind":"unlock","user":"alice","via":"keyring","expires_at":"...","dry_run":false}
# a character card, imported and encrypted
{"kind":"character","id":"MELINA","name":"Melina","status":"created","source":"cards/melina.png"}
# Wren, alice's own persona, the default for new chats
{"kind":"persona","id":"WREN","name":"Wren","status":"created"}
# and Kestrel, a character alice will play later
{"kind":"character","id":"KESTREL","name":"Kestrel","status":"created"}
# a session with Melina: Wren is bound, Melina's greeting is message 1
{"title":"At the campfire","character":{"id":"MELINA","name":"Melina"},"persona":{"kind":"custom","id":"WREN","name":"Wren"},"messages":1}
# Wren speaks: the request says who the model is talking to
{"pending":{"role":"user","content":"Where does your accord lead?"},"persona":{"kind":"custom","id":"WREN","name":"Wren"}}
[Wren is the person you are talking to. This is who they are.]
Name: Wren
Description: A quiet cartographer who maps the edges of the world.
# sent to the provider (with no GUISE_LLM_URL: the HTTP request it would be)
POST https://api.openai.com/v1/chat/completions
Content-Type: application/json

{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}
  system: Write Melina's next reply in a fictional chat between Melina...
  system: [Example Chat]
  user: "What's your purpose?" *I said, looking at you with interest...
  assistant: "I'm searching for my purpose given to me by my mother long ...
  system: [Start a new chat]
  assistant: *Somewhere in the middle of a field, with only a couple of t...
  user: Where does your accord lead?
# alice plays Kestrel now, in the middle of the chat
{"kind":"impersonated","id":"KESTREL","name":"Kestrel"}
# Kestrel speaks: the request now tells the model about Kestrel
{"pending":{"role":"user","content":"Kestrel lifts the hawk from her glove."},"persona":{"kind":"impersonated","id":"KESTREL","name":"Kestrel"}}
[The user is playing Kestrel, a character in their own right, not themselves.]
Name: Kestrel
Description: A falconer of few words, sworn to guard Melina.
POST https://api.openai.com/v1/chat/completions
Content-Type: application/json

{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}
  system: Write Melina's next reply in a fictional chat between Melina...
  system: [Example Chat]
  user: "What's your purpose?" *I said, looking at you with interest...
  assistant: "I'm searching for my purpose given to me by my mother long ...
  system: [Start a new chat]
  assistant: *Somewhere in the middle of a field, with only a couple of t...
  user: Where does your accord lead?
  user: Kestrel lifts the hawk from her glove.
# the transcript: each line under the persona it was written as
Melina: *Somewhere in the middle of a field, with only a cou...

Wren: Where does your accord lead?

Kestrel: Kestrel lifts the hawk from her glove.
# lock: the key is gone, and commands fail closed
{"kind":"lock","user":"alice","keyring":true,"session_files":0}
prompt-render: user 'alice' is locked: run 'persona-encrypt unlock -u alice'
exit status 77
EOF
)"
	# it used its own database, not the test's
	[[ ! -e $GUISE_DB ]]
}

@test "examples/quickstart.sh with GUISE_LLM_URL sends each turn and records it" {
	llm_setup
	local one two
	one=$(sse '{"choices":[{"delta":{"content":"The accord leads north."},"finish_reason":null}]}' \
		'{"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":900,"completion_tokens":5}}' '[DONE]')
	two=$(sse '{"choices":[{"delta":{"content":"Melina watches the hawk."},"finish_reason":"stop"}]}' '[DONE]')
	fake_start "$(script "$(stream "$one"$'\n\n')" "$(stream "$two"$'\n\n')")"
	GUISE_LLM_URL=$FAKE_URL GUISE_MODEL=m-1 OPENAI_API_KEY=$CANARY \
		run -0 --separate-stderr "$TOP/examples/quickstart.sh"
	fake_stop
	assert_equal "$stderr" ""
	assert_equal "$(sed -n '/^# sent to the provider/{n;p}' <<< "$output")" "The accord leads north."
	assert_equal "$(sed -n '/^# the transcript/,/^# lock/p' <<< "$output")" \
"# the transcript: each line under the persona it was written as
Melina: *Somewhere in the middle of a field, with only a cou...

Wren: Where does your accord lead?

Melina: The accord leads north.

Kestrel: Kestrel lifts the hawk from her glove.

Melina: Melina watches the hawk.
# lock: the key is gone, and commands fail closed"
	[[ $output != *"$CANARY"* ]]
	assert_equal "$(requests)" 2
	assert_equal "$(req 0 '[.path, .headers.authorization, .body.model, .body.messages[-1].content]')" \
		'["/chat/completions","Bearer '"$CANARY"'","m-1","Where does your accord lead?"]'
	# the second request has the first turn in its history, and Kestrel's line
	assert_equal "$(req 1 '.body.messages[-3:] | map(.content)')" \
		'["Where does your accord lead?","The accord leads north.","Kestrel lifts the hawk from her glove."]'
	[[ ! -e $GUISE_DB ]]
}

@test "examples/selfplay.sh: without a provider, the draft's request; with one, the model writes both sides, then a swipe and a continuation" {
	run -0 --separate-stderr "$TOP/examples/selfplay.sh"
	assert_equal "$stderr" ""
	assert_equal "$output" \
'# alice, Wren, and a session with Melina
# the request for Wren'"'"'s next message ends with what to write
{"mode":"draft","draft":{"start":null},"persona":"Wren"}
[Write Wren'"'"'s next message in this chat, in Wren'"'"'s voice, from Wren'"'"'s point of view, as described above. Write only what Wren says and does.]
# no GUISE_LLM_URL: nothing sent'
	llm_setup
	local r=() t
	for t in "I trace the map's edge." "The north road." "Where does it end?" "At the sea." "At the cliffs." " Beyond them, nothing."; do
		r+=("$(stream "$(sse "$(jq -n -c --arg t "$t" '{choices: [{delta: {content: $t}, finish_reason: "stop"}]}')" '[DONE]')"$'\n\n')")
	done
	fake_start "$(script "${r[@]}")"
	GUISE_LLM_URL=$FAKE_URL GUISE_MODEL=m-1 OPENAI_API_KEY=$CANARY \
		run -0 --separate-stderr "$TOP/examples/selfplay.sh"
	fake_stop
	assert_equal "$stderr" ""
	assert_equal "$(sed -n '/^# turn 1: Wren/,$p' <<< "$output")" \
"# turn 1: Wren, drafted by the model and recorded as hers
I trace the map's edge.
# turn 1: Melina answers
The north road.
# turn 2: Wren, drafted by the model and recorded as hers
Where does it end?
# turn 2: Melina answers
At the sea.
# Melina's last reply again, as a second swipe, and then continued
At the cliffs.
 Beyond them, nothing.
swipe 0: At the sea.
swipe 1: At the cliffs. Beyond them, nothing.
# the transcript
Melina: *Somewhere in the middle of a field, with only a cou...

Wren: I trace the map's edge.

Melina: The north road.

Wren: Where does it end?

Melina: At the cliffs. Beyond them, nothing."
	assert_equal "$(requests)" 6
	# a draft ends with its instruction, a reply with Wren's drafted line,
	# the regenerated reply's request with the line before it; a
	# continuation with the reply and the nudge after it
	assert_equal "$(req 0 '.body.messages[-1].content')" \
		"\"[Write Wren's next message in this chat, in Wren's voice, from Wren's point of view, as described above. Write only what Wren says and does.]\""
	assert_equal "$(req 1 '.body.messages[-1]')" '{"role":"user","content":"I trace the map'"'"'s edge."}'
	assert_equal "$(req 4 '.body.messages[-1]')" '{"role":"user","content":"Where does it end?"}'
	assert_equal "$(req 5 '.body.messages[-2:] | map(.content)')" \
		'["At the cliffs.","[Continue your last message without repeating its original content.]"]'
	[[ ! -e $GUISE_DB ]]
}

@test "examples/import.sh: make imports each card once, then only what changed" {
	run -0 --separate-stderr "$TOP/examples/import.sh"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 13
	# the first run made three rows; later lines name them by these ids
	local melina alpin kestrel
	melina=$(sed -n 's/^{"kind":"character","id":"\([0-9a-f-]\{36\}\)","name":"Melina","status":"created".*/\1/p' <<< "$output")
	alpin=$(sed -n 's/^{"kind":"character","id":"\([0-9a-f-]\{36\}\)","name":"Alpin Dale","status":"created".*/\1/p' <<< "$output")
	kestrel=$(sed -n 's/^{"kind":"character","id":"\([0-9a-f-]\{36\}\)","name":"Kestrel","status":"created".*/\1/p' <<< "$output")
	[[ -n $melina && -n $alpin && -n $kestrel ]] || fail "not three created rows: $output"
	[[ $melina != "$alpin" && $melina != "$kestrel" && $alpin != "$kestrel" ]]
	local out=$output
	out=${out//$melina/MELINA}
	out=${out//$alpin/ALPIN}
	out=${out//$kestrel/KESTREL}
	# make -j4 runs the three imports in any order
	assert_equal "$(sed -n 3,5p <<< "$out" | sort)" \
'{"kind":"character","id":"ALPIN","name":"Alpin Dale","status":"created","source":"cards/alpin_dale.png"}
{"kind":"character","id":"KESTREL","name":"Kestrel","status":"created","source":"cards/kestrel.yaml"}
{"kind":"character","id":"MELINA","name":"Melina","status":"created","source":"cards/melina.png"}'
	assert_equal "$(sed 3,5d <<< "$out")" \
'# alice, unlocked once for every import make runs
# the first run imports every card, four at a time
# the second has nothing to do
make: Nothing to be done for '"'all'"'.
# a touched card is imported again, and only it: the same card, unchanged
{"kind":"character","id":"MELINA","name":"Melina","status":"unchanged","source":"cards/melina.png"}
# an edited card replaces its row (--on-conflict replace): updated, same id
{"kind":"character","id":"KESTREL","name":"Kestrel","status":"updated","source":"cards/kestrel.yaml"}
# out again as a PNG card, which imports as the very same card
{"kind":"character","id":"MELINA","name":"Melina","status":"unchanged","source":"melina.png"}'
	# it used its own database, not the test's
	[[ ! -e $GUISE_DB ]]
}

@test "examples/import/Makefile: a card that fails leaves no stamp, and is tried again" {
	cd "$BATS_TEST_TMPDIR"
	mkdir cards
	cp "$DATA/cards-aicharlib/melina.png" cards/
	printf '{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Seven","character_book":{"entries":7}}}\n' > cards/bad.json
	export GUISE_PASSPHRASE=pw
	persona-encrypt init -u alice > /dev/null
	local mk=$TOP/examples/import/Makefile line
	line=$(grep -n '^.$(IMPORT) ' "$mk" | cut -d: -f1)
	# the PNG cards come first; the bad one stops make and leaves no stamp
	run -2 --separate-stderr env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory -s -f "$mk"
	assert_output --regexp '^\{"kind":"character","id":"[0-9a-f-]{36}","name":"Melina","status":"created","source":"cards/melina.png"\}$'
	assert_equal "$stderr" "persona-import: 'cards/bad.json': data.character_book.entries: expected a list
make: *** [$mk:$line: build/imported/bad.json.stamp] Error 65
make: *** Deleting file 'build/imported/bad.json.stamp'"
	[[ -s build/imported/melina.png.stamp && ! -e build/imported/bad.json.stamp ]]
	# mended, it alone is imported on the next run
	printf '{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Seven"}}\n' > cards/bad.json
	run -0 --separate-stderr env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory -s -f "$mk"
	assert_output --regexp '^\{"kind":"character","id":"[0-9a-f-]{36}","name":"Seven","status":"created","source":"cards/bad.json"\}$'
	assert_equal "$stderr" ""
	assert_equal "$(cat build/imported/bad.json.stamp)" "$output"
}

@test "examples/lore.sh imports, attaches, patches and exports lorebooks, and a chat's prompt gets the lore its message calls for" {
	run -0 --separate-stderr "$TOP/examples/lore.sh"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat <<'EOF'
# alice, unlocked once for the whole walkthrough
# a SillyTavern World Info file: the book is named after its file
{"kind":"lorebook","id":"AZKAR","name":"Azkar","status":"created","source":"Azkar.json"}
# the same file again is unchanged
{"kind":"lorebook","id":"AZKAR","name":"Azkar","status":"unchanged","source":"Azkar.json"}
# a book written by hand in YAML, on standard input
{"kind":"lorebook","id":"HARBOUR","name":"Harbour","status":"created","source":"-"}
# Azkar for every chat, Harbour for Kestrel only
{"kind":"character","id":"KESTREL","name":"Kestrel","status":"created"}
{"kind":"lorebook","id":"AZKAR","name":"Azkar","status":"attached","global":true}
{"kind":"lorebook","id":"HARBOUR","name":"Harbour","status":"attached","character":"KESTREL"}
{"kind":"lorebook","id":"AZKAR","name":"Azkar","entries":3,"attached":[{"global":true}],"created_at":"...","updated_at":"..."}
{"kind":"lorebook","id":"HARBOUR","name":"Harbour","entries":1,"attached":[{"character":"KESTREL"}],"created_at":"...","updated_at":"..."}
# a patch: the harbour book gets a token budget
{"kind":"lorebook","id":"HARBOUR","name":"Harbour","status":"updated"}
{"entries":[{"keys":["harbour","docks"],"content":"The harbour freezes every winter.","insertion_order":5,"enabled":true}],"name":"Harbour","token_budget":300}
# a chat with Kestrel: what the new message names enters the prompt, and the report says why
["Harbour",0,"key 'docks' in message 1"]
["Azkar",0,"key 'Azkar' in message 1"]
# exported as World Info, the entries are the ones that came in
same entries
EOF
)"
}

@test "examples/move-store.sh moves a user to another store and back, her chat and ids as they were" {
	run -0 --separate-stderr "$TOP/examples/move-store.sh"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat <<'EOF'
# alice, with a persona, a character and a chat
{"kind":"persona","id":"WREN","name":"Wren","status":"created"}
{"kind":"character","id":"SERA","name":"Sera","status":"created"}
Sera: Welcome, {{user}}.

Wren: Where am I?
# moved: the counts of what went across (the recovery key is new there)
{"kind":"user_moved","username":"alice","moved":{"characters":1,"personas":1,"sessions":1,"messages":2,"swipes":0,"books":0,"attachments":0},"source":"deleted","recovery_key":true}
# the source has no alice now; the other store has all of her, same ids
persona: no users yet: run 'persona-encrypt init -u NAME'
{"id":"S","title":"In the glade","persona":"Wren","messages":2}
Sera: Welcome, {{user}}.

Wren: Where am I?
# and back again
{"kind":"user_moved","moved":{"characters":1,"personas":1,"sessions":1,"messages":2,"swipes":0,"books":0,"attachments":0},"source":"deleted"}
{"kind":"persona","id":"WREN","name":"Wren","source":null,"default":true}
EOF
)"
}

@test "examples/personas.sh switches personas mid-chat, and each message keeps its speaker" {
	run -0 --separate-stderr "$TOP/examples/personas.sh"
	assert_equal "$stderr" ""
	assert_equal "$output" \
'# alice, unlocked once for the whole walkthrough
# a character from a card, and a second one made from flags
{"kind":"character","id":"MELINA","name":"Melina","status":"created","source":"cards/melina.png"}
{"kind":"character","id":"KESTREL","name":"Kestrel","status":"created"}
# a custom persona from YAML on stdin, made the default
{"kind":"persona","id":"WREN","name":"Wren","status":"created"}
{"kind":"persona","id":"WREN","name":"Wren","default":true}
# a session with Melina: the default persona is bound, her greeting is message 1
{"kind":"session","id":"SESSION","title":"At the campfire","character":{"id":"MELINA","name":"Melina"},"persona":{"kind":"custom","id":"WREN","name":"Wren"},"settings":{"provider":null,"model":null,"temperature":null,"top_p":null,"top_k":null,"max_tokens":null,"frequency_penalty":null,"presence_penalty":null,"seed":null,"stop":null,"history_limit":null,"context_tokens":null,"note":null,"note_depth":null,"note_role":null,"note_interval":null,"lore_scan_depth":null,"lore_budget":null,"draft_prompt":null},"messages":1,"created_at":"...","updated_at":"..."}
# Wren speaks
{"seq":2,"role":"user","speaker":{"kind":"custom","id":"WREN","name":"Wren"}}
# now alice plays Kestrel instead, mid-chat
{"kind":"impersonated","id":"KESTREL","name":"Kestrel"}
{"seq":3,"role":"user","speaker":{"kind":"impersonated","id":"KESTREL","name":"Kestrel"}}
# then nobody in particular
{"kind":"none","id":null,"name":null}
{"seq":4,"role":"user","speaker":{"kind":"none","id":null,"name":null}}
# and Wren again; her details, as the session sees them
{"kind":"custom","id":"WREN","name":"Wren"}
{"kind":"persona","name":"Wren","description":"A quiet cartographer who maps the edges of the world.","default":true}
{"seq":5,"role":"user","speaker":{"kind":"custom","id":"WREN","name":"Wren"}}
# the transcript, the long greeting cut short
Melina: *Somewhere in the middle of a field, with only a cou...

Wren: I accept your accord, if you tell me where it leads.

Kestrel: Kestrel steps out of the trees, a hawk on her glove.

User: Is anyone else out here?

Wren: It is only me, Wren.
# who spoke as whom: switching never rewrote an earlier message
1 assistant custom Wren
2 user custom Wren
3 user impersonated Kestrel
4 user none -
5 user custom Wren'
	# it used its own database, not the test's
	[[ ! -e $GUISE_DB ]]
}

@test "examples/render.sh renders the request as Wren, as Kestrel, as nobody, and within a budget" {
	run -0 --separate-stderr "$TOP/examples/render.sh"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat <<'EOF'
# alice, unlocked once for the whole walkthrough
# Melina from her card, and Kestrel, a character alice will play
{"kind":"character","id":"MELINA","name":"Melina","status":"created","source":"cards/melina.png"}
{"kind":"character","id":"KESTREL","name":"Kestrel","status":"created"}
# Wren, a custom persona
{"kind":"persona","id":"WREN","name":"Wren","status":"created"}
# a session with Melina as Wren; her greeting is message 1, then Wren speaks
{"title":"At the campfire","character":{"id":"MELINA","name":"Melina"},"persona":{"kind":"custom","id":"WREN","name":"Wren"},"messages":1}
{"seq":2,"role":"user","speaker":"Wren"}
# the request as Wren: who the model talks to, and Wren's block in the story string
{"session":"SESSION","user":"alice","pending":{"role":"user","content":"Where do we ride first?"},"persona":{"kind":"custom","id":"WREN","name":"Wren"}}
[Wren is the person you are talking to. This is who they are.]
Name: Wren
Description: A quiet cartographer who maps the edges of the world.
Personality: patient, dry, curious
# alice plays Kestrel now: her block, and in her card {{user}} is Melina
{"kind":"impersonated","id":"KESTREL","name":"Kestrel"}
{"kind":"impersonated","id":"KESTREL","name":"Kestrel"}
[The user is playing Kestrel, a character in their own right, not themselves.]
Name: Kestrel
Description: A falconer of few words, sworn to guard Melina.
# nobody in particular: no block at all, and {{user}} is alice
{"kind":"none","id":null,"name":null}
{"kind":"none","id":null,"name":null}
Write Melina's next reply in a fictional chat between Melina and alice.
# the whole prompt to read, the new message from stdin, long lines cut short
[SYSTEM]
Write Melina's next reply in a fictional chat between Melina...
[character("Melina")
{
Gender("Female")
Personality("purposeful" + "clever" + "straightforward" + "s...
Mind("purposeful" + "clever" + "straightforward" + "sensible...
Species("Human")
Likes("You as her companion")
Features("5'6 feet" + "167 cm" + "red wavy hairs" + " murky ...
Clothes("have green cloak" + "light dress with a white cape ...
Description("She is a mysterious spectral girl who offers an...
}]
[Scenario: In the middle of the field you were sitting by th...

[SYSTEM]
[Example Chat]

[USER]
"What's your purpose?" *I said, looking at you with interest...

[ASSISTANT]
"I'm searching for my purpose given to me by my mother long ...

[SYSTEM]
[Start a new chat]

[ASSISTANT]
*Somewhere in the middle of a field, with only a couple of t...

[USER]
I accept your accord, if you tell me where it leads.

[USER]
Where do we ride first?
# what the budget kept: all of it at the default 8192 tokens; Melina's
# second example block has no '{{user}}:' or '{{char}}:' turns, so only one is sent
{"context_tokens":8192,"max_tokens":null,"used":889,"history":{"limit":null,"included":2},"dropped":{"examples":0,"messages":0}}
# a smaller context: the example chat goes first, then the oldest history
{"context_tokens":700,"max_tokens":null,"used":693,"history":{"limit":null,"included":2},"dropped":{"examples":1,"messages":0}}
{"context_tokens":500,"max_tokens":null,"used":478,"history":{"limit":null,"included":1},"dropped":{"examples":1,"messages":1}}
# too small for what is never dropped: an error that says by how much
prompt-render: the prompt needs 456 tokens without history or examples, over the budget of 400 by 56
exit status 65
EOF
)"
	# it used its own database, not the test's
	[[ ! -e $GUISE_DB ]]
}

@test "examples/fanout.sh imports, makes sessions, records and renders 8 processes at a time into the store it is given" {
	FANOUT_DB=$GUISE_DB run -0 --separate-stderr "$TOP/examples/fanout.sh"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat <<'EOF'
# alice, unlocked once: every process on this host finds her key
# 40 cards, imported 8 processes at a time, 5 cards each
created: 40
characters stored: 40
# a session with each, made 8 at a time
sessions stored: 40
# a turn recorded into every session at once, each after its greeting
40 message 2
# every session's request rendered, 8 at a time, each to a file: each ends with that turn
40 Which road is safest?
EOF
)"
	# the test's store holds it all: each card once, a session with each,
	# and in each session the greeting and the turn
	assert_equal "$(db_sql 'SELECT count(*), count(DISTINCT content_hash) FROM characters')" "40|40"
	assert_equal "$(db_sql 'SELECT count(*), count(DISTINCT character_id) FROM chat_sessions')" "40|40"
	assert_equal "$(db_sql 'SELECT role, seq, count(*) FROM chat_messages GROUP BY role, seq ORDER BY seq')" \
		$'assistant|1|40\nuser|2|40'
	# and alice was locked again on the way out
	run_err 77 "persona: user 'alice' is locked: run 'persona-encrypt unlock -u alice'" persona -u alice list
}

@test "README's make block imports a cards/ directory, and then has nothing to do" {
	cd "$BATS_TEST_TMPDIR"
	sed -n '/^```make$/,/^```$/{/^```/d;p}' "$TOP/README.md" > Makefile
	[[ -s Makefile ]]
	mkdir cards
	cp "$DATA/cards-aicharlib/alpin_dale.png" cards/
	export GUISE_PASSPHRASE=pw
	persona-encrypt init -u alice > /dev/null
	run -0 --separate-stderr env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory -s
	assert_output ""
	assert_equal "$stderr" ""
	run -0 jq -r '[.name, .status, .source] | join(" ")' build/imported/alpin_dale.png.stamp
	assert_output "Alpin Dale created cards/alpin_dale.png"
	run -0 --separate-stderr env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory
	assert_output "make: Nothing to be done for 'all'."
	assert_equal "$stderr" ""
}

@test "README's moving-between-stores block runs as written (a second file for the PostgreSQL URI)" {
	cd "$BATS_TEST_TMPDIR"
	local section='/^### Moving between stores$/,/^Threat model/'
	sed -n "$section"'{/^```sh$/,/^```$/{/^```/d;p}}' "$TOP/README.md" |
		sed "s|postgresql://db.example/guise|$BATS_TEST_TMPDIR/shared.db|g" > move.sh
	[[ $(grep -c '^persona-encrypt move ' move.sh) == 1 ]] || fail "no block: $(cat move.sh)"
	export GUISE_PASSPHRASE=pw XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	persona-encrypt init -u alice > /dev/null
	persona create --name Wren --description 'A quiet cartographer.' > /dev/null
	run -0 --separate-stderr bash -e move.sh
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.kind, .moved.personas, .source]' moved.json)" '["user_moved",1,"deleted"]'
	assert_equal "$(GUISE_DB=$BATS_TEST_TMPDIR/shared.db persona list | jq -r .name)" Wren
	GUISE_DB=$BATS_TEST_TMPDIR/shared.db persona-encrypt lock -q > /dev/null 2>&1 || true
}

@test "README's personas and sessions blocks run as written, and the transcript is the one it shows" {
	cd "$BATS_TEST_TMPDIR"
	local section='/^## Personas and sessions$/,/^## Rendering prompts$/'
	sed -n "$section"'{/^```sh$/,/^```$/{/^```/d;p}}' "$TOP/README.md" > personas.sh
	[[ $(grep -c '^session-bind ' personas.sh) -ge 4 ]] || fail "no blocks: $(cat personas.sh)"
	export GUISE_PASSPHRASE=pw
	persona-encrypt init -u alice > /dev/null
	persona create --character --name Seraphina --description 'A guardian of the glade.' \
		--set 'first_mes=Welcome, traveller.' > /dev/null
	run -0 --separate-stderr bash -e personas.sh
	assert_equal "$stderr" ""
	# the transcript the README shows, with this Seraphina's greeting
	assert_equal "$(sed -n '/^Seraphina: /,/^Wren: It is only me/p' <<< "$output")" \
		"$(sed -n "$section"'p' "$TOP/README.md" |
			awk '/^```/ { if (!open) { open = 1; plain = ($0 == "```") } else open = 0; next }
				open && plain' |
			sed '1s/.*/Seraphina: Welcome, traveller./')"
	# who spoke as whom, and the chat as SillyTavern has it
	assert_equal "$(grep $'^[0-9]*\t' <<< "$output")" \
"$(printf '%s\t%s\t%s\t%s\n' 1 assistant custom Wren 2 user custom Wren \
	3 user impersonated 'Simon McKnight' 4 user none - 5 user custom Wren)"
	assert_line 'persona Wren'
	assert_equal "$(jq -r '.user_name // .name' glade.jsonl | paste -sd ,)" "Wren,Seraphina,Wren,Simon McKnight,User,Wren"
	run_ok persona show Wren
	assert_equal "$(jq -c '[.data.tags, .data.personality, .position, .depth]' <<< "$output")" \
		'[["explorer"],"","at_depth",4]'
}

@test "README's rendering blocks run as written, and print what it shows" {
	cd "$BATS_TEST_TMPDIR"
	local section='/^## Rendering prompts$/,/^## Sending$/'
	sed -n "$section"'{/^```sh$/,/^```$/{/^```/d;p}}' "$TOP/README.md" > render.sh
	[[ $(grep -c 'prompt-render ' render.sh) -ge 5 ]] || fail "no blocks: $(cat render.sh)"
	export GUISE_PASSPHRASE=pw
	persona-encrypt init -u alice > /dev/null
	# standard input is not a terminal here: empty, as no new message
	run -0 --separate-stderr bash -e -o pipefail render.sh < /dev/null
	assert_equal "$stderr" ""
	# every block of output the README shows, in order, and nothing else
	assert_equal "$output" \
		"$(sed -n "$section"'p' "$TOP/README.md" |
			awk '/^```/ { if (!open) { open = 1; plain = ($0 == "```") } else open = 0; next }
				open && plain')"
}

@test "every command's --help matches its man page synopsis" {
	local cmd verb
	for cmd in "$TOP"/cmd/*.c; do
		cmd=$(basename "$cmd" .c)
		run -0 --separate-stderr "$cmd" --help
		assert_equal "$stderr" ""
		[[ ${lines[0]} == "usage: $cmd "* ]] || fail "$cmd --help: ${lines[0]}"
		[[ -f $TOP/share/man/man1/$cmd.1 ]] || fail "no man page for $cmd"
		# each verb of the help is in the man page's synopsis, and back
		for verb in $(printf '%s\n' "${lines[@]}" | sed -n "s/^ *\(usage: \)\{0,1\}$cmd \([a-z-]*\).*/\2/p"); do
			sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$TOP/share/man/man1/$cmd.1" |
				grep -q "^\.Cm $verb\( \|$\)" || fail "$cmd: '$verb' not in the man page synopsis"
		done
		for verb in $(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/s/^\.Cm \([a-z-]*\).*/\1/p' "$TOP/share/man/man1/$cmd.1"); do
			[[ $output == *"$cmd $verb"* ]] || fail "$cmd: '$verb' of the man page not in --help"
		done
		# and the same options, short and long, both ways (an option may
		# open a line of the page, or a group of the help: '(-s S | ...)')
		assert_equal "$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$TOP/share/man/man1/$cmd.1" |
			grep -oE '(^\.|^| )Fl -?[a-zA-Z][a-zA-Z-]*' | sed 's/^[. ]*Fl /-/' | sort -u)" \
			"$(printf '%s\n' "${lines[@]}" | grep -oE '(^|[][ |(])--?[a-zA-Z][a-zA-Z-]*' |
				sed 's/^[][ |(]*//' | sort -u)"
	done
}

# readme_blocks SECTION-RANGE DIR: each ```sh block of that README section as
# DIR/1.sh, DIR/2.sh, ...; plain ``` blocks (what they print) as DIR/out
readme_blocks() {
	mkdir -p "$2"
	sed -n "$1"'p' "$TOP/README.md" | awk -v dir="$2" '
		/^```/ {
			if (!open) { open = 1; kind = substr($0, 4); if (kind == "sh") file = dir "/" ++n ".sh"; next }
			open = 0; next
		}
		open && kind == "sh" { print > file }
		open && kind == "" { print > (dir "/out") }'
}

@test "README's sharing blocks run as written, against the test's store" {
	cd "$BATS_TEST_TMPDIR"
	readme_blocks '/^## Sharing a store$/,/^## Importing cards$/' share
	[[ -s share/1.sh && -s share/2.sh && ! -e share/3.sh ]] || fail "not two blocks: $(ls share)"
	# the set-up, the administrator's database being the test's store
	grep -q '^export GUISE_DB=postgresql://' share/1.sh
	{
		printf 'export GUISE_DB=%q\n' "$GUISE_DB"
		grep -v '^export GUISE_DB=' share/1.sh
	} > setup.sh
	export GUISE_PASSPHRASE=pw
	run -0 --separate-stderr bash -e -o pipefail setup.sh
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .username alice.json)" alice
	# two cards to import, and two sessions to render
	mkdir cards
	cp "$DATA/cards-aicharlib/melina.png" "$DATA/cards-aicharlib/alpin_dale.png" cards/
	persona create --character --name Kestrel --description 'A falconer.' > /dev/null
	session-bind new --character Kestrel --title one > /dev/null
	session-bind new --character Kestrel --title two > /dev/null
	run -0 --separate-stderr bash -e -o pipefail share/2.sh
	assert_equal "$stderr" ""
	assert_output ""
	assert_equal "$(jq -r '[.name, .status] | join(" ")' imported.jsonl | sort)" \
		$'Alpin Dale created\nMelina created'
	assert_equal "$(jq -r .guise.session requests/*.json | sort | paste -sd ' ')" \
		"$(session-bind list | jq -r .id | sort | paste -sd ' ')"
	assert_equal "$(ls requests | wc -l)" 2
}

@test "README's opening pipeline runs as written against a fake Ollama" {
	llm_setup
	cd "$BATS_TEST_TMPDIR"
	readme_blocks '1,/^## Set up$/' opening
	[[ -s opening/1.sh && ! -e opening/2.sh ]] || fail "not one block: $(ls opening)"
	grep -q 'llm-send --record' opening/1.sh
	mkdir cards
	cp "$DATA/cards-aicharlib/melina.png" cards/
	fake_start "$(script "$(jq -n -c --arg d "$(ollama_stream)"$'\n' '{chunks: [{data: $d}]}')" \
		"$(jq -n -c --arg d "$(ollama_stream)"$'\n' '{chunks: [{data: $d}]}')")"
	export GUISE_PASSPHRASE=pw GUISE_LLM_URL=$FAKE_URL XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	run -0 --separate-stderr bash -e -o pipefail opening/1.sh
	persona-encrypt lock -q > /dev/null 2>&1 || true
	fake_stop
	assert_equal "$stderr" ""
	jq -e .recovery_key alice.json > /dev/null
	# two turns sent to Ollama, the second as Kestrel, and the transcript
	assert_equal "$(requests)" 2
	assert_equal "$(req 0 '[.path, .body.model, .body.messages[-1]]')" \
		'["/api/chat","llama3",{"role":"user","content":"Where does the accord lead?"}]'
	[[ $(req 0 '.body.messages[0].content') == *'Wren is the person you are talking to'* ]]
	[[ $(req 1 '.body.messages[0].content') == *'The user is playing Kestrel'* ]]
	assert_equal "$(sed -n '/^Wren: /,$p' <<< "$output")" \
"Wren: Where does the accord lead?

Melina: $TEXT

Kestrel: Kestrel lifts the hawk from her glove.

Melina: $TEXT"
	assert_equal "$(grep -c "^$TEXT\$" <<< "$output")" 2
}

@test "README's sending blocks run as written, against --dry-run and a fake Ollama, and print what it shows" {
	llm_setup
	cd "$BATS_TEST_TMPDIR"
	local render='/^## Rendering prompts$/,/^## Sending$/' send='/^## Sending$/,/^## Drafts/'
	readme_blocks "$render" render
	readme_blocks "$send" send
	[[ -s send/1.sh && -s send/2.sh && -s send/3.sh && ! -e send/4.sh ]] || fail "not three blocks: $(ls send)"
	grep -q -- '--dry-run' send/1.sh
	local a b
	a=$(printf '%s\n' '{"model":"llama3","message":{"role":"assistant","content":"Double, then. "},"done":false}' \
		'{"model":"llama3","message":{"role":"assistant","content":"We cross at first light."},"done":false}' \
		'{"model":"llama3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":118,"eval_count":11}')
	b=$(printf '%s\n' '{"model":"llama3","message":{"role":"assistant","content":"At dawn."},"done":false}' \
		'{"model":"llama3","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":141,"eval_count":4}')
	fake_start "$(script "$(jq -n -c --arg d "$a"$'\n' '{chunks: [{data: $d}]}')" \
		"$(jq -n -c --arg d "$b"$'\n' '{chunks: [{data: $d}]}')")"
	# the sending blocks follow on from the rendering ones; before the
	# first real send, the provider's URL is the fake's
	cat render/*.sh send/1.sh > all.sh
	printf 'export GUISE_LLM_URL=%q\n' "$FAKE_URL" >> all.sh
	cat send/2.sh send/3.sh >> all.sh
	export GUISE_PASSPHRASE=pw
	persona-encrypt init -u alice > /dev/null
	run -0 --separate-stderr bash -e -o pipefail all.sh < /dev/null
	fake_stop
	assert_equal "$stderr" ""
	# every block of output the two sections show, in order, and nothing else
	assert_equal "$output" "$(cat render/out send/out)"
	# the key was read from its file, and never shown
	[[ $output != *sk-not-a-real-key* ]]
	assert_equal "$(requests)" 2
	assert_equal "$(req 1 '[.path, .body.model, .body.messages[-3:][].content]')" \
		'["/api/chat","llama3","I can pay double.","Double, then. We cross at first light.","Then take me across."]'
}

@test "README's drafts block runs examples/selfplay.sh as written against a fake Ollama, and prints what it shows" {
	llm_setup
	readme_blocks '/^## Drafts/,/^## Records/' "$BATS_TEST_TMPDIR/modes"
	[[ -s $BATS_TEST_TMPDIR/modes/1.sh && ! -e $BATS_TEST_TMPDIR/modes/2.sh ]] || fail "not one block"
	local r=() t
	for t in '*I unroll a blank map.* Where does your accord lead?' 'North, past the last village.' \
		'To the sea, and the ruins by it.' ' We leave at dawn.'; do
		r+=("$(jq -n -c --arg d "$(jq -n -c --arg t "$t" '{model: "llama3", message: {role: "assistant", content: $t}, done: true, done_reason: "stop"}')"$'\n' '{chunks: [{data: $d}]}')")
	done
	fake_start "$(script "${r[@]}")"
	sed -i "s#http://localhost:11434#$FAKE_URL#" "$BATS_TEST_TMPDIR/modes/1.sh"
	cd "$TOP"
	run -0 --separate-stderr bash -e -o pipefail "$BATS_TEST_TMPDIR/modes/1.sh" < /dev/null
	fake_stop
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat "$BATS_TEST_TMPDIR/modes/out")"
	assert_equal "$(requests)" 4
	assert_equal "$(req 0 '[.path, .body.model]')" '["/api/chat","llama3"]'
}

@test "README's lore block runs as written" {
	cd "$BATS_TEST_TMPDIR"
	readme_blocks '/^## Lore$/,$' lore
	[[ -s lore/1.sh && ! -e lore/2.sh ]] || fail "not one block: $(ls lore)"
	export GUISE_PASSPHRASE=pw
	persona-encrypt init -u alice > /dev/null
	cp "$DATA/lore/world-info.json" Azkar.json
	persona-import "$DATA/lore/card-with-book.json" > /dev/null
	persona update Mira --set name=Melina > /dev/null
	session-bind new --character Melina --title 'At the campfire' > /dev/null
	run -0 --separate-stderr bash -e -o pipefail lore/1.sh
	assert_equal "$stderr" ""
	assert_equal "$(lore list | jq -c '{name, entries, n: (.attached | length)}')" \
		'{"name":"Azkar","entries":3,"n":1}
{"name":"Melina lore","entries":1,"n":1}'
	assert_equal "$(jq -S .entries Azkar-again.json)" "$(jq -S .entries Azkar.json)"
	assert_equal "$(lore show --full Azkar | jq .book.token_budget)" 400
}
