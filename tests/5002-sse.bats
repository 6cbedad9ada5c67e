#!/usr/bin/env bats
# The event-stream reader (lib/sse) by the WHATWG EventSource parsing
# rules, through `test-tool sse CHUNK`: every stream is fed whole and in
# pieces of 1, 2, 3, 4, 5 and 7 bytes, and every chunking must give the
# same events, so each case also splits CRLFs, BOMs and UTF-8 sequences
# wherever a piece happens to end. Streams are exact bytes from printf;
# the provider-shaped ones are hand-made after the OpenAI, Anthropic and
# Gemini documentation (see tests/data/sse/README).

load common

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() {
	common_setup
	IN=$BATS_TEST_TMPDIR/stream
}

CHUNKS=(0 1 2 3 4 5 7)

# stream FORMAT [ARG...]: printf's bytes as the test's stream
stream() {
	# shellcheck disable=SC2059 # the format is the point
	printf "$@" > "$IN"
}

# sse_runs STATUS OUT ERR [LONG]: in every chunking, test-tool sse exits
# STATUS with OUT on stdout and ERR on stderr; with LONG, OUT is too long to
# show, and a difference is told by lengths only
sse_runs() {
	local c
	for c in "${CHUNKS[@]}"; do
		run "-$1" --separate-stderr test-tool sse "$c" < "$IN"
		if [[ -n ${4-} ]]; then
			[[ $output == "$2" ]] || fail "chunk $c: ${#output} bytes of events, not the ${#2} expected"
		else
			assert_equal "chunk $c: $output" "chunk $c: $2"
		fi
		assert_equal "chunk $c: $stderr" "chunk $c: $3"
	done
}

# events [RECORDS]: the stream in every chunking gives RECORDS (one JSON
# line per event, none when empty), exit 0, nothing on stderr
events() { sse_runs 0 "${1-}" ''; }

# refused STATUS MESSAGE [RECORDS]: in every chunking, the events before
# the fault, then exit STATUS with "test-tool: MESSAGE" on stderr
refused() { sse_runs "$1" "${3-}" "test-tool: $2"; }

# big FILE: events (above) for a stream with records too long to show,
# the records FILE holds
big() { sse_runs 0 "$(cat "$1")" '' long; }

# rec EVENT DATA ID: the record test-tool sse prints for one event; DATA
# and ID as they stand in JSON, escapes and all
rec() { printf '{"event":"%s","data":"%s","id":"%s"}\n' "$@"; }

# msg DATA...: the records of events named "message" with no id, one a DATA
msg() {
	local d
	for d in "$@"; do rec message "$d" ''; done
}

# as N: N bytes of "a"
as() { head -c "$1" /dev/zero | tr '\0' a; }

MIB=1048576

# --- line ends --------------------------------------------------------------

@test "LF line ends: two events" {
	stream 'data: one\n\ndata: two\n\n'
	events "$(msg one two)"
}

@test "CR line ends: two events" {
	stream 'data: one\r\rdata: two\r\r'
	events "$(msg one two)"
}

@test "CRLF line ends: two events, and a CRLF split across pieces is one line end" {
	# "data: one\r" is 10 bytes: pieces of 1, 2 and 5 end between CR and LF
	stream 'data: one\r\ndata: two\r\n\r\ndata: three\r\n\r\n'
	events "$(msg 'one\ntwo' three)"
}

@test "a CR at the end of one piece and its LF at the start of the next are one line end" {
	# were they two, the empty line between would dispatch "a" alone
	stream 'data: a\r\ndata: b\r\n\r\n'
	events "$(msg 'a\nb')"
	# the same with the CR the very last byte of a piece in every chunking:
	# a CR alone in a stream of CRLFs, then LFs
	stream 'data:\r\ndata:\r\n\r\n'
	events "$(msg '\n')"
}

@test "CR CR LF is two line ends (CR, then CRLF); LF CR is two" {
	stream 'data: a\r\r\ndata: b\n\r'
	events "$(msg a b)"
}

@test "mixed line ends in one event and across events" {
	stream 'data: a\rdata: b\ndata: c\r\n\ndata: d\n\r\ndata: e\r\n\r'
	events "$(msg 'a\nb\nc' d e)"
}

