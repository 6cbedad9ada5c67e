#!/usr/bin/env bats
# prompt-render's budget (DESIGN.md §8): history_limit keeps the last N
# messages; over context_tokens - max_tokens, example blocks go first
# (oldest first, each with its marker), then the oldest history, never the
# story string, the chat marker, the persona at depth, the post-history
# instructions or the new message; if those alone are over: 65, saying by
# how much. Tokens are estimated as ceil(bytes / 3) + 4 per message.

load sessions

setup() {
	sessions_setup
	# Bo: a name and nothing else, so the story string is the main prompt
	# alone: "Write Bo's next reply in a fictional chat between Bo and
	# alice." (63 bytes: 21 + 4 = 25 tokens)
	BO=$(jq -n -c '{name: "Bo"}' | persona create --character | jq -r .id)
	is_id "$BO" setup
}

teardown() { keys_teardown; }

# say S TEXT [OPTION...]: append TEXT to S, quietly
say() { printf '%s\n' "$2" | session-log append "$1" "${@:3}" > /dev/null; }

# estimate: the estimate of the messages of the request in $output
estimate() { jq '.messages | map(((.content | utf8bytelength) + 2) / 3 | floor + 4) | add' <<< "$output"; }

# budget: [context_tokens, max_tokens, used, history limit, included, dropped examples, messages]
budget() {
	jq -c '.guise.budget | [.context_tokens, .max_tokens, .used, .history.limit, .history.included, .dropped.examples, .dropped.messages]' <<< "$output"
}

# render S [OPTION...]: prompt-render -s S -m Hi, exit 0, nothing on stderr,
# budget.used the estimate of what is sent
render() {
	run_ok prompt-render -s "$1" -m Hi "${@:2}"
	assert_equal "$(jq .guise.budget.used <<< "$output")" "$(estimate)"
}

# assert_budget_at S SETTING... BUDGET: after session-bind set S SETTING...,
# render S (above) reports BUDGET (see budget)
assert_budget_at() {
	session-bind set "$1" "${@:2:$#-2}" > /dev/null
	render "$1"
	assert_equal "$(budget)" "${!#}"
}

# assert_over_budget S SETTING NEEDED BUDGET [MESSAGE]: after session-bind
# set S SETTING, prompt-render -s S -m MESSAGE (Hi) fails 65, nothing on
# stdout, saying the prompt needs NEEDED tokens, over BUDGET by the difference
assert_over_budget() {
	session-bind set "$1" "$2" > /dev/null
	run_err 65 "prompt-render: the prompt needs $3 tokens without history or examples, over the budget of $4 by $(($3 - $4))" \
		prompt-render -s "$1" -m "${5:-Hi}"
}

# contents: the contents of the request's messages after the story string, on one line
contents() { jq -c '[.messages[1:][].content]' <<< "$output"; }

# small: a session with Bo and no persona: 'Hello there' (11 bytes: 4 + 4),
# 'Grüße!' (8 bytes, 6 characters: 3 + 4), '' (0 + 4); with the story string
# (25), '[Start a new chat]' (18 bytes: 6 + 4) and 'Hi' (1 + 4): 59 in all
small() {
	S=$(mksession --character Bo --no-persona --no-greeting "$@")
	say "$S" 'Hello there'
	say "$S" 'Grüße!' --role assistant
	printf '' | session-log append "$S" --role assistant > /dev/null
}

@test "the estimate, by hand: ceil(bytes / 3) + 4 a message, bytes not characters" {
	small
	render "$S"
	assert_equal "$(jq -c '[.messages[] | [.role, .content]]' <<< "$output")" \
		"[[\"system\",\"Write Bo's next reply in a fictional chat between Bo and alice.\"],[\"system\",\"[Start a new chat]\"],[\"user\",\"Hello there\"],[\"assistant\",\"Grüße!\"],[\"assistant\",\"\"],[\"user\",\"Hi\"]]"
	assert_equal "$(budget)" '[8192,null,59,null,3,0,0]'
}

