# SPDX-License-Identifier: GPL-2.0-only
#
# faultmem: build, test and demo entry points. The module's own build
# description is in Kbuild and driver/Kbuild (what DKMS and kbuild read).
#
#   make               module + userspace programs + selftests
#   make check         the whole test suite in a VM (installs what it needs)
#   make demo          the demos (userspace/demos/), one per path, in a VM
#   make docs          regenerate docs/walkthrough.md from a real run in a VM
#   make bench         faultmem against memfd, tmpfs and anonymous memory in a
#                      VM; regenerates docs/bench.csv and docs/performance.md's table
#   make vm            an interactive shell in a VM with the module loaded
#   make check-debug   the same suite on a debug kernel (KASAN, lockdep, ...)
#   make check-hostile fio verification and the trinity fuzzer in the VM
#   make check-mutants the mutation lane: deliberate bugs (mutants/) that
#                      the tests must each catch; a table of who killed what
#   make lint          checkpatch --strict, sparse, W=1, kernel-doc, SPDX,
#                      against every kernel CI builds; shellcheck
#   make matrix        the module, W=1, against every kernel CI builds:
#                      a table kernel x result, nothing booted
#   make check SUITE=sid  the suite on Debian unstable's kernel (trixie,
#                      sid, experimental; FLAVOUR=rt for PREEMPT_RT)
#   make install       module, faultmem tool, uapi header, udev rule,
#                      modprobe.d example (DESTDIR, PREFIX); make uninstall
#   make dkms-install  register, build and install with DKMS; dkms-uninstall
#   make check-packaging  DKMS round trips and install/uninstall checks
#   make deb           the Debian packages faultmem-dkms and faultmem-tools
#                      (debian/), lintian-clean, into build/deb (DEB_DIR)
#   make check-deb     make deb, then install, build, boot, use and purge
#                      them in clean chroots of Debian 12, 13 and unstable
#                      (DEB_SUITES) and VMs with their kernels
#   make set-version VERSION=X.Y.Z  the one place to change the version
#   make check-runner  prove that make check catches failures, WARNs, hangs
#                      (DEBUG=1: also KASAN reports and leaks, on the debug kernel)
#
# Variables: SUITE, KSERIES, FLAVOUR (which kernel, below), KDIR (headers
# to build against), KERNEL (bzImage to boot; by default Debian's image of
# KDIR's release, downloaded once), VM_TIMEOUT, VM_ACCEL, VM_MEM, VM_SMP,
# INSMOD_PARAMS (parameters for the test insmod), STRESS_SECONDS (duration
# of the stress test, default 60), PROGRAM_TIMEOUT (seconds, on top of
# STRESS_SECONDS, before a selftest program counts as hung; default 600),
# TESTS (run only these selftests, e.g. TESTS="basic_test rw_test").

