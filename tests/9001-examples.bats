#!/usr/bin/env bats
# Every example in examples/ runs, and says what it should.

load common

setup() { common_setup; }

@test "examples/quickstart.sh runs the main job against a throwaway database" {
	run -0 --separate-stderr "$TOP/examples/quickstart.sh"
	assert_equal "$stderr" ""
	assert_line "# the store: one SQLite file, made 0600 in a 0700 directory"
	assert_line "-rw-------"
	assert_line '{"name":"Wren","description":"A quiet cartographer.\n","shy":"no"}'
	assert_line -- '- "0777"'
	# it used its own database, not the test's
	[[ ! -e $GUISE_DB ]]
}
