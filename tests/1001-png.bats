#!/usr/bin/env bats
# PNG cards (lib/png): the chunk walker on PngSuite (tests/data/pngsuite,
# see its LICENSE), text chunks of every type, keyword precedence, lenient
# base64, stripping card chunks, truncated files. Real cards are from
# tests/data/cards-aicharlib (MIT, see its LICENSE and COMMIT).

load common

setup() {
	common_setup
	IMAGE=$DATA/pngsuite/png/basn0g01.png
}

SUITE=$DATA/pngsuite/png

# card TYPE KEYWORD TEXT [z] [IN]: a PNG with one more text chunk, on stdout path
card() {
	local out=$BATS_TEST_TMPDIR/card-$RANDOM.png
	printf '%s' "$3" | test-tool png-add "${5:-$IMAGE}" "$out" "$1" "$2" ${4:+"$4"}
	printf '%s' "$out"
}

b64() { printf '%s' "$1" | base64 -w0; }

# assert_card_from PNG KEYWORD JSON: test-tool png-card PNG succeeds with
# JSON, read from the KEYWORD chunk (which it says on stderr)
assert_card_from() {
	run -0 --separate-stderr test-tool png-card "$1"
	assert_equal "$stderr" "test-tool: from '$2'"
	assert_output "$3"
}

@test "PngSuite: the expectations name every image once, in glob order" {
	assert_equal "$(pngsuite_expected '*' | cut -f1)" "$(cd "$SUITE" && printf '%s\n' *.png)"
}

@test "PngSuite: the 14 corrupt x files are refused with the reason" {
	local rows e file status reason
	assert_equal "$(ls "$SUITE"/x*.png | wc -l)" 14
	mapfile -t rows < <(pngsuite_expected 'x*')
	assert_equal "${#rows[@]}" 14
	for e in "${rows[@]}"; do
		IFS=$'\t' read -r file status reason <<< "$e"
		run "-$status" --separate-stderr test-tool png-card "$SUITE/$file"
		assert_output ""
		assert_equal "$stderr" "test-tool: '$SUITE/$file': $reason"
	done
}

@test "PngSuite: every valid image has no character data, and nothing crashes" {
	local rows e file status reason n=0
	mapfile -t rows < <(pngsuite_expected '[!x]*')
	assert_equal "$(printf '%s\n' "${rows[@]}" | cut -f2- | sort -u)" $'65\tno character data'
	for e in "${rows[@]}"; do
		IFS=$'\t' read -r file status reason <<< "$e"
		run "-$status" --separate-stderr test-tool png-card "$SUITE/$file"
		assert_output ""
		assert_equal "$stderr" "test-tool: '$SUITE/$file': $reason"
		n=$((n + 1))
	done
	assert_equal "$n" 161
}

@test "the real cards: a chara chunk of base64 JSON with the right name" {
	run -0 --separate-stderr sh -c 'test-tool png-card "$1" | test-tool doc' _ "$DATA/cards-aicharlib/melina.png"
	assert_equal "$stderr" "test-tool: from 'chara'"
	[[ $output == *'"name":"Melina"'* ]] || fail "$output"
	run -0 --separate-stderr sh -c 'test-tool png-card "$1" | test-tool doc' _ "$DATA/cards-aicharlib/alpin_dale.png"
	assert_equal "$stderr" "test-tool: from 'chara'"
	[[ $output == *'"name":"Alpin Dale"'* ]] || fail "${output:0:200}"
}

@test "each text chunk type carries a card: tEXt, zTXt, iTXt plain and compressed" {
	local json='{"spec":"chara_card_v3","data":{"name":"Wren"}}' f
	for args in "tEXt" "zTXt" "iTXt" "iTXt z"; do
		read -r type z <<< "$args"
		f=$(card "$type" ccv3 "$(b64 "$json")" "$z")
		assert_card_from "$f" ccv3 "$json"
	done
}

@test "ccv3 is preferred over chara whatever their order; keywords match in any case" {
	local f
	f=$(card tEXt chara "$(b64 '{"v":2}')")
	f=$(card tEXt ccv3 "$(b64 '{"v":3}')" "" "$f")
	assert_card_from "$f" ccv3 '{"v":3}'
	f=$(card zTXt CCV3 "$(b64 '{"v":3}')")
	f=$(card tEXt Chara "$(b64 '{"v":2}')" "" "$f")
	assert_card_from "$f" ccv3 '{"v":3}'
	f=$(card tEXt Chara "$(b64 '{"v":2}')")
	assert_card_from "$f" chara '{"v":2}'
}

