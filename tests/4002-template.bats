#!/usr/bin/env bats
# The story-string template engine (lib/tmpl, DESIGN.md §8) end to end,
# through `prompt-render --template FILE`: {{var}} for every variable of the
# contract, {{#if}}/{{else}}, {{#unless}}, nesting, unknown {{x}} left for the
# macro pass, SillyTavern context presets (story_string, example_separator,
# chat_start), every template error located 'FILE':LINE:COL (65, nothing on
# stdout), the limits (nesting depth 32, 1 MiB) and NUL bytes.

load sessions

setup() {
	sessions_setup
	SERA=$(mkchar Seraphina '{"description": "{{char}} guards the glade.", "personality": "gentle",
		"scenario": "", "mes_example": "<START>\n{{user}}: Hi\n{{char}}: Hello"}')
	WREN=$(mkpersona Wren)
	T=$BATS_TEST_TMPDIR/t.hbs
	MAIN="Write Seraphina's next reply in a fictional chat between Seraphina and Wren."
	BLOCK=$'[Wren is the person you are talking to. This is who they are.]\nName: Wren\nDescription: Wren is a quiet traveller.'
}

teardown() { keys_teardown; }

# render TEXT [OPTION...]: TEXT as the template file $T, rendered for
# Seraphina talking to Wren (0 expected); the story string in $story
render() {
	printf '%s' "$1" > "$T"
	run -0 --separate-stderr prompt-render --character Seraphina --persona Wren --template "$T" \
		"${@:2}" < /dev/null
	assert_equal "$stderr" ""
	story=$(jq -r '.messages[0] | if .role == "system" then .content else error("no system") end' \
		<<< "$output") || fail "not a request: $output"
}

# refused FILE MESSAGE: rendering with template FILE is 65, MESSAGE (after
# 'prompt-render: ') on stderr and nothing on stdout
refused() {
	run -65 --separate-stderr prompt-render --character Seraphina --template "$1" < /dev/null
	assert_output ""
	assert_equal "$stderr" "prompt-render: $2"
}

# bad TEXT MESSAGE: TEXT as the template $T is refused with 't.hbs'MESSAGE
bad() {
	printf '%s' "$1" > "$T"
	refused "$T" "'$T'$2"
}

# --- variables ------------------------------------------------------------------

@test "{{var}}: every variable of the contract, values put in as they are" {
	render 'c={{char}} u={{user}}
d={{description}}
p={{personality}} s=[{{scenario}}]
sys={{system}}
e={{mesExamples}}
lore=[{{wiBefore}}{{wiAfter}}{{loreBefore}}{{loreAfter}}]
persona={{persona}}'
	assert_equal "$story" "c=Seraphina u=Wren
d=Seraphina guards the glade.
p=gentle s=[]
sys=$MAIN
e=<START>
Wren: Hi
Seraphina: Hello
lore=[]
persona=$BLOCK"
	# no persona: {{user}} is the username, {{persona}} empty
	run_ok prompt-render --character Seraphina --template "$T" < /dev/null
	assert_equal "$(jq -r '.messages[0].content' <<< "$output" | sed -n '1p;$p')" "c=Seraphina u=alice
persona="
}

@test "a value is never read as template or macro text; the template's own text is" {
	mkchar Kai '{"description": "{{#if x}} <BOT> {{/if}} {{else}} {{// a note}}"}' > /dev/null
	printf '%s' '[{{description}}] {{ char }} {{// a comment}}<BOT>' > "$T"
	run -0 --separate-stderr prompt-render --character Kai --template "$T" < /dev/null
	assert_equal "$stderr" ""
	# the card's description went through the macros once (DESIGN §8: card
	# fields are expanded), then into the template untouched
	assert_equal "$(jq -r '.messages[0].content' <<< "$output")" "[{{#if x}} Kai {{/if}} {{else}} ] Kai Kai"
}

@test "the default template: the same as share/templates/story-string.hbs, and the contract's text" {
	run_ok prompt-render --character Seraphina --persona Wren < /dev/null
	local default=$output
	render "$(cat "$TOP/share/templates/story-string.hbs")"
	assert_equal "$output" "$default"
	assert_equal "$story" "$MAIN
Seraphina guards the glade.
Seraphina's personality: gentle
$BLOCK"
}

@test "unknown {{x}} are not variables: left for the macro pass, which keeps what it does not know" {
	render '{{zz}} {{CHAR}} {{User}} {{random:a}} {{roll:1}} {{pick:b}} [{{// gone}}] {{char}}x {{}} {{ zz }} }} {{ end'
	assert_equal "$story" '{{zz}} Seraphina Wren a 1 b [] Seraphinax {{}} {{ zz }} }} {{ end'
	# a stray {{ does not swallow the tag or macro after it
	render 'a {{ b {{#if char}}{{user}}{{/if}} c {{ d }} <BOT> {{{char}}}'
	assert_equal "$story" 'a {{ b Wren c {{ d }} Seraphina {Seraphina}'
	# a macro the template cuts in pieces is whole again for the macro pass
	render '{{#if char}}{{/if}}<B{{#if char}}OT>{{/if}}'
	assert_equal "$story" 'Seraphina'
	# the final text is trimmed of trailing white space, nothing else is
	render $'  \n{{char}}\t \n\n '
	assert_equal "$story" $'  \nSeraphina'
}