# Which kernel to build for and boot (scripts/kernel.sh): SUITE is the
# Debian suite whose kernel it is (empty or bookworm: Debian 12, the host
# itself; trixie, sid or experimental: a cached chroot of that suite, see
# scripts/suite.sh), KSERIES another series the host ships (6.12) and
# FLAVOUR the flavour (empty, or rt for PREEMPT_RT). The suite's headers
# meta-package says which release that is, at run time.
BUILD := build
SUITE ?=
KSERIES ?=
FLAVOUR ?=
KERNEL_SUITE := $(or $(filter-out bookworm,$(SUITE)),bookworm)
# bookworm, bookworm-rt, bookworm-6.12, trixie, sid-rt, experimental, ...
KERNEL_SPEC := $(KERNEL_SUITE)$(if $(KSERIES),-$(KSERIES))$(if $(FLAVOUR),-$(FLAVOUR))
# Looked up once per make (simply expanded), unless given.
ifeq ($(origin KDIR),undefined)
ifeq ($(KERNEL_SPEC),bookworm)
# The running kernel's build tree when it has one, else Debian 12's 6.1.
KDIR := $(or $(wildcard /lib/modules/$(shell uname -r)/build),$(shell scripts/kernel.sh kdir bookworm 2>/dev/null))
else
KDIR := $(shell scripts/kernel.sh kdir $(KERNEL_SPEC) 2>/dev/null)
endif
endif
# The default kernel's products go to build/ (and the module to driver/,
# where kbuild and DKMS put it); every other kernel's to build/SPEC/.
ifeq ($(KERNEL_SPEC),bookworm)
KBUILD_DIR := $(BUILD)
MODULE_KO := driver/faultmem.ko
else
KBUILD_DIR := $(BUILD)/$(KERNEL_SPEC)
MODULE_KO := $(KBUILD_DIR)/module/driver/faultmem.ko
endif
# Every kernel CI builds (make lint, make matrix): Debian 12's 6.1 and its
# PREEMPT_RT build, Debian 12's 6.12 (built with Debian 12's gcc 12),
# Debian 13's 6.12, unstable's newest stable (also PREEMPT_RT) and
# experimental's newest rc.
KERNELS := bookworm bookworm-rt bookworm-6.12 trixie sid sid-rt experimental
# The kernel release a headers tree builds for; KVER is KDIR's (install,
# DKMS).
kernel_release = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(1)/include/generated/utsrelease.h 2>/dev/null)
ifeq ($(origin KVER),undefined)
KVER := $(call kernel_release,$(KDIR))
endif
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX ?= /usr/local
DESTDIR ?=
UDEVDIR ?= /lib/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d
MODULEDIR = /lib/modules/$(KVER)/updates
CC ?= gcc
CFLAGS ?= -O2 -g
USER_CFLAGS := $(CFLAGS) -Wall -Wextra -Werror -D_GNU_SOURCE -pthread \
	-Iinclude/uapi
USER_LDFLAGS := -static -pthread
INSMOD_PARAMS ?=
# Duration of the model-checked stress test (selftests/stress_test.c).
STRESS_SECONDS ?= 60
# A selftest program still running after PROGRAM_TIMEOUT + STRESS_SECONDS
# seconds has hung: the guest shows where its processes wait, kills it and
# goes on.
PROGRAM_TIMEOUT ?= 600
export VM_APPEND := fm.stress_seconds=$(STRESS_SECONDS) \
	fm.program_timeout=$(PROGRAM_TIMEOUT) $(VM_APPEND)

USER_PROGS := $(BUILD)/bin/faultmem $(BUILD)/bin/faultmem-bench \
	$(BUILD)/bin/faultmem-fsx