# --- bytes and characters ---------------------------------------------------

@test "UTF-8 split across pieces: two-, three- and four-byte characters come out whole" {
	stream 'data: \303\251t\303\251 \342\202\254 \360\237\230\200\360\237\221\215\360\237\217\275\n\n'
	events "$(msg 'été € 😀👍🏽')"
	# each character starting at every offset, so every piece size cuts it
	stream 'data:\360\237\230\200x\360\237\230\200xx\360\237\230\200xxx\360\237\230\200\n\n'
	events "$(msg '😀x😀xx😀xxx😀')"
}

@test "UTF-8 in event names and ids is kept" {
	stream 'event: \303\251v\303\251nement\nid: \342\204\226 7\ndata: x\n\n'
	events "$(rec 'événement' x '№ 7')"
}

@test "a leading BOM is skipped, whole or split across pieces" {
	stream '\357\273\277data: x\n\n'
	events "$(msg x)"
	stream '\357\273\277\n\ndata: y\n\n'
	events "$(msg y)"
}

@test "only one leading BOM is skipped: a second one is part of the first field name" {
	stream '\357\273\277\357\273\277data: x\n\ndata: y\n\n'
	events "$(msg y)"
}

@test "a BOM not at the start stays: in data, and at the start of a later line" {
	stream 'data: \357\273\277x\n\n\357\273\277data: lost\n\ndata: y\n\n'
	events "$(printf '{"event":"message","data":"\357\273\277x","id":""}\n{"event":"message","data":"y","id":""}')"
}

@test "a partial BOM at the start is not skipped: its bytes are text" {
	# EF BB then a field: the line's name is not "data", and not UTF-8 either
	stream '\357\273data: x\n\ndata: y\n\n'
	events "$(msg y)"
	stream '\357\273\n\ndata: z\n\n'
	events "$(msg z)"
}

@test "NUL and control characters in data are kept as they are" {
	stream 'data: a\000b\001\tc\n\n'
	events "$(msg 'a\u0000b\u0001\tc')"
}

@test "data that is not UTF-8 is refused with 65: a stray byte, an overlong form, a surrogate, past U+10FFFF" {
	local bad
	for bad in '\377' '\300\257' '\355\240\200' '\364\220\200\200' '\360\237\230'; do
		stream "data: ok\n\ndata: $bad\n\n"
		refused 65 'event data is not UTF-8' "$(msg ok)"
	done
}

@test "a UTF-8 sequence cut by a line end is not UTF-8 in the event" {
	stream 'data: \303\ndata: \251\n\n'
	refused 65 'event data is not UTF-8'
}

# --- fields -----------------------------------------------------------------

@test "comments are ignored, before, inside and between events" {
	stream ': hello\ndata: a\n:\n: middle\ndata: b\n\n:tail\n\n'
	events "$(msg 'a\nb')"
}

@test "a stream of only comments (keep-alives) gives no events" {
	stream ': ping\n\n: ping\n\n:\n\n'
	events ''
}

@test "an empty stream and a stream of blank lines give no events" {
	stream ''
	events ''
	stream '\n\r\n\r\n\n'
	events ''
}

@test "data: with and without the space; only one space is removed; a tab is not" {
	stream 'data:a\n\ndata: b\n\ndata:  c\n\ndata:\td\n\ndata:   \n\n'
	events "$(msg a b ' c' '\td' '  ')"
}

@test "only the first colon separates the name from the value" {
	stream 'data: a: b:c\n\ndata::x\n\n'
	events "$(msg 'a: b:c' :x)"
}

@test "several data lines are joined with LF, with no LF at the end" {
	stream 'data: one\ndata: two\ndata: three\n\n'
	events "$(msg 'one\ntwo\nthree')"
}

@test "an empty data line is an empty line of the data" {
	stream 'data: a\ndata:\ndata: b\n\ndata:\n\ndata:\ndata:\n\n'
	events "$(msg 'a\n\nb' '' '\n')"
}

