#!/usr/bin/env bash
# Write tests/golden/render/*.json again from the built prompt-render: runs
# tests/4001-render.bats with GOLDEN_UPDATE=1, where each golden case writes
# the request it got (pretty, ids as @LABEL) before comparing. A
# development-time helper: read every changed golden against DESIGN.md §4
# and §8 before checking it in (git diff tests/golden/render); a golden
# that encodes a bug is a defect. Usage: tests/helpers/make-render-goldens.bash
# [bats option...], after make.
set -eu
cd "$(dirname "$0")/../.."
GOLDEN_UPDATE=1 exec bats "$@" tests/4001-render.bats
