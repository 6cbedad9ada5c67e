# shellcheck shell=sh
# What every bench stands on, sourced after `set -eu`: the build's binaries
# ($BIN) and the tree ($TOP), the cheap KDF, a throwaway directory $tmp
# (removed on exit, with any unlock cache of $GUISE_DB dropped) that holds
# the passphrase file and the runtime dir of the unlock cache, and
# unlocked_user, which makes the user "bench" in $GUISE_DB and unlocks it
# (the kernel keyring, else a session token) so that no run derives a key.
BUILD=${GUISE_BUILD:-../build}
BIN=$(cd "$BUILD/bin" && pwd)
# shellcheck disable=SC2034 # the benches that read tree files use it
TOP=$(cd "$(dirname "$0")/.." && pwd)
export GUISE_KDF="${BENCH_KDF:-min}"
tmp=$(mktemp -d)
export GUISE_DB="$tmp/guise.db" XDG_RUNTIME_DIR="$tmp/run"
unset GUISE_USER GUISE_FORMAT GUISE_SESSION GUISE_PASSPHRASE GUISE_PASSPHRASE_FILE
trap '"$BIN/persona-encrypt" lock -q > /dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -m 700 "$XDG_RUNTIME_DIR"
printf 'bench passphrase\n' > "$tmp/pass"

unlocked_user() {
	GUISE_PASSPHRASE_FILE="$tmp/pass" "$BIN/persona-encrypt" init -u bench > /dev/null
	if ! GUISE_PASSPHRASE_FILE="$tmp/pass" "$BIN/persona-encrypt" unlock > /dev/null 2>&1; then
		eval "$(GUISE_PASSPHRASE_FILE="$tmp/pass" "$BIN/persona-encrypt" unlock --token)"
	fi
}
