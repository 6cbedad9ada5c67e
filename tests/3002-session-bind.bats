#!/usr/bin/env bats
# session-bind (DESIGN.md §2, §4, §5): a session's character, its active
# persona (custom, impersonated, none; the default persona copied when the
# session is made), its greeting, title and settings; sessions named by id,
# id prefix or title; -n; a locked user. Real cards from
# tests/data/cards-aicharlib (MIT, see its LICENSE).

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	sessions_setup_cast
}

teardown() { keys_teardown; }

# first_mes FILE: a card's first_mes, as a JSON string
first_mes() { test-tool png-card "$1" 2> /dev/null | jq -c .data.first_mes; }

# settings S: the stored settings
settings() { session-bind show "$1" | jq -c .settings; }

# --- new ----------------------------------------------------------------------

@test "new --persona: the session record, key by key; the greeting is message 1, as the card wrote it" {
	run -0 --separate-stderr session-bind new --character Melina --persona Wren
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	local s
	s=$(jq -r .id <<< "$output")
	is_id "$s" new
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<< "$output")" "$SESSION_KEYS"
	assert_equal "$(untimed "$output")" "$(session_json "$s" null "$MELINA" Melina "$(who custom "$WREN" Wren)" 1)"
	[[ $(jq -r '.created_at + " " + .updated_at' <<< "$output") =~ ^$TS\ $TS$ ]] || fail "times: $output"
	# show prints the same record
	local made=$output
	run -0 --separate-stderr session-bind show "$s"
	assert_equal "$stderr" ""
	assert_equal "$output" "$made"
	# message 1: Melina's first_mes, role assistant, spoken while Wren was bound
	run -0 --separate-stderr session-log show "$s"
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -c .content <<< "$output")" "$(first_mes "$CARDS/melina.png")"
	assert_equal "$(jq -c 'del(.created_at, .content)' <<< "$output")" \
		"$(message_json "$s" 1 assistant "$(who custom "$WREN" Wren)" x | jq -c 'del(.content)')"
}

@test "new --impersonate binds another character, --no-persona none; the greeting's speaker follows" {
	run -0 --separate-stderr session-bind new --character Melina --impersonate 'alpin dale'
	assert_equal "$stderr" ""
	local s
	s=$(jq -r .id <<< "$output")
	assert_equal "$(untimed "$output")" \
		"$(session_json "$s" null "$MELINA" Melina "$(who impersonated "$ALPIN" 'Alpin Dale')" 1)"
	assert_equal "$(speakers "$s")" "$(who impersonated "$ALPIN" 'Alpin Dale')"
	run -0 --separate-stderr session-bind new --character "$ALPIN" --no-persona
	assert_equal "$stderr" ""
	s=$(jq -r .id <<< "$output")
	assert_equal "$(untimed "$output")" "$(session_json "$s" null "$ALPIN" 'Alpin Dale' "$NONE" 1)"
	assert_equal "$(speakers "$s")" "$NONE"
	assert_equal "$(session-log show "$s" | jq -c .content)" "$(first_mes "$CARDS/alpin_dale.png")"
}

@test "new: a session cannot impersonate its own character (65, by name or id), and nothing is stored" {
	local c
	for c in Melina MELINA "$MELINA" "${MELINA:0:30}"; do
		run -65 --separate-stderr session-bind new --character Melina --impersonate "$c"
		assert_output ""
		assert_equal "$stderr" "session-bind: a session cannot impersonate its own character"
	done
	assert_equal "$(count chat_sessions) $(count chat_messages)" "0 0"
}

