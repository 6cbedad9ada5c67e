# shellcheck shell=sh
# sandbox.sh: the set-up every example shares, sourced (not an example
# itself): the built commands first on PATH, a throwaway database and
# runtime directory in $tmp (removed on exit, the user locked again), a
# cheap key derivation, a demo passphrase in $tmp/passphrase; $top is the
# source tree. Then tidy and made, which show output the same on every run.
top=$(cd "$(dirname "$0")/.." && pwd)
: "${GUISE_BUILD:=$top/build}"
PATH=$GUISE_BUILD/bin:$PATH
tmp=$(mktemp -d)
export GUISE_DB="$tmp/guise.db" XDG_RUNTIME_DIR="$tmp/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
trap 'persona-encrypt lock -q > /dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
# A cheap key derivation for a demo; real users keep the default.
export GUISE_KDF="${GUISE_KDF:-interactive}"
printf 'a demo passphrase\n' > "$tmp/passphrase"

# Ids and times differ on every run: tidy shows each id as the label it was
# given when it was made, and every time as "...".
: > "$tmp/ids.sed"
tidy() {
	sed -f "$tmp/ids.sed" \
		-e 's/"created_at":"[^"]*"/"created_at":"..."/g' \
		-e 's/"updated_at":"[^"]*"/"updated_at":"..."/g' \
		-e 's/"expires_at":"[^"]*"/"expires_at":"..."/g'
}
# made LABEL COMMAND...: run a command that makes something, remember the
# id it printed as LABEL (and in $id), and show its output tidied.
made() {
	label=$1
	shift
	"$@" > "$tmp/out"
	id=$(jq -r .id < "$tmp/out")
	printf 's/%s/%s/g\n' "$id" "$label" >> "$tmp/ids.sed"
	tidy < "$tmp/out"
}
