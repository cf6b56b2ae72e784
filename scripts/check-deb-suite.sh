#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The Debian packages on one suite, installed for real: in a throwaway
# overlayfs over the suite's clean chroot (deb-chroot.sh: minbase, the
# suite's kernel and headers, no dkms), apt-get installs ./faultmem-dkms_*.deb
# and ./faultmem-tools_*.deb, which must pull in dkms and build and install
# the module for the kernel; installing a second kernel's headers
# (PREEMPT_RT) must build it for that kernel too; apt-get purge must
# leave no file of ours behind (the file lists before the install and
# after the purge are compared) and dkms status empty. Each check is a
# KTAP result (lib.sh); the last line is "N passed, N failed, N skipped".
#
# What a VM needs to boot the module as the package installed it is
# copied to OUTDIR/vm (check-deb.sh boots it): the suite's kernel image,
# the module and the depmod indexes, kmod, the tool with the libraries it
# runs with there, the udev rule, the modprobe.d file and /etc/group,
# each listed in OUTDIR/vm/files as HOSTFILE:GUESTPATH.
#
# The whole run is in a mount namespace of its own: the overlay and /proc
# go away when it ends, however it ends. Needs root.
#
# usage: check-deb-suite.sh SUITE DEBDIR OUTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
usage="usage: check-deb-suite.sh SUITE DEBDIR OUTDIR"
suite=${1:?$usage}
debdir=$(cd "${2:?$usage}" && pwd) || exit 1
out=${3:?$usage}
top=$(cd "$here/.." && pwd)
if [ -z "${FAULTMEM_DEB_NAMESPACE:-}" ]; then
	FAULTMEM_DEB_NAMESPACE=1 exec unshare --mount --pid --fork \
		--propagation private "$0" "$@"
fi
version=$("$here/version.sh" get)
rm -rf "$out"
mkdir -p "$out/vm"
out=$(cd "$out" && pwd)
log=$out/check.log

finish() {
	ktap_done
	exit
}

base=$("$here/deb-chroot.sh" root "$suite")
[ -f "$base/.check-deb-complete" ] || {
	check "the clean $suite chroot exists (deb-chroot.sh prepare $suite)" false
	finish
}
run=$base.run
root=$run/merged
# The overlay's changes go with the run, whatever happens; the base is
# never written to.
cleanup() {
	umount -R "$root" 2>/dev/null
	mountpoint -q "$root" || rm -rf "$run"
}
trap cleanup EXIT
cleanup
mkdir -p "$run/upper" "$run/work" "$root"
if ! mount -t overlay overlay \
	-o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$root" ||
   ! mount -t proc proc "$root/proc"; then
	check "an overlayfs over the clean $suite chroot" false
	finish
fi

# in_root SHELL-COMMAND: run it in the throwaway chroot, with a clean
# environment.
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive sh -c "$1"
}

# The kernel of the suite, and the PREEMPT_RT one installed later: the
# release the headers meta-package points at.
headers_release() {
	dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Depends}' \
		"$1" 2>/dev/null | first_dependency linux-headers- |
		sed 's/^linux-headers-//'
}

# file_list NAME: every path in the chroot (one filesystem: /proc is not
# listed), but the .debs the run brought in.
file_list() {
	in_root "find / -xdev -path /tmp/faultmem-debs -prune -o -print" |
		sort >"$out/files.$1"
}

kver=$(headers_release linux-headers-amd64)
check "the clean $suite chroot: kernel ${kver:-none} with its headers, no dkms, nothing of faultmem" \
	in_root "[ -n '$kver' ] && test -e /lib/modules/$kver/build/include &&
		test -e /lib/modules/$kver/modules.dep &&
		! dpkg-query -W -f='\${db:Status-Abbrev}' dkms 2>/dev/null | grep -q '^ii' &&
		! getent group faultmem &&
		test -z \"\$(find / -xdev -name '*faultmem*' -print)\""
[ -n "$kver" ] || finish
# For grep -E: a release may hold "+" (6.12.118+deb13-amd64).
kver_re=$(printf '%s' "$kver" | sed 's/[.+]/\\&/g')
echo "# $suite: kernel $kver, $(find "$root/var/cache/apt/archives" -maxdepth 1 \
	-name 'dkms_*' -printf '%f\n' | grep -o '^dkms_[^_]*' |
	sed 's/_/ /;s/$/ (in the apt cache, not installed)/')"

