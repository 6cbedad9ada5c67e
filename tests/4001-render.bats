#!/usr/bin/env bats
# prompt-render (DESIGN.md §4, §8): the request built from a session (its
# character, active persona, settings and history) or from --character
# alone; the story string, the persona block (custom, impersonated, none,
# switched mid-chat), at-depth placement, post-history instructions,
# example dialogue, macros, seeds, settings, --format text, -y. Whole
# requests are compared with goldens in tests/golden/render/NAME.json (ids
# written as @LABEL; tests/helpers/make-render-goldens.bash writes them
# again, and each one is read against the contract before it is checked
# in). Real cards from tests/data/cards-aicharlib (MIT, see its LICENSE).

load sessions

GOLDEN=$TOP/tests/golden/render

setup() {
	sessions_setup
	LABELS=()
	SERA=$(mkchar Seraphina '{"description": "{{char}} guards the glade and greets {{user}} warmly.",
		"personality": "gentle, watchful", "scenario": "{{user}} wakes in {{char}}'"'"'s glade.",
		"mes_example": "<START>\n{{user}}: Who are you?\n{{char}}: I am {{char}}.\nI keep this glade.\n<START>\n<USER>: Is it safe?\n<BOT>: Here, yes."}')
	label "$SERA" SERAPHINA
	ALPIN=$(mkchar Alpin '{"description": "{{char}} reads the stars for {{user}}. <BOT> trusts <USER>.",
		"personality": "{{char}} is curious", "scenario": "{{char}} has come to {{user}} for help.",
		"mes_example": "{{char}}: The stars say {{user}} is kind."}')
	label "$ALPIN" ALPIN
	WREN=$(mkpersona Wren)
	label "$WREN" WREN
}

teardown() { keys_teardown; }

# label ID NAME: ID is written @NAME in goldens
label() { LABELS+=(-e "s/$1/@$2/g"); }

# card NAME [JSON]: mkchar, its id labelled @NAME in capitals
card() {
	local id
	id=$(mkchar "$1" "${2:-"{}"}")
	label "$id" "${1^^}"
}

# say S TEXT [OPTION...]: append TEXT to S, quietly
say() { printf '%s\n' "$2" | session-log append "$1" "${@:3}" > /dev/null; }

# estimate: DESIGN §8's estimate of the messages of the request in $output
estimate() { jq '.messages | map(((.content | utf8bytelength) + 2) / 3 | floor + 4) | add' <<< "$output"; }

# golden NAME: the request in $output, pretty, its ids as labels, is
# tests/golden/render/NAME.json (GOLDEN_UPDATE=1: written there first). Its
# budget.used is the estimate of the messages it sends.
golden() {
	local got file=$GOLDEN/$1.json
	got=$(jq . <<< "$output" | sed "${LABELS[@]}") || fail "$1: not JSON: $output"
	[[ ! $got =~ $ID ]] || fail "$1: an id without a label: $got"
	assert_equal "$(jq .guise.budget.used <<< "$output")" "$(estimate)"
	if [[ ${GOLDEN_UPDATE-} == 1 ]]; then
		mkdir -p "$GOLDEN"
		printf '%s\n' "$got" > "$file"
	fi
	[[ -f $file ]] || fail "$1: no golden $file"
	assert_equal "$got" "$(cat "$file")"
}

# msgs: the messages of the request in $output, one compact line each
msgs() { jq -c '.messages[]' <<< "$output"; }

# msg ROLE CONTENT: one message as msgs prints it
msg() { jq -n -c --arg r "$1" --arg c "$2" '{role: $r, content: $c}'; }

# content N: the content of message N (0 the first, -1 the last)
content() { jq -r ".messages[$1].content" <<< "$output"; }

# yaml2json: a YAML document on stdin as compact JSON, key order kept
yaml2json() {
	python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin), ensure_ascii=False))' | jq -c .
}

# --- the persona: custom, impersonated, none, switched -------------------------------

