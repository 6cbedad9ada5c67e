#!/bin/sh
# Cost per process of getting a user's key, with and without the unlock
# cache: N invocations of 'persona-encrypt verify' (which gets the key and
# finds no field to check) each way. Without the cache every process
# derives the key with Argon2id; with it, the key comes from the keyring.
# BENCH_N (default 1000) and BENCH_KDF (default interactive; moderate is
# the product default and takes about 0.5 s a derivation) are settable.
set -eu
BUILD=${GUISE_BUILD:-../build}
PE=$BUILD/bin/persona-encrypt
N=${BENCH_N:-1000}
KDF=${BENCH_KDF:-interactive}
tmp=$(mktemp -d)
export GUISE_DB="$tmp/guise.db" GUISE_KDF="$KDF"
printf 'bench passphrase\n' > "$tmp/pass"
trap '"$PE" lock -q > /dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
GUISE_PASSPHRASE_FILE="$tmp/pass" "$PE" init -u bench > /dev/null

# run N: mean microseconds per invocation
run() {
	start=$(date +%s%N)
	i=0
	while [ "$i" -lt "$N" ]; do
		"$PE" verify -q > /dev/null
		i=$((i + 1))
	done
	end=$(date +%s%N)
	echo $(( (end - start) / N / 1000 ))
}

uncached=$(GUISE_PASSPHRASE_FILE="$tmp/pass" run)
GUISE_PASSPHRASE_FILE="$tmp/pass" "$PE" unlock > /dev/null
cached=$(run)
awk -v n="$N" -v kdf="$KDF" -v u="$uncached" -v c="$cached" 'BEGIN {
	printf "key per process, %d invocations each, KDF preset %s\n", n, kdf
	printf "  without the unlock cache (Argon2id each time): %9.3f ms\n", u / 1000
	printf "  with the unlock cache (kernel keyring):        %9.3f ms\n", c / 1000
	printf "  ratio without/with: %.1fx\n", u / c
}'
