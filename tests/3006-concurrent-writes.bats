#!/usr/bin/env bats
# Writers side by side (DESIGN.md §5, §6): a write that races
# `persona-encrypt rekey` is never sealed under the retired key (it is
# stored under the new one, or refused with 75 and stores nothing), and
# read-modify-writes running in parallel lose no update.
#
# Each race is built so that it happens on every run, not by luck: rekey
# holds the write lock for the whole re-encryption of a couple of thousand
# cards, and the writers are started while it runs, so each one reads the
# key before the rekey commits and writes after. Before the fix, every
# run of these tests failed (verify found fields under the old key; the
# parallel patches kept 4-8 of 16 keys).
#
# GUISE_TEST_WRITERS=N sets how many writers race (issue 17 runs 8 and 32
# against PostgreSQL): N writers against the rekey, taking turns at the
# three kinds of write, and 2N merge patches N at a time. Unset, the counts
# are the ones below: three writers, one of each kind; 16 patches, 8 at a
# time. The --set races stay at eight, as many fields and settings as they
# have.

load sessions

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

# RACERS: the writers against the rekey, "kind.n" (kind: card, personas or
# messages); PATCHES and PATCHERS: merge patches, and how many at a time
if [[ -n ${GUISE_TEST_WRITERS-} ]]; then
	[[ $GUISE_TEST_WRITERS =~ ^[1-9][0-9]*$ ]] || {
		echo "GUISE_TEST_WRITERS=$GUISE_TEST_WRITERS: expected a count of writers" >&2
		exit 1
	}
	RACERS=()
	for ((i = 0; i < GUISE_TEST_WRITERS; i++)); do
		kinds=(card personas messages)
		RACERS+=("${kinds[i % 3]}.$((i / 3 + 1))")
	done
	PATCHES=$((2 * GUISE_TEST_WRITERS)) PATCHERS=$GUISE_TEST_WRITERS
else
	RACERS=(card.1 personas.1 messages.1) PATCHES=16 PATCHERS=8
fi

setup() {
	sessions_setup
	if sanitized; then N=600; else N=2000; fi
	jq -n -c --argjson n "$N" '[range($n) | {spec: "chara_card_v2", spec_version: "2.0",
		data: {name: "Card \(.)", description: "card \(.) of many", personality: "p",
		       scenario: "s", first_mes: "hi", tags: ["a", "b"]}}]' > "$BATS_TEST_TMPDIR/many.json"
	run -0 persona-import "$BATS_TEST_TMPDIR/many.json"
	C=$(mkchar Inkeeper)
	WREN=$(mkpersona Wren)
	S=$(mksession --character Inkeeper --persona Wren --no-greeting)
}

teardown() { keys_teardown; }

# writer NAME COMMAND...: run COMMAND NAME-RUN in a loop until $STOP
# exists, each run's exit status and stderr appended to
# $BATS_TEST_TMPDIR/NAME.log as "RUN<TAB>STATUS<TAB>STDERR"; the count of
# runs so far in NAME.n
writer() {
	local name=$1 log=$BATS_TEST_TMPDIR/$1.log i=0 rc err
	shift
	while [[ ! -e $STOP ]]; do
		i=$((i + 1))
		rc=0
		err=$("$@" "$name-$i" 2>&1 > /dev/null) || rc=$?
		printf '%s\t%s\t%s\n' "$i" "$rc" "${err//$'\n'/ }" >> "$log"
		echo "$i" > "$BATS_TEST_TMPDIR/$name.n.new"
		mv "$BATS_TEST_TMPDIR/$name.n.new" "$BATS_TEST_TMPDIR/$name.n"
	done
}

runs() { cat "$BATS_TEST_TMPDIR/$1.n" 2> /dev/null || echo 0; }

# wait_runs NAME N: until writer NAME has run N times (bounded: 60 s)
wait_runs() {
	local deadline=$((SECONDS + 60))
	while (($(runs "$1") < $2)); do
		((SECONDS < deadline)) || fail "writer $1 made no progress"
		sleep 0.01
	done
}

update_card() { persona update --character Inkeeper --set "personality=run $1"; }
create_persona() { persona create --name "Racer $1" --description "made on run $1"; }
append_message() { printf 'line %s\n' "$1" | session-log append "$S"; }

# stored KIND: the runs of KIND's writers told stored (exit 0)
stored() { cat "$BATS_TEST_TMPDIR/$1".*.log | awk -F'\t' '$2 == 0' | wc -l; }

# Each run either succeeded or was refused with 75 and the message that
# says why; nothing else. Why: the key changed under it, or it waited for
# the rekey's lock past the busy timeout (a rekey of thousands of cards on
# PostgreSQL, a round trip a row, can outlast it: "try again" as well).
assert_clean_log() {
	while IFS=$'\t' read -r _ rc err; do
		case $rc in
		0) assert_equal "$err" "" ;;
		75) assert_regex "$err" "^(persona|session-log): (the key of user 'alice' changed while this ran \\(persona-encrypt rekey\\): run again|database '[^']*'(: canceling statement due to lock timeout \\(try again\\)| is busy \\(gave up after [0-9]+ ms\\)))$" ;;
		*) fail "$1: exit $rc: $err" ;;
		esac
	done < "$BATS_TEST_TMPDIR/$1.log"
}