@test "new: names that are not there (66), and options that do not go together (64)" {
	run -66 --separate-stderr session-bind new --character Nobody
	assert_output ""
	assert_equal "$stderr" "session-bind: no such character 'Nobody'"
	run -66 --separate-stderr session-bind new --character Melina --persona Nobody
	assert_equal "$stderr" "session-bind: no such persona 'Nobody'"
	# a character is not a persona, a persona is not a character
	run -66 --separate-stderr session-bind new --character Melina --persona 'Alpin Dale'
	assert_equal "$stderr" "session-bind: no such persona 'Alpin Dale'"
	run -66 --separate-stderr session-bind new --character Melina --impersonate Wren
	assert_equal "$stderr" "session-bind: no such character 'Wren'"
	run -66 --separate-stderr session-bind new --character Wren
	assert_equal "$stderr" "session-bind: no such character 'Wren'"
	local args
	for args in '' '--persona Wren' '--character Melina --persona Wren --no-persona' \
		'--character Melina --persona Wren --impersonate Alpin' \
		'--character Melina --impersonate Alpin --no-persona' \
		'--character Melina --greeting 1 --no-greeting' '--character Melina --greeting x' \
		'--character Melina --greeting' '--character Melina --colour blue'; do
		# shellcheck disable=SC2086 # split on purpose
		run -64 --separate-stderr session-bind new $args
		assert_output ""
		[[ ${stderr_lines[0]} == 'session-bind: '* ]] || fail "new $args: $stderr"
	done
	assert_equal "$(count chat_sessions)" 0
}

@test "new: the default persona is copied when the session is made; changing or clearing it later changes no session" {
	run_ok persona set-default Wren
	assert_output "{\"kind\":\"persona\",\"id\":\"$WREN\",\"name\":\"Wren\",\"default\":true}"
	local s1 s2 s3 ash
	s1=$(mksession --character Melina)
	assert_equal "$(bound "$s1")" "$(who custom "$WREN" Wren)"
	assert_equal "$(speakers "$s1")" "$(who custom "$WREN" Wren)"
	# a new default: the old session keeps Wren, a new one gets Ash
	ash=$(mkpersona Ash)
	run -0 --separate-stderr persona set-default Ash
	assert_equal "$stderr" ""
	assert_equal "$(bound "$s1")" "$(who custom "$WREN" Wren)"
	s2=$(mksession --character Melina)
	assert_equal "$(bound "$s2")" "$(who custom "$ash" Ash)"
	assert_equal "$(speakers "$s2")" "$(who custom "$ash" Ash)"
	# told otherwise, new does not take the default
	assert_equal "$(bound "$(mksession --character Melina --persona Wren)")" "$(who custom "$WREN" Wren)"
	assert_equal "$(bound "$(mksession --character Melina --no-persona)")" "$NONE"
	assert_equal "$(bound "$(mksession --character Melina --impersonate 'Alpin Dale')")" \
		"$(who impersonated "$ALPIN" 'Alpin Dale')"
	# no default: the sessions made keep theirs, a new one has none
	run -0 --separate-stderr persona clear-default
	assert_output "{\"kind\":\"persona\",\"id\":\"$ash\",\"name\":\"Ash\",\"default\":false}"
	assert_equal "$stderr" ""
	assert_equal "$(bound "$s1")" "$(who custom "$WREN" Wren)"
	assert_equal "$(bound "$s2")" "$(who custom "$ash" Ash)"
	s3=$(mksession --character Melina)
	assert_equal "$(bound "$s3")" "$NONE"
	assert_equal "$(speakers "$s3")" "$NONE"
	# the copy is the binding, not the name: the default renamed is seen by name
	run_ok persona update Ash --set name=Ashling
	assert_equal "$(bound "$s2")" "$(who custom "$ash" Ashling)"
}

