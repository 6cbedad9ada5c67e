#!/usr/bin/env bats
# persona-encrypt seal/open as a filter, and secrets that must never show:
# not in output, not in the database or its WAL, not in any argv.

load keys

setup_file() { store_setup_file; }

teardown_file() { store_teardown_file; }

setup() { keys_setup; }
teardown() { keys_teardown; }

@test "seal then open gives the records back; kind, id, spec and times stay plain" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock
	local in='{"kind":"persona","id":"p1","spec":"user_persona_spec_v1","name":"Wren","data":{"tags":["shy","0777"],"age":31,"note":"x\u0000y"}}
{"kind":"persona","id":"p2","name":"Ash"}'
	run_ok sh -c 'persona-encrypt seal > "$1"' _ "$BATS_TEST_TMPDIR/sealed" <<< "$in"
	run -0 grep -c guise_sealed "$BATS_TEST_TMPDIR/sealed"
	assert_output 2
	run -1 grep -E 'Wren|shy|0777|Ash' "$BATS_TEST_TMPDIR/sealed"
	assert_equal "$(head -1 "$BATS_TEST_TMPDIR/sealed" | grep -o '"kind":"persona","id":"p1","spec":"user_persona_spec_v1"')" \
		'"kind":"persona","id":"p1","spec":"user_persona_spec_v1"'
	run_ok persona-encrypt open "$BATS_TEST_TMPDIR/sealed"
	assert_output "$in"
	run_ok sh -c 'persona-encrypt open -y < "$1" | persona-encrypt seal | persona-encrypt open' _ "$BATS_TEST_TMPDIR/sealed"
	assert_output "$in"
}

@test "a sealed value moved to another field or record, or opened by another user, fails" {
	new_user alice
	new_user bob "$PASS2"
	local sealed
	sealed=$(GUISE_PASSPHRASE_FILE=$PASS1 persona-encrypt seal -u alice <<< '{"id":"p1","name":"Wren","title":"Bard"}')
	# swap two fields
	local moved
	moved=$(printf '%s' "$sealed" | sed 's/"name":\({[^}]*}\),"title":\({[^}]*}\)/"name":\2,"title":\1/')
	[[ $moved != "$sealed" ]]
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt open -u alice <<< "$moved"
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: '<stdin>': record 1: /name: ciphertext fails its integrity check"
	# another record id
	GUISE_PASSPHRASE_FILE=$PASS1 run -65 --separate-stderr persona-encrypt open -u alice <<< "${sealed/\"p1\"/\"p2\"}"
	assert_equal "$stderr" "persona-encrypt: '<stdin>': record 1: /name: ciphertext fails its integrity check"
	GUISE_PASSPHRASE_FILE=$PASS2 run -65 --separate-stderr persona-encrypt open -u bob <<< "$sealed"
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: '<stdin>': record 1: /name: sealed for another user"
}

@test "seal and open go on past a bad input file and say so at the end" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock
	printf '{"name":"A"}' > "$BATS_TEST_TMPDIR/good.json"
	printf '{"name":' > "$BATS_TEST_TMPDIR/bad.json"
	run -65 --separate-stderr persona-encrypt seal "$BATS_TEST_TMPDIR/bad.json" "$BATS_TEST_TMPDIR/good.json"
	assert_equal "${#lines[@]}" 1
	assert_equal "$stderr" "persona-encrypt: '$BATS_TEST_TMPDIR/bad.json':1:8: unexpected token near end of file"
}