@test "over budget, the oldest history goes first; exactly the budget fits; the rest alone over it: 65 saying by how much" {
	small --set context_tokens=59
	render "$S"
	assert_equal "$(budget)" '[59,null,59,null,3,0,0]'
	assert_budget_at "$S" context_tokens=58 '[58,null,51,null,2,0,1]'
	assert_equal "$(contents)" '["[Start a new chat]","Grüße!","","Hi"]'
	assert_budget_at "$S" context_tokens=51 '[51,null,51,null,2,0,1]'
	assert_budget_at "$S" context_tokens=50 '[50,null,44,null,1,0,2]'
	assert_equal "$(contents)" '["[Start a new chat]","","Hi"]'
	# nothing but the story string, the marker and the new message: 40
	assert_budget_at "$S" context_tokens=40 '[40,null,40,null,0,0,3]'
	assert_equal "$(contents)" '["[Start a new chat]","Hi"]'
	assert_over_budget "$S" context_tokens=39 40 39
	assert_over_budget "$S" context_tokens=30 40 30
	# the new message is never dropped: a longer one needs more (300 bytes: 100 + 4)
	assert_over_budget "$S" context_tokens=138 139 138 "$(printf 'x%.0s' {1..300})"
}

@test "context_tokens and max_tokens from the session: the budget is their difference, both reported" {
	small --set context_tokens=100 --set max_tokens=41
	render "$S"
	assert_equal "$(budget)" '[100,41,59,null,3,0,0]'
	assert_equal "$(jq .max_tokens <<< "$output")" 41
	assert_budget_at "$S" max_tokens=42 '[100,42,51,null,2,0,1]'
	assert_equal "$(jq .max_tokens <<< "$output")" 42
	assert_over_budget "$S" max_tokens=61 40 39
	# max_tokens alone: from the default context of 8192
	assert_budget_at "$S" context_tokens= max_tokens=8152 '[8192,8152,40,null,0,0,3]'
	# longer messages, a real window: 4 of 3000 bytes (1000 + 4 each) and the 40
	local s2 n
	s2=$(mksession --character Bo --no-persona --no-greeting --set context_tokens=4096)
	for n in 1 2 3 4; do say "$s2" "$(printf "$n%.0s" {1..3000})"; done
	render "$s2"
	assert_equal "$(budget)" '[4096,null,4056,null,4,0,0]'
	assert_budget_at "$s2" max_tokens=400 '[4096,400,3052,null,3,0,1]'
	assert_equal "$(jq -r '.messages[2].content[0:1]' <<< "$output")" 2
}

@test "the default budget is 8192 without a session too; history from stdin is dropped oldest first" {
	local n
	for n in 0 1 2 3 4 5 6 7 8 9; do
		jq -n -c --arg c "$(printf "$n%.0s" {1..3000})" '{role: "user", content: $c}'
	done > "$BATS_TEST_TMPDIR/h.jsonl"
	run_ok prompt-render --character Bo -m Hi < "$BATS_TEST_TMPDIR/h.jsonl"
	assert_equal "$(budget)" '[8192,null,8072,null,8,0,2]'
	assert_equal "$(jq -r '[.messages[2:-1][].content[0:1]] | join("")' <<< "$output")" 23456789
}

@test "history_limit keeps the last N, before the budget; 0 keeps none; more than there are keeps all" {
	small --set history_limit=2
	render "$S"
	assert_equal "$(budget)" '[8192,null,51,2,2,0,0]'
	assert_equal "$(contents)" '["[Start a new chat]","Grüße!","","Hi"]'
	assert_budget_at "$S" history_limit=0 '[8192,null,40,0,0,0,0]'
	assert_equal "$(contents)" '["[Start a new chat]","Hi"]'
	assert_budget_at "$S" history_limit=50 '[8192,null,59,50,3,0,0]'
	# with the budget: the limit first, then the budget drops the oldest of those
	assert_budget_at "$S" history_limit=2 context_tokens=47 '[47,null,44,2,1,0,1]'
	assert_equal "$(contents)" '["[Start a new chat]","","Hi"]'
	# no limit again
	assert_budget_at "$S" history_limit= context_tokens= '[8192,null,59,null,3,0,0]'
}