# --- blocks ---------------------------------------------------------------------

@test "{{#if}}: true for a variable that is not empty; {{else}}; an unknown name is false" {
	render '[{{#if personality}}has {{personality}}{{/if}}][{{#if scenario}}has{{/if}}]'
	assert_equal "$story" '[has gentle][]'
	render '[{{#if personality}}yes{{else}}no{{/if}}][{{#if scenario}}yes{{else}}no{{/if}}]'
	assert_equal "$story" '[yes][no]'
	render '[{{#if wiBefore}}lore{{else}}no lore{{/if}}][{{#if nosuch}}yes{{else}}no{{/if}}]'
	assert_equal "$story" '[no lore][no]'
	# {{user}} and {{char}} are variables too
	render '{{#if user}}to {{user}}{{/if}}|{{#if persona}}p{{else}}none{{/if}}'
	assert_equal "$story" 'to Wren|p'
}

@test "{{#unless}}: the opposite, with {{else}}" {
	render '[{{#unless scenario}}no scenario{{/unless}}][{{#unless personality}}x{{/unless}}]'
	assert_equal "$story" '[no scenario][]'
	render '[{{#unless scenario}}a{{else}}b{{/unless}}][{{#unless description}}a{{else}}b{{/unless}}]'
	assert_equal "$story" '[a][b]'
}

@test "blocks nest: if in unless in if, each else its own" {
	render '{{#if description}}D{{#unless scenario}}-noS{{#if personality}}-P{{else}}-noP{{/if}}{{else}}-S{{/unless}}{{else}}noD{{/if}}|{{#if scenario}}{{#if description}}never{{/if}}{{else}}{{#unless wiAfter}}ok{{/unless}}{{/if}}'
	assert_equal "$story" 'D-noS-P|ok'
}

# --- errors ---------------------------------------------------------------------

@test "template errors: 65, located 'FILE':LINE:COL, nothing on stdout" {
	bad $'a\n  {{#if description}}b' ":2:3: {{#if}} is never closed"
	bad $'{{#if description}}\n{{#unless scenario}}x{{/unless}}\n{{#unless x}}' ":3:1: {{#unless}} is never closed"
	bad $'x\n\n  {{/if}}' ":3:3: {{/if}} without {{#if}}"
	bad 'ab{{/unless}}' ":1:3: {{/unless}} without {{#unless}}"
	bad $'{{#if description}}{{else}}{{/if}}\n {{else}}' ":2:2: {{else}} outside {{#if}}/{{#unless}}"
	bad $'{{#if description}}\nx{{/unless}}' ":2:2: {{/unless}} closes {{#if}}"
	bad $'{{#unless description}}{{/if}}' ":1:24: {{/if}} closes {{#unless}}"
	bad $'{{#each items}}{{this}}{{/each}}' ":1:1: {{#each}} is not supported"
	bad $'x {{#with char}}{{/with}}' ":1:3: {{#with}} is not supported"
	bad $'\n\n{{#if}}x{{/if}}' ":3:1: {{#if}} needs a variable"
	bad $'{{#unless }}x{{/unless}}' ":1:1: {{#unless}} needs a variable"
	bad $'{{#if a b}}x{{/if}}' ":1:1: {{#if}} needs a variable"
	# the first error is the one told
	bad $'{{/if}}{{#each x}}' ":1:1: {{/if}} without {{#if}}"
}

@test "a template file that cannot be read: 66" {
	run -66 --separate-stderr prompt-render --character Seraphina --template "$BATS_TEST_TMPDIR/none.hbs" < /dev/null
	assert_output ""
	assert_equal "$stderr" "prompt-render: cannot open '$BATS_TEST_TMPDIR/none.hbs': No such file or directory"
}

# --- limits ---------------------------------------------------------------------

# nest N: a template N blocks deep, alternately if and unless, "in" inside
nest() {
	local i open='' close=''
	for ((i = 1; i <= $1; i++)); do
		if ((i % 2)); then
			open+='{{#if description}}'
			close="{{/if}}$close"
		else
			open+='{{#unless scenario}}'
			close="{{/unless}}$close"
		fi
	done
	printf '%s' "${open}in$close"
}

