#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The mutation lane: prove that the tests notice a broken driver.
#
# Each mutants/NAME.patch is one deliberate bug, a small patch to the
# driver with a header:
#   Breaks: what the bug breaks, for the table
#   Tests:  the selftest programs that should notice it
#   Kernel: the kernels it runs on, any of: stock (Debian 12's 6.1, the
#           default), debug (6.1's debug kernel: only its checks can see
#           it, lockdep for instance), newest (Debian unstable's newest
#           stable: the newer side of a compat.h gate, which 6.1 does not
#           compile)
# Every mutant is applied to a copy of the driver (never to driver/
# itself), built, booted and run against its programs; it is killed when
# one of them fails, hangs or crashes the VM, when the kernel reports a
# WARN/BUG/lockdep splat, or when the module cannot be unloaded. The lane
# passes only if every mutant is killed and the unmutated module passes
# every program the mutants use (the control: otherwise a flaky test
# would "kill" mutants). It prints a table: mutant, kernel, what it breaks,
# what killed it there.
#
# One boot runs many mutants in turn (scripts/guest/mutants.sh), loading
# and unloading each; a mutant that crashes, hangs or taints the kernel
# ends the boot, and the next boot carries on after it.
#
# usage: check-mutants.sh KDIR KERNEL [DEBUG_KDIR [NEWEST_KDIR NEWEST_KERNEL]]
#   KDIR: Debian 12's headers tree; KERNEL: its image;
#   DEBUG_KDIR: the debug kernel's tree (build-debug-kernel.sh), for the
#   mutants marked "Kernel: debug";
#   NEWEST_KDIR, NEWEST_KERNEL: unstable's headers tree (inside its chroot,
#   where the mutants are built with its compiler) and image, for those
#   marked "Kernel: newest".
#   A mutant whose kernel is not given is not run, and the lane fails.
# Environment: MUTANTS (only these names), MUTANT_TIMEOUT (seconds before
# a program counts as hung, default 40).
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
usage="usage: check-mutants.sh KDIR KERNEL [DEBUG_KDIR [NEWEST_KDIR NEWEST_KERNEL]]"
kdir=${1:?$usage}
kernel=${2:?$usage}
debug_kdir=${3:-}
newest_kdir=${4:-}
newest_kernel=${5:-}
newest_root=
if [ -n "$newest_kdir" ]; then
	[ -n "$newest_kernel" ] || die "$usage: NEWEST_KDIR needs NEWEST_KERNEL"
	newest_root=$("$(dirname "$0")"/suite.sh root sid) ||
		die "no chroot of Debian unstable: run 'make SUITE=sid' once"
	[[ "$newest_kdir" == "$newest_root"/* ]] ||
		die "$newest_kdir is not inside the unstable chroot ($newest_root)"
fi
top=$(cd "$(dirname "$0")/.." && pwd)
work=$top/build/mutants
selected=${MUTANTS:-}

# field NAME FILE: the value of header line "NAME: ..." of a mutant.
field() {
	sed -n "/^---/q; s/^$1: //p" "$2"
}

# kernels FILE: the kernels a mutant runs on (stock when it does not say).
kernels() {
	local k
	k=$(field Kernel "$1")
	echo "${k:-stock}"
}

# label KIND: the kernel a kind of run boots, for the table.
label() {
	case $1 in
	stock) kdir_release "$kdir" ;;
	debug) [ -z "$debug_kdir" ] || echo "$(kdir_release "$debug_kdir") (debug)" ;;
	newest) [ -z "$newest_kdir" ] || kdir_release "$newest_kdir" ;;
	*) echo "$1" ;;
	esac
}

# kbuild TREE SRC: build the module in SRC against TREE: on the host, or
# for the newest kernel inside its chroot with its own compiler (SRC is
# then inside the chroot too).
kbuild() {
	local tree=$1 src=$2

	if [ -n "$newest_root" ] && [ "$tree" = "$newest_kdir" ]; then
		"$top/scripts/suite.sh" run sid make -C "${tree#"$newest_root"}" \
			M="${src#"$newest_root"}" -j2 modules
	else
		make -C "$tree" M="$src" -j2 modules
	fi
}

rm -rf "$work"
mkdir -p "$work"

# build_some KIND KDIR SRC NAME...: build the named mutants of KIND against
# KDIR in SRC, a built copy of the driver, into $work/KIND/ko/. Each is
# applied and reverted after its build, so kbuild recompiles only the
# files a mutant touches. It runs in the background: what went wrong goes
# to $work/KIND/NAME.failed, for build_all to report.
build_some() {
	local kind=$1 tree=$2 src=$3 ko=$work/$1/ko name mutant
	shift 3
	for name in "$@"; do
		mutant=$top/mutants/$name.patch
		if ! patch -d "$src" -p1 -F0 -s --no-backup-if-mismatch <"$mutant" \
			>"$work/$kind/$name.patch.log" 2>&1; then
			echo "the patch applies to the driver (see $work/$kind/$name.patch.log)" \
				>"$work/$kind/$name.failed"
			continue
		fi
		if kbuild "$tree" "$src" >"$work/$kind/$name.build.log" 2>&1; then
			cp "$src/driver/faultmem.ko" "$ko/$name.ko"
			field Tests "$mutant" >"$ko/$name.tests"
		else
			echo "the mutant builds (see $work/$kind/$name.build.log)" \
				>"$work/$kind/$name.failed"
		fi
		if ! patch -d "$src" -p1 -R -s --no-backup-if-mismatch <"$mutant"; then
			echo "the mutant can be reverted to build the next ones" \
				>"$work/$kind/$name.failed"
			return 1
		fi
	done
}

# build_all KIND KDIR: the control module and every mutant of KIND
# (stock, debug or newest) built against KDIR, in $work/KIND/ko/, and the
# queue of those that built. Two copies of the driver build half of the
# mutants each, side by side: a mutant's build is mostly one compiler
# process, and the machine has two cores.
build_all() {
	local kind=$1 tree=$2 base ko mutant name sources names=() half=() w i rc=0
	base=$work/$kind/src ko=$work/$kind/ko
	[ "$kind" != newest ] || base=$newest_root/var/tmp/faultmem-mutants
	rm -rf "$base"-*
	mkdir -p "$base-0" "$base-1" "$ko"
	mapfile -t sources < <(module_sources "$top")
	(cd "$top" && cp --parents "${sources[@]}" "$base-0/" &&
		cp --parents "${sources[@]}" "$base-1/")
	: >"$work/$kind/queue"
	# Each copy is built from its own sources: kbuild's records of a
	# copied tree would name the first copy's headers.
	kbuild "$tree" "$base-0" >"$work/$kind/build.log" 2>&1 &
	kbuild "$tree" "$base-1" >"$work/$kind/build-1.log" 2>&1 || rc=1
	wait $! || rc=1
	if [ "$rc" -ne 0 ]; then
		ktap_result "not ok" "the unmutated driver builds against $tree (see $work/$kind/build*.log)"
		return 1
	fi
	cp "$base-0/driver/faultmem.ko" "$ko/faultmem.ko"
	for mutant in "$top"/mutants/*.patch; do
		name=$(basename "$mutant" .patch)
		[ -z "$selected" ] || [[ " $selected " == *" $name "* ]] || continue
		[[ " $(kernels "$mutant") " == *" $kind "* ]] || continue
		names+=("$name")
	done
	for w in 0 1; do
		half=()
		for ((i = w; i < ${#names[@]}; i += 2)); do
			half+=("${names[i]}")
		done
		build_some "$kind" "$tree" "$base-$w" "${half[@]}" &
	done
	wait
	for name in "${names[@]}"; do
		if [ -e "$work/$kind/$name.failed" ]; then
			ktap_result "not ok" "$name: $(cat "$work/$kind/$name.failed")"
		elif [ -e "$ko/$name.ko" ]; then
			echo "$name" >>"$work/$kind/queue"
		else
			ktap_result "not ok" "$name: the mutant was built (a mutant before it could not be reverted)"
		fi
	done
	[ "$kind" != newest ] || rm -rf "$base"-*
}

# run_all KIND KERNEL_IMAGE: boot KERNEL_IMAGE with KIND's modules until
# every mutant in the queue has a verdict; verdicts go to $work/KIND/verdicts
# as "NAME<TAB>killed|survived<TAB>by what".
run_all() {
	local kind=$1 image=$2 dir total from=0 boot=0 args programs
	dir=$work/$kind
	local name verdict line last results ko report python
	total=$(wc -l <"$dir/queue")
	: >"$dir/verdicts"
	[ "$total" -gt 0 ] || return 0
	programs=$(cat "$dir"/ko/*.tests | tr ' ' '\n' | sort -u | tr '\n' ' ')
	args=(-o "$dir/initramfs.cpio.gz" -m "$dir/ko/faultmem.ko"
		-t "$top/build/selftests" -b "$top/build/bin" -f "$programs"
		-d "$top/build/demos" -F "$dir/queue:/faultmem/mutants/queue")
	[ -x /usr/bin/trace-cmd ] && args+=(-B /usr/bin/trace-cmd)
	# What make check's image has too: python3 for the Python recipe (docs/fault-injection.md).
	python=$("$top"/scripts/python-files.sh) ||
		die "cannot list python3's files for the mutants' initramfs"
	read -ra python <<<"${python//$'\n'/ }"
	args+=("${python[@]}")
	for ko in "$dir"/ko/*.ko; do
		name=$(basename "$ko" .ko)
		[ "$name" = faultmem ] && continue
		args+=(-F "$ko:/faultmem/mutants/$name.ko"
			-F "$dir/ko/$name.tests:/faultmem/mutants/$name.tests")
	done
	scripts/mkinitramfs.sh "${args[@]}" || die "cannot build the mutants' initramfs"

	while [ "$from" -lt "$total" ]; do
		boot=$((boot + 1))
		echo "# $kind kernel, boot $boot: mutants $((from + 1)) to $total"
		# An oops panics (and so ends) the boot: a task that died
		# holding a lock would only hang the rest of it.
		VM_LOGDIR=$dir/boot-$boot VM_TIMEOUT=${VM_TIMEOUT:-600} \
		VM_APPEND="oops=panic fm.mutants_from=$from fm.program_timeout=${MUTANT_TIMEOUT:-40} fm.stress_seconds=10" \
			scripts/vm-run.sh mutants "$image" "$dir/initramfs.cpio.gz" >/dev/null 2>&1
		results=$dir/boot-$boot/results.log
		grep -E '^# mutant' "$results" | sed 's/^/  /'
		if [ "$from" -eq 0 ]; then
			if grep -q '^# mutant-control: ok' "$results"; then
				ktap_result ok "$kind kernel: the unmutated module passes every program the mutants use"
			else
				ktap_result "not ok" "$kind kernel: the unmutated module passes every program the mutants use"
				grep -E '^# mutant-control' "$results" | sed 's/^/#   /'
				return 1
			fi
		fi
		last=$from verdict=
		while IFS= read -r line; do
			case $line in
			"# mutant-begin: "*)
				read -r last name <<<"${line#"# mutant-begin: "}"
				verdict=''
				;;
			"# mutant-killed: "*|"# mutant-survived: "*)
				verdict=${line#\# mutant-}
				printf '%s\t%s\t%s\n' "$name" "${verdict%%:*}" \
					"${verdict#*: "$name" }" >>"$dir/verdicts"
				verdict='done' from=$last
				;;
			esac
		done < <(grep -E '^# mutant-(begin|killed|survived): ' "$results")
		if [ "$last" -gt "$from" ]; then
			# Began, never finished: it crashed or hung the kernel.
			report=$(grep -m 1 -oE '(BUG|WARNING|Kernel panic)[^[]*|INFO: task .* blocked for more than [0-9]+ seconds' \
				"$dir/boot-$boot/console.log" | head -n 1 | tr -d '\r')
			printf '%s\tkilled\t%s\n' "$name" \
				"the VM: ${report:-it crashed or hung} (boot-$boot/console.log)" \
				>>"$dir/verdicts"
			from=$last
		elif [ "$last" -eq "$from" ] && [ "$verdict" != 'done' ]; then
			ktap_result "not ok" "$kind kernel, boot $boot: the guest made progress (see $dir/boot-$boot)"
			return 1
		fi
	done
}

build_all stock "$kdir"
run_all stock "$kernel"
if [ -n "$debug_kdir" ]; then
	build_all debug "$debug_kdir"
	run_all debug "$debug_kdir/arch/x86/boot/bzImage"
fi
if [ -n "$newest_kdir" ]; then
	build_all newest "$newest_kdir"
	run_all newest "$newest_kernel"
fi

# Every version gate in compat.h has a mutant on its newer side, run on
# the newest kernel: the code 6.1 never compiles.
if [ -z "$selected" ]; then
	gates=$(grep -c '^#if LINUX_VERSION_CODE' "$top/driver/compat.h")
	newer=$(grep -l '^Kernel:.*newest' "$top"/mutants/*.patch |
		xargs grep -lx -- '+++ b/driver/compat.h' | wc -l)
	if [ "$newer" -ge "$gates" ]; then
		ktap_result ok "each of the $gates version gates in compat.h has a mutant on its newer side ($newer)"
	else
		ktap_result "not ok" "each of the $gates version gates in compat.h has a mutant on its newer side (only $newer)"
	fi
fi

# Every driver file with logic has a mutant. faultmem_trace.c only
# instantiates the tracepoints (CREATE_TRACE_POINTS): any change to it
# fails to build; its events' fields are in faultmem_trace.h.
if [ -z "$selected" ]; then
	for file in $(module_sources "$top" | grep '^driver/.*\.[ch]$'); do
		[ "$file" = driver/faultmem_trace.c ] && continue
		if grep -qx -- "+++ b/$file" "$top"/mutants/*.patch; then
			ktap_result ok "$file has a mutant"
		else
			ktap_result "not ok" "$file has a mutant"
		fi
	done
fi

# The table, then a result per mutant: killed when every kernel it runs
# on killed it.
echo
printf '| mutant | kernel | what it breaks | killed by |\n|---|---|---|---|\n'
killed=0 total=0 verdicts=() names=()
for mutant in "$top"/mutants/*.patch; do
	name=$(basename "$mutant" .patch)
	[ -z "$selected" ] || [[ " $selected " == *" $name "* ]] || continue
	total=$((total + 1))
	all_killed=1 where=
	for kind in $(kernels "$mutant"); do
		verdict='' by=''
		IFS=$'\t' read -r _ verdict by < <(awk -F'\t' -v n="$name" '$1 == n' \
			"$work/$kind/verdicts" 2>/dev/null | tail -n 1)
		case $kind in
		stock) ;;
		debug) [ -n "$debug_kdir" ] || by="no debug kernel was given" ;;
		newest) [ -n "$newest_kdir" ] || by="no newest kernel was given" ;;
		*) by="unknown kernel '$kind' in its Kernel: line" ;;
		esac
		printf "| \`%s\` | %s | %s | %s |\n" "$name" \
			"$(label "$kind" | grep . || echo "$kind: not given")" \
			"$(field Breaks "$mutant")" \
			"${by:-(not run)}$([ "$verdict" = killed ] || echo " **SURVIVED**")"
		if [ "$verdict" = killed ]; then
			where+="${where:+; }$kind: $by"
		else
			all_killed=0
			where+="${where:+; }$kind: ${verdict:-not run}${by:+: $by}"
		fi
	done
	if [ "$all_killed" = 1 ]; then
		killed=$((killed + 1))
		verdicts+=(ok)
	else
		verdicts+=("not ok")
	fi
	names+=("mutant $name is killed ($where)")
done
echo
for i in "${!names[@]}"; do
	ktap_result "${verdicts[i]}" "${names[i]}"
done
echo "# mutants: $killed of $total killed"
ktap_done