# chat S: two messages after the greeting, with macros in them
chat() {
	say "$1" 'I am {{user}}. Who are you?'
	say "$1" '*{{char}} smiles at {{user}}.* A friend.' --role assistant
}

# chatting OPTION...: s (the caller's local) a session made by mksession
# OPTION..., labelled SESSION, with the two messages of chat (above)
chatting() {
	s=$(mksession "$@")
	label "$s" SESSION
	chat "$s"
}

@test "custom persona: the request, key by key; the persona block in the story string" {
	local s
	chatting --character Seraphina --persona Wren
	run_ok prompt-render -s "$s" <<< 'Where am I?'
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" model,messages,guise
	assert_equal "$(jq -r '.guise | keys_unsorted | join(",")' <<< "$output")" \
		session,user,provider,pending,character,persona,budget,mode
	assert_equal "$(jq -c '.guise.budget | [keys_unsorted, (.history | keys_unsorted), (.dropped | keys_unsorted)]' <<< "$output")" \
		'[["context_tokens","max_tokens","used","history","dropped"],["limit","included"],["examples","messages"]]'
	golden custom
}

@test "impersonated character: its block, its own text with {{char}} and {{user}} swapped; the chat's are not" {
	local s
	chatting --character Seraphina --impersonate Alpin
	run_ok prompt-render -s "$s" <<< 'Where am I?'
	golden impersonated
	# the swap is in Alpin's own text only
	assert_line --partial 'Description: Alpin reads the stars for Seraphina. Alpin trusts Seraphina.'
	assert_equal "$(content 0 | head -n 2)" "Write Seraphina's next reply in a fictional chat between Seraphina and Alpin.
Seraphina guards the glade and greets Alpin warmly."
}

@test "no persona: no block; {{user}} is the user's name" {
	local s
	chatting --character Seraphina --no-persona
	run_ok prompt-render -s "$s" <<< 'Where am I?'
	golden none
}

@test "switched mid-chat: the next render uses the new persona and {{user}} throughout; the stored speakers are unchanged" {
	local s ash before
	ash=$(mkpersona Ash)
	label "$ash" ASH
	chatting --character Seraphina --persona Wren
	session-bind use-persona "$s" Ash > /dev/null
	say "$s" '{{user}} here, now.'
	before=$(session-log show "$s")
	run_ok prompt-render -s "$s" <<< 'Where am I?'
	golden switched
	assert_equal "$(session-log show "$s")" "$before"
	assert_equal "$(speakers "$s")" "$(who custom "$WREN" Wren)
$(who custom "$WREN" Wren)
$(who custom "$WREN" Wren)
$(who custom "$ash" Ash)"
}

@test "real cards: Melina with Alpin Dale impersonated; a <START> block with no 'name:' line is dropped" {
	local melina alpin s
	melina=$(import_card "$CARDS/melina.png")
	alpin=$(import_card "$CARDS/alpin_dale.png")
	label "$melina" MELINA
	label "$alpin" ALPIN_DALE
	s=$(mksession --character Melina --impersonate 'Alpin Dale')
	label "$s" SESSION
	run_ok prompt-render -s "$s" <<< 'I accept your accord.'
	golden melina-alpin-dale
}

# --- the card's prompts, the persona's prompts ---------------------------------------

@test "a card's system_prompt replaces the main prompt, {{original}} in it is the default one; in post_history_instructions it is empty" {
	local s
	card Ivy '{"system_prompt": "{{original}} Stay in character as {{char}}.",
		"post_history_instructions": "{{original}}Answer as {{char}}, briefly."}'
	s=$(mksession --character Ivy --persona Wren --no-greeting)
	run_ok prompt-render -s "$s" <<< 'Hello.'
	assert_equal "$(content 0)" "Write Ivy's next reply in a fictional chat between Ivy and Wren. Stay in character as Ivy.
Ivy keeps the inn at the edge of the forest.
[Wren is the person you are talking to. This is who they are.]
Name: Wren
Description: Wren is a quiet traveller."
	assert_equal "$(msgs | tail -n 2)" "$(msg system 'Answer as Ivy, briefly.')
