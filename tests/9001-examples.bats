#!/usr/bin/env bats
# Every example in examples/ runs, and says what it should.

load common

setup() { common_setup; }

@test "examples/quickstart.sh runs the main job against a throwaway database" {
	run -0 --separate-stderr "$TOP/examples/quickstart.sh"
	assert_equal "$stderr" ""
	assert_line "username: alice"
	assert_line "recovery_key: (printed once, shown here elided)"
	assert_line '{"kind":"unlock","user":"alice","via":"keyring","expires_at":"...","dry_run":false}'
	assert_line '{"kind":"persona","id":"p1","name":"Wren","description":"A quiet cartographer.","shy":"no"}'
	assert_line '{"kind":"verify","user":"alice","fields":0,"failed":0}'
	assert_line '{"kind":"lock","user":"alice","keyring":true,"session_files":0}'
	assert_line "persona-encrypt: user 'alice' is locked: run 'persona-encrypt unlock -u alice'"
	assert_line "exit status 77"
	# it used its own database, not the test's
	[[ ! -e $GUISE_DB ]]
}

@test "every command's --help matches its man page synopsis" {
	local cmd verb
	for cmd in "$TOP"/cmd/*.c; do
		cmd=$(basename "$cmd" .c)
		run -0 --separate-stderr "$cmd" --help
		assert_equal "$stderr" ""
		[[ ${lines[0]} == "usage: $cmd "* ]] || fail "$cmd --help: ${lines[0]}"
		[[ -f $TOP/share/man/man1/$cmd.1 ]] || fail "no man page for $cmd"
		# each verb of the help is in the man page's synopsis, and back
		for verb in $(printf '%s\n' "${lines[@]}" | sed -n "s/^ *\(usage: \)\{0,1\}$cmd \([a-z-]*\).*/\2/p"); do
			sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$TOP/share/man/man1/$cmd.1" |
				grep -q "^\.Cm $verb\( \|$\)" || fail "$cmd: '$verb' not in the man page synopsis"
		done
		for verb in $(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/s/^\.Cm \([a-z-]*\).*/\1/p' "$TOP/share/man/man1/$cmd.1"); do
			[[ $output == *"$cmd $verb"* ]] || fail "$cmd: '$verb' of the man page not in --help"
		done
	done
}
