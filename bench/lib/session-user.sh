# shellcheck shell=sh
# What the session benches (sessions.sh, render.sh, macros.sh) stand on,
# sourced by them after `set -eu`: the sandbox (sandbox.sh) with its user
# "bench" unlocked, the sizes (BENCH_BIG, BENCH_SMALL, BENCH_LAST,
# BENCH_REPS), now() in nanoseconds (for the long runs: an append, an
# import; short ones are timed by test-tool time-runs), and the message
# generator.
# shellcheck disable=SC2034 # the sizes are for the benches that source this
# shellcheck source=bench/lib/sandbox.sh disable=SC1091
. "$(dirname "$0")/lib/sandbox.sh"
BIG=${BENCH_BIG:-100000}
SMALL=${BENCH_SMALL:-1000}
LAST=${BENCH_LAST:-50}
REPS=${BENCH_REPS:-50}
unlocked_user

now() { date +%s%N; }

# messages N FILE [USER CHAR]: N message records, user and assistant
# taking turns, of the size of a chat's turns (about 150 to 400 bytes);
# USER and CHAR (default Wren and Melina) are how they name each other,
# so a bench may give macros ({{user}}, {{char}}) instead
messages() {
	awk -v n="$1" -v user="${3:-Wren}" -v char="${4:-Melina}" 'BEGIN {
		for (i = 1; i <= n; i++) {
			if (i % 2)
				printf "{\"role\":\"user\",\"content\":\"Turn %d. %s unrolls the map again " \
					"and traces the river with one finger. \\\"If we follow it north, we " \
					"reach the ford by nightfall, don'"'"'t we?\\\"\"}\n", i, user
			else
				printf "{\"role\":\"assistant\",\"content\":\"*Turn %d. %s looks " \
					"past the map to the hills.* \\\"The ford, yes. But the river " \
					"floods in spring, and the old road is safer, if slower. The " \
					"Erdtree'"'"'s light will guide us either way.\\\" *She rises and " \
					"shoulders her pack.*\",\"status\":\"complete\",\"model\":\"bench\"}\n", i, char
		}
	}' > "$2"
}