$(msg user Hello.)"
	# without {{original}}, the card's system_prompt replaces the default
	persona update --character Ivy --set 'system_prompt=Only {{char}} speaks.' > /dev/null
	run_ok prompt-render -s "$s" <<< 'Hello.'
	assert_equal "$(content 0 | head -n 1)" 'Only Ivy speaks.'
}

@test "a persona's own system_prompt and post_history_instructions are added to its block and the card's, never replacing them" {
	local quill s
	quill=$(jq -n -c '{name: "Quill", description: "Quill is a cartographer.", personality: "wry",
		scenario: "Quill is lost in the glade.", mes_example: "*{{user}} taps the map.* Here.",
		system_prompt: "Call {{user}} \"traveller\".", post_history_instructions: "Keep {{char}}'"'"'s replies short."}' |
		persona create | jq -r .id)
	label "$quill" QUILL
	card Ivy '{"post_history_instructions": "Answer as {{char}}."}'
	s=$(mksession --character Ivy --persona Quill --no-greeting)
	label "$s" SESSION
	run_ok prompt-render -s "$s" <<< 'Hello.'
	golden persona-prompts
	assert_equal "$(content 0)" "Write Ivy's next reply in a fictional chat between Ivy and Quill.
Ivy keeps the inn at the edge of the forest.
[Quill is the person you are talking to. This is who they are.]
Name: Quill
Description: Quill is a cartographer.
Personality: wry
Situation: Quill is lost in the glade.
How Quill speaks:
*Quill taps the map.* Here.
Call Quill \"traveller\"."
	assert_equal "$(msgs | tail -n 2)" "$(msg system "Answer as Ivy.

Keep Ivy's replies short.")
$(msg user Hello.)"
	# the persona's alone, when the card has none; neither: no message
	persona update --character Ivy --clear post_history_instructions > /dev/null
	run_ok prompt-render -s "$s" <<< 'Hello.'
	assert_equal "$(msgs | tail -n 2)" "$(msg system "Keep Ivy's replies short.")
$(msg user Hello.)"
	persona update Quill --clear post_history_instructions > /dev/null
	run_ok prompt-render -s "$s" <<< 'Hello.'
	assert_equal "$(msgs | sed 1d)" "$(msg system '[Start a new chat]')
$(msg user Hello.)"
}

# --- at depth -------------------------------------------------------------------------

# depth_chat PLACEMENT-JSON: LARK, a persona placed so, bound to session S
# with Ivy (who has post_history_instructions): the greeting and three messages
depth_chat() {
	LARK=$(jq -n -c --argjson p "$1" '{name: "Lark", description: "Lark sings for {{char}}."} + $p' |
		persona create | jq -r .id)
	is_id "$LARK" depth_chat
	label "$LARK" LARK
	card Ivy '{"post_history_instructions": "Answer as {{char}}."}'
	S=$(mksession --character Ivy --persona Lark)
	label "$S" SESSION
	say "$S" 'One.'
	say "$S" 'Two.' --role assistant
	say "$S" 'Three.'
}

# four [SETTING]: Lark's SETTING set first, if given; the request for the
# new message 'Four?' in depth_chat's session (prompt-render exits 0,
# nothing on stderr)
four() {
	[[ -z ${1-} ]] || persona update Lark --set "$1" > /dev/null
	run_ok prompt-render -s "$S" <<< 'Four?'
}

# roles: the roles of the request's messages, and which one holds the persona block
roles() { jq -r '[.messages[] | if (.content | startswith("[Lark is")) then "LARK:" + .role else .role end] | join(" ")' <<< "$output"; }

@test "at_depth 0, role user: the persona block after the new message, not in the story string" {
	depth_chat '{"position": "at_depth", "depth": 0, "role": "user"}'
	four
	golden depth-0-user
	assert_equal "$(roles)" 'system system assistant user assistant user system user LARK:user'
	assert_equal "$(content 0)" "Write Ivy's next reply in a fictional chat between Ivy and Lark.
Ivy keeps the inn at the edge of the forest."
	assert_equal "$(content -1)" '[Lark is the person you are talking to. This is who they are.]
Name: Lark
Description: Lark sings for Ivy.'
}

