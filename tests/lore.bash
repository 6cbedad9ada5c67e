# Helpers for the lore render suites (4007, 4011): the sessions and the
# fake provider loaded, and V3 books written from the shell with jq.
# shellcheck shell=bash
load sessions
load llm

lore_setup() {
	sessions_setup
	llm_setup
}

lore_teardown() {
	fake_stop
	keys_teardown
}

# entry ID ORDER EXT CONTENT [JSON]: a constant V3 entry, ST's fields in EXT
entry() {
	jq -n -c --argjson id "$1" --argjson o "$2" --argjson x "$3" --arg c "$4" --argjson more "${5:-"{}"}" \
		'{id: $id, keys: [], content: $c, constant: true, enabled: true, insertion_order: $o,
		  extensions: $x} + $more'
}

# book NAME ENTRY...: a V3 character_book
book() { jq -s -c --arg n "$1" '{name: $n, entries: .}' <<< "${*:2}"; }

# lorechar NAME BOOK [JSON]: a character whose card carries BOOK; its id
lorechar() { mkchar "$1" "$(jq -n -c --argjson b "$2" --argjson x "${3:-"{}"}" '{character_book: $b} + $x')"; }
