# Helpers for the session suites (3xxx): alice, her passphrase in the
# environment, characters and personas made from the shell, and the record
# shapes session-bind and session-log print (DESIGN.md §4), built with jq so
# that key order is compared too.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the constants and CARDS are for the suites
load keys

ID='[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z'
NO_SETTINGS='{"provider":null,"model":null,"temperature":null,"top_p":null,"top_k":null,"max_tokens":null,"frequency_penalty":null,"presence_penalty":null,"seed":null,"stop":null,"history_limit":null,"context_tokens":null,"note":null,"note_depth":null,"note_role":null,"note_interval":null,"lore_scan_depth":null,"lore_budget":null,"draft_prompt":null}'
NONE='{"kind":"none","id":null,"name":null}'
SESSION_KEYS='kind,id,title,character,persona,settings,messages,created_at,updated_at'
MESSAGE_KEYS='kind,session,seq,role,speaker,content,swipe,status,model,usage,created_at'

sessions_setup() {
	keys_setup_alice
	CARDS=$DATA/cards-aicharlib
}

# sessions_setup, with MELINA and ALPIN two real cards imported as
# characters and WREN a persona
sessions_setup_cast() {
	sessions_setup
	MELINA=$(import_card "$CARDS/melina.png")
	ALPIN=$(import_card "$CARDS/alpin_dale.png")
	WREN=$(mkpersona Wren)
}

# is_id TEXT WHAT: TEXT is an id, else say which helper failed
is_id() {
	[[ $1 =~ ^$ID$ ]] || {
		echo "$2: no id: '$1'" >&2
		return 1
	}
}

# mkchar NAME [JSON]: a character made with persona create --character from
# a flat record (NAME, a description, a first_mes) plus the fields of JSON;
# its id on stdout
mkchar() {
	local id
	id=$(jq -n -c --arg n "$1" --argjson x "${2:-"{}"}" \
		'{name: $n, description: "\($n) keeps the inn at the edge of the forest.",
		  first_mes: "*\($n) looks up.* Welcome, {{user}}."} + $x' |
		persona create --character | jq -r .id)
	is_id "$id" "mkchar $1"
	echo "$id"
}

# mkpersona NAME [OPTION...]: a custom persona made from flags; its id
mkpersona() {
	local id
	id=$(persona create --name "$1" --description "$1 is a quiet traveller." "${@:2}" | jq -r .id)
	is_id "$id" "mkpersona $1"
	echo "$id"
}

# import_card FILE: a real card imported as a character; its id
import_card() {
	local id
	id=$(persona-import "$1" | jq -r .id)
	is_id "$id" "import_card $1"
	echo "$id"
}

# mksession OPTION...: session-bind new OPTION...; its id
mksession() {
	local id
	id=$(session-bind new "$@" | jq -r .id)
	is_id "$id" "mksession $*"
	echo "$id"
}

# turn: a session with Sera (greeting seq 1, $GREETING) spoken to Wren
# ($WREN, speaker $W); the request for its next turn, 'Where am I?', in $R;
# settings provider anthropic, model m-1 (for the send suites' --record)
turn() {
	SERA=$(mkchar Sera)
	WREN=$(mkpersona Wren)
	W=$(who custom "$WREN" Wren)
	S=$(mksession --character Sera --persona Wren --set provider=anthropic --set model=m-1)
	R=$BATS_TEST_TMPDIR/req.json
	prompt-render -s "$S" -m 'Where am I?' > "$R"
	GREETING=$(message_json "$S" 1 assistant "$W" '*Sera looks up.* Welcome, {{user}}.')
}

# who KIND [ID NAME]: a persona or speaker object
who() {
	if [[ $1 == none ]]; then
		echo "$NONE"
	else
		jq -n -c --arg k "$1" --arg i "$2" --arg n "$3" '{kind: $k, id: $i, name: $n}'
	fi
}

# session_json SID TITLE-JSON CHAR-ID CHAR-NAME PERSONA-JSON MESSAGES [SETTINGS-JSON]:
# a session record without its times
session_json() {
	jq -n -c --arg id "$1" --argjson t "$2" --arg ci "$3" --arg cn "$4" --argjson p "$5" \
		--argjson n "$6" --argjson st "${7:-$NO_SETTINGS}" \
		'{kind: "session", id: $id, title: $t, character: {id: $ci, name: $cn},
		  persona: $p, settings: $st, messages: $n}'
}

# message_json SID SEQ ROLE SPEAKER-JSON CONTENT [STATUS [MODEL-JSON]]: a
# message record without its time
message_json() {
	jq -n -c --arg s "$1" --argjson q "$2" --arg r "$3" --argjson sp "$4" --arg c "$5" \
		--arg st "${6:-complete}" --argjson m "${7:-null}" \
		'{kind: "message", session: $s, seq: $q, role: $r, speaker: $sp, content: $c,
		  swipe: {index: 0, count: 1}, status: $st, model: $m, usage: {input_tokens: null, output_tokens: null}}'
}

# untimed JSON-LINES: each record without created_at/updated_at
untimed() { jq -c 'del(.created_at, .updated_at)' <<< "$1"; }

# bound S: the session's persona object
bound() { session-bind show "$1" | jq -c .persona; }

# speakers S: one speaker object per message, in seq order
speakers() { session-log show "$1" | jq -c .speaker; }

# seqs S: the seqs of the session's messages, on one line
seqs() { session-log show "$1" | jq -r .seq | tr '\n' ' '; }

# count TABLE [WHERE]: rows in the test's database
count() { db_sql "SELECT count(*) FROM $1 ${2:+WHERE $2}"; }