@test "at_depth 2, role system: two messages of the chat after it; the post-history instructions right before the new message" {
	depth_chat '{"position": "at_depth", "depth": 2, "role": "system"}'
	four
	golden depth-2-system
	assert_equal "$(roles)" 'system system assistant user assistant LARK:system user system user'
}

@test "at_depth deeper than the chat: before the first history message; position none: nowhere" {
	depth_chat '{"position": "at_depth", "depth": 9, "role": "system"}'
	four
	golden depth-deep
	assert_equal "$(roles)" 'system system LARK:system assistant user assistant user system user'
	# depth 5 = the whole chat (4 history messages and the new one) after it: the same place
	local deep=$output
	four depth=5
	assert_equal "$output" "$deep"
	four depth=4
	assert_equal "$(roles)" 'system system assistant LARK:system user assistant user system user'
	# none: no block at all
	four position=none
	assert_equal "$(roles)" 'system system assistant user assistant user system user'
	assert_equal "$(jq '[.messages[].content | select(contains("Lark sings"))] | length' <<< "$output")" 0
	assert_equal "$(jq -c .guise.persona <<< "$output")" "$(who custom "$LARK" Lark)"
}

# --- example dialogue -----------------------------------------------------------------

@test "example dialogue: each <START> block (any case) an [Example Chat] and its turns; text before the first prefix and empty blocks dropped" {
	local s
	card Ivy '{"mes_example": "<START>\nSet the scene: this line is dropped.\n{{user}}: Who are you?\n{{char}}: I am {{char}}.\nI keep this glade.\n\n<start>\n<Start>\n<USER>: Is it safe?\n<BOT>: Here, yes.\n<CHAR>: Mostly.\n  So I say.\n<START>\nno turn here at all"}'
	s=$(mksession --character Ivy --persona Wren --no-greeting)
	label "$s" SESSION
	run_ok prompt-render -s "$s" < /dev/null
	golden examples
	assert_equal "$(msgs | sed 1d)" "$(msg system '[Example Chat]')
$(msg user 'Who are you?')
$(msg assistant 'I am Ivy.
I keep this glade.')
$(msg system '[Example Chat]')
$(msg user 'Is it safe?')
$(msg assistant 'Here, yes.')
$(msg assistant 'Mostly.
  So I say.')
$(msg system '[Start a new chat]')"
	# empty stdin: no new message
	assert_equal "$(jq -c .guise.pending <<< "$output")" null
}

# --- macros ---------------------------------------------------------------------------

@test "macros: {{char}} is the nickname, {{user}}, <USER>/<BOT>/<CHAR>, any case; comments, trim, {{original}} outside prompts; unknown ones stay" {
	local s
	card Seraphine '{"nickname": "Sera",
		"description": "{{char}}, {{CHAR}}, <BOT> and <CHAR> greet {{user}}, {{USER}} and <USER>.",
		"personality": "calm {{// not for the model}}and kind  {{trim}}\n  still",
		"scenario": "{{unknown}} and {{x}} stay; {{Original}}is empty here.",
		"first_mes": "Welcome, {{User}}. I am {{Char}}."}'
	s=$(mksession --character Seraphine --persona Wren)
	label "$s" SESSION
	say "$s" 'You are {{char}}, I am {{user}}: {{persona}}'
	run_ok prompt-render -s "$s" <<< '{{CHAR}}?'
	golden macros
	assert_equal "$(content 0)" "Write Sera's next reply in a fictional chat between Sera and Wren.
Sera, Sera, Sera and Sera greet Wren, Wren and Wren.
Sera's personality: calm and kindstill
Scenario: {{unknown}} and {{x}} stay; is empty here.
[Wren is the person you are talking to. This is who they are.]
Name: Wren
Description: Wren is a quiet traveller."
	assert_equal "$(msgs | sed 1d)" "$(msg system '[Start a new chat]')
$(msg assistant 'Welcome, Wren. I am Sera.')
$(msg user 'You are Sera, I am Wren: Wren is a quiet traveller.')
$(msg user 'Sera?')"
	# pending is the new message as it is to be stored: macros are the renderer's
	assert_equal "$(jq -c .guise.pending <<< "$output")" "$(msg user '{{CHAR}}?')"
	# the card's name, not its nickname, names the character in guise
	assert_equal "$(jq -r .guise.character.name <<< "$output")" Seraphine
}

@test "macros: {{description}}, {{personality}}, {{scenario}}, {{mesExamples}} and {{persona}} are the fields" {
	local s
	card Ivy '{"description": "Plain description.", "personality": "plainly", "scenario": "A plain.",
		"mes_example": "<START>\nno turns"}'
	s=$(mksession --character Ivy --persona Wren --no-greeting)
	run_ok prompt-render -s "$s" -m 'D={{description}} P={{personality}} S={{scenario}} M={{mesExamples}} W={{persona}}'
	assert_equal "$(content -1)" 'D=Plain description. P=plainly S=A plain. M=<START>
no turns W=Wren is a quiet traveller.'
}

