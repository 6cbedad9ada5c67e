#!/bin/sh
# Many writers on one store (issue 17, DESIGN.md §5 "A shared store:
# PostgreSQL"): 1, 8 and 32 (BENCH_FAN_WRITERS) writers at once, on one
# SQLite file and on one PostgreSQL database (a throwaway cluster,
# bench/lib/pg-cluster.sh, on a Unix socket), each writer one process after
# another as a batch job fanned out over hosts runs them:
# - importers: each its own user, BENCH_FAN_IMPORTS (10) persona-import
#   processes of BENCH_FAN_CARDS (10) small JSON cards each (a card a write);
# - recorders: each its own user and session, BENCH_FAN_TURNS (20)
#   `session-log append` processes of one message each (a chat turn, as
#   llm-send --record writes it; a message a write);
# - recorders of one user, each into a session of its own: on PostgreSQL a
#   user's writes wait for each other (the row lock on the user, see
#   g_user_begin_write), as every write does on a file.
# For each: writes/s, against 1 writer (how throughput grows), and the
# failures: every process that exited non-zero, printed with its status and
# message (target: none). At the end, each store is read back: what the
# writers said they stored must be there, no more and no less. Every user
# is unlocked first (the kernel keyring, else a session token), so no
# process derives a key. Without a PostgreSQL server (scripts/install-deps)
# the bench says so and runs the SQLite half. The exit status is 0 even
# when a write failed. The cluster is tests/pg.bash's: on this host,
# sharing its CPUs with the writers, and without fsync, so it pays no disk
# flush where the file pays one a commit; its figures show how writers
# share a server, not what a server of its own would do.
set -eu
# shellcheck source=bench/lib/sandbox.sh disable=SC1091
. "$(dirname "$0")/lib/sandbox.sh"
LIB=$(cd "$(dirname "$0")/lib" && pwd)
WRITERS=${BENCH_FAN_WRITERS:-1 8 32}
IMPORTS=${BENCH_FAN_IMPORTS:-10}
CARDS=${BENCH_FAN_CARDS:-10}
TURNS=${BENCH_FAN_TURNS:-20}
# shellcheck disable=SC2086 # numbers, split on purpose
most=$(printf '%s\n' $WRITERS | sort -n | tail -n 1)

# every user of every store is locked again on exit, before the cluster
# (which the lock needs) is stopped
stores=''
cluster=''
cleanup() {
	for db in $stores; do
		w=0
		while [ "$w" -lt "$most" ]; do
			w=$((w + 1))
			GUISE_DB=$db "$BIN/persona-encrypt" lock -q -u "w$w" > /dev/null 2>&1 || true
		done
	done
	if [ -n "$cluster" ]; then
		(eval "export $cluster" && bash "$LIB/pg-cluster.sh" stop) || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
# the machine's other work disturbs every figure: said with them
load="load average $(cut -d ' ' -f 1-3 /proc/loadavg 2> /dev/null || echo unknown) on $(nproc) CPUs"
cd "$tmp"
printf 'One of many chat turns written at once by a fanned-out batch.\n' > turn.txt

# store_ready NAME: users w1..w$most in $GUISE_DB, each unlocked, with a
# character and a session (w1 with one for each writer: s1..s$most); their
# ids in NAME.w<N>.s<M>. Fails, saying why, if the store will not take them.
store_ready() {
	w=0
	while [ "$w" -lt "$most" ]; do
		w=$((w + 1))
		GUISE_PASSPHRASE_FILE="$tmp/pass" "$BIN/persona-encrypt" init -u "w$w" \
			> /dev/null 2> err || { sed "s/^/  /" err >&2 && return 1; }
		if ! GUISE_PASSPHRASE_FILE="$tmp/pass" "$BIN/persona-encrypt" unlock -u "w$w" > /dev/null 2>&1; then
			GUISE_PASSPHRASE_FILE="$tmp/pass" "$BIN/persona-encrypt" unlock -u "w$w" --token |
				sed -n 's/^\(GUISE_SESSION=[^;]*\);.*/\1/p' > "$1.w$w.token"
		fi
		as "$1" "w$w" "$BIN/persona" create --character --name Melina \
			--description 'A traveller who guides the Tarnished.' > /dev/null
		n=1
		[ "$w" -ne 1 ] || n=$most
		s=0
		while [ "$s" -lt "$n" ]; do
			s=$((s + 1))
			as "$1" "w$w" "$BIN/session-bind" new --character Melina --no-persona --no-greeting |
				jq -r .id > "$1.w$w.s$s"
		done
	done
}

# as STORE USER CMD...: CMD as USER (with the user's session token, if it
# has one rather than the keyring)
as() {
	store=$1 user=$2
	shift 2
	if [ -e "$store.$user.token" ]; then
		env "$(cat "$store.$user.token")" GUISE_USER="$user" "$@"
	else
		GUISE_USER=$user "$@"
	fi
}

# attempt RUN LABEL STORE USER CMD...: CMD as USER, its output appended to
# RUN.out; a failure appended to RUN.fail, with its status and message
attempt() {
	run=$1 label=$2
	shift 2
	as "$@" >> "$run.out" 2> "$run.err" ||
		printf '%s: exit %d: %s\n' "$label" "$?" "$(tr '\n' ' ' < "$run.err")" >> "$run.fail"
}

# cards RUN W: the cards of writer W of RUN, in RUN.cW/, IMPORTS files of
# CARDS cards each, named for the run and the writer
cards() {
	mkdir "$1.c$2"
	awk -v dir="$1.c$2" -v run="$1" -v w="$2" -v imports="$IMPORTS" -v cards="$CARDS" 'BEGIN {
		for (j = 1; j <= imports; j++)
			for (k = 1; k <= cards; k++) {
				f = sprintf("%s/%03d-%03d.json", dir, j, k)
				printf "{\"spec\":\"chara_card_v2\",\"spec_version\":\"2.0\",\"data\":{" \
					"\"name\":\"Wren %s %d %d %d\",\"description\":\"{{char}} is a traveller " \
					"of the north roads, one of a fanned-out import, quiet and kind.\"," \
					"\"personality\":\"patient, dry humour\",\"scenario\":\"{{user}} meets " \
					"{{char}} at an inn.\",\"first_mes\":\"*looks up from a map* Lost, are we?\"," \
					"\"mes_example\":\"\",\"creator_notes\":\"\",\"system_prompt\":\"\"," \
					"\"post_history_instructions\":\"\",\"alternate_greetings\":[],\"tags\":[\"bench\"]," \
					"\"creator\":\"bench\",\"character_version\":\"1\",\"extensions\":{}}}\n", \
					run, w, j, k > f
				close(f)
			}
	}'
}