@test "duplicate card chunks: the first one counts, as SillyTavern reads them" {
	local f
	f=$(card tEXt chara "$(b64 '{"n":1}')")
	f=$(card tEXt chara "$(b64 '{"n":2}')" "" "$f")
	assert_card_from "$f" chara '{"n":1}'
}

@test "base64 unpadded, broken by white space, or URL-safe is read; garbage is refused" {
	local json='{"name":"Wren?>"}' std f
	std=$(b64 "$json")
	f=$(card tEXt chara "${std%%=*}")
	assert_card_from "$f" chara "$json"
	f=$(card tEXt chara "$(printf '%s' "$std" | fold -w 7 | sed 's/^/ /')")
	assert_card_from "$f" chara "$json"
	f=$(card tEXt chara "$(printf '%s' "$std" | tr '+/' '-_')")
	assert_card_from "$f" chara "$json"
	f=$(card tEXt chara 'not base64 at all!')
	run -65 --separate-stderr test-tool png-card "$f"
	# the new chunk stands where IEND stood: 12 bytes before the end
	assert_equal "$stderr" "test-tool: '$f': chunk 'tEXt' (chara) at byte $(( $(stat -c %s "$IMAGE") - 12 )): not base64"
}

@test "a card with a byte order mark reads as JSON all the same" {
	local f
	f=$(card tEXt chara "$(printf '\357\273\277{"name":"Wren"}' | base64 -w0)")
	run_ok sh -c 'test-tool png-card "$1" 2>/dev/null | test-tool doc' _ "$f"
	assert_output '{"name":"Wren"}'
}

@test "stripping card chunks keeps the image and every other chunk" {
	local f stripped=$BATS_TEST_TMPDIR/stripped.png
	f=$(card tEXt chara "$(b64 '{"n":1}')")
	f=$(card iTXt ccv3 "$(b64 '{"n":2}')" z "$f")
	f=$(card tEXt chara-ext-asset_:0 "$(b64 'asset bytes')" "" "$f")
	f=$(card tEXt Comment 'made by a test' "" "$f")
	run_ok test-tool png-strip "$f" "$stripped"
	run -65 --separate-stderr test-tool png-card "$stripped"
	assert_equal "$stderr" "test-tool: '$stripped': no character data"
	# what is left is the original image plus the Comment chunk
	local plain=$BATS_TEST_TMPDIR/plain.png
	printf 'made by a test' | test-tool png-add "$IMAGE" "$plain" tEXt Comment
	cmp "$stripped" "$plain"
}

@test "each real card cut short at many places is refused, never a crash" {
	local f size at cut=$BATS_TEST_TMPDIR/cut.png
	for f in "$DATA"/cards-aicharlib/*.png; do
		size=$(stat -c %s "$f")
		for at in 0 1 7 8 12 20 33 $((size / 7)) $((size / 3)) $((size / 2)) \
			$((size * 2 / 3)) $((size - 13)) $((size - 12)) $((size - 4)) $((size - 1)); do
			head -c "$at" "$f" > "$cut"
			run -65 --separate-stderr test-tool png-card "$cut"
			assert_output ""
			[[ $stderr =~ ^"test-tool: '$cut': "(not a PNG file|truncated at byte|chunk .* runs past the end|chunk .* CRC mismatch) ]] ||
				fail "$f cut at $at: $stderr"
		done
	done
}

@test "compressed text that inflates past 64 MiB is refused" {
	local f=$BATS_TEST_TMPDIR/bomb.png
	head -c $((65 << 20)) /dev/zero | tr '\0' A | test-tool png-add "$IMAGE" "$f" zTXt chara
	[[ $(stat -c %s "$f") -lt 200000 ]]
	run -65 --separate-stderr test-tool png-card "$f"
	assert_equal "$stderr" "test-tool: '$f': chunk 'zTXt' at byte $(( $(stat -c %s "$IMAGE") - 12 )): text inflates past 67108864 bytes"
}