# dice: a character whose description is made of seeded draws
dice() {
	mkchar Dice '{"description": "{{roll:d1000000}} {{roll:1000000}} {{ROLL:d6}} {{random:a,b,c,d,e,f,g,h,i,j}} {{Random:k,l,m,n,o,p,q,r,s,t}}"}' > /dev/null
}

# draws: the draws in the story string of $output
draws() { content 0 | sed -n 2p; }

@test "{{random}} and {{roll}}: the same seed the same draws, another seed others, each in range" {
	local one two
	dice
	run_ok prompt-render --character Dice --seed 1 < /dev/null
	one=$(draws)
	[[ $one =~ ^([0-9]+)\ ([0-9]+)\ ([1-6])\ [a-j]\ [k-t]$ ]] || fail "draws: '$one'"
	((BASH_REMATCH[1] >= 1 && BASH_REMATCH[1] <= 1000000 && BASH_REMATCH[2] >= 1 && BASH_REMATCH[2] <= 1000000)) ||
		fail "out of range: '$one'"
	run_ok prompt-render --character Dice --seed 1 < /dev/null
	assert_equal "$(draws)" "$one"
	run_ok prompt-render --character Dice --seed 2 < /dev/null
	two=$(draws)
	[[ $two =~ ^[0-9]+\ [0-9]+\ [1-6]\ [a-j]\ [k-t]$ ]] || fail "draws: '$two'"
	[[ $two != "$one" ]] || fail "seeds 1 and 2 drew the same: '$one'"
	# the default seed is 0
	run_ok prompt-render --character Dice --seed 0 < /dev/null
	local zero
	zero=$(draws)
	run_ok prompt-render --character Dice < /dev/null
	assert_equal "$(draws)" "$zero"
	[[ $zero != "$one" ]] || fail "seeds 0 and 1 drew the same: '$one'"
}

@test "the session's seed setting is the default seed; --seed wins over it" {
	local s seven
	dice
	s=$(mksession --character Dice --no-persona --no-greeting)
	run_ok prompt-render -s "$s" --seed 7 < /dev/null
	seven=$(draws)
	run_ok prompt-render -s "$s" < /dev/null
	local zero
	zero=$(draws)
	[[ $zero != "$seven" ]] || fail "seeds 0 and 7 drew the same"
	session-bind set "$s" seed=7 > /dev/null
	run_ok prompt-render -s "$s" < /dev/null
	assert_equal "$(draws)" "$seven"
	assert_equal "$(jq .seed <<< "$output")" 7
	run_ok prompt-render -s "$s" --seed 0 < /dev/null
	assert_equal "$(draws)" "$zero"
}