# importer RUN STORE W: writer W's imports, as user wW, of its cards
importer() {
	j=0
	while [ "$j" -lt "$IMPORTS" ]; do
		j=$((j + 1))
		attempt "$1.$3" "$1 writer $3 import $j" "$2" "w$3" \
			"$BIN/persona-import" "$1.c$3/$(printf %03d "$j")"-*.json
	done
}

# recorder RUN STORE W USER SESSION: writer W's turns, as USER, into SESSION
recorder() {
	t=0
	while [ "$t" -lt "$TURNS" ]; do
		t=$((t + 1))
		attempt "$1.$3" "$1 writer $3 turn $t" "$2" "$4" \
			"$BIN/session-log" append "$(cat "$5")" < turn.txt
	done
}

# writers STORE KIND N: N writers of KIND (import, record, record1) at once
# on STORE; prints "writes seconds failures" and keeps the failures in
# STORE.fail
writers() {
	run=$1.$2.$3
	w=0
	while [ "$2" = import ] && [ "$w" -lt "$3" ]; do
		w=$((w + 1))
		cards "$run" "$w"
	done
	sync
	start=$(date +%s%N)
	w=0
	while [ "$w" -lt "$3" ]; do
		w=$((w + 1))
		case $2 in
		import) importer "$run" "$1" "$w" & ;;
		record) recorder "$run" "$1" "$w" "w$w" "$1.w$w.s1" & ;;
		record1) recorder "$run" "$1" "$w" w1 "$1.w1.s$w" & ;;
		esac
	done
	wait
	end=$(date +%s%N)
	cat "$run".*.out > "$run.out" 2> /dev/null || : > "$run.out"
	cat "$run".*.fail > "$run.fail" 2> /dev/null || : > "$run.fail"
	cat "$run.fail" >> "$1.fail"
	case $2 in
	import) writes=$(grep -c '"status":"created"' "$run.out" || true) ;;
	*) writes=$(grep -c '^{"kind":"message"' "$run.out" || true) ;;
	esac
	echo "$writes" >> "$1.$2.written"
	echo "$writes $(((end - start) / 1000)) $(grep -c . "$run.fail" || true)"
}