@test "writes racing rekey: none sealed under the retired key; each stored or refused with 75" {
	local round w
	STOP=$BATS_TEST_TMPDIR/stop
	for round in 1 2 3; do
		rm -f "$STOP" "$BATS_TEST_TMPDIR"/*.n
		for w in "${RACERS[@]}"; do
			case $w in
			card.*) writer "$w" update_card & ;;
			personas.*) writer "$w" create_persona & ;;
			messages.*) writer "$w" append_message & ;;
			esac
		done
		for w in "${RACERS[@]}"; do wait_runs "$w" 1; done
		run -0 --separate-stderr persona-encrypt rekey -u alice
		assert_equal "$stderr" ""
		# two more runs each, so every writer started during the rekey
		for w in "${RACERS[@]}"; do wait_runs "$w" $(($(runs "$w") + 2)); done
		touch "$STOP"
		wait
		for w in "${RACERS[@]}"; do assert_clean_log "$w"; done
		run -0 --separate-stderr persona-encrypt verify -u alice
		assert_equal "$stderr" ""
	done
	# the race happened: some writer read its key before a rekey committed
	(($(cat "$BATS_TEST_TMPDIR"/{card,personas,messages}.*.log | awk -F'\t' '$2 == 75' | wc -l) > 0)) ||
		fail "no writer raced a rekey"
	# what was told stored is there and opens under the current key
	run -0 --separate-stderr persona show --character Inkeeper
	assert_equal "$stderr" ""
	run -0 --separate-stderr session-log show "$S"
	assert_equal "$stderr" ""
	assert_equal "$(wc -l <<< "$output")" "$(stored messages)"
	run -0 --separate-stderr persona list
	assert_equal "$stderr" ""
	assert_equal "$(grep -c '"name":"Racer ' <<< "$output")" "$(stored personas)"
}

@test "an import whose key a rekey retired stores nothing: 75, and a rerun stores it all" {
	local gate=$BATS_TEST_TMPDIR/gate.json fd pid rc=0
	mkfifo "$gate"
	persona-import --batch 20 "$gate" "$BATS_TEST_TMPDIR/many.json" \
		> "$BATS_TEST_TMPDIR/import.out" 2> "$BATS_TEST_TMPDIR/import.err" &
	pid=$!
	# opening the FIFO waits for the importer to open it, which it does
	# with its key in hand; the rekey then retires that key
	exec {fd}> "$gate"
	run -0 --separate-stderr persona-encrypt rekey -u alice
	assert_equal "$stderr" ""
	printf '{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Gate","description":"d"}}\n' >&"$fd"
	exec {fd}>&-
	wait "$pid" || rc=$?
	assert_equal "$rc" 75
	assert_equal "$(cat "$BATS_TEST_TMPDIR/import.out")" ""
	assert_equal "$(cat "$BATS_TEST_TMPDIR/import.err")" \
		"persona-import: the key of user 'alice' changed while this ran (persona-encrypt rekey): run again"
	run -0 --separate-stderr persona-encrypt verify -u alice
	assert_equal "$stderr" ""
	printf '{"spec":"chara_card_v2","spec_version":"2.0","data":{"name":"Gate","description":"d"}}\n' > "$BATS_TEST_TMPDIR/gate2.json"
	run_ok persona-import "$BATS_TEST_TMPDIR/gate2.json"
	assert_equal "$(jq -r .status <<< "$output")" created
	run_ok persona-encrypt verify -u alice
}

@test "16 parallel merge patches of different keys: all 16 kept" {
	local k
	seq 1 "$PATCHES" | xargs -P"$PATCHERS" -I@ sh -c \
		'echo "{\"data\":{\"extensions\":{\"k@\":@}}}" | persona update --persona Wren > /dev/null'
	run -0 --separate-stderr persona show --persona Wren
	assert_equal "$stderr" ""
	for k in $(seq 1 "$PATCHES"); do
		assert_equal "$(jq -c ".data.extensions.k$k" <<< "$output")" "$k"
	done
}

@test "8 parallel --set of eight different fields: all 8 kept" {
	local f
	local -a fields=(personality scenario first_mes mes_example creator_notes system_prompt post_history_instructions creator)
	printf '%s\n' "${fields[@]}" | xargs -P8 -I{} persona update --character Inkeeper --set '{}=set {}' > /dev/null
	run -0 --separate-stderr persona show --character Inkeeper
	assert_equal "$stderr" ""
	for f in "${fields[@]}"; do
		assert_equal "$(jq -r ".data.$f" <<< "$output")" "set $f"
	done
}

@test "parallel session-bind set of different settings: all kept" {
	printf '%s\n' temperature=0.5 top_p=0.9 top_k=40 max_tokens=300 seed=7 \
		history_limit=20 context_tokens=4096 frequency_penalty=0.1 |
		xargs -P8 -I{} session-bind set "$S" '{}' > /dev/null
	run -0 --separate-stderr session-bind show "$S"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '.settings | [.temperature, .top_p, .top_k, .max_tokens, .seed, .history_limit, .context_tokens, .frequency_penalty]' <<< "$output")" \
		'[0.5,0.9,40,300,7,20,4096,0.1]'
}