@test "nesting: 32 blocks deep renders, 33 is refused where the 33rd opens" {
	render "$(nest 32)"
	assert_equal "$story" in
	bad "$(nest 33)" ":1:$((16 * 19 + 16 * 20 + 1)): blocks nested deeper than 32"
}

@test "size: a template of 1 MiB renders, one byte more is refused" {
	local open='{{#if scenario}}' close='{{/if}}ok'
	{
		printf '%s' "$open"
		head -c $((1048576 - ${#open} - ${#close})) /dev/zero | tr '\0' x
		printf '%s' "$close"
	} > "$T"
	assert_equal "$(wc -c < "$T")" 1048576
	run -0 --separate-stderr prompt-render --character Seraphina --template "$T" < /dev/null
	assert_equal "$stderr" ""
	assert_equal "$(jq -r '.messages[0].content' <<< "$output")" ok
	printf x >> "$T"
	refused "$T" "'$T': larger than 1 MiB"
}

@test "a NUL byte in a template is refused where it is" {
	printf 'ab\n{{char}}c\0d' > "$T"
	refused "$T" "'$T':2:10: a NUL byte"
}

# --- SillyTavern context presets ------------------------------------------------

# preset FILE JSON: a context preset like SillyTavern's, story_string and the
# rest from JSON
preset() {
	jq -n --argjson x "$2" '{name: "Test", story_string: "", example_separator: "***",
		chat_start: "***", use_stop_strings: false, always_force_name2: true,
		trim_sentences: false, include_newline: false, single_line: false} + $x' > "$1"
}

@test "a context preset: its story_string, example_separator and chat_start" {
	local P=$BATS_TEST_TMPDIR/preset.json
	# SillyTavern's Default preset's story string
	preset "$P" '{"story_string": "{{#if system}}{{system}}\n{{/if}}{{#if wiBefore}}{{wiBefore}}\n{{/if}}{{#if description}}{{description}}\n{{/if}}{{#if personality}}{{char}}'"'"'s personality: {{personality}}\n{{/if}}{{#if scenario}}Scenario: {{scenario}}\n{{/if}}{{#if wiAfter}}{{wiAfter}}\n{{/if}}{{#if persona}}{{persona}}\n{{/if}}{{trim}}",
		"example_separator": "*** Example with {{char}}", "chat_start": "*** {{user}} arrives"}'
	run -0 --separate-stderr prompt-render --character Seraphina --persona Wren --template "$P" < /dev/null
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.messages[] | [.role, .content]]' <<< "$output")" "$(jq -n -c \
		--arg s "$MAIN
Seraphina guards the glade.
Seraphina's personality: gentle
$BLOCK" '[["system", $s], ["system", "*** Example with Seraphina"], ["user", "Hi"],
		  ["assistant", "Hello"], ["system", "*** Wren arrives"]]')"
	# --format text shows the same
	run_ok prompt-render --character Seraphina --persona Wren --template "$P" --format text < /dev/null
	assert_line --index 0 '[SYSTEM]'
	assert_line '*** Example with Seraphina'
	assert_line '*** Wren arrives'
}

@test "a context preset without example_separator or chat_start keeps the default markers" {
	local P=$BATS_TEST_TMPDIR/preset.json
	jq -n '{story_string: "{{#if char}}Hi {{char}}{{/if}}"}' > "$P"
	run -0 --separate-stderr prompt-render --character Seraphina --template "$P" < /dev/null
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.messages[] | .content]' <<< "$output")" \
		'["Hi Seraphina","[Example Chat]","Hi","Hello","[Start a new chat]"]'
}

@test "a context preset's errors: its story_string named as the place, 65" {
	local P=$BATS_TEST_TMPDIR/preset.json
	preset "$P" '{"story_string": "x\n{{#unless wiBefore}}\n{{/if}}"}'
	run -65 --separate-stderr prompt-render --character Seraphina --template "$P" < /dev/null
	assert_output ""
	# DESIGN §3: data errors name the input and the place in it; line 3 of
	# the file is not where the error is
	assert_equal "$stderr" "prompt-render: '$P': story_string:3:1: {{/if}} closes {{#unless}}"
	preset "$P" '{"story_string": "a\u0000b"}'
	run -65 --separate-stderr prompt-render --character Seraphina --template "$P" < /dev/null
	assert_output ""
	assert_equal "$stderr" "prompt-render: '$P': story_string:1:2: a NUL byte"
	preset "$P" '{"story_string": 3}'
	run -65 --separate-stderr prompt-render --character Seraphina --template "$P" < /dev/null
	assert_output ""
	assert_equal "$stderr" "prompt-render: '$P': story_string: expected a string"
}

@test "a template that starts with a brace but is no JSON object is a template" {
	render '{OOC: keep it short} {{char}}'
	assert_equal "$story" '{OOC: keep it short} Seraphina'
	render $'\n{ {{char}} }'
	assert_equal "$story" $'\n{ Seraphina }'
}