# blocks: Bo with three example blocks, each its marker (14 bytes: 5 + 4)
# and two turns of 3 bytes (1 + 4 each): 19 tokens a block, 57 in all
blocks() {
	persona update --character Bo --set 'mes_example=<START>
{{user}}: aaa
{{char}}: bbb
<START>
{{user}}: ccc
{{char}}: ddd
<START>
{{user}}: eee
{{char}}: fff' > /dev/null
}

@test "over budget, example blocks go first, oldest first with their marker, then the oldest history" {
	blocks
	small --set context_tokens=116
	render "$S"
	assert_equal "$(budget)" '[116,null,116,null,3,0,0]'
	assert_equal "$(contents)" '["[Example Chat]","aaa","bbb","[Example Chat]","ccc","ddd","[Example Chat]","eee","fff","[Start a new chat]","Hello there","Grüße!","","Hi"]'
	assert_budget_at "$S" context_tokens=115 '[115,null,97,null,3,1,0]'
	assert_equal "$(contents)" '["[Example Chat]","ccc","ddd","[Example Chat]","eee","fff","[Start a new chat]","Hello there","Grüße!","","Hi"]'
	assert_budget_at "$S" context_tokens=97 '[97,null,97,null,3,1,0]'
	assert_budget_at "$S" context_tokens=96 '[96,null,78,null,3,2,0]'
	assert_equal "$(contents)" '["[Example Chat]","eee","fff","[Start a new chat]","Hello there","Grüße!","","Hi"]'
	# every block before any history, even the newest block
	assert_budget_at "$S" context_tokens=77 '[77,null,59,null,3,3,0]'
	assert_equal "$(contents)" '["[Start a new chat]","Hello there","Grüße!","","Hi"]'
	assert_budget_at "$S" context_tokens=58 '[58,null,51,null,2,3,1]'
	assert_budget_at "$S" context_tokens=40 '[40,null,40,null,0,3,3]'
	assert_over_budget "$S" context_tokens=39 40 39
}

@test "never dropped: the persona at depth and the post-history instructions count in what the prompt needs" {
	local lark s all keep
	lark=$(jq -n -c '{name: "Lark", description: "Lark sings.", position: "at_depth", depth: 1, role: "system"}' |
		persona create | jq -r .id)
	is_id "$lark" lark
	persona update --character Bo --set 'post_history_instructions=Be brief.' > /dev/null
	blocks
	s=$(mksession --character Bo --persona Lark --no-greeting)
	say "$s" 'Hello there'
	say "$s" 'Grüße!' --role assistant
	render "$s"
	all=$(jq .guise.budget.used <<< "$output")
	# what is never dropped: the story string, the marker, Lark's block, the instructions, the new message
	keep=$(jq '[.messages[] | select(.content | test("^(Write |\\[Start a new chat\\]$|\\[Lark is |Be brief\\.$|Hi$)"))] | map(((.content | utf8bytelength) + 2) / 3 | floor + 4) | add' <<< "$output")
	assert_equal "$(jq '[.messages[] | select(.content | test("^(Write |\\[Start a new chat\\]$|\\[Lark is |Be brief\\.$|Hi$)"))] | length' <<< "$output")" 5
	assert_budget_at "$s" context_tokens="$keep" "[$keep,null,$keep,null,0,3,2]"
	assert_equal "$(jq -c '[.messages[].role]' <<< "$output")" '["system","system","system","system","user"]'
	assert_equal "$(jq -r '.messages[1:][].content' <<< "$output" | head -n 1)" '[Start a new chat]'
	assert_over_budget "$s" context_tokens=$((keep - 1)) "$keep" $((keep - 1))
	((all > keep)) || fail "all $all, keep $keep"
}
