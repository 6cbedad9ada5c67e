#!/bin/sh
# The main job of guise, as far as it has landed, against a throwaway
# database (make demo runs this). Each command that lands adds its step.
set -eu
: "${GUISE_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
PATH=$GUISE_BUILD/bin:$PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GUISE_DB="$tmp/guise.db"

echo "# the store: one SQLite file, made 0600 in a 0700 directory"
test-tool store-open -y
stat -c %A "$GUISE_DB"

echo "# records in JSON or YAML, one at a time, either way out"
printf 'name: Wren\ndescription: |\n  A quiet cartographer.\nshy: no\n' | test-tool doc
printf '{"name":"Wren","tags":["quiet","0777"]}\n' | test-tool doc -y
