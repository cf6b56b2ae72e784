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
#                      VM; regenerates docs/bench.csv and the README's table
#   make vm            an interactive shell in a VM with the module loaded
#   make check-debug   the same suite on a debug kernel (KASAN, lockdep, ...)
#   make check-hostile fio verification and the trinity fuzzer in the VM
#   make lint          checkpatch --strict, sparse, W=1, kernel-doc, SPDX
#   make check FLAVOUR=rt  the suite on Debian's PREEMPT_RT kernel
#   make check KSERIES=6.12  the suite on Debian 12's 6.12 kernel
#   make install       module, faultmem tool, uapi header, udev rule,
#                      modprobe.d example (DESTDIR, PREFIX); make uninstall
#   make dkms-install  register, build and install with DKMS; dkms-uninstall
#   make check-packaging  DKMS round trip and install/uninstall checks
#   make check-runner  prove that make check catches failures, WARNs, hangs
#                      (DEBUG=1: also KASAN reports and leaks, on the debug kernel)
#
# Variables: KDIR (headers to build against), KERNEL (bzImage to boot; by
# default Debian's image matching KDIR, downloaded once), VM_TIMEOUT,
# VM_ACCEL, VM_MEM, VM_SMP, INSMOD_PARAMS (parameters for the test insmod),
# STRESS_SECONDS (duration of the stress test, default 60), PROGRAM_TIMEOUT
# (seconds, on top of STRESS_SECONDS, before a selftest program counts as
# hung; default 600), TESTS (run only these selftests, e.g.
# TESTS="basic_test rw_test").

# Which Debian 12 kernel to build against and boot when KDIR is not given:
# KSERIES is the series (empty: the default, 6.1; 6.12: the newer series
# Debian 12 also ships) and FLAVOUR the flavour (empty, or rt for
# PREEMPT_RT). Each pair has a headers meta-package (scripts/lib.sh).
KSERIES ?=
FLAVOUR ?=
KDIR ?= $(shell KSERIES=$(KSERIES) FLAVOUR=$(FLAVOUR) scripts/find-kdir.sh 2>/dev/null)
HEADERS_PACKAGE := linux-headers-$(if $(KSERIES),$(KSERIES)-)$(if $(FLAVOUR),$(FLAVOUR)-)amd64
# "6.12", "rt", "6.12-rt"; empty for the default kernel.
KERNEL_TAG := $(subst $(eval) ,-,$(strip $(KSERIES) $(FLAVOUR)))
# The newest series Debian 12 ships: make lint builds for it too, and the
# packaging lane has DKMS build for it as a kernel upgrade would.
NEWER_KSERIES := 6.12
NEWER_KDIR = $(shell KSERIES=$(NEWER_KSERIES) scripts/find-kdir.sh 2>/dev/null)
NEWER_HEADERS_PACKAGE := linux-headers-$(NEWER_KSERIES)-amd64
# The kernel release a headers tree builds for; KVER is KDIR's (install,
# DKMS).
kernel_release = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(1)/include/generated/utsrelease.h 2>/dev/null)
KVER ?= $(call kernel_release,$(KDIR))
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX ?= /usr/local
DESTDIR ?=
UDEVDIR ?= /lib/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d
MODULEDIR = /lib/modules/$(KVER)/updates
BUILD := build
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

