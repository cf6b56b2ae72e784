#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build the test VM's initramfs: busybox, the guest scripts, the module, the
# selftests and the userspace programs (all static).
#
# usage: mkinitramfs.sh -o OUT.cpio.gz -m faultmem.ko [-t TESTDIR]...
#                       [-b BINDIR] [-x EXTRA.ko]... [-p "insmod params"]
#                       [-f "test names"]   (only these selftests)
#                       [-B /path/to/prog]... (a host program and its libraries,
#                                              at the same paths; on the PATH too)
#                       [-F HOSTFILE:GUESTPATH]... (a file, at that path)
#                       [-d DEMODIR]         (the demos, run by make demo)
set -eu
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

out='' module='' params='' bindir='' filter='' demodir=''
testdirs=() extras=() programs=() files=()
while getopts "o:m:t:b:x:p:f:B:F:d:" opt; do
	case $opt in
	o) out=$OPTARG ;;
	m) module=$OPTARG ;;
	t) testdirs+=("$OPTARG") ;;
	b) bindir=$OPTARG ;;
	x) extras+=("$OPTARG") ;;
	p) params=$OPTARG ;;
	f) filter=$OPTARG ;;
	B) programs+=("$OPTARG") ;;
	F) files+=("$OPTARG") ;;
	d) demodir=$OPTARG ;;
	*) die "usage: mkinitramfs.sh -o OUT -m MODULE [-t DIR] [-b DIR] [-x KO] [-p PARAMS]" ;;
	esac
done
{ [ -n "$out" ] && [ -f "$module" ]; } || die "mkinitramfs.sh: need -o OUT and an existing -m MODULE"
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found: install it with 'apt-get install busybox-static'"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,faultmem/{bin,selftests,extra,guest,demos}}
# mktemp made the root 0700; unprivileged tests must be able to walk /.
chmod 755 "$root"
cp "$busybox" "$root/bin/busybox"
cp "$here/guest/init.sh" "$root/init"
cp "$here"/guest/*.sh "$root/faultmem/guest/"
cp "$module" "$root/faultmem/faultmem.ko"
printf '%s\n' "$params" >"$root/faultmem/insmod-params"
# The selftests, all or those -f names. A name that matches no program
# is a mistake (TESTS="basic_tset" must not run nothing and pass).
available=" "
for dir in "${testdirs[@]}"; do
	for test in "$dir"/*; do
		[ -f "$test" ] || continue
		available+="${test##*/} "
		if [ -n "$filter" ] && ! [[ " $filter " == *" ${test##*/} "* ]]; then
			continue
		fi
		cp "$test" "$root/faultmem/selftests/"
	done
done
for name in $filter; do
	[[ "$available" == *" $name "* ]] ||
		die "mkinitramfs.sh: -f names '$name', which is not a selftest (there are:$available)"
done
# What the host expects to run (vm-run.sh): every program in the image
# (none is fine: the runner's own cases boot modules only).
ls "$root/faultmem/selftests" >"$root/faultmem/programs"
[ -n "$bindir" ] && [ -d "$bindir" ] && cp "$bindir"/* "$root/faultmem/bin/"
[ -n "$demodir" ] && [ -d "$demodir" ] && cp "$demodir"/* "$root/faultmem/demos/"
for ko in "${extras[@]}"; do
	cp "$ko" "$root/faultmem/extra/"
done
chmod +x "$root/init" "$root"/faultmem/guest/*.sh

# Users for tests that drop privileges (busybox su needs them).
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Dynamically linked host programs: copy them with every library ldd names
# and the dynamic loader, at the same paths.
for prog in "${programs[@]}"; do
	[ -x "$prog" ] || die "no program at $prog"
	for file in "$prog" $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$file")"
		cp -L "$file" "$root$file"
	done
	mkdir -p "$root/usr/bin"
	[ -e "$root/usr/bin/${prog##*/}" ] || ln -s "$prog" "$root/usr/bin/${prog##*/}"
done
# Single files at a chosen path (the packaging lane puts the installed udev
# rule where udev looks for it).
for spec in "${files[@]}"; do
	host=${spec%%:*} guest=${spec#*:}
	{ [ -f "$host" ] && [ "${guest#/}" != "$guest" ]; } ||
		die "-F wants HOSTFILE:/GUEST/PATH with an existing file, not '$spec'"
	mkdir -p "$root$(dirname "$guest")"
	cp "$host" "$root$guest"
done

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