@test "{{pick}}: one of its items, the same for the same text in the same session, whatever the seed" {
	local s first seed
	card Ivy '{"description": "{{pick:a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z}}"}'
	s=$(mksession --character Ivy --no-persona --no-greeting)
	run_ok prompt-render -s "$s" --seed 1 < /dev/null
	first=$(content 0 | sed -n 2p)
	[[ $first =~ ^[a-z]$ ]] || fail "pick: '$first'"
	for seed in 2 3 99 12345; do
		run_ok prompt-render -s "$s" --seed "$seed" < /dev/null
		assert_equal "$(content 0 | sed -n 2p)" "$first"
	done
}

@test "the same inputs and seed, rendered twice: byte-identical" {
	local s first
	dice
	card Ivy '{"description": "{{pick:a,b,c}} {{random:x,y,z}} {{roll:d20}}", "mes_example": "<START>\n{{user}}: {{roll:d100}}\n{{char}}: {{random:1,2,3}}"}'
	s=$(mksession --character Ivy --persona Wren --set temperature=0.7 --set 'stop=Wren:')
	chat "$s"
	run_ok prompt-render -s "$s" --seed 42 <<< 'Roll {{roll:d1000}}.'
	first=$output
	run_ok prompt-render -s "$s" --seed 42 <<< 'Roll {{roll:d1000}}.'
	assert_equal "$output" "$first"
	# and as a file, byte for byte (trailing newlines included)
	prompt-render -s "$s" --seed 42 <<< 'Roll {{roll:d1000}}.' > "$BATS_TEST_TMPDIR/a"
	prompt-render -s "$s" --seed 42 <<< 'Roll {{roll:d1000}}.' > "$BATS_TEST_TMPDIR/b"
	run_ok cmp "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
	assert_output ""
}

# --- settings ---------------------------------------------------------------------------

@test "generation settings from the session into the request, in their order; absent when unset" {
	local s
	s=$(mksession --character Seraphina --persona Wren --no-greeting \
		--set provider=ollama --set model=llama3 --set temperature=0.7 --set top_p=0.9 --set top_k=40 \
		--set max_tokens=300 --set frequency_penalty=0.5 --set presence_penalty=-0.25 --set seed=42 \
		--set stop='Wren:' --set stop='</s>' --set history_limit=10 --set context_tokens=4096)
	label "$s" SESSION
	run_ok prompt-render -s "$s" -m 'Hello.'
	golden settings
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" \
		model,messages,temperature,top_p,top_k,max_tokens,frequency_penalty,presence_penalty,seed,stop,guise
	# numbers as they were given, in the compact output too
	[[ $output == '{"model":"llama3","messages":['*'],"temperature":0.7,"top_p":0.9,"top_k":40,"max_tokens":300,"frequency_penalty":0.5,"presence_penalty":-0.25,"seed":42,"stop":["Wren:","</s>"],"guise":{'* ]] ||
		fail "settings: $output"
	# unset one by one: each key goes
	session-bind set "$s" temperature= stop= seed= > /dev/null
	run_ok prompt-render -s "$s" -m 'Hello.'
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" \
		model,messages,top_p,top_k,max_tokens,frequency_penalty,presence_penalty,guise
	# none set: model null, provider null, defaults in the budget
	s=$(mksession --character Seraphina --persona Wren --no-greeting)
	run_ok prompt-render -s "$s" -m 'Hello.'
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" model,messages,guise
	assert_equal "$(jq -c '[.model, .guise.provider, .guise.budget.context_tokens, .guise.budget.max_tokens, .guise.budget.history.limit]' <<< "$output")" \
		'[null,null,8192,null,null]'
}

# --- without a session ------------------------------------------------------------------