@test "the passphrase, the data key and the recovery key never show: output, database, WAL, argv" {
	local canary='canary-Zebra-4711-passphrase' out=$BATS_TEST_TMPDIR/out
	printf '%s\n' "$canary" > "$PASS1"
	printf '%s-new\n' "$canary" > "$PASS2"
	mkdir -p "$out"
	# LeakSanitizer cannot run under ptrace; the rest of ASan can
	export ASAN_OPTIONS=detect_leaks=0
	GUISE_PASSPHRASE_FILE=$PASS1 strace -f -qq -e trace=execve -o "$out/trace.init" \
		persona-encrypt init -u alice -v > "$out/init.out" 2> "$out/init.err"
	# a reader holds the WAL open, so it is there to look at afterwards
	hold_reader
	character c1 alice
	put alice c1 name Seraphina
	GUISE_PASSPHRASE_FILE=$PASS1 strace -f -qq -e trace=execve -o "$out/trace.unlock" \
		persona-encrypt unlock -v > "$out/unlock.out" 2> "$out/unlock.err"
	persona-encrypt seal -v <<< '{"id":"r","name":"Wren"}' > "$out/seal.out" 2> "$out/seal.err"
	persona-encrypt open -v < "$out/seal.out" > "$out/open.out" 2> "$out/open.err"
	persona-encrypt verify -v > "$out/verify.out" 2> "$out/verify.err"
	GUISE_PASSPHRASE_FILE=$PASS1 GUISE_NEW_PASSPHRASE_FILE=$PASS2 strace -f -qq -e trace=execve \
		-o "$out/trace.passwd" persona-encrypt passwd -v > "$out/passwd.out" 2> "$out/passwd.err"
	GUISE_PASSPHRASE_FILE=$PASS2 persona-encrypt unlock --token -v > "$out/token.out" 2> "$out/token.err"
	store_is_pg || [[ -e $GUISE_DB-wal ]] || fail "no WAL to look at"
	local dek recovery
	dek=$(GUISE_PASSPHRASE_FILE=$PASS2 test-tool dek)
	recovery=$(sed 's/.*"recovery_key":"\([^"]*\)".*/\1/' "$out/init.out")
	[[ ${#dek} -eq 64 && -n $recovery ]]
	local f
	for f in "$out"/*.out "$out"/*.err "$out"/trace.*; do
		[[ $(cat "$f") != *"$canary"* ]] || fail "passphrase in $f"
		[[ $(cat "$f") != *"$dek"* ]] || fail "data key in $f"
		if [[ $f != "$out/init.out" ]]; then
			[[ $(cat "$f") != *"$recovery"* ]] || fail "recovery key in $f"
		fi
	done
	assert_equal "$(grep -o "$recovery" "$out/init.out" | wc -l)" 1
	run -1 grep -c -e "$canary" -e "$recovery" -e Seraphina -e Wren <(store_strings)
	run -1 store_has_bytes "$dek"
	# one execve each: the command itself, its argv free of secrets
	for f in "$out"/trace.*; do
		assert_equal "$(grep -c 'execve(' "$f")" 1
	done
	release_reader
}

@test "a record holding a sealed value is not sealed again" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock
	run -65 --separate-stderr sh -c 'echo "{\"id\":\"r\",\"name\":\"Wren\"}" | persona-encrypt seal | persona-encrypt seal'
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: '<stdin>': record 1: /name: sealed already"
}

@test "records without an id are bound all the same; an array is not an object" {
	new_user alice
	GUISE_PASSPHRASE_FILE=$PASS1 run -0 persona-encrypt unlock
	local one two
	one=$(persona-encrypt seal <<< '{"name":"Wren"}')
	two=$(persona-encrypt seal <<< '{"name":"Ash"}')
	[[ $one == *'"guise_seal_id":"'* ]]
	run_ok persona-encrypt open <<< "$one"
	assert_output '{"name":"Wren"}'
	# Ash's sealed name in Wren's record
	local ash=${two#*\"name\":}
	ash=${ash%%\}*}\}
	run -65 --separate-stderr persona-encrypt open <<< "${one%%\"name\":*}\"name\":$ash${one#*\}}"
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: '<stdin>': record 1: /name: ciphertext fails its integrity check"
	# tags [x] sealed, then the array turned into {"0": ...}
	local tags
	tags=$(persona-encrypt seal <<< '{"id":"r","tags":["x"]}')
	tags=$(printf '%s' "$tags" | sed 's/"tags":\[\(.*\)\]}$/"tags":{"0":\1}}/')
	[[ $tags == *'"tags":{"0":{'* ]]
	run -65 --separate-stderr persona-encrypt open <<< "$tags"
	assert_equal "$stderr" "persona-encrypt: '<stdin>': record 1: /tags/0: ciphertext fails its integrity check"
	# a record may not bring its own seal id: open would take it away
	run -65 --separate-stderr persona-encrypt seal <<< '{"guise_seal_id":"mine","name":"Wren"}'
	assert_output ""
	assert_equal "$stderr" "persona-encrypt: '<stdin>': record 1: /guise_seal_id: reserved for sealed records"
	# a sealed value in a record that lost its ids
	run -65 --separate-stderr persona-encrypt open <<< "$(printf '%s' "$one" | sed 's/,"guise_seal_id":"[^"]*"//')"
	assert_equal "$stderr" "persona-encrypt: '<stdin>': record 1: /name: sealed value in a record with no \"id\" nor \"guise_seal_id\""
}