# The faultmem tool: userspace/faultmem/, a file per command (main.c
# dispatches).
TOOL_SOURCES := $(wildcard userspace/faultmem/*.c)
TOOL_HEADERS := $(wildcard userspace/faultmem/*.h)
# The differential exerciser: userspace/fsx/.
FSX_SOURCES := $(wildcard userspace/fsx/*.c)
DEMOS := $(patsubst userspace/demos/%.c,$(BUILD)/demos/%,$(wildcard userspace/demos/*.c))
SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,$(wildcard selftests/*_test.c))
RUNNER_TESTS := $(patsubst selftests/runner/%.c,$(BUILD)/runner-tests/%,$(wildcard selftests/runner/*.c))
KSELFTEST_DIR := $(BUILD)/kselftest
INITRD := $(KBUILD_DIR)/vm/initramfs.cpio.gz
HEADERS := $(wildcard include/uapi/*.h selftests/*.h)

# The entry points first install the packages they need (scripts/
# ensure-deps.sh on the host; scripts/kernel.sh prepare for the kernel:
# its headers, or the chroot of its suite), then run their real recipe,
# NAME-run, in a new make. A new make, because make expands a whole recipe
# before it runs the first line: on a fresh machine KDIR, KVER and the
# kernel image would be looked up before the headers exist.
ENTRY_POINTS := all module check demo docs bench vm check-debug check-hostile \
	lint matrix check-runner check-packaging check-mutants deb check-deb
VM_DEPS := make gcc libc6-dev linux-source-6.1 qemu-system-x86 busybox-static \
	cpio gzip xz-utils kmod trace-cmd python3
HOST_DEPS_all := make gcc libc6-dev linux-source-6.1
HOST_DEPS_module := make gcc
HOST_DEPS_check := $(VM_DEPS)
HOST_DEPS_demo := $(VM_DEPS)
HOST_DEPS_docs := $(VM_DEPS)
HOST_DEPS_bench := $(VM_DEPS)
HOST_DEPS_vm := $(VM_DEPS)
HOST_DEPS_check-runner := $(VM_DEPS)
HOST_DEPS_check-hostile := $(VM_DEPS) trinity fio
HOST_DEPS_check-debug := $(VM_DEPS) $(if $(filter bookworm,$(KERNEL_SUITE)),bc bison flex libelf-dev libssl-dev,debootstrap)
HOST_DEPS_lint := make gcc perl sparse linux-source-6.1 debootstrap shellcheck
HOST_DEPS_matrix := make gcc debootstrap $(if $(UPDATE_README),sparse)
HOST_DEPS_check-packaging := $(VM_DEPS) dkms debootstrap
HOST_DEPS_check-mutants := $(VM_DEPS) patch bc bison flex libelf-dev libssl-dev \
	debootstrap
HOST_DEPS_deb := make gcc libc6-dev dpkg-dev debhelper dh-dkms lintian
HOST_DEPS_check-deb := $(HOST_DEPS_deb) debootstrap qemu-system-x86 \
	busybox-static cpio gzip kmod
# The kernel's headers (or its suite's chroot), unless KDIR was given.
PREPARE_KERNEL := $(if $(filter command line environment,$(origin KDIR)),,scripts/kernel.sh prepare $(KERNEL_SPEC))
PREPARE_all := $(PREPARE_KERNEL)
PREPARE_module := $(PREPARE_KERNEL)
PREPARE_check := $(PREPARE_KERNEL)
PREPARE_demo := $(PREPARE_KERNEL)
PREPARE_docs := $(PREPARE_KERNEL)
PREPARE_bench := $(PREPARE_KERNEL)
PREPARE_vm := $(PREPARE_KERNEL)
PREPARE_check-runner := $(PREPARE_KERNEL)
PREPARE_check-hostile := $(PREPARE_KERNEL)
PREPARE_check-packaging := $(PREPARE_KERNEL)
PREPARE_check-mutants := $(PREPARE_KERNEL)$(if $(PREPARE_KERNEL), && )scripts/kernel.sh prepare sid

$(ENTRY_POINTS):
	@scripts/ensure-deps.sh $(HOST_DEPS_$@)
	@$(PREPARE_$@)
	@$(MAKE) --no-print-directory $@-run

.PHONY: kdir userspace selftests initramfs clean install uninstall set-version \
	install-tools uninstall-tools dkms-install dkms-uninstall \
	$(ENTRY_POINTS) $(addsuffix -run,$(ENTRY_POINTS))

all-run: module-run userspace selftests

kdir:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { \
	  $(if $(filter command line environment,$(origin KDIR)),echo "faultmem: KDIR=$(KDIR) is not a kernel build tree" >&2; false,scripts/kernel.sh kdir $(KERNEL_SPEC) >/dev/null); }

# The default kernel's module is built in place (driver/faultmem.ko), as
# kbuild and DKMS do; any other kernel's in build/SPEC/module, inside its
# suite's chroot where it has one.
ifeq ($(KERNEL_SPEC),bookworm)
module-run: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules
else
module-run: kdir
	@scripts/kernel.sh build $(KERNEL_SPEC) $(KDIR) $(KBUILD_DIR)/module >/dev/null
	@echo "faultmem: built $(MODULE_KO) for $(KVER)"
endif

userspace: $(USER_PROGS) $(DEMOS)
selftests: $(SELFTESTS)

$(BUILD)/bin/faultmem: $(TOOL_SOURCES) $(TOOL_HEADERS) $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $(TOOL_SOURCES) $(USER_LDFLAGS)

$(BUILD)/bin/faultmem-fsx: $(FSX_SOURCES) userspace/fsx/fsx.h $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $(FSX_SOURCES) $(USER_LDFLAGS)

$(BUILD)/bin/faultmem-bench: bench/faultmem_bench.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(USER_LDFLAGS)

$(BUILD)/demos/%: userspace/demos/%.c userspace/demos/demo.h $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(USER_LDFLAGS)

$(KSELFTEST_DIR)/kselftest_harness.h:
	scripts/fetch-kselftest.sh $(KSELFTEST_DIR)

$(BUILD)/selftests/%: selftests/%.c $(HEADERS) $(KSELFTEST_DIR)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -isystem $(KSELFTEST_DIR) -Iselftests -o $@ $< $(USER_LDFLAGS)

$(BUILD)/runner-tests/%: selftests/runner/%.c $(KSELFTEST_DIR)/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -isystem $(KSELFTEST_DIR) -o $@ $< $(USER_LDFLAGS)

# The kernel to boot: KERNEL if given, else the suite's image of KDIR's
# release, downloaded once.
VM_KERNEL = $(or $(KERNEL),$(shell scripts/kernel.sh image $(KERNEL_SPEC) $(KDIR)))

# trace-cmd, when installed, goes into the image: observe_test checks that
# it decodes faultmem's events, as on a real host.
TRACE_CMD := $(if $(wildcard /usr/bin/trace-cmd),-B /usr/bin/trace-cmd)
# The userspace programs are static, built once on the host for every
# kernel.
# Debian's python3 with the few standard modules the Python recipe
# (docs/fault-injection.md) imports, and the recipe
# (scripts/python-files.sh): inject_cli_test
# runs it as a user would.
INITRAMFS_CONTENT = $(TRACE_CMD) $(shell scripts/python-files.sh) \
	-t $(BUILD)/selftests -b $(BUILD)/bin \
	-d $(BUILD)/demos -p "$(INSMOD_PARAMS)" -f "$(TESTS)"

initramfs: module-run userspace selftests
	scripts/mkinitramfs.sh -o $(INITRD) -m $(MODULE_KO) $(INITRAMFS_CONTENT)

# The skips each lane expects (selftests/expected-skips): Debian's own
# kernels, PREEMPT_RT ones and each suite's (bookworm: 6.1); the debug
# kernel's lane has its own tag.
STOCK_SKIP_TAGS := stock $(FLAVOUR) $(KERNEL_SUITE)$(if $(KSERIES),-$(KSERIES))

check-run: initramfs
	VM_LOGDIR=$(KBUILD_DIR)/vm VM_SKIP_TAGS="$(STOCK_SKIP_TAGS)" \
		scripts/vm-run.sh check $(VM_KERNEL) $(INITRD)

demo-run: initramfs
	VM_LOGDIR=$(KBUILD_DIR)/vm scripts/vm-run.sh demo $(VM_KERNEL) $(INITRD)

# docs/walkthrough.md: the template plus output captured from a real run.
docs-run: initramfs
	VM_LOGDIR=$(KBUILD_DIR)/docs scripts/vm-run.sh docs $(VM_KERNEL) $(INITRD)
	scripts/gen-walkthrough.sh $(KBUILD_DIR)/docs/results.log \
		docs/walkthrough.md.in docs/walkthrough.md

# Benchmark (bench/faultmem_bench.c): one VM boot, ratios within the run.
# BENCH_MIB per run (default 32), BENCH_REPS repetitions (median, default 5).
BENCH_MIB ?= 32
BENCH_REPS ?= 5

bench-run: initramfs
	VM_LOGDIR=$(KBUILD_DIR)/bench VM_MEM=$${VM_MEM:-2G} \
	VM_APPEND="fm.bench_mib=$(BENCH_MIB) fm.bench_reps=$(BENCH_REPS)" \
		scripts/vm-run.sh bench $(VM_KERNEL) $(INITRD)
	scripts/gen-bench.sh $(KBUILD_DIR)/bench/results.log docs/bench.csv \
		docs/performance.md

vm-run: initramfs
	VM_LOGDIR=$(KBUILD_DIR)/vm scripts/vm-run.sh shell $(VM_KERNEL) $(INITRD)

# The debug-kernel lane: the same suite under KASAN, lockdep, DEBUG_VM,
# kmemleak and fault injection (scripts/debug-kernel.config), on a kernel
# built from the suite's own linux-source package (Debian 12's 6.1 by
# default; SUITE=sid for unstable's newest stable) and cached
# (scripts/build-debug-kernel.sh).
DEBUG_BUILD := $(KBUILD_DIR)/debug
# Every program but tool_test, which tests the userspace tool (the stock
# lanes run it) and spends minutes here turning trace events on and off:
# text patching, under TCG, with lockdep.
DEBUG_TESTS := $(filter-out tool_test,$(notdir $(SELFTESTS)))
check-debug-run: TESTS := $(or $(TESTS),$(DEBUG_TESTS))
check-debug-run: userspace selftests
	@kdir=$$(scripts/build-debug-kernel.sh $(KERNEL_SUITE)) && \
	ko=$$(scripts/kernel.sh build $(KERNEL_SUITE) $$kdir $(DEBUG_BUILD)/module) && \
	scripts/mkinitramfs.sh -o $(DEBUG_BUILD)/initramfs.cpio.gz -m $$ko \
		$(INITRAMFS_CONTENT) && \
	VM_MEM=$${VM_MEM:-2G} VM_TIMEOUT=$${VM_TIMEOUT:-1500} \
	VM_TCG_THREAD=$${VM_TCG_THREAD:-single} VM_SKIP_TAGS="debug $(KERNEL_SUITE)" \
	VM_LOGDIR=$(DEBUG_BUILD)/vm \
		scripts/vm-run.sh check $$kdir/arch/x86/boot/bzImage \
		$(DEBUG_BUILD)/initramfs.cpio.gz

# The mutation lane (scripts/check-mutants.sh, mutants/*.patch): every
# deliberate bug must be killed by the tests, on Debian 12's 6.1, on its
# debug kernel for the mutants only its checks can see, and on unstable's
# newest stable for those on the newer side of a compat.h gate (built in
# its chroot). MUTANTS="a b" runs only those.
check-mutants-run: userspace selftests
	@test "$(KERNEL_SPEC)" = bookworm || { echo "faultmem: make check-mutants runs from Debian 12's 6.1 (it boots the other kernels itself)" >&2; false; }
	@debug_kdir=$$(scripts/build-debug-kernel.sh bookworm) && \
	newest_kdir=$$(scripts/kernel.sh kdir sid) && \
	newest_image=$$(scripts/kernel.sh image sid $$newest_kdir) && \
	scripts/check-mutants.sh $(KDIR) $(VM_KERNEL) $$debug_kdir \
		$$newest_kdir $$newest_image

# Hostile input from real tools in the VM: fio verification and trinity.
FUZZ_SECONDS ?= 120

check-hostile-run: module-run userspace selftests
	scripts/mkinitramfs.sh -o $(KBUILD_DIR)/hostile/initramfs.cpio.gz \
		-m $(MODULE_KO) -B /usr/bin/trinity -B /usr/bin/fio
	VM_LOGDIR=$(KBUILD_DIR)/hostile/vm VM_TIMEOUT=$$(( $(FUZZ_SECONDS) + 600 )) \
	VM_APPEND="fm.fuzz_seconds=$(FUZZ_SECONDS)" \
		scripts/vm-run.sh hostile $(VM_KERNEL) $(KBUILD_DIR)/hostile/initramfs.cpio.gz

# Kernel-style checks: checkpatch --strict, sparse, W=1, kernel-doc, SPDX,
# against every kernel CI builds, or only the one SUITE, KSERIES and
# FLAVOUR name; shellcheck on every shell script.
LINT_KERNELS := $(if $(filter-out bookworm,$(KERNEL_SPEC)),$(KERNEL_SPEC),$(KERNELS))
lint-run:
	scripts/lint.sh $(LINT_KERNELS)

# A quick build matrix for contributors: the module, W=1, against every
# kernel in MATRIX_KERNELS (default: every kernel CI builds), nothing
# booted; a table kernel x result.
# UPDATE_README=1 regenerates the table of supported kernels
# (docs/kernels.md)
# from the run (with sparse, as make lint builds).
MATRIX_KERNELS ?= $(KERNELS)
matrix-run:
	scripts/build-matrix.sh $(if $(UPDATE_README),--sparse --readme docs/kernels.md) \
		$(MATRIX_KERNELS)

# The runner's own proof, on the kernel SPEC names; DEBUG=1 adds the
# debug kernel of the same suite.
check-runner-run: module-run userspace selftests $(RUNNER_TESTS)
	@scripts/kernel.sh build -m selftests/runner/modules $(KERNEL_SPEC) $(KDIR) \
		$(KBUILD_DIR)/runner-modules
	@debug_kdir= && \
	$(if $(DEBUG),debug_kdir=$$(scripts/build-debug-kernel.sh $(KERNEL_SUITE)) &&) \
	scripts/runner-selftest.sh $(KERNEL_SPEC) $(VM_KERNEL) $(MODULE_KO) \
		$(KBUILD_DIR)/runner-modules $$debug_kdir

# Install for the kernel KDIR builds for (KVER), under DESTDIR (staging,
# for packagers) and PREFIX (the tool and the uapi header). depmod runs only
# for a real install (no DESTDIR). The modprobe.d example is installed only
# where none exists, and removed only if unchanged: it is the admin's file.
install: module install-tools
	install -D -m 0644 $(MODULE_KO) $(DESTDIR)$(MODULEDIR)/faultmem.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

# Everything but the module: what a DKMS install still needs.
install-tools: $(BUILD)/bin/faultmem
	install -D -m 0755 $(BUILD)/bin/faultmem $(DESTDIR)$(PREFIX)/bin/faultmem
	install -D -m 0644 include/uapi/faultmem.h $(DESTDIR)$(PREFIX)/include/faultmem.h
	install -D -m 0644 packaging/60-faultmem.rules $(DESTDIR)$(UDEVDIR)/60-faultmem.rules
	@if [ -e $(DESTDIR)$(MODPROBEDIR)/faultmem.conf ]; then \
		echo "keeping the existing $(DESTDIR)$(MODPROBEDIR)/faultmem.conf"; \
	else \
		echo "install -D -m 0644 packaging/faultmem.conf $(DESTDIR)$(MODPROBEDIR)/faultmem.conf"; \
		install -D -m 0644 packaging/faultmem.conf $(DESTDIR)$(MODPROBEDIR)/faultmem.conf; \
	fi

uninstall: uninstall-tools
	rm -f $(DESTDIR)$(MODULEDIR)/faultmem.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

uninstall-tools:
	rm -f $(DESTDIR)$(PREFIX)/bin/faultmem $(DESTDIR)$(PREFIX)/include/faultmem.h \
		$(DESTDIR)$(UDEVDIR)/60-faultmem.rules
	@if cmp -s packaging/faultmem.conf $(DESTDIR)$(MODPROBEDIR)/faultmem.conf; then \
		echo "rm -f $(DESTDIR)$(MODPROBEDIR)/faultmem.conf"; \
		rm -f $(DESTDIR)$(MODPROBEDIR)/faultmem.conf; \
	fi

# DKMS: rebuilt automatically for every kernel installed later.
dkms-install: kdir
	scripts/dkms.sh install $(KVER)

dkms-uninstall:
	scripts/dkms.sh uninstall

# The packaging lane (CI, as root): make install/uninstall and the udev
# rule on the host's kernel; the DKMS round trip and the kernel-upgrade
# hook with Debian 12's dkms (a later kernel: Debian 12's 6.12) and inside
# the chroot of PACKAGING_SUITE with that suite's dkms and kernels.
PACKAGING_LATER_KERNEL ?= bookworm-6.12
PACKAGING_SUITE ?= sid
check-packaging-run: module-run userspace selftests
	scripts/check-packaging.sh $(KVER) $(VM_KERNEL) $(PACKAGING_LATER_KERNEL) \
		$(PACKAGING_SUITE)

# The Debian packages (debian/, scripts/build-deb.sh): built from a copy
# of the sources in DEB_DIR, where the .debs and the .changes land;
# lintian must find no error and no warning. No kernel is needed: the
# module ships as source, for DKMS.
DEB_DIR ?= $(BUILD)/deb
deb-run:
	scripts/build-deb.sh $(DEB_DIR)

# The packages installed for real (scripts/check-deb.sh): clean chroots
# of each suite in DEB_SUITES, cached in FAULTMEM_CACHE/deb-chroots, and
# a VM boot with each suite's kernel.
DEB_SUITES ?= bookworm trixie sid
check-deb-run:
	scripts/check-deb.sh $(DEB_DIR) $(DEB_SUITES)

# The version lives in four files (scripts/version.sh); this writes all
# of them, with new CHANGELOG.md and debian/changelog entries to fill in.
set-version:
	@test "$(origin VERSION)" = "command line" || { echo "usage: make set-version VERSION=X.Y.Z" >&2; false; }
	scripts/version.sh set $(VERSION)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/runner/modules clean
	rm -rf $(BUILD)