USER_PROGS := $(patsubst userspace/%.c,$(BUILD)/bin/%,$(wildcard userspace/*.c)) \
	$(BUILD)/bin/faultmem-bench
DEMOS := $(patsubst userspace/demos/%.c,$(BUILD)/demos/%,$(wildcard userspace/demos/*.c))
SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,$(wildcard selftests/*_test.c))
RUNNER_TESTS := $(patsubst selftests/runner/%.c,$(BUILD)/runner-tests/%,$(wildcard selftests/runner/*.c))
KSELFTEST_DIR := $(BUILD)/kselftest
INITRD := $(BUILD)/vm/initramfs.cpio.gz
HEADERS := include/uapi/faultmem.h $(wildcard selftests/*.h)

all: module userspace selftests

kdir:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { \
	  echo "faultmem: no kernel headers found: install them with 'apt-get install linux-headers-amd64' or set KDIR=" >&2; exit 1; }

module: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

userspace: $(USER_PROGS) $(DEMOS)
selftests: $(SELFTESTS)

$(BUILD)/bin/%: userspace/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(USER_LDFLAGS)

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

# The kernel to boot: KERNEL if given, else Debian's image matching KDIR.
VM_KERNEL = $(or $(KERNEL),$(shell scripts/fetch-kernel.sh $(KDIR)))

# trace-cmd, when installed, goes into the image: observe_test checks that
# it decodes faultmem's events, as on a real host.
TRACE_CMD := $(if $(wildcard /usr/bin/trace-cmd),-B /usr/bin/trace-cmd)

initramfs: all
	scripts/mkinitramfs.sh -o $(INITRD) -m driver/faultmem.ko $(TRACE_CMD) \
		-t $(BUILD)/selftests -b $(BUILD)/bin -d $(BUILD)/demos \
		-p "$(INSMOD_PARAMS)" -f "$(TESTS)"

# The entry points that need Debian packages (headers, QEMU, ...) first
# install what is missing (scripts/ensure-deps.sh), then run their real
# recipe, NAME-run, in a new make. A new make, because make expands a whole
# recipe before it runs the first line: on a fresh machine KDIR, KVER and
# the kernel image would be looked up before the headers exist.
ENTRY_POINTS := check demo docs bench vm check-debug check-hostile lint \
	check-runner check-packaging
DEPS_check := $(HEADERS_PACKAGE)
DEPS_check-debug := bc bison flex libelf-dev libssl-dev
DEPS_check-hostile := trinity fio
DEPS_lint := sparse perl $(NEWER_HEADERS_PACKAGE)
DEPS_check-packaging := dkms $(NEWER_HEADERS_PACKAGE)

$(ENTRY_POINTS):
	@scripts/ensure-deps.sh $(DEPS_$@)
	@$(MAKE) --no-print-directory $@-run

.PHONY: all module userspace selftests initramfs kdir clean \
	install uninstall install-tools uninstall-tools dkms-install dkms-uninstall \
	$(ENTRY_POINTS) $(addsuffix -run,$(ENTRY_POINTS))

ifeq ($(KERNEL_TAG),)
check-run: initramfs
	scripts/vm-run.sh check $(VM_KERNEL) $(INITRD)
else
# Another kernel: the module is built out of tree against its headers
# (build/KERNEL_TAG/module), so driver/ keeps the default build.
TAG_BUILD := $(BUILD)/$(KERNEL_TAG)
check-run: userspace selftests
	@ko=$$(scripts/build-module.sh $(KDIR) $(TAG_BUILD)/module) && \
	scripts/mkinitramfs.sh -o $(TAG_BUILD)/initramfs.cpio.gz -m $$ko $(TRACE_CMD) \
		-t $(BUILD)/selftests -b $(BUILD)/bin -d $(BUILD)/demos \
		-p "$(INSMOD_PARAMS)" -f "$(TESTS)" && \
	VM_LOGDIR=$(TAG_BUILD)/vm \
		scripts/vm-run.sh check $(VM_KERNEL) $(TAG_BUILD)/initramfs.cpio.gz
endif

demo-run: initramfs
	scripts/vm-run.sh demo $(VM_KERNEL) $(INITRD)

# docs/walkthrough.md: the template plus output captured from a real run.
docs-run: initramfs
	VM_LOGDIR=$(BUILD)/docs scripts/vm-run.sh docs $(VM_KERNEL) $(INITRD)
	scripts/gen-walkthrough.sh $(BUILD)/docs/results.log \
		docs/walkthrough.md.in docs/walkthrough.md

# Benchmark (bench/faultmem_bench.c): one VM boot, ratios within the run.
# BENCH_MIB per run (default 32), BENCH_REPS repetitions (median, default 5).
BENCH_MIB ?= 32
BENCH_REPS ?= 5

bench-run: initramfs
	VM_LOGDIR=$(BUILD)/bench VM_MEM=$${VM_MEM:-2G} \
	VM_APPEND="fm.bench_mib=$(BENCH_MIB) fm.bench_reps=$(BENCH_REPS)" \
		scripts/vm-run.sh bench $(VM_KERNEL) $(INITRD)
	scripts/gen-bench.sh $(BUILD)/bench/results.log docs/bench.csv README.md

vm-run: initramfs
	scripts/vm-run.sh shell $(VM_KERNEL) $(INITRD)

# The debug-kernel lane: the same suite under KASAN, lockdep, DEBUG_VM,
# kmemleak and fault injection (scripts/debug-kernel.config). The kernel is
# built once and cached (scripts/build-debug-kernel.sh).
DEBUG_BUILD := $(BUILD)/debug
check-debug-run: userspace selftests
	@kdir=$$(scripts/build-debug-kernel.sh) && \
	ko=$$(scripts/build-module.sh $$kdir $(DEBUG_BUILD)/module) && \
	scripts/mkinitramfs.sh -o $(DEBUG_BUILD)/initramfs.cpio.gz -m $$ko $(TRACE_CMD) \
		-t $(BUILD)/selftests -b $(BUILD)/bin -d $(BUILD)/demos \
		-p "$(INSMOD_PARAMS)" -f "$(TESTS)" && \
	VM_MEM=$${VM_MEM:-2G} VM_TIMEOUT=$${VM_TIMEOUT:-1500} \
	VM_TCG_THREAD=$${VM_TCG_THREAD:-single} \
	VM_LOGDIR=$(DEBUG_BUILD)/vm \
		scripts/vm-run.sh check $$kdir/arch/x86/boot/bzImage \
		$(DEBUG_BUILD)/initramfs.cpio.gz

# Hostile input from real tools in the VM: fio verification and trinity.
FUZZ_SECONDS ?= 120

check-hostile-run: all
	scripts/mkinitramfs.sh -o $(BUILD)/hostile/initramfs.cpio.gz \
		-m driver/faultmem.ko -B /usr/bin/trinity -B /usr/bin/fio
	VM_LOGDIR=$(BUILD)/hostile/vm VM_TIMEOUT=$$(( $(FUZZ_SECONDS) + 600 )) \
	VM_APPEND="fm.fuzz_seconds=$(FUZZ_SECONDS)" \
		scripts/vm-run.sh hostile $(VM_KERNEL) $(BUILD)/hostile/initramfs.cpio.gz

# Kernel-style checks: checkpatch --strict, sparse, W=1, kernel-doc, SPDX.
lint-run: kdir
	scripts/lint.sh $(KDIR) $(NEWER_KDIR)

check-runner-run: all $(RUNNER_TESTS)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/runner/modules modules
	scripts/runner-selftest.sh $(VM_KERNEL) $(if $(DEBUG),$$(scripts/build-debug-kernel.sh))

# Install for the kernel KDIR builds for (KVER), under DESTDIR (staging,
# for packagers) and PREFIX (the tool and the uapi header). depmod runs only
# for a real install (no DESTDIR). The modprobe.d example is installed only
# where none exists, and removed only if unchanged: it is the admin's file.
install: module install-tools
	install -D -m 0644 driver/faultmem.ko $(DESTDIR)$(MODULEDIR)/faultmem.ko
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

# The packaging lane: DKMS round trip and install/uninstall (CI, as root).
check-packaging-run: all
	scripts/check-packaging.sh $(KVER) $(VM_KERNEL) \
		$(if $(NEWER_KDIR),$(call kernel_release,$(NEWER_KDIR)))

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/selftests/runner/modules clean
	rm -rf $(BUILD)