mkdir -p "$root/tmp/faultmem-debs"
cp "$debdir"/faultmem-dkms_*.deb "$debdir"/faultmem-tools_*.deb \
	"$debdir"/faultmem-dev_*.deb "$root/tmp/faultmem-debs/"
# apt's download sandbox user reads local .debs too.
chmod -R a+rX "$root/tmp/faultmem-debs"
file_list before

# --- install -------------------------------------------------------------
check "apt-get install ./faultmem-dkms_*.deb ./faultmem-tools_*.deb" \
	in_root "cd /tmp/faultmem-debs &&
		apt-get install -q ./faultmem-dkms_*.deb ./faultmem-tools_*.deb"
cp "$log" "$out/install.log"
# The header's package on its own: it must bring what <faultmem.h>
# includes (linux-libc-dev).
check "apt-get install ./faultmem-dev_*.deb" \
	in_root "cd /tmp/faultmem-debs && apt-get install -q ./faultmem-dev_*.deb"
grep -h '^Building for ' "$out/install.log" | sed 's/^/# dkms: /'
check "apt pulled in dkms, as a dependency (automatically installed)" \
	in_root "dpkg-query -W -f='\${db:Status-Abbrev}' dkms | grep -q '^ii' &&
		apt-mark showauto | grep -qx dkms"
check "dkms status: faultmem/$version installed for $kver" \
	in_root "dkms status -m faultmem -v $version -k $kver | grep -q ': installed'"
check "modprobe finds it for $kver: /lib/modules/$kver/updates/dkms/faultmem.ko*, version $version, vermagic $kver" \
	in_root "modprobe -n -v -S $kver faultmem | grep -qE '^insmod (/usr)?/lib/modules/$kver_re/updates/dkms/faultmem\.ko' &&
		modinfo -k $kver -F version faultmem | grep -qx '$version' &&
		modinfo -k $kver -F vermagic faultmem | grep -q '^$kver '"