@test "new: --greeting 0 is first_mes, N alternate greeting N, out of range 65; --no-greeting; none for an empty first_mes" {
	local sera quiet s n want
	sera=$(mkchar Seraphina '{"alternate_greetings": ["*Seraphina waves.* Over here, {{user}}!", "*She hums.*\nNot now, {{char}} is busy."]}')
	for n in default 0 1 2; do
		if [[ $n == default ]]; then
			run_ok session-bind new --character Seraphina --persona Wren
		else
			run -0 --separate-stderr session-bind new --character Seraphina --persona Wren --greeting "$n"
		fi
		assert_equal "$stderr" ""
		assert_equal "$(jq .messages <<< "$output")" 1
		s=$(jq -r .id <<< "$output")
		case $n in
		default | 0) want='*Seraphina looks up.* Welcome, {{user}}.' ;;
		1) want='*Seraphina waves.* Over here, {{user}}!' ;;
		2) want=$'*She hums.*\nNot now, {{char}} is busy.' ;;
		esac
		run_ok session-log show "$s"
		# every greeting is a swipe of message 1, the one asked for current
		assert_equal "$(untimed "$output")" "$(message_json "$s" 1 assistant "$(who custom "$WREN" Wren)" "$want" |
			jq -c --argjson i "${n/default/0}" '.swipe = {index: $i, count: 3}')"
	done
	assert_equal "$(count chat_sessions)" 4
	run -65 --separate-stderr session-bind new --character Seraphina --greeting 3
	assert_output ""
	assert_equal "$stderr" "session-bind: 'Seraphina' has 2 alternate greetings"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "4 4"
	run -0 --separate-stderr session-bind new --character Seraphina --no-greeting
	assert_equal "$stderr" ""
	s=$(jq -r .id <<< "$output")
	assert_equal "$(untimed "$output")" "$(session_json "$s" null "$sera" Seraphina "$NONE" 0)"
	run_ok session-log show "$s"
	assert_output ""
	quiet=$(mkchar Quiet '{"first_mes": ""}')
	run_ok session-bind new --character Quiet
	assert_equal "$(untimed "$output")" "$(session_json "$(jq -r .id <<< "$output")" null "$quiet" Quiet "$NONE" 0)"
	# asked for by number, an empty first_mes is no greeting: 65, no session
	run -65 --separate-stderr session-bind new --character Quiet --greeting 0
	assert_output ""
	assert_equal "$stderr" "session-bind: 'Quiet' has no first_mes to greet with"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "6 4"
}

@test "new --title and --set: stored and shown; a bad --set stores no session" {
	run -0 --separate-stderr session-bind new --character Melina --no-greeting --title 'Moonlit glade ☾' \
		--set temperature=0.9 --set model=gpt-4o-mini --set stop='Melina:' --set stop='</s>' --set context_tokens=8192
	assert_equal "$stderr" ""
	local s
	s=$(jq -r .id <<< "$output")
	assert_equal "$(untimed "$output")" "$(session_json "$s" '"Moonlit glade ☾"' "$MELINA" Melina "$NONE" 0 \
		"$(jq -c '.temperature = 0.9 | .model = "gpt-4o-mini" | .stop = ["Melina:", "</s>"] | .context_tokens = 8192' <<< "$NO_SETTINGS")")"
	run -65 --separate-stderr session-bind new --character Melina --set temperature=9
	assert_output ""
	assert_equal "$stderr" "session-bind: temperature: '9' is not a number from 0 to 2"
	run -64 --separate-stderr session-bind new --character Melina --set colour=blue
	assert_output ""
	[[ ${stderr_lines[0]} == "session-bind: "*colour* ]] || fail "$stderr"
	assert_equal "$(count chat_sessions)" 1
}

@test "title and stop sequences are ciphertext in the database files" {
	mksession --character Melina --title 'Moonlit glade' --set 'stop=Halcyon:' > /dev/null
	run -1 grep -c -e Moonlit -e Halcyon <(store_strings)
	assert_output 0
}

# --- names ----------------------------------------------------------------------

