#!/usr/bin/env bats
# The V3 field list is written once, in lib/card_fields.h, and every C list
# of fields is made from it: these tests hold it to the schema of a fresh
# database (every migration run), so a new field is one line there plus a
# migration, and a line or a migration forgotten fails here.

load common

setup() {
	common_setup
	export GUISE_PASSPHRASE='correct horse'
	persona-encrypt init -u alice > /dev/null
}

# enc_columns TABLE: its encrypted columns (those with a <name>_nonce), in
# the table's order
enc_columns() {
	sqlite3 "$GUISE_DB" "SELECT name FROM pragma_table_info('$1')
		WHERE name || '_nonce' IN (SELECT name FROM pragma_table_info('$1')) ORDER BY cid"
}

@test "the vault walks every encrypted column of characters and user_personas; the tables keep the big ones last" {
	local t
	for t in characters user_personas; do
		run -0 --separate-stderr test-tool vault-columns "$t"
		assert_equal "$stderr" ""
		assert_equal "$(sort <<< "$output")" "$(enc_columns "$t" | sort)"
		# 20 data fields with origin, card_raw, avatar and extra at least
		(($(wc -l <<< "$output") >= 24)) || fail "$t: only $(wc -l <<< "$output") columns"
		# a column after a big value costs reading it (migration 0009)
		assert_equal "$(enc_columns "$t" | tail -n 3 | tr '\n' ' ')" "character_book card_raw avatar "
	done
}

@test "each card field with a column has it at its place, both BLOB; the others have none" {
	local -a enc
	local t name type required column n=0
	mapfile -t enc < <(test-tool vault-columns characters)
	run -0 --separate-stderr test-tool card-fields
	assert_equal "$stderr" ""
	assert_line --index 0 "name TEXT 1 1"
	while read -r name type required column; do
		[[ $type =~ ^(TEXT|TEXTS|OBJECT|NUMBER|BOOK|ASSETS|TEXT_MAP)$ ]] || fail "$name: type $type"
		[[ $required == [01] ]] || fail "$name: required $required"
		for t in characters user_personas; do
			if [[ $column == - ]]; then
				assert_equal "$(sqlite3 "$GUISE_DB" "SELECT count(*) FROM pragma_table_info('$t')
					WHERE name IN ('$name', '${name}_nonce')")" 0
				continue
			fi
			assert_equal "$(sqlite3 "$GUISE_DB" "SELECT group_concat(type, ' ')
				FROM pragma_table_info('$t') WHERE name IN ('$name', '${name}_nonce')")" "BLOB BLOB"
		done
		[[ $column == - ]] && continue
		assert_equal "${enc[column]}" "$name"
		n=$((n + 1))
	done <<< "$output"
	assert_equal "$n" 20
	# the data columns, origin, card_raw, avatar, extra and lore_index: none left over
	assert_equal "${#enc[@]}" $((n + 5))
	assert_equal "${enc[0]} ${enc[n + 1]} ${enc[n + 2]} ${enc[n + 3]} ${enc[n + 4]}" \
		"origin card_raw avatar extra lore_index"
}

@test "a card with a name alone gets every required field of the list, and no other" {
	local want
	want=$(test-tool card-fields | awk '$3 == 1 { print $1 }' | sort)
	run -0 --separate-stderr test-tool card <<< '{"name": "Ada"}'
	assert_equal "$stderr" ""
	assert_equal "$(jq -r '.data | keys[]' <<< "$output" | sort)" "$want"
}

# all_fields: a V3 card with every field of the list, each of its type
all_fields() {
	test-tool card-fields | awk '
		BEGIN {
			v["TEXT"] = "\"t\""; v["TEXTS"] = "[\"a\"]"; v["OBJECT"] = "{\"k\": 1}"
			v["NUMBER"] = "7"; v["BOOK"] = "{\"entries\": []}"
			v["ASSETS"] = "[{\"type\": \"icon\", \"uri\": \"ccdefault:\"}]"
			v["TEXT_MAP"] = "{\"en\": \"t\"}"
			printf "{\"spec\": \"chara_card_v3\", \"spec_version\": \"3.0\", \"data\": {"
		}
		{ printf "%s\"%s\": %s", (NR > 1 ? ", " : ""), $1, v[$2] }
		END { print "}}" }'
}

@test "every field of the list is stored in its column, or in extra, and comes back out" {
	local in=$BATS_TEST_TMPDIR/all.json name type required column
	all_fields > "$in"
	run -0 --separate-stderr persona-import "$in"
	assert_equal "$stderr" ""
	while read -r name type required column; do
		[[ $column == - ]] && continue
		assert_equal "$(sqlite3 "$GUISE_DB" "SELECT count(*) FROM characters
			WHERE $name IS NOT NULL AND ${name}_nonce IS NOT NULL")" 1
	done < <(test-tool card-fields)
	# the fields without a column (the dates) are in extra
	assert_equal "$(sqlite3 "$GUISE_DB" "SELECT count(*) FROM characters WHERE extra IS NOT NULL")" 1
	run -0 --separate-stderr persona-export t
	assert_equal "$stderr" ""
	assert_equal "$(jq -S . <<< "$output")" "$(test-tool card "$in" | jq -S .)"
}