# stored STORE: what the store holds against what the writers said they
# wrote (cards: every user's characters but Melina; messages: every session's)
stored() {
	said_cards=$(awk '{ n += $1 } END { print n + 0 }' "$1.import.written" 2> /dev/null || echo 0)
	said_msgs=$(cat "$1.record.written" "$1.record1.written" 2> /dev/null |
		awk '{ n += $1 } END { print n + 0 }')
	cards=0 msgs=0 w=0
	while [ "$w" -lt "$most" ]; do
		w=$((w + 1))
		cards=$((cards + $(as "$1" "w$w" "$BIN/persona" list --characters | grep -vc '"name":"Melina"' || true)))
		for s in "$1.w$w".s*; do
			msgs=$((msgs + $(as "$1" "w$w" "$BIN/session-bind" show "$(cat "$s")" | jq .messages)))
		done
	done
	if [ "$cards" -eq "$said_cards" ] && [ "$msgs" -eq "$said_msgs" ]; then
		echo "$1: read back: $cards cards, $msgs messages, as the writers said"
	else
		echo "$1: read back: $cards cards, $msgs messages; the writers said $said_cards and $said_msgs: LOST OR EXTRA WRITES"
	fi
}

# half STORE LABEL: every kind at every writer count on $GUISE_DB, as rows
half() {
	: > "$1.fail"
	for kind in import record record1; do
		base=
		for n in $WRITERS; do
			writers "$1" "$kind" "$n" > result
			read -r writes us fails < result
			rate=$(awk -v n="$writes" -v u="$us" 'BEGIN { printf "%d", (u > 0 ? n / (u / 1e6) : 0) }')
			[ -n "$base" ] || base=$rate
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$kind" "$n" "$writes" \
				"$(awk -v u="$us" 'BEGIN { printf "%.2f", u / 1e6 }')" "$rate" \
				"$(awk -v r="$rate" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? r / b : 0) }')" \
				"$fails" >> rows
		done
	done
	stored "$1" >> readback
}

: > rows
: > readback
GUISE_DB=$tmp/fanout.db
stores=$GUISE_DB
store_ready sqlite
half sqlite "SQLite file"

pg_note=
if ! cluster=$(bash "$LIB/pg-cluster.sh" start 2> pg.err); then
	cluster=
	pg_note="PostgreSQL half skipped: $(head -n 1 pg.err)"
else
	eval "$cluster"
	export GUISE_DB="postgresql:///guise_fanout?host=$PG_DIR&port=$PG_PORT&user=postgres"
	if ! "$PG_BINDIR/createdb" -h "$PG_DIR" -p "$PG_PORT" -U postgres guise_fanout 2> pg.err; then
		pg_note="PostgreSQL half skipped: createdb: $(head -n 1 pg.err)"
	elif ! store_ready pg 2> pg.err; then
		pg_note="PostgreSQL half skipped: this build cannot use it: $(head -n 1 pg.err)"
	elif [ "$("$PG_BINDIR/psql" -X -At -h "$PG_DIR" -p "$PG_PORT" -U postgres -d guise_fanout \
		-c "SELECT value FROM meta WHERE key = 'application'" 2> /dev/null)" != guise ]; then
		# a build from before the PostgreSQL store took the URI for a file name
		pg_note="PostgreSQL half skipped: this build does not know PostgreSQL stores"
	else
		stores="$stores $GUISE_DB"
		half pg PostgreSQL
	fi
fi

echo "fanout: per importer $IMPORTS persona-import runs of $CARDS cards; per recorder $TURNS session-log appends; at the start, $load"
awk -F '\t' 'BEGIN {
	printf "%-12s %-26s %7s %7s %8s %9s %10s %8s\n", "store", "writers", "number", "writes",
		"seconds", "writes/s", "x 1 writer", "failures"
	kinds["import"] = "importers (a user each)"
	kinds["record"] = "recorders (a user each)"
	kinds["record1"] = "recorders (one user)"
}
{ printf "%-12s %-26s %7d %7d %8s %9d %10s %8d\n", $1, kinds[$2], $3, $4, $5, $6, $7, $8 }
' rows
cat readback
if [ -n "$pg_note" ]; then
	echo "$pg_note"
else
	echo "PostgreSQL: a throwaway cluster on this host (its CPUs shared with the writers), fsync off"
fi
failed=$(cat sqlite.fail pg.fail 2> /dev/null | grep -c . || true)
if [ "$failed" -eq 0 ]; then
	echo "failures: none (target: none): PASS"
else
	echo "failures: $failed (target: none): FAIL"
	cat sqlite.fail pg.fail 2> /dev/null | sed 's/^/  /'
fi