@test "a session is named by its id, a prefix of 4 or more, or its title in any case; ambiguous 65, missing 66" {
	local s1 s2 name
	s1=$(mksession --character Melina --title 'Moonlit Glade')
	for name in "$s1" "${s1:0:4}" "${s1:0:13}" 'Moonlit Glade' 'moonlit glade' 'MOONLIT GLADE'; do
		run -0 --separate-stderr session-bind show "$name"
		assert_equal "$stderr" ""
		assert_equal "$(jq -r .id <<< "$output")" "$s1"
	done
	# too short a prefix, part of a title, another id: not found
	for name in "${s1:0:3}" Moonlit 'Moonlit Glade ' 00000000-0000-7000-8000-000000000000; do
		run -66 --separate-stderr session-bind show "$name"
		assert_output ""
		assert_equal "$stderr" "session-bind: no such session '$name'"
	done
	# two sessions with one title, made within a moment (same 4-char prefix)
	s2=$(mksession --character 'Alpin Dale' --title 'moonlit glade')
	for name in 'Moonlit Glade' "${s1:0:4}"; do
		run -65 --separate-stderr session-bind show "$name"
		assert_output ""
		assert_equal "$stderr" "session-bind: '$name' is ambiguous: 2 match (session $s1, session $s2)"
	done
	# their full ids, and a longer prefix, still tell them apart
	run_ok session-bind show "${s2:0:30}"
	assert_equal "$(jq -r .id <<< "$output")" "$s2"
	# every verb takes the same names
	run_ok session-bind use-persona "${s2:0:30}" Wren
	assert_equal "$(jq -r .id <<< "$output")" "$s2"
	run -66 --separate-stderr session-log show Moonlit
	assert_equal "$stderr" "session-log: no such session 'Moonlit'"
}

# --- list, show, persona -----------------------------------------------------------

@test "list: every session oldest first, --character filters; show prints several in the order named" {
	run -0 --separate-stderr session-bind list
	assert_output ""
	assert_equal "$stderr" ""
	local s1 s2 s3
	s1=$(mksession --character Melina --persona Wren)
	s2=$(mksession --character 'Alpin Dale' --no-greeting)
	s3=$(mksession --character Melina --title Third --impersonate 'Alpin Dale')
	run -0 --separate-stderr session-bind list
	assert_equal "$stderr" ""
	assert_equal "$(jq -r .id <<< "$output" | tr '\n' ' ')" "$s1 $s2 $s3 "
	assert_equal "$(untimed "${lines[2]}")" \
		"$(session_json "$s3" '"Third"' "$MELINA" Melina "$(who impersonated "$ALPIN" 'Alpin Dale')" 1)"
	local all=$output
	run_ok session-bind list --character melina
	assert_equal "$(jq -r .id <<< "$output" | tr '\n' ' ')" "$s1 $s3 "
	run_ok session-bind list --character "$ALPIN"
	assert_equal "$output" "$(sed -n 2p <<< "$all")"
	run -66 --separate-stderr session-bind list --character Nobody
	assert_output ""
	assert_equal "$stderr" "session-bind: no such character 'Nobody'"
	run -0 --separate-stderr session-bind show "$s3" Third "$s1"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(sed -n 3p <<< "$all")
$(sed -n 3p <<< "$all")
$(sed -n 1p <<< "$all")"
	# options before or after the subcommand, and YAML
	run_ok session-bind -y show "$s1"
	local yaml=$output
	assert_line 'kind: session'
	assert_line --regexp "^id: \"?$s1\"?$"
	run_ok session-bind show "$s1" -y
	assert_equal "$output" "$yaml"
}

