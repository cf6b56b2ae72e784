#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the test VM for the packaging lane (fm.mode=udev): apply the
# udev rule that "make install" put in /lib/udev/rules.d to faultmem's
# devices with udevadm, as udevd would on an "add" event, and check what it
# grants: group faultmem, mode 0660 on every /dev/faultmemN, nothing on
# other misc devices, and access for members of the group only.
#
# The Debian packages' lane (make check-deb, scripts/guest/deb.sh) runs
# this too, with the module and group as the packages installed them:
# FM_LOAD and FM_UNLOAD say how to load and unload the module (default:
# insmod of the image's faultmem.ko, rmmod), and a faultmem group already
# in /etc/group (made by the package) gets "nobody" as a member instead of
# being created here.
# shellcheck source=lib.sh
. /faultmem/guest/lib.sh
FM_LOAD=${FM_LOAD:-insmod /faultmem/faultmem.ko devices=2}
FM_UNLOAD=${FM_UNLOAD:-rmmod faultmem}

# expect WHAT COMMAND...: one check line from a command's exit status.
expect() {
	what=$1
	shift
	if "$@" >/tmp/expect.log 2>&1; then
		check ok "$what"
	else
		check "not ok" "$what"
		sed 's/^/# /' /tmp/expect.log | tail -n 20
	fi
}

# owner_mode FILE: "group octal-mode" of a device node.
owner_mode() {
	stat -c '%G %a' "$1"
}

# The group docs/install.md tells users to create (or the package made), with
# "nobody" as a member, and a user who is not in it.
if grep -q '^faultmem:' /etc/group; then
	# usermod -aG faultmem nobody (the group has no members yet)
	sed -i 's/^\(faultmem:[^:]*:[0-9]*:\)$/\1nobody/' /etc/group
	expect "nobody is now a member of the faultmem group" \
		grep -q '^faultmem:[^:]*:[0-9]*:nobody$' /etc/group
else
	echo 'faultmem:x:990:nobody' >>/etc/group
fi
echo 'outsider:x:1000:1000:outsider:/tmp:/bin/sh' >>/etc/passwd
echo 'outsider:x:1000:' >>/etc/group
mkdir -p /run/udev

expect "the udev rule is installed" test -f /lib/udev/rules.d/60-faultmem.rules
expect "$FM_LOAD" sh -c "$FM_LOAD"
# cpu_dma_latency is a misc device every kernel has: the rule must leave it
# alone.
other=/dev/cpu_dma_latency
other_before=$(owner_mode $other)

for dev in faultmem0 faultmem1; do
	expect "/dev/$dev starts as the driver creates it: root, 0600" \
		test "$(owner_mode /dev/$dev)" = "root 600"
	expect "udevadm test --action=add runs the rules for $dev" \
		udevadm test --action=add /class/misc/$dev
	expect "after the rule, /dev/$dev is group faultmem, mode 0660" \
		test "$(owner_mode /dev/$dev)" = "faultmem 660"
done
udevadm test --action=add /class/misc/${other#/dev/} >/tmp/other.log 2>&1
expect "the rule leaves other misc devices alone ($other stays '$other_before')" \
	test "$(owner_mode $other)" = "$other_before"

# as USER COMMAND: run a shell command as USER (busybox su sets the
# supplementary groups from /etc/group).
as() {
	su -s /bin/sh "$1" -c "$2"
}

expect "a member of the faultmem group can read, write and query /dev/faultmem0" \
	as nobody 'head -c 4096 /dev/faultmem0 >/dev/null &&
		printf x | dd of=/dev/faultmem0 conv=notrunc &&
		faultmem info /dev/faultmem0'
# The open must fail, and fail for lack of permission.
outsider_is_refused() {
	out=$(as outsider 'head -c 1 /dev/faultmem0 2>&1') && return 1
	echo "$out"
	case $out in
	*"Permission denied"*) return 0 ;;
	esac
	return 1
}
expect "a user outside the group gets EACCES opening /dev/faultmem0" \
	outsider_is_refused

expect "$FM_UNLOAD" sh -c "$FM_UNLOAD"
expect "faultmem is no longer loaded" sh -c '! grep -q "^faultmem " /proc/modules'
taint=$(cat /proc/sys/kernel/tainted)
expect "kernel taint has no B/D/W/L bits ($taint)" \
	test $((taint & BAD_TAINT)) -eq 0
echo "FAULTMEM-RUN-COMPLETE"
