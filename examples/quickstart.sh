#!/bin/sh
# The main job of guise, as far as it has landed, against a throwaway
# database (make demo runs this). Each command that lands adds its step.
set -eu
: "${GUISE_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
PATH=$GUISE_BUILD/bin:$PATH
tmp=$(mktemp -d)
export GUISE_DB="$tmp/guise.db" XDG_RUNTIME_DIR="$tmp/run"
mkdir -m 700 "$XDG_RUNTIME_DIR"
trap 'persona-encrypt lock -q > /dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
# A cheap key derivation for a demo; real users keep the default.
export GUISE_KDF="${GUISE_KDF:-interactive}"
printf 'a demo passphrase\n' > "$tmp/passphrase"

echo "# a user and her keys (the recovery key is printed once: keep it)"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt init -u alice -y |
	sed 's/^recovery_key: .*/recovery_key: (printed once, shown here elided)/'

echo "# unlock once: the key waits in the kernel keyring for the pipeline"
GUISE_PASSPHRASE_FILE="$tmp/passphrase" persona-encrypt unlock --timeout 5m |
	sed 's/"expires_at":"[^"]*"/"expires_at":"..."/'

echo "# a persona record, sealed for alice and opened again"
printf 'kind: persona\nid: p1\nname: Wren\ndescription: A quiet cartographer.\nshy: no\n' |
	persona-encrypt seal > "$tmp/sealed.json"
grep -c guise_sealed "$tmp/sealed.json"
persona-encrypt open < "$tmp/sealed.json"

echo "# every encrypted field of alice checks out"
persona-encrypt verify

echo "# lock: the key is gone, and commands fail closed"
persona-encrypt lock
echo '{"name":"Wren"}' | persona-encrypt seal 2>&1 || echo "exit status $?"