@test "session-less: --character with --persona, history from session-log show on stdin, -m: the session's request without its id" {
	local s want
	s=$(mksession --character Seraphina --persona Wren)
	chat "$s"
	run_ok prompt-render -s "$s" -m 'Where am I?'
	want=$(jq -c '.guise.session = null' <<< "$output")
	run_ok prompt-render --character Seraphina --persona Wren -m 'Where am I?' < <(session-log show "$s")
	assert_equal "$output" "$want"
	# the same history as JSON Lines {role, content}, as a JSON array, as YAML
	session-log show "$s" | jq -c '{role, content}' > "$BATS_TEST_TMPDIR/h.jsonl"
	run_ok prompt-render --character Seraphina --persona Wren -m 'Where am I?' < "$BATS_TEST_TMPDIR/h.jsonl"
	assert_equal "$output" "$want"
	jq -s . "$BATS_TEST_TMPDIR/h.jsonl" > "$BATS_TEST_TMPDIR/h.json"
	run_ok prompt-render --character Seraphina --persona Wren -m 'Where am I?' < "$BATS_TEST_TMPDIR/h.json"
	assert_equal "$output" "$want"
	session-log show "$s" -y > "$BATS_TEST_TMPDIR/h.yaml"
	run_ok prompt-render --character Seraphina --persona Wren -m 'Where am I?' < "$BATS_TEST_TMPDIR/h.yaml"
	assert_equal "$output" "$want"
}

@test "session-less: --impersonate, and no persona; no stdin history, no message" {
	run_ok prompt-render --character Seraphina --impersonate Alpin -m 'Hi.' < /dev/null
	golden sessionless-impersonated
	assert_equal "$(jq -c '[.guise.session, .guise.persona.kind, .guise.pending]' <<< "$output")" \
		'[null,"impersonated",{"role":"user","content":"Hi."}]'
	run_ok prompt-render --character Seraphina < /dev/null
	golden sessionless-none
	assert_equal "$(jq -c '[.guise.persona, .guise.pending, .guise.budget.history.included, .messages[-1]]' <<< "$output")" \
		"[$NONE,null,0,$(msg system '[Start a new chat]')]"
}

@test "session mode: -m wins over stdin; empty stdin is no new message; one trailing newline is dropped" {
	local s
	s=$(mksession --character Seraphina --persona Wren)
	run_ok prompt-render -s "$s" -m 'From -m.' <<< 'From stdin.'
	assert_equal "$(jq -c '[.messages[-1], .guise.pending]' <<< "$output")" "[$(msg user 'From -m.'),$(msg user 'From -m.')]"
	run_ok prompt-render -s "$s" < /dev/null
	assert_equal "$(jq -c '[.messages[-1].role, .guise.pending]' <<< "$output")" '["assistant",null]'
	printf 'two lines\nand a blank one\n\n' > "$BATS_TEST_TMPDIR/m"
	run_ok prompt-render -s "$s" < "$BATS_TEST_TMPDIR/m"
	assert_equal "$(jq -c '.messages[-1]' <<< "$output")" "$(msg user 'two lines
and a blank one
')"
	# the session named by title and by id prefix
	session-bind set "$s" model=m > /dev/null
	local byid
	run_ok prompt-render -s "$s" -m hi
	byid=$output
	session-bind delete "$s" > /dev/null
	s=$(mksession --character Seraphina --persona Wren --title 'Moonlit glade' --set model=m)
	run_ok prompt-render -s 'MOONLIT GLADE' -m hi
	assert_equal "$(jq -c 'del(.guise.session)' <<< "$output")" "$(jq -c 'del(.guise.session)' <<< "$byid")"
	run_ok prompt-render -s "${s:0:8}" -m hi
	assert_equal "$(jq -r .guise.session <<< "$output")" "$s"
}

# --- formats ----------------------------------------------------------------------------

@test "--format text: [ROLE] then the content, a blank line between messages" {
	local s req
	s=$(mksession --character Seraphina --persona Wren)
	run_ok prompt-render -s "$s" <<< 'Where am I?'
	req=$output
	run_ok prompt-render -s "$s" --format text <<< 'Where am I?'
	assert_equal "$output" "$(jq -r '.messages | map("[\(.role | ascii_upcase)]\n\(.content)") | join("\n\n")' <<< "$req")"
	assert_line '[SYSTEM]'
	assert_line '[ASSISTANT]'
	assert_line 'Where am I?'
}