@test "a line with no colon is a field with an empty value: data alone adds an empty line" {
	stream 'data\n\ndata\ndata\n\ndata: a\ndata\n\n'
	events "$(msg '' '\n' 'a\n')"
}

@test "a line with no colon: event alone names nothing, id alone clears the id, others are ignored" {
	stream 'id: 1\nevent: x\nevent\ndata: a\n\nid\ndata: b\n\nfoo\ndata: c\n\n'
	events "$(rec message a 1; msg b c)"
}

@test "event: names the event; the name does not outlive its event" {
	stream 'event: add\ndata: 1\n\ndata: 2\n\nevent: x\nevent: last\ndata: 3\n\nevent:\ndata: 4\n\n'
	events "$(rec add 1 ''; msg 2; rec last 3 ''; msg 4)"
}

@test "the name of an event that had no data does not carry over" {
	stream 'event: skipped\n\ndata: x\n\n'
	events "$(msg x)"
}

@test "id: is kept for later events until another id changes it; id: empty clears it" {
	stream 'id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\nid:\ndata: d\n\n'
	events "$(rec message a 7; rec message b 7; rec message c 8; msg d)"
}

@test "an id in an event without data still sets the last id" {
	stream 'id: 42\n\ndata: x\n\n'
	events "$(rec message x 42)"
}

@test "an id with a NUL in it is ignored: the last id stays" {
	stream 'id: 1\ndata: a\n\nid: 2\0003\ndata: b\n\nid: \000\ndata: c\n\n'
	events "$(rec message a 1; rec message b 1; rec message c 1)"
}

@test "retry: is ignored, a number or not" {
	stream 'retry: 1000\ndata: a\n\nretry: soon\nretry\ndata: b\n\n'
	events "$(msg a b)"
}

@test "unknown fields are ignored; field names are case-sensitive and exact" {
	stream 'foo: bar\nData: X\nDATA: X\n data: X\ndata : X\ndatas: X\nevent : X\nid : X\ndata: a\n\n'
	events "$(msg a)"
}

# --- dispatch -----------------------------------------------------------------

@test "an event with no data is not dispatched" {
	stream 'event: ping\n\nid: 1\n\nretry: 5\n\nfoo: bar\n\n'
	events ''
}

@test "several blank lines between events dispatch once" {
	stream '\n\n\ndata: a\n\n\n\n\ndata: b\r\n\r\n\r\n\r\n'
	events "$(msg a b)"
}

@test "the final event without its blank line is dropped, however the stream ends" {
	local end
	for end in '' '\n' '\r' '\r\n' ; do
		stream "data: a\n\nevent: cut\ndata: b$end"
		events "$(msg a)"
	done
	# ... and a blank line ended by a lone CR at the very end still dispatches
	stream 'data: a\n\ndata: b\n\r'
	events "$(msg a b)"
}

# --- streams shaped like the providers' -----------------------------------------

@test "OpenAI: data-only chunks ended by data: [DONE]" {
	stream '%s\n\n' \
		'data: {"choices":[{"delta":{"role":"assistant","content":""},"finish_reason":null}]}' \
		'data: {"choices":[{"delta":{"content":"Hel"},"finish_reason":null}]}' \
		': OPENROUTER PROCESSING' \
		'data: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}]}' \
		'data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}' \
		'data: [DONE]'
	events '{"event":"message","data":"{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}","id":""}
{"event":"message","data":"{\"choices\":[{\"delta\":{\"content\":\"Hel\"},\"finish_reason\":null}]}","id":""}
{"event":"message","data":"{\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}","id":""}
{"event":"message","data":"{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}","id":""}
{"event":"message","data":"[DONE]","id":""}'
}

@test "Anthropic: named events, content_block_delta with UTF-8 text, ping" {
	stream '%s\n%s\n\n' \
		'event: message_start' 'data: {"type":"message_start","message":{"usage":{"input_tokens":12}}}' \
		'event: ping' 'data: {"type": "ping"}' \
		'event: content_block_delta' $'data: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Caf\303\251 \360\237\230\200"}}' \
		'event: message_delta' 'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}' \
		'event: message_stop' 'data: {"type":"message_stop"}'
	events '{"event":"message_start","data":"{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12}}}","id":""}
{"event":"ping","data":"{\"type\": \"ping\"}","id":""}
{"event":"content_block_delta","data":"{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Café 😀\"}}","id":""}
{"event":"message_delta","data":"{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}","id":""}
{"event":"message_stop","data":"{\"type\":\"message_stop\"}","id":""}'
}

