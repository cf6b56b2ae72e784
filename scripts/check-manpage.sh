#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# faultmem(1) against the tool's own --help: every command of the usage
# text in userspace/faultmem/main.c has a SYNOPSIS entry in
# packaging/faultmem.1 with every option its usage line names, and a
# COMMANDS entry. Prints what is missing; exits 1 if anything is.
#
# usage: check-manpage.sh [MAIN_C [MANPAGE]]
set -u
cd "$(dirname "$0")/.." || exit 1
main_c=${1:-userspace/faultmem/main.c}
man=${2:-packaging/faultmem.1}
status=0 commands=0

# The man page with "\-" as "-", one section at a time.
section() { sed -n "/^\.SH $1\$/,/^\.SH /p" "$man" | sed 's/\\-/-/g'; }
synopsis=$(section SYNOPSIS)
described=$(section COMMANDS)

# Usage lines look like "  stat   [-w [-i SEC]] [DEVICE]   what it does\n":
# the command, then its arguments up to a run of two blanks.
while read -r cmd args; do
	commands=$((commands + 1))
	args=${args%%  *}
	entry=$(printf '%s\n' "$synopsis" |
		awk -v c="$cmd" '$0 == ".B faultmem " c { on = 1; next }
			on && /^\.(br|SH)/ { exit } on')
	if [ -z "$entry" ]; then
		echo "$man: no SYNOPSIS entry for '$cmd'"
		status=1
		continue
	fi
	printf '%s\n' "$described" | grep -qx "\.B $cmd" ||
		{ echo "$man: no COMMANDS entry for '$cmd'"; status=1; }
	for opt in $(printf '%s\n' "$args" | grep -oE -- '(^|[ [])--?[a-z][a-z-]*' | tr -d ' ['); do
		printf '%s\n' "$entry" | grep -qE -- "(^|[ []|\.B )$opt( |]|\$)" ||
			{ echo "$man: '$cmd' lacks $opt in its SYNOPSIS"; status=1; }
	done
done < <(sed -n 's/^\t*"  \([a-z][a-z]*\) \(.*\)\\n"$/\1 \2/p' "$main_c")

if [ "$commands" -eq 0 ]; then
	echo "$main_c: no usage lines found"
	status=1
fi
exit $status
