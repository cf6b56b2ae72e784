#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Regenerate docs/walkthrough.md from docs/walkthrough.md.in and a real run:
# a line "@@NAME@@" in the template is replaced by the block NAME that
# scripts/guest/docs.sh printed inside the VM (@@BEGIN NAME ... @@END).
# Fails if the run did not complete or a block is missing.
#
# usage: gen-walkthrough.sh RESULTS_LOG TEMPLATE OUTPUT
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC1091
. "$(dirname "$0")/lib.sh"
results=${1:?usage: gen-walkthrough.sh RESULTS TEMPLATE OUTPUT}
template=${2:?template}
output=${3:?output}

require_complete_run "$results" capture
awk -v results="$results" '
BEGIN {
	while ((getline line < results) > 0) {
		if (line ~ /^@@BEGIN /) { name = substr(line, 9); text[name] = ""; inblock = 1; continue }
		if (line == "@@END") { inblock = 0; continue }
		if (inblock) text[name] = text[name] line "\n"
	}
}
/^@@[A-Z_]+@@$/ {
	name = substr($0, 3, length($0) - 4)
	if (!(name in text)) { print "missing capture block " name > "/dev/stderr"; bad = 1; next }
	printf "%s", text[name]
	next
}
{ print }
END { exit bad }' "$template" >"$output.tmp" || die "cannot build $output"
mv "$output.tmp" "$output"
echo "faultmem: wrote $output from the run in $results" >&2