@test "Anthropic: an error event mid-stream is an event like the others" {
	stream 'event: content_block_delta\ndata: {"delta":{"text":"Hi"}}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\nevent: content_block_delta\ndata: {"delta":{"text":"!"}}\n\n'
	events '{"event":"content_block_delta","data":"{\"delta\":{\"text\":\"Hi\"}}","id":""}
{"event":"error","data":"{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}","id":""}
{"event":"content_block_delta","data":"{\"delta\":{\"text\":\"!\"}}","id":""}'
}

@test "the hand-made provider streams under tests/data/sse give their events" {
	local f
	for f in "$DATA"/sse/*.sse; do
		cp "$f" "$IN"
		events "$(cat "${f%.sse}.jsonl")"
	done
}

# --- limits ---------------------------------------------------------------------

@test "a line of exactly 1 MiB is accepted, data, comment or unknown field" {
	{
		printf 'data: '
		as $((MIB - 6))
		printf '\n\n:'
		as $((MIB - 1))
		printf '\r\nx:'
		as $((MIB - 2))
		printf '\r\n\r\n'
	} > "$IN"
	printf '{"event":"message","data":"%s","id":""}' "$(as $((MIB - 6)))" > "$BATS_TEST_TMPDIR/want"
	big "$BATS_TEST_TMPDIR/want"
}

@test "a line of 1 MiB + 1 is refused with 76, before or after its end, after the events before it" {
	{
		printf 'data: a\n\ndata: '
		as $((MIB - 5))
		printf '\n\ndata: b\n\n'
	} > "$IN"
	refused 76 'event stream: a line over 1 MiB' "$(msg a)"
	# a comment of 1 MiB + 1, never ended
	{
		printf ':'
		as "$MIB"
	} > "$IN"
	refused 76 'event stream: a line over 1 MiB'
}

# data: 8 data lines of 1 MiB - 6 bytes, joined by LF, and a last line
# making the whole 8 MiB + $1 bytes
eight_mib() {
	for _ in 1 2 3 4 5 6 7 8; do
		printf 'data: '
		as $((MIB - 6))
		printf '\n'
	done
	# 8 values of MIB - 6 and 8 LFs between 9 lines: 8 MiB - 40 bytes
	printf 'data: '
	as $((40 + $1))
	printf '\n\n'
}

# eight_mib_record N: the record of eight_mib's event, its last line N bytes
eight_mib_record() {
	printf '{"event":"message","data":"'
	for _ in 1 2 3 4 5 6 7 8; do
		as $((MIB - 6))
		printf '\\n'
	done
	as "$1"
	printf '","id":""}'
}

@test "an event's data of 8 MiB - 1 is accepted" {
	eight_mib -1 > "$IN"
	eight_mib_record 39 > "$BATS_TEST_TMPDIR/want"
	big "$BATS_TEST_TMPDIR/want"
}

@test "an event's data of exactly 8 MiB is accepted (only over 8 MiB is an error)" {
	eight_mib 0 > "$IN"
	eight_mib_record 40 > "$BATS_TEST_TMPDIR/want"
	big "$BATS_TEST_TMPDIR/want"
}

@test "an event's data over 8 MiB is refused with 76, after the events before it" {
	{
		printf 'data: first\n\n'
		eight_mib 1
		printf 'data: never\n\n'
	} > "$IN"
	refused 76 "event stream: an event's data over 8 MiB" "$(msg first)"
	# the LFs that join the lines count: 129 lines of 64 KiB are 8 MiB + 128
	{
		for _ in $(seq 129); do
			printf 'data: '
			as 65536
			printf '\n'
		done
		printf '\n'
	} > "$IN"
	refused 76 "event stream: an event's data over 8 MiB"
}