@test "persona S: the active persona's full record as persona show prints it, or {kind: none}" {
	local s
	s=$(mksession --character Melina --persona Wren)
	run -0 --separate-stderr session-bind persona "$s"
	assert_equal "$stderr" ""
	assert_equal "$output" "$(persona show --persona Wren)"
	assert_equal "$(jq -r '.kind + " " + .id + " " + .data.name' <<< "$output")" "persona $WREN Wren"
	session-bind impersonate "$s" 'Alpin Dale' > /dev/null
	run_ok session-bind persona "$s"
	assert_equal "$output" "$(persona show --character 'Alpin Dale')"
	assert_equal "$(jq -r '.kind + " " + .id + " " + .data.name' <<< "$output")" "character $ALPIN Alpin Dale"
	session-bind clear "$s" > /dev/null
	run -0 --separate-stderr session-bind persona "$s"
	assert_equal "$stderr" ""
	assert_output '{"kind":"none"}'
	run -66 --separate-stderr session-bind persona Nowhere
	assert_output ""
	assert_equal "$stderr" "session-bind: no such session 'Nowhere'"
}

# --- switching ---------------------------------------------------------------------

@test "use-persona, impersonate, clear switch the binding and print the session" {
	local s
	s=$(mksession --character Melina --no-persona)
	run -0 --separate-stderr session-bind use-persona "$s" wren
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" "$(session_json "$s" null "$MELINA" Melina "$(who custom "$WREN" Wren)" 1)"
	run_ok session-bind impersonate "$s" "$ALPIN"
	assert_equal "$(untimed "$output")" \
		"$(session_json "$s" null "$MELINA" Melina "$(who impersonated "$ALPIN" 'Alpin Dale')" 1)"
	assert_equal "$(bound "$s")" "$(who impersonated "$ALPIN" 'Alpin Dale')"
	# its own character: 65, the binding stays
	run -65 --separate-stderr session-bind impersonate "$s" Melina
	assert_output ""
	assert_equal "$stderr" "session-bind: a session cannot impersonate its own character"
	assert_equal "$(bound "$s")" "$(who impersonated "$ALPIN" 'Alpin Dale')"
	# what is not there, or not of the kind asked for: 66, the binding stays
	run -66 --separate-stderr session-bind use-persona "$s" Nobody
	assert_output ""
	assert_equal "$stderr" "session-bind: no such persona 'Nobody'"
	run -66 --separate-stderr session-bind use-persona "$s" 'Alpin Dale'
	assert_equal "$stderr" "session-bind: no such persona 'Alpin Dale'"
	run -66 --separate-stderr session-bind impersonate "$s" Wren
	assert_equal "$stderr" "session-bind: no such character 'Wren'"
	run -66 --separate-stderr session-bind use-persona Nowhere Wren
	assert_equal "$stderr" "session-bind: no such session 'Nowhere'"
	assert_equal "$(bound "$s")" "$(who impersonated "$ALPIN" 'Alpin Dale')"
	run -0 --separate-stderr session-bind clear "$s"
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" "$(session_json "$s" null "$MELINA" Melina "$NONE" 1)"
	# clearing what is clear is no error
	run_ok session-bind clear "$s"
	assert_equal "$(untimed "$output")" "$(session_json "$s" null "$MELINA" Melina "$NONE" 1)"
	# a switch writes no message and leaves the old ones as they were
	assert_equal "$(speakers "$s")" "$NONE"
	local args
	for args in "use-persona $s" "impersonate $s" "clear" "clear $s extra"; do
		# shellcheck disable=SC2086 # split on purpose
		run -64 --separate-stderr session-bind $args
		assert_output ""
		[[ ${stderr_lines[0]} == 'session-bind: '* ]] || fail "$args: $stderr"
	done
}

# --- settings ------------------------------------------------------------------------