check "/usr/src/faultmem-$version holds exactly the module sources of the repository, and its dkms.conf" \
	bash -c "diff <(cd '$root/usr/src/faultmem-$version' && find . -type f | sed 's|^\./||' | sort) \
			<(. '$here/lib.sh' && module_sources '$top' | sort) &&
		(cd '$top' && for f in \$(. '$here/lib.sh' && module_sources .); do
			cmp \"\$f\" '$root/usr/src/faultmem-$version'/\"\$f\" || exit 1; done)"
check "the faultmem tool runs with $suite's libc" \
	in_root "faultmem help | grep -q '^usage: faultmem COMMAND'"
# The compiler dkms pulled in: the headers' own gcc-N (or, in newer
# suites, only x86_64-linux-gnu-gcc-N) satisfies dkms's "gcc |
# c-compiler", so there may be no plain "gcc".
check "<faultmem.h> (faultmem-dev) compiles on its own with $suite's gcc" \
	in_root "gcc=\$(ls /usr/bin/*gcc-[0-9]* | grep -E '/(x86_64-linux-gnu-)?gcc-[0-9]+\$' | sort -V | tail -n 1) &&
		echo '#include <faultmem.h>' | \$gcc -Wall -Werror -fsyntax-only -x c -"
check "the faultmem system group exists (a system gid)" \
	in_root "gid=\$(getent group faultmem | cut -d: -f3) && [ -n \"\$gid\" ] && [ \"\$gid\" -lt 1000 ]"
check "the udev rule gives the devices to the faultmem group" \
	in_root "grep -qx 'SUBSYSTEM==\"misc\", KERNEL==\"faultmem\[0-9\]\*\", GROUP=\"faultmem\", MODE=\"0660\"' \
		/lib/udev/rules.d/60-faultmem.rules"
check "/etc/modprobe.d/faultmem.conf is a conffile, every line a comment" \
	in_root "dpkg-query -W -f='\${Conffiles}' faultmem-tools | grep -q ' /etc/modprobe.d/faultmem.conf ' &&
		! grep -qv '^#' /etc/modprobe.d/faultmem.conf"
check "the faultmem(1) manual page is installed" \
	in_root "test -s /usr/share/man/man1/faultmem.1.gz"

# What the VM needs, copied out of the chroot as installed, listed as
# HOSTFILE:GUESTPATH in OUTDIR/vm/files. The guest keeps the modules in
# /lib/modules (kmod of a merged /usr may say /usr/lib/modules).
# check runs it, a call shellcheck does not see.
# shellcheck disable=SC2317
vm_files() {
	local ko image f lib spec

	ko=$(in_root "modinfo -k $kver -F filename faultmem") && [ -n "$ko" ] || return 1
	for image in "$root/boot/vmlinuz-$kver" "$root/lib/modules/$kver/vmlinuz"; do
		[ -f "$image" ] && cp "$image" "$out/vm/vmlinuz" && break
	done
	[ -f "$out/vm/vmlinuz" ] || { echo "no kernel image for $kver"; return 1; }
	cp "$root$ko" "$out/vm/${ko##*/}"
	echo "$version" >"$out/vm/deb-version"
	{
		echo "$root$ko:${ko#/usr}"
		for f in "$root/lib/modules/$kver"/modules.*; do
			echo "$f:/lib/modules/$kver/${f##*/}"
		done
		for f in /lib/udev/rules.d/60-faultmem.rules /etc/modprobe.d/faultmem.conf \
			 /etc/group /etc/passwd; do
			echo "$root$f:$f"
		done
		# The programs at /usr/bin, with the libraries the suite's
		# loader resolves for them there. The guest's / is not merged:
		# each library goes to /lib (where the host's udevadm finds its
		# libc too), so that one libc and one loader, the suite's, are
		# in the image.
		for f in faultmem kmod; do
			echo "$root/usr/bin/$f:/usr/bin/$f"
			for lib in $(in_root "ldd /usr/bin/$f" | grep -o '/[^ ]*'); do
				echo "$root$lib:${lib#/usr}"
			done
		done
	} | sort -u >"$out/vm/files.chroot"
	# The overlay goes when this run ends, the VM boots later: copied to
	# OUTDIR/vm/root, at the guest's paths.
	rm -rf "$out/vm/root"
	while IFS= read -r spec; do
		f=$out/vm/root${spec#*:}
		mkdir -p "${f%/*}" && cp -L "${spec%%:*}" "$f" || return 1
		echo "$f:${spec#*:}"
	done <"$out/vm/files.chroot" >"$out/vm/files"
	echo "$out/vm/deb-version:/faultmem/deb-version" >>"$out/vm/files"
	cat "$out/vm/files"
}
check "what the VM needs is copied out of the chroot (kernel image, module, indexes, kmod, tool, rule, groups)" \
	vm_files

# --- a second kernel ---------------------------------------------------
check "apt-get install linux-headers-rt-amd64 (a second kernel's headers)" \
	in_root "apt-get install -q linux-headers-rt-amd64"
rt_kver=$(headers_release linux-headers-rt-amd64)
check "the headers' hook built and installed faultmem/$version for ${rt_kver:-the RT kernel}, vermagic $rt_kver" \
	in_root "[ -n '$rt_kver' ] &&
		dkms status -m faultmem -v $version -k $rt_kver | grep -q ': installed' &&
		ko=\$(ls /lib/modules/$rt_kver/updates/dkms/faultmem.ko*) &&
		modinfo -F vermagic \$ko | grep -q '^$rt_kver '"
file_list installed
# The packages' files (not their directories), as paths of this chroot:
# with a merged /usr, /lib/udev/... is found as /usr/lib/udev/...
in_root "dpkg-query -L faultmem-dkms faultmem-tools faultmem-dev |
	while read -r p; do [ -d \"\$p\" ] || readlink -f \"\$p\"; done" |
	sort -u >"$out/files.packages"

# --- remove, then purge ------------------------------------------------------
# Removing takes the module out of DKMS and every kernel; the
# configuration (the modprobe.d file, the group) stays until the purge.
check "apt-get remove faultmem-dkms faultmem-tools faultmem-dev" \
	in_root "apt-get remove -q faultmem-dkms faultmem-tools faultmem-dev"
# Expanded in the chroot, hence the single quotes.
# shellcheck disable=SC2016
check "after remove: dkms status is empty" in_root 'test -z "$(dkms status 2>&1)"'
check "after remove: no module for either kernel, and modules.dep no longer names faultmem" \
	in_root "! ls /lib/modules/$kver/updates/dkms/faultmem.ko* /lib/modules/${rt_kver:-none}/updates/dkms/faultmem.ko* 2>/dev/null &&
		! grep -q faultmem /lib/modules/$kver/modules.dep"
check "after remove: the configuration stays (the modprobe.d file, the faultmem group)" \
	in_root "test -f /etc/modprobe.d/faultmem.conf && getent group faultmem"
# apt purges what remove left: the packages dpkg still knows, with their
# configuration (faultmem-tools: its conffile and postrm); the others
# were gone with remove.
check "apt-get purge of what remove left (faultmem-tools among them)" \
	in_root "left=\$(dpkg-query -W -f='\${db:Status-Abbrev} \${Package}\n' 'faultmem-*' |
			awk '\$1 == \"rc\" { print \$2 }') &&
		echo \"left: \$left\" && echo \"\$left\" | grep -qx faultmem-tools &&
		apt-get purge -q \$left"
cp "$log" "$out/purge.log"
# Expanded in the chroot, hence the single quotes.
# shellcheck disable=SC2016
check "after purge: dkms status is empty, no package of ours is known to dpkg" \
	in_root 'test -z "$(dkms status 2>&1)" &&
		! dpkg-query -W -f="\${db:Status-Abbrev} \${Package}
" "faultmem-*" 2>/dev/null | grep -v "^un "'
check "after purge: the faultmem group and the modprobe.d file are gone" \
	in_root '! getent group faultmem && test ! -e /etc/modprobe.d/faultmem.conf'
file_list purged
# Ours: the packages' files, and every path the install added with
# faultmem in its name (DKMS's tree, the modules it built for both
# kernels, the source and documentation directories).
sort -u <(comm -13 "$out/files.before" "$out/files.installed" | grep faultmem) \
	"$out/files.packages" >"$out/files.ours"
# check runs it, a call shellcheck does not see.
# shellcheck disable=SC2317
ours_gone() {
	# The list must hold what the install made, or the check proves
	# nothing.
	if ! { grep -q "^/usr/src/faultmem-$version/dkms.conf$" "$out/files.ours" &&
		grep -q "/$kver/updates/dkms/faultmem\.ko" "$out/files.ours" &&
		grep -q "/${rt_kver:-none}/updates/dkms/faultmem\.ko" "$out/files.ours" &&
		grep -q '/usr/bin/faultmem$' "$out/files.ours" &&
		grep -q '/udev/rules.d/60-faultmem.rules$' "$out/files.ours" &&
		grep -q '^/usr/include/faultmem.h$' "$out/files.ours"; }; then
		echo "the list of our files lacks something the install made:"
		cat "$out/files.ours"
		return 1
	fi
	! comm -12 "$out/files.ours" "$out/files.purged" | grep .
}
check "the purge left none of the $(wc -l <"$out/files.ours") paths of ours (module for both kernels, DKMS tree, sources, tool, rule, ...)" \
	ours_gone
# What the purge left that was not there before must belong to a package
# still installed (dkms and what it pulled in, the RT headers), or be
# bookkeeping: apt's and dpkg's state, logs and caches, ld.so's cache,
# the shadow tools' backups of /etc/group, depmod's indexes, Python's
# byte code, dkms's machine owner key (dkms stays installed: the key is
# its own, for every module it signs), the kernel's autoremove list,
# and the initramfs update-initramfs made for a kernel installed with the
# second kernel's headers (Debian 13's headers bring the image).
# check runs it, a call shellcheck does not see.
# shellcheck disable=SC2317
no_leftovers() {
	# dpkg's lists name /bin, /sbin and /lib where a merged /usr has
	# the files in /usr/bin, /usr/sbin, /usr/lib (what find sees): each
	# path counts under both names.
	in_root "cat /var/lib/dpkg/info/*.list" |
		sed -E 'p; s#^/(bin|sbin|lib|lib32|lib64|libx32)(/|$)#/usr/\1\2#' |
		sort -u >"$out/files.owned"
	comm -13 "$out/files.before" "$out/files.purged" |
		comm -23 - "$out/files.owned" |
		grep -vE '^/var/(cache|log)/|^/var/lib/(apt|dpkg|ucf)/|^/etc/ld\.so\.cache$|^/etc/(group|gshadow|passwd|shadow|subgid|subuid)-$|^/var/lib/dkms/mok\.(key|pub)$|^(/usr)?/lib/modules/[^/]+/modules\.[a-z.]+$|/__pycache__(/|$)|^/etc/apt/apt\.conf\.d/01autoremove-kernels$|^/etc/alternatives/|^/boot/initrd\.img-' \
		>"$out/leftovers.raw"
	# update-alternatives' links (/usr/bin/lzma -> /etc/alternatives/lzma)
	# belong to the package that registered them.
	while IFS= read -r p; do
		case $(readlink "$root$p") in
		/etc/alternatives/*) ;;
		*) echo "$p" ;;
		esac
	done <"$out/leftovers.raw" >"$out/leftovers"
	! grep . "$out/leftovers"
}
check "the purge left nothing behind that no installed package owns (file lists before the install and after the purge compared)" \
	no_leftovers
finish
