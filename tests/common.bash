# Shared set-up for every suite: the built binaries first on PATH, the C
# locale, a database in the test's own temp dir, a cheap KDF for tests.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BUILD=${GUISE_BUILD:-$TOP/build}
PATH=$BUILD/bin:$PATH
DATA=$TOP/tests/data
export LC_ALL=C PATH TOP BUILD DATA

common_setup() {
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME"
	export GUISE_DB=$BATS_TEST_TMPDIR/guise.db
	export GUISE_KDF=min
	unset GUISE_USER GUISE_FORMAT XDG_DATA_HOME GUISE_PASSPHRASE \
		GUISE_PASSPHRASE_FILE GUISE_SESSION
}

# Under a sanitizer, virtual memory limits mean nothing (ASan reserves
# terabytes of address space); those assertions run in a plain build only.
sanitized() {
	case $BUILD in *-address* | *-undefined* | *-thread* | *-memory*) return 0 ;; esac
	return 1
}

# run_ok CMD...: run CMD, which must succeed with nothing on stderr (STYLE
# 16 as the default); $output, $lines and $stderr stay for further asserts.
run_ok() {
	run -0 --separate-stderr "$@"
	[ -z "$stderr" ] || fail "$(printf 'run_ok %s: unexpected stderr:\n%s' "$*" "$stderr")"
}

# run_err STATUS MESSAGE CMD...: run CMD, which must exit STATUS with nothing
# on stdout and exactly MESSAGE on stderr: the failing side of run_ok.
run_err() {
	local want=$2
	run "-$1" --separate-stderr "${@:3}"
	assert_output ""
	assert_equal "$stderr" "$want"
}

# pngsuite_expected GLOB: the rows "file<TAB>status<TAB>reason" of the
# PngSuite expectations (tests/data/pngsuite/expected.tsv, read by the png
# and import suites alike) whose file name matches GLOB.
pngsuite_expected() {
	local file status reason
	while IFS=$'\t' read -r file status reason; do
		# shellcheck disable=SC2053 # $1 is a glob
		[[ $file == '#'* || $file != $1 ]] ||
			printf '%s\t%s\t%s\n' "$file" "$status" "$reason"
	done < "$DATA/pngsuite/expected.tsv"
}

# wait_until SECONDS COMMAND...: run COMMAND every 20 ms until it succeeds;
# fails if it has not after SECONDS. For waiting on another process's
# progress instead of sleeping for a guessed time.
wait_until() {
	local deadline=$((SECONDS + $1 + 1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || fail "waited in vain for: $*"
		sleep 0.02
	done
}

# hold_reader: a sqlite3 reader inside a read transaction on $GUISE_DB, so
# its -wal and -shm files stay there to look at, until release_reader. It
# waits for the reader's first answer, not for a guessed time.
hold_reader() {
	local fifo=$BATS_TEST_TMPDIR/reader.fifo
	mkfifo "$fifo"
	sqlite3 "$GUISE_DB" < "$fifo" > "$BATS_TEST_TMPDIR/reader.out" &
	READER_PID=$!
	exec {READER_FD}> "$fifo"
	echo 'BEGIN; SELECT count(*) FROM users;' >&"$READER_FD"
	until [[ -s $BATS_TEST_TMPDIR/reader.out ]]; do sleep 0.02; done
}

release_reader() {
	echo 'COMMIT;' >&"$READER_FD"
	exec {READER_FD}>&-
	wait "$READER_PID"
	rm -f "$BATS_TEST_TMPDIR/reader.fifo"
}
