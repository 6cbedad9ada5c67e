#!/bin/sh
# How fast persona-import stores cards, and in how little memory, against
# what the same bytes cost without it:
# - BENCH_PNG (2000) PNG cards of real size (tests/data/cards-aicharlib/
#   melina.png, 486 KB, each with its own name), imported into a fresh
#   database against `cat` of the files and against sqlite3 storing them as
#   blobs with readfile() in one transaction (target: within 2x of sqlite3);
# - `persona-import -n` of the same PNGs against bench/node-png-reader.mjs
#   (@lenml/char-card-reader in one Node process, timed by itself once
#   loaded; target: 3x faster);
# - BENCH_JSON (20000) small JSON cards, one file each, against the goal
#   of 20000 cards/s and against sqlite3 storing the same files as blobs
#   (readfile() in one transaction);
# - both imports as cards/s too, the PNG one against sqlite3's rate, and
#   per CPU second (user + system time), which a machine busy with other
#   work disturbs less than the wall time;
# - the peak RSS of every persona-import run (target: under 64 MiB whatever
#   the batch size: the PNG import is also run with --batch 2000, and with
#   --batch 1 on BENCH_BATCH1 (200) of the files).
# Each import goes into a fresh database whose user is unlocked first (the
# kernel keyring, else a session token), so no run derives a key. Times are
# the best of BENCH_RUNS (3), peak RSS the worst. The result is a table;
# the exit status is 0 even when a target is missed.
set -eu
# shellcheck source=bench/lib/sandbox.sh disable=SC1091
. "$(dirname "$0")/lib/sandbox.sh"
NPNG=${BENCH_PNG:-2000}
NJSON=${BENCH_JSON:-20000}
NB1=${BENCH_BATCH1:-200}
RUNS=${BENCH_RUNS:-3}
# every database made has its unlock cache dropped on exit, not only the
# sandbox's own
dbs=
cleanup() {
	for db in $dbs; do
		GUISE_DB=$db "$BIN/persona-encrypt" lock > /dev/null 2>&1 || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"

# --- inputs ---
t0=$(date +%s%N)
mkdir png json
"$BIN/test-tool" png-strip "$TOP/tests/data/cards-aicharlib/melina.png" bare.png
"$BIN/test-tool" png-card "$TOP/tests/data/cards-aicharlib/melina.png" 2> /dev/null |
	jq -r --argjson n "$NPNG" '. as $c | range(1; $n + 1) |
		. as $i | $c | .data.name = "Melina \($i)" | tojson | @base64' |
	{
		i=0
		while IFS= read -r b64; do
			i=$((i + 1))
			printf '%s' "$b64" |
				"$BIN/test-tool" png-add bare.png "$(printf 'png/m%05d.png' "$i")" tEXt chara
		done
	}
awk -v n="$NJSON" 'BEGIN {
	for (i = 1; i <= n; i++) {
		f = sprintf("json/c%05d.json", i)
		printf "{\"spec\":\"chara_card_v2\",\"spec_version\":\"2.0\",\"data\":{" \
			"\"name\":\"Wren %d\",\"description\":\"{{char}} is a traveller of the north " \
			"roads, number %d of a big import, quiet, curious and kind to strangers.\"," \
			"\"personality\":\"patient, dry humour\",\"scenario\":\"{{user}} meets " \
			"{{char}} at an inn.\",\"first_mes\":\"*looks up from a map* Lost, are we?\"," \
			"\"mes_example\":\"<START>\\n{{user}}: Hello.\\n{{char}}: Hello yourself.\"," \
			"\"creator_notes\":\"\",\"system_prompt\":\"\",\"post_history_instructions\":\"\"," \
			"\"alternate_greetings\":[],\"tags\":[\"fantasy\",\"bench\"],\"creator\":\"bench\"," \
			"\"character_version\":\"1\",\"extensions\":{}}}\n", i, i > f
		close(f)
	}
}'
pngbytes=$(cat png/*.png | wc -c)
jsonbytes=$(cat json/*.json | wc -c)
t1=$(date +%s%N)
echo "inputs: $NPNG PNG cards ($((pngbytes / NPNG / 1024)) KiB each), $NJSON JSON cards ($((jsonbytes / NJSON)) bytes each), made in $(((t1 - t0) / 1000000)) ms"

# --- helpers ---

# fresh NAME: a new database with an unlocked user, as $GUISE_DB (the one
# of an earlier run by that name is removed)
fresh() {
	GUISE_DB="$tmp/$1.db"
	export GUISE_DB
	if [ -e "$GUISE_DB" ]; then
		"$BIN/persona-encrypt" lock > /dev/null 2>&1 || true
		rm -f "$GUISE_DB" "$GUISE_DB-wal" "$GUISE_DB-shm"
	else
		dbs="$dbs $GUISE_DB"
	fi
	unlocked_user
}

# keep NAME.EXT VALUE min|max: the smaller (larger) of VALUE and the file's
keep() {
	if [ ! -e "$tmp/$1" ] ||
		{ [ "$3" = min ] && [ "$2" -lt "$(cat "$tmp/$1")" ]; } ||
		{ [ "$3" = max ] && [ "$2" -gt "$(cat "$tmp/$1")" ]; }; then
		echo "$2" > "$tmp/$1"
	fi
}

# timed NAME CMD...: the best wall time of CMD so far in us in $tmp/NAME.us,
# the least CPU time (user + system) in us in $tmp/NAME.cpu, the largest
# peak RSS in KiB in $tmp/NAME.rss, stdout in $tmp/NAME.out
timed() {
	name=$1
	shift
	sync # no run pays for the write-back of the one before
	start=$(date +%s%N)
	/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$@" > "$tmp/$name.out"
	end=$(date +%s%N)
	keep "$name.us" $(((end - start) / 1000)) min
	keep "$name.rss" "$(tail -n 1 "$tmp/rss" | cut -d ' ' -f 1)" max
	keep "$name.cpu" "$(tail -n 1 "$tmp/rss" | awk '{ printf "%d", ($2 + $3) * 1e6 }')" min
}

us() { cat "$tmp/$1.us"; }
cpu() { cat "$tmp/$1.cpu"; }
rss() { cat "$tmp/$1.rss"; }
# rate COUNT US: COUNT things in US microseconds, per second
rate() { awk -v n="$1" -v u="$2" 'BEGIN { printf "%d", (u > 0 ? n / (u / 1e6) : 0) }'; }

# check NAME COUNT: the summary says COUNT cards were created
check() {
	got=$(grep -c '"status":"created"' "$tmp/$1.out" || true)
	[ "$got" -eq "$2" ] || echo "warning: $1: $got of $2 cards created" >&2
}

rows=
# row MEASURE VALUE BASELINE RATIO TARGET VERDICT
row() { rows="$rows$1	$2	$3	$4	$5	$6
"; }

# verdict VALUE OP LIMIT: PASS or FAIL
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
	ok = op == "<=" ? v <= l : op == "<" ? v < l : v >= l
	print ok ? "PASS" : "FAIL" }'; }

fmt() { awk -v x="$1" -v d="$2" 'BEGIN { printf "%.*f", d, x }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%s", (b == 0 ? "-" : sprintf("%.2f", a / b)) }'; }

# --- the runs ---
# Each measure is the best of BENCH_RUNS, so that a machine busy with
# something else for a moment does not decide a verdict.

ls png/*.png > list
ls json/*.json > jsonlist
head -n "$NB1" list > subset
# sqlite3_stores NAME LIST [SQL]: sqlite3 storing the files named in LIST
# as blobs in one transaction (after SQL, if given) into a fresh base.db,
# timed as NAME: the baseline of what the same bytes cost without guise
sqlite3_stores() {
	rm -f base.db base.db-wal base.db-shm
	timed "$1" sqlite3 base.db ${3:+"$3"} "CREATE TABLE t (name TEXT, data BLOB)" \
		"CREATE TABLE f (name TEXT)" ".import --csv $2 f" \
		"BEGIN" "INSERT INTO t SELECT name, readfile(name) FROM f" "COMMIT"
}

cat png/*.png > /dev/null # the page cache, for everyone alike
run=0
while [ "$run" -lt "$RUNS" ]; do
	run=$((run + 1))
	printf 'run %d of %d\n' "$run" "$RUNS" >&2
	timed cat sh -c 'exec cat png/*.png > /dev/null'
	sqlite3_stores sqlite3 list
	stored=$(sqlite3 base.db 'SELECT count(*), sum(length(data)) FROM t')
	[ "$stored" = "$NPNG|$pngbytes" ] || echo "warning: sqlite3 baseline stored $stored" >&2
	# the same in WAL mode, which DESIGN.md §5 requires of guise: every
	# page is written twice (the log, then the checkpoint)
	sqlite3_stores sqlite3wal list "PRAGMA journal_mode=WAL"
	rm -f base.db base.db-wal base.db-shm

	fresh png
	timed png "$BIN/persona-import" png/*.png
	check png "$NPNG"
	timed dry "$BIN/persona-import" -n png/*.png
	[ "$(grep -c . "$tmp/dry.out")" -eq "$NPNG" ] ||
		echo "warning: -n told $(grep -c . "$tmp/dry.out") cards" >&2
	sync
	start=$(date +%s%N)
	node "$TOP/bench/node-png-reader.mjs" png > node.out
	end=$(date +%s%N)
	[ "$(awk '{ print $2 }' node.out)" -eq "$NPNG" ] || echo "warning: $(cat node.out)" >&2
	keep node.us "$(awk '{ printf "%d", $(NF - 1) * 1e6 }' node.out)" min
	keep nodeall.us $(((end - start) / 1000)) min
	fresh json
	timed json "$BIN/persona-import" json/*.json
	check json "$NJSON"
	sqlite3_stores sqlite3json jsonlist
	stored=$(sqlite3 base.db 'SELECT count(*), sum(length(data)) FROM t')
	[ "$stored" = "$NJSON|$jsonbytes" ] || echo "warning: sqlite3 JSON baseline stored $stored" >&2
	rm -f base.db
done
# the batch sizes, for memory: once
fresh png
timed png2000 "$BIN/persona-import" --batch 2000 png/*.png
check png2000 "$NPNG"
fresh png
# shellcheck disable=SC2046 # file names without blanks, split on purpose
timed png1 "$BIN/persona-import" --batch 1 $(cat subset)
check png1 "$NB1"

# --- the table ---
ms() { fmt "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))" 1; }
png_us=$(us png)
sq_us=$(us sqlite3)
ratio=$(div "$png_us" "$sq_us")
row "PNG import, $NPNG files" "$(ms "$png_us") ms" "sqlite3 readfile $(ms "$sq_us") ms" \
	"${ratio}x" "<= 2x" "$(verdict "$ratio" "<=" 2)"
row "  against sqlite3 in WAL mode" "$(ms "$png_us") ms" "sqlite3 WAL $(ms "$(us sqlite3wal)") ms" \
	"$(div "$png_us" "$(us sqlite3wal)")x" "-" "-"
row "  reading them (cat)" "$(ms "$(us cat)") ms" "-" "$(div "$png_us" "$(us cat)")x" "-" "-"
png_rate=$(rate "$NPNG" "$png_us")
sq_rate=$(rate "$NPNG" "$sq_us")
# the row above as rates: within 2x of sqlite3's time is at least half its rate
row "PNG cards/s" "$png_rate cards/s" "sqlite3 readfile $sq_rate/s" \
	"$(div "$png_rate" "$sq_rate")x" "(>= 0.5x)" "-"
row "  per CPU second" "$(rate "$NPNG" "$(cpu png)") cards/s" \
	"sqlite3 $(rate "$NPNG" "$(cpu sqlite3)")/s" \
	"$(div "$(cpu sqlite3)" "$(cpu png)")x" "-" "-"
dry_us=$(us dry)
node_us=$(us node)
ratio=$(div "$node_us" "$dry_us")
row "PNG read -n, $NPNG files" "$(ms "$dry_us") ms" "node reader $(ms "$node_us") ms" \
	"${ratio}x faster" ">= 3x" "$(verdict "$ratio" ">=" 3)"
row "  node, with its start" "$(ms "$(us nodeall)") ms" "-" \
	"$(div "$(us nodeall)" "$dry_us")x" "-" "-"
json_us=$(us json)
json_rate=$(rate "$NJSON" "$json_us")
row "JSON cards/s, $NJSON files" "$json_rate cards/s" "goal 20000/s" \
	"$(div "$json_rate" 20000)x" ">= 20000/s" "$(verdict "$json_rate" ">=" 20000)"
row "  against sqlite3" "$(ms "$json_us") ms" "sqlite3 readfile $(ms "$(us sqlite3json)") ms" \
	"$(div "$json_us" "$(us sqlite3json)")x" "-" "-"
row "  per CPU second" "$(rate "$NJSON" "$(cpu json)") cards/s" \
	"sqlite3 $(rate "$NJSON" "$(cpu sqlite3json)")/s" \
	"$(div "$(cpu sqlite3json)" "$(cpu json)")x" "-" "-"
for r in png:"PNG, --batch 200" png2000:"PNG, --batch 2000" png1:"PNG, --batch 1 ($NB1 files)" \
	dry:"PNG, -n" json:"JSON, --batch 200"; do
	name=${r%%:*}
	kib=$(rss "$name")
	row "peak RSS $(echo "$r" | cut -d: -f2-)" "$(fmt "$(div "$kib" 1024)" 1) MiB" "-" "-" \
		"< 64 MiB" "$(verdict "$kib" "<" 65536)"
done
printf '%s' "$rows" | awk -F '\t' 'BEGIN {
	printf "%-36s %-16s %-28s %-14s %-10s %s\n", "measure", "value", "baseline", "ratio",
		"target", "verdict" }
	{ printf "%-36s %-16s %-28s %-14s %-10s %s\n", $1, $2, $3, $4, $5, $6 }
	$6 == "FAIL" { failed++ }
	END { print failed ? failed " target(s) missed" : "every target met" }'