@test "set: every key takes its valid values, stored as numbers, text or a list" {
	local s c arg key want
	s=$(mksession --character Melina --no-greeting)
	for c in 'provider=openai|"openai"' 'provider=anthropic|"anthropic"' 'provider=ollama|"ollama"' \
		'provider=gemini|"gemini"' 'model=gpt-4o-mini|"gpt-4o-mini"' \
		'model=llama3.1:8b-instruct-q4_K_M|"llama3.1:8b-instruct-q4_K_M"' \
		'temperature=0|0' 'temperature=2|2' 'temperature=0.7|0.7' 'temperature=1.25|1.25' \
		'top_p=0|0' 'top_p=1|1' 'top_p=0.95|0.95' \
		'top_k=0|0' 'top_k=40|40' \
		'max_tokens=1|1' 'max_tokens=400|400' \
		'frequency_penalty=-2|-2' 'frequency_penalty=2|2' 'frequency_penalty=0.5|0.5' \
		'presence_penalty=-2|-2' 'presence_penalty=2|2' 'presence_penalty=-1.25|-1.25' \
		'seed=0|0' 'seed=42|42' 'seed=-7|-7' 'seed=9223372036854775807|9223372036854775807' \
		'seed=-9223372036854775808|-9223372036854775808' 'temperature=1e-1|0.1' \
		'top_k=2147483647|2147483647' \
		'history_limit=0|0' 'history_limit=50|50' \
		'context_tokens=1|1' 'context_tokens=8192|8192' \
		'stop=</s>|["</s>"]' 'stop=User:|["User:"]' \
		'note=[Keep it short, {{char}}.]|"[Keep it short, {{char}}.]"' \
		'note_depth=0|0' 'note_depth=1000|1000' 'note_role=system|"system"' \
		'note_role=user|"user"' 'note_role=assistant|"assistant"' \
		'note_interval=0|0' 'note_interval=3|3' 'lore_scan_depth=0|0' \
		'lore_scan_depth=1000|1000' 'lore_budget=0|0' 'lore_budget=100|100' \
		'draft_prompt=[Write as {{user}}.]|"[Write as {{user}}.]"'; do
		arg=${c%|*} want=${c##*|} key=${c%%=*}
		run -0 --separate-stderr session-bind set "$s" "$arg"
		assert_equal "$stderr" ""
		assert_equal "$(jq -r .kind <<< "$output")" session
		[[ $(jq --argjson w "$want" ".settings.$key == \$w" <<< "$output") == true ]] ||
			fail "set $arg: $(jq -c .settings <<< "$output")"
		# stored, not only printed
		[[ $(session-bind show "$s" | jq --argjson w "$want" ".settings.$key == \$w") == true ]] ||
			fail "set $arg, then show: $(settings "$s")"
	done
	# every key at once: the numbers are numbers
	run_ok session-bind set "$s" provider=ollama model=m temperature=0.5 top_p=0.9 \
		top_k=20 max_tokens=300 frequency_penalty=0.1 presence_penalty=-0.1 seed=7 stop=END \
		history_limit=12 context_tokens=4096 note=N note_depth=2 note_role=user note_interval=2 \
		lore_scan_depth=3 lore_budget=40 draft_prompt=D
	assert_equal "$(jq -c '.settings | map_values(type)' <<< "$output")" \
		'{"provider":"string","model":"string","temperature":"number","top_p":"number","top_k":"number","max_tokens":"number","frequency_penalty":"number","presence_penalty":"number","seed":"number","stop":"array","history_limit":"number","context_tokens":"number","note":"string","note_depth":"number","note_role":"string","note_interval":"number","lore_scan_depth":"number","lore_budget":"number","draft_prompt":"string"}'
}

@test "set: a bad value is 65 naming key and value, an unknown key 64; nothing changes" {
	local s before arg key val
	s=$(mksession --character Melina --no-greeting --set temperature=1 --set top_k=5 --set stop=X)
	before=$(settings "$s")
	run -65 --separate-stderr session-bind set "$s" temperature=3
	assert_output ""
	assert_equal "$stderr" "session-bind: temperature: '3' is not a number from 0 to 2"
	for arg in provider=azure provider=openai2 \
		temperature=-0.1 temperature=2.01 temperature=abc temperature=1x temperature=nan temperature=inf \
		top_p=1.5 top_p=-0.01 top_p=x \
		top_k=-1 top_k=1.5 top_k=ten top_k=12abc \
		max_tokens=0 max_tokens=-3 max_tokens=2.5 \
		frequency_penalty=2.5 frequency_penalty=-3 frequency_penalty=x \
		presence_penalty=-2.01 presence_penalty=x \
		temperature=0x1 'temperature= 1' temperature=+1 temperature=1. temperature=.5 \
		top_k=+3 top_k=0x10 top_k=2147483648 max_tokens=1e3 \
		seed=1.5 seed=x seed=99999999999999999999999 seed=9223372036854775808 \
		history_limit=-1 history_limit=x \
		context_tokens=0 context_tokens=-1 context_tokens=x \
		note_depth=-1 note_depth=1001 note_role=narrator note_role=System note_interval=-1 \
		lore_scan_depth=1001 lore_budget=101 lore_budget=-5; do
		key=${arg%%=*} val=${arg#*=}
		run -65 --separate-stderr session-bind set "$s" "$arg"
		assert_output ""
		[[ ${#stderr_lines[@]} -eq 1 && $stderr == "session-bind: $key: '$val' "* ]] ||
			fail "set $arg: $stderr"
	done
	assert_equal "$(settings "$s")" "$before"
	# one bad value among good ones: none of them is stored
	run -65 --separate-stderr session-bind set "$s" temperature=0.2 top_p=7 model=m
	assert_output ""
	[[ $stderr == "session-bind: top_p: '7' "* ]] || fail "$stderr"
	assert_equal "$(settings "$s")" "$before"
	# unknown keys, and what is no KEY=VALUE at all: usage
	for arg in colour=blue Temperature=1 top-p=1 =1 temperature; do
		run -64 --separate-stderr session-bind set "$s" "$arg"
		assert_output ""
		[[ ${stderr_lines[0]} == 'session-bind: '* ]] || fail "set $arg: $stderr"
	done
	run -64 --separate-stderr session-bind set "$s"
	assert_output ""
	[[ ${stderr_lines[0]} == 'session-bind: '* ]] || fail "set with no pair: $stderr"
	assert_equal "$(settings "$s")" "$before"
}

@test "set: KEY= unsets; only the keys named change; stop values in one command replace the list" {
	local s want
	s=$(mksession --character Melina --no-greeting)
	run -0 --separate-stderr session-bind set "$s" temperature=0.8 model=m1 top_k=40 stop=A stop=B
	assert_equal "$stderr" ""
	want=$(jq -c '.temperature = 0.8 | .model = "m1" | .top_k = 40 | .stop = ["A", "B"]' <<< "$NO_SETTINGS")
	assert_equal "$(jq -c .settings <<< "$output")" "$want"
	run_ok session-bind set "$s" model=m2
	want=$(jq -c '.model = "m2"' <<< "$want")
	assert_equal "$(jq -c .settings <<< "$output")" "$want"
	assert_equal "$(settings "$s")" "$want"
	run_ok session-bind set "$s" stop=C
	want=$(jq -c '.stop = ["C"]' <<< "$want")
	assert_equal "$(settings "$s")" "$want"
	# the value is everything after the first '=', a newline included
	run_ok session-bind set "$s" 'stop=a=b' $'stop=\nMelina:'
	want=$(jq -c '.stop = ["a=b", "\nMelina:"]' <<< "$want")
	assert_equal "$(settings "$s")" "$want"
	run_ok session-bind set "$s" stop= temperature=
	want=$(jq -c '.stop = null | .temperature = null' <<< "$want")
	assert_equal "$(jq -c .settings <<< "$output")" "$want"
	assert_equal "$(settings "$s")" "$want"
	run_ok session-bind set "$s" model= top_k=
	assert_equal "$(settings "$s")" "$NO_SETTINGS"
	# unsetting what is unset is no error
	run -0 --separate-stderr session-bind set "$s" seed=
	assert_equal "$stderr" ""
	assert_equal "$(settings "$s")" "$NO_SETTINGS"
}

# --- delete ------------------------------------------------------------------------------

@test "delete: each session with its messages; the character and persona stay" {
	local s1 s2
	s1=$(mksession --character Melina --persona Wren)
	echo 'Hello, Melina.' | session-log append "$s1" > /dev/null
	echo 'Well met.' | session-log append "$s1" --role assistant > /dev/null
	s2=$(mksession --character 'Alpin Dale' --no-greeting --title Spare)
	run -0 --separate-stderr session-bind delete "$s1" Spare
	assert_equal "$stderr" ""
	assert_equal "$output" "{\"kind\":\"session\",\"id\":\"$s1\",\"status\":\"deleted\",\"messages\":3}
{\"kind\":\"session\",\"id\":\"$s2\",\"status\":\"deleted\",\"messages\":0}"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "0 0"
	run -66 --separate-stderr session-bind show "$s1"
	assert_output ""
	assert_equal "$stderr" "session-bind: no such session '$s1'"
	run -66 --separate-stderr session-log show "$s1"
	assert_equal "$stderr" "session-log: no such session '$s1'"
	run -66 --separate-stderr session-bind delete "$s1"
	assert_output ""
	assert_equal "$stderr" "session-bind: no such session '$s1'"
	assert_equal "$(count characters) $(count user_personas)" "2 1"
	assert_equal "$(persona show Wren | jq -r .id)" "$WREN"
}

# --- dry runs and locks ----------------------------------------------------------------------

@test "-n: new, set, the switches and delete print what they would do and store nothing" {
	run -0 --separate-stderr session-bind new -n --character Melina --persona Wren --title Dry
	assert_equal "$stderr" ""
	assert_equal "$(untimed "$output")" \
		"$(session_json "$(jq -r .id <<< "$output")" '"Dry"' "$MELINA" Melina "$(who custom "$WREN" Wren)" 1)"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "0 0"
	local s before
	s=$(mksession --character Melina --persona Wren)
	before=$(session-bind show "$s")
	run -0 --separate-stderr session-bind set -n "$s" temperature=1.5 stop=Z
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '.settings | [.temperature, .stop]' <<< "$output")" '[1.5,["Z"]]'
	run_ok session-bind -n impersonate "$s" 'Alpin Dale'
	assert_equal "$(jq -c .persona <<< "$output")" "$(who impersonated "$ALPIN" 'Alpin Dale')"
	run_ok session-bind clear "$s" -n
	assert_equal "$(jq -c .persona <<< "$output")" "$NONE"
	run_ok session-bind delete -n "$s"
	assert_output "{\"kind\":\"session\",\"id\":\"$s\",\"status\":\"deleted\",\"messages\":1}"
	assert_equal "$(session-bind show "$s")" "$before"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "1 1"
	session-bind clear "$s" > /dev/null
	run_ok session-bind use-persona --dry-run "$s" Wren
	assert_equal "$(jq -c .persona <<< "$output")" "$(who custom "$WREN" Wren)"
	assert_equal "$(bound "$s")" "$NONE"
}

@test "a locked user: 77 from every verb, nothing printed, nothing changed" {
	local s before args
	s=$(mksession --character Melina --persona Wren --title Locked)
	before=$(session-bind show "$s")
	for args in "new --character Melina" "new --character $MELINA --no-persona" list "show $s" \
		"show Locked" "persona $s" "use-persona $s Wren" "impersonate $s $ALPIN" "clear $s" \
		"set $s temperature=1" "delete $s"; do
		# shellcheck disable=SC2086 # split on purpose
		run -77 --separate-stderr env -u GUISE_PASSPHRASE_FILE session-bind $args
		assert_output ""
		assert_equal "$stderr" "session-bind: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
	done
	assert_equal "$(session-bind show "$s")" "$before"
	assert_equal "$(count chat_sessions) $(count chat_messages)" "1 1"
}