@test "-y: the same request as YAML" {
	local s req
	s=$(mksession --character Seraphina --persona Wren --set temperature=0.7 --set stop=X)
	chat "$s"
	run_ok prompt-render -s "$s" <<< 'Where am I?'
	req=$output
	run_ok prompt-render -s "$s" -y <<< 'Where am I?'
	assert_line 'model: null'
	assert_equal "$(yaml2json <<< "$output")" "$(jq -c . <<< "$req")"
}

# --- nothing written, errors --------------------------------------------------------------

@test "a render writes nothing to the database" {
	local s before
	s=$(mksession --character Seraphina --persona Wren)
	chat "$s"
	before=$(sqlite3 "$GUISE_DB" .dump)
	run_ok prompt-render -s "$s" <<< 'Where am I?'
	run_ok prompt-render --character Seraphina --impersonate Alpin -m x < /dev/null
	assert_equal "$(sqlite3 "$GUISE_DB" .dump)" "$before"
}

@test "not found (66) and options that do not go together (64)" {
	local s
	s=$(mksession --character Seraphina --persona Wren)
	run_err 66 "prompt-render: no such session 'Nowhere'" prompt-render -s Nowhere -m x
	run_err 66 "prompt-render: no such character 'Nobody'" prompt-render --character Nobody -m x < /dev/null
	run -66 --separate-stderr prompt-render --character Seraphina --persona Nobody -m x < /dev/null
	assert_equal "$stderr" "prompt-render: no such persona 'Nobody'"
	run -66 --separate-stderr prompt-render --character Seraphina --impersonate Wren -m x < /dev/null
	assert_equal "$stderr" "prompt-render: no such character 'Wren'"
	for args in '' "-s $s --character Seraphina" '--persona Wren' '--impersonate Alpin' \
		'--character Seraphina --persona Wren --impersonate Alpin' "-s $s --persona Wren" \
		"-s $s --format html" "-s $s --seed x" "-s $s --colour blue" "-s $s extra"; do
		# shellcheck disable=SC2086 # split on purpose
		run -64 --separate-stderr prompt-render $args < /dev/null
		assert_output ""
		[[ ${stderr_lines[0]} == 'prompt-render: '* ]] || fail "$args: $stderr"
	done
}

@test "a locked user (77), a session forced past its checks (77), stdout that cannot be written (74)" {
	local s args
	s=$(mksession --character Seraphina --persona Wren --title Locked)
	for args in "-s $s -m x" "-s Locked -m x" "--character Seraphina -m x" "--character Seraphina --persona Wren -m x"; do
		# shellcheck disable=SC2086 # split on purpose
		run_err 77 "prompt-render: user 'alice' is locked: run 'persona-encrypt unlock -u alice'" env -u GUISE_PASSPHRASE_FILE prompt-render $args < /dev/null
	done
	# the session impersonates its own character, past the triggers
	sqlite3 "$GUISE_DB" "PRAGMA ignore_check_constraints = 1; DROP TRIGGER chat_sessions_owner_update;
		UPDATE chat_sessions SET active_custom_persona_id = NULL, active_impersonated_character_id = '$SERA' WHERE id = '$s'"
	run_err 77 "prompt-render: session '$s' binds what it may not: refused" prompt-render -s "$s" -m x
	run_err 74 "prompt-render: error writing output: No space left on device" bash -c 'prompt-render --character Seraphina -m x < /dev/null > /dev/full'
	run_err 74 "prompt-render: error writing output: No space left on device" bash -c 'prompt-render --character Seraphina -m x --format text < /dev/null > /dev/full'
}

@test "macros: a stray {{ or a brace around a macro does not hide the macro after it" {
	local s
	s=$(mksession --character Seraphina --persona Wren --no-greeting)
	run_ok prompt-render -s "$s" -m 'Type {{ to open; {{char}} is here.'
	assert_equal "$(content -1)" 'Type {{ to open; Seraphina is here.'
	run_ok prompt-render -s "$s" -m '{{{char}}} {{x {{user}}'
	assert_equal "$(content -1)" '{Seraphina} {{x Wren'
}
