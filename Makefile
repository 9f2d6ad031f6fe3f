# SPDX-License-Identifier: GPL-2.0
# Thin wrapper around Kbuild (see Kbuild) and the tool's own Makefile.

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build
VERSION := $(shell sed -n 's/^\#define NETBUF_VERSION[[:space:]]*"\(.*\)"/\1/p' module/netbuf.h)
PREFIX ?= /usr/local
DESTDIR ?=

MODULE_SRCS := Kbuild $(wildcard module/*.c module/*.h)

all: module tool

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C tools NETBUF_VERSION=$(VERSION)
	$(MAKE) -C selftests/workload

# A private copy per kernel, so builds for several kernels do not clobber
# each other: build/<kernelrelease>/netbuf.ko (used by the guest runner).
vmbuild: build/$(KERNELRELEASE)/netbuf.ko tool

build/$(KERNELRELEASE)/netbuf.ko: $(MODULE_SRCS)
	@mkdir -p $(@D)/module
	cp Kbuild $(@D)/
	cp module/*.c module/*.h $(@D)/module/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(@D) modules

# sparse over the module for one kernel (C=2: check every file).
sparse: $(MODULE_SRCS)
	@mkdir -p build/sparse-$(KERNELRELEASE)/module
	cp Kbuild build/sparse-$(KERNELRELEASE)/
	cp module/*.c module/*.h build/sparse-$(KERNELRELEASE)/module/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/build/sparse-$(KERNELRELEASE) C=2 modules

check:
	./scripts/check.sh

demo:
	./scripts/demo.sh

clean-module:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean

# DKMS: the module's sources go to /usr/src/netbuf-VERSION, then dkms adds,
# builds and installs them for KERNELRELEASE (default: the running kernel;
# DKMS_KERNELS="all" for every installed kernel with headers).
DKMS_SRC := /usr/src/netbuf-$(VERSION)
DKMS_KERNELS ?= $(KERNELRELEASE)

dkms-install:
	@grep -q '^PACKAGE_VERSION="$(VERSION)"$$' dkms.conf || \
		{ echo "dkms.conf PACKAGE_VERSION is not $(VERSION)" >&2; exit 1; }
	-dkms remove -m netbuf -v $(VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/module
	cp Kbuild Makefile dkms.conf $(DKMS_SRC)/
	cp module/*.c module/*.h $(DKMS_SRC)/module/
	dkms add -m netbuf -v $(VERSION)
	set -e; for k in $(if $(filter all,$(DKMS_KERNELS)),$(notdir $(wildcard /lib/modules/*)),$(DKMS_KERNELS)); do \
		[ -d /lib/modules/$$k/build ] || { echo "skipping $$k: no headers"; continue; }; \
		dkms build -m netbuf -v $(VERSION) -k $$k; \
		dkms install -m netbuf -v $(VERSION) -k $$k; \
	done

dkms-remove:
	-dkms remove -m netbuf -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

install: tool
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C tools clean
	-$(MAKE) -C selftests/workload clean
	rm -rf build

PHONY_EXTRA := demo
.PHONY: all module tool vmbuild sparse check install $(PHONY_EXTRA) clean clean-module dkms-install dkms-remove

# make stress: the stress tests (selftests/netbuf/5[0-9]-*.sh) in a guest of
# each supported kernel (Debian's 6.1 and 6.12 with image and headers, or
# STRESS_KERNELS), at NB_STRESS_SCALE (default 10: the full counts; make
# check runs them at 1). Each guest's console goes to
# build/stress-logs/KERNEL.log; the figures (KTAP comments) are printed at
# the end, each test's after its name. Fails if any test or guest does.
NB_STRESS_SCALE ?= 10
# Debian's generic 6.1 and 6.12 with image and headers (not the -rt flavours).
STRESS_KERNELS ?= $(shell for d in /lib/modules/6.1.* /lib/modules/6.12.*; do \
	k=$$(basename $$d); case $$k in (*-rt-*) continue ;; esac; \
	[ -f /boot/vmlinuz-$$k ] && [ -d $$d/build ] && echo $$k; done 2>/dev/null | sort -V)
# STRESS_TESTS: a subset to rerun (its record says which tests ran), with
# STRESS_TAG appended to the record's name so the whole run's stays.
STRESS_TESTS ?= selftests/netbuf/5[0-9]-*.sh
STRESS_TAG ?=
STRESS_VM_TIMEOUT ?= 10800
STRESS_TEST_TIMEOUT ?= 5400

stress:
	@[ -n "$(STRESS_KERNELS)" ] || { echo "stress: no 6.1 or 6.12 kernel with image and headers"; exit 1; }
	@set -e; for k in $(STRESS_KERNELS); do $(MAKE) -s vmbuild KERNELRELEASE=$$k; done
	@mkdir -p build/stress-logs; rc=0; \
	for k in $(STRESS_KERNELS); do \
		log=build/stress-logs/$$k.log; \
		echo "== stress tests, NB_STRESS_SCALE=$(NB_STRESS_SCALE), in a $$k guest (log: $$log)"; \
		selftests/vm/run -k $$k --nics --no-build -t $(STRESS_VM_TIMEOUT) -- \
			"NB_STRESS_SCALE=$(NB_STRESS_SCALE) NB_TEST_TIMEOUT=$(STRESS_TEST_TIMEOUT) selftests/run-suite.sh $(STRESS_TESTS)" \
			>$$log 2>&1 || rc=1; \
		grep -E '^(not )?ok [0-9]+ |^    not ok|^SUITE|^vm/run' $$log | sed 's/^/  /'; \
	done; \
	mkdir -p bench/results; \
	for k in $(STRESS_KERNELS); do \
		echo "== figures on $$k (NB_STRESS_SCALE=$(NB_STRESS_SCALE))"; \
		awk '/^    # (figures|leak budget|kernel |start:|reader |iperf3-|collapse:)/ { \
				sub(/^    # /, "    "); buf = buf $$0 "\n"; next } \
			/^(not )?ok [0-9]+ / { sub(/ok [0-9]+ /, "ok "); printf "  %s\n%s", $$0, buf; buf = "" }' \
			build/stress-logs/$$k.log >build/stress-logs/$$k.figures; \
		cat build/stress-logs/$$k.figures; \
		{ scripts/record-head.sh "make stress: $$k, NB_STRESS_SCALE=$(NB_STRESS_SCALE)" \
			"make stress STRESS_KERNELS=$$k NB_STRESS_SCALE=$(NB_STRESS_SCALE) STRESS_TESTS='$(STRESS_TESTS)'" \
			build/stress-logs/$$k.log; \
		  echo '```'; cat build/stress-logs/$$k.figures; echo '```'; \
		} >bench/results/stress-$$k-scale$(NB_STRESS_SCALE)$(STRESS_TAG).md; \
		echo "(committed record: bench/results/stress-$$k-scale$(NB_STRESS_SCALE)$(STRESS_TAG).md)"; \
	done; \
	exit $$rc

.PHONY: stress

# make check-rt: make check's kernel legs (build, sparse, DKMS round trip,
# the selftests and the multi-threaded TCG leg) on Debian's PREEMPT_RT
# kernels (scripts/install-deps.sh --rt installs them); not in make check,
# which would take twice as long.
RT_KERNELS ?= $(shell for d in /lib/modules/6.1.*-rt-* /lib/modules/6.12.*-rt-*; do \
	k=$$(basename $$d); [ -f /boot/vmlinuz-$$k ] && [ -d $$d/build ] && echo $$k; done 2>/dev/null | sort -V)

check-rt:
	@[ -n "$(strip $(RT_KERNELS))" ] || { echo "check-rt: no -rt kernel with image and headers (scripts/install-deps.sh --rt)"; exit 1; }
	NB_GUEST_ONLY=1 NB_KERNELS="$(strip $(RT_KERNELS))" ./scripts/check.sh

.PHONY: check-rt

# make check-preempt: make check's kernel legs (as check-rt) with the
# preempt=full leg running every exactness test instead of make check's
# four, on the generic kernels.
PREEMPT_FULL_TESTS ?= 10 11 14 15 16 17 18 19 20 21 25
check-preempt:
	NB_GUEST_ONLY=1 NB_SKIP_SUITE=1 NB_PREEMPT_TESTS="$(PREEMPT_FULL_TESTS)" ./scripts/check.sh

.PHONY: check-preempt

# ---- make bench (issue 8): see bench/README.md ----
# One guest per kernel measures throughput (veth, virtio_net, a slow-path
# workload) without netbuf, with it and with bench/netbuf.bt, the cost of
# netbuf's handlers per event, and its memory; prints a table per kernel,
# raw numbers in build/bench/. NB_BENCH_QUICK=1: a short smoke run.
# The newest installed 6.1 and 6.12 with image and headers (never a
# hard-coded point release: Debian ships new ones).
BENCH_KERNELS ?= $(shell for s in 6.1 6.12; do for k in $(STRESS_KERNELS); do \
	case $$k in ($$s.*) echo $$k ;; esac; done | tail -1; done)

build/bench/nbload: bench/nbload.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 -o $@ $<

# The tracepoint dispatch yardstick (bench/tpyard), one copy per kernel.
build/bench/tpyard-%/tpyard.ko: bench/tpyard/tpyard.c bench/tpyard/Kbuild
	@mkdir -p $(@D)
	cp bench/tpyard/tpyard.c bench/tpyard/Kbuild $(@D)/
	$(MAKE) -C /lib/modules/$*/build M=$(CURDIR)/$(@D) modules

bench: build/bench/nbload
	@[ -n "$(strip $(BENCH_KERNELS))" ] || { echo "bench: no 6.1 or 6.12 kernel with image and headers"; exit 1; }
	set -e; for k in $(BENCH_KERNELS); do \
		$(MAKE) --no-print-directory build/$$k/netbuf.ko KERNELRELEASE=$$k; \
		$(MAKE) --no-print-directory build/bench/tpyard-$$k/tpyard.ko; \
	done
	$(MAKE) -C selftests/workload
	bench/bench.sh $(BENCH_KERNELS)

.PHONY: bench

# make bench-mq (issue 18 item 4): the per-poll cost of netbuf's NAPI
# handlers on a 4-queue veth (4 flows on 4 vCPUs) against a 1-queue one,
# for the module before per-CPU NAPI histograms, after them, and this tree,
# in guest instructions (qemu -icount; bench/README.md, "Multiqueue");
# records bench/results/mq-KERNEL.md. NB_MQ_ICOUNT= for wall-clock times
# (mq-KERNEL-wall.md), NETBUF_VM_ACCEL=tcg under multi-threaded TCG.
bench-mq:
	@[ -n "$(strip $(BENCH_KERNELS))" ] || { echo "bench-mq: no 6.1 or 6.12 kernel with image and headers"; exit 1; }
	bench/mq.sh $(BENCH_KERNELS)

.PHONY: bench-mq

# make mutants (issue 13): plant small faults in module/ (scripts/mutants.py
# lists them) and run the selftests that should catch each in a guest;
# prints "mutants: K killed / N total" and fails below 100%. About 2-4 min
# per mutant under TCG: not part of make check. MUTANTS_KERNEL picks the kernel.
MUTANTS_KERNEL ?=
mutants: tool
	python3 scripts/mutants.py $(if $(MUTANTS_KERNEL),-k $(MUTANTS_KERNEL))

.PHONY: mutants

# make experiment (issue 19): do advise's proposals remove what they blame
# (collapse stalls: 10-advice-rmem; backlog drops and time_squeeze:
# 20-advice-softnet)? selftests/experiment/*.sh in a guest per kernel of
# EXPERIMENT_KERNELS (default: STRESS_KERNELS): the workload before and
# after netbuf's own proposal, NB_EXP_ROUNDS (5) times in alternation, and
# negative controls. Each kernel's figures and verdicts go to the committed
# record bench/results/experiment-KERNEL.md. Two vCPUs, as everywhere: with
# one (--smp 1) the sender, the reader and the softirq share it, the
# sender's writes slow down, and the stalled window rarely fills (0 to 1
# collapses per run before the change, measured). About 11 min per kernel
# (655 s on 6.1, 2026-12-02); fails if a case fails. Not part of make check.
EXPERIMENT_KERNELS ?= $(STRESS_KERNELS)
EXPERIMENT_TESTS ?= selftests/experiment/[0-9]*.sh
NB_EXP_ROUNDS ?= 5
experiment: tool
	@[ -n "$(EXPERIMENT_KERNELS)" ] || { echo "experiment: no 6.1 or 6.12 kernel with image and headers"; exit 1; }
	@set -e; for k in $(EXPERIMENT_KERNELS); do $(MAKE) -s vmbuild KERNELRELEASE=$$k; done
	@$(MAKE) -s -C selftests/workload
	@mkdir -p build/experiment-logs bench/results; rc=0; \
	for k in $(EXPERIMENT_KERNELS); do \
		log=build/experiment-logs/$$k.log; \
		echo "== experiments, NB_EXP_ROUNDS=$(NB_EXP_ROUNDS), in a $$k guest (log: $$log)"; \
		selftests/vm/run -k $$k --no-build -t 2400 -- \
			"NB_EXP_ROUNDS=$(NB_EXP_ROUNDS) NB_TEST_TIMEOUT=2000 selftests/run-suite.sh $(EXPERIMENT_TESTS)" \
			>$$log 2>&1 || rc=1; \
		{ scripts/record-head.sh "make experiment: $$k" \
			"make experiment EXPERIMENT_KERNELS=$$k NB_EXP_ROUNDS=$(NB_EXP_ROUNDS)" $$log; \
		  echo '```'; grep -E '^    (#|(not )?ok [0-9]+ )|^(not )?ok [0-9]+ |^vm/run' $$log | \
			grep -vE '^    # (compare|advise): *$$' | sed 's/^    //'; echo '```'; \
		} >bench/results/experiment-$$k.md; \
		grep -E '^    (not )?ok [0-9]+ |^SUITE|^vm/run' $$log | sed 's/^/  /'; \
		echo "(record: bench/results/experiment-$$k.md)"; \
	done; \
	exit $$rc

.PHONY: experiment

# ---- make deb, make deb-check, make check-fleet (issue 17) ----
# make deb: Debian packages netbuf-dkms (the module's source for DKMS) and
# netbuf (the tool, netbuf(8), the node_exporter textfile collector), built
# with dpkg-buildpackage -us -uc -b from a copy of the tree (the files git
# knows, or the whole tree outside git) into build/deb/.
# make deb-check: lintian and the packages' contents (scripts/check-deb.sh).
# make check-fleet: in a guest of each kernel, the packages' round trip and
# the Prometheus end-to-end test (selftests/fleet/); slow under TCG.
DEB_DIR := build/deb
DEB_SRC := $(DEB_DIR)/netbuf-$(VERSION)
# The tool's tests run in make check; DEB_NOCHECK= runs them in the build too.
DEB_NOCHECK ?= nocheck

deb:
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "debian/changelog is at $$v, module/netbuf.h at $(VERSION): add a changelog entry" >&2; exit 1; }
	@grep -q '^PACKAGE_VERSION="$(VERSION)"$$' dkms.conf || \
		{ echo "dkms.conf PACKAGE_VERSION is not $(VERSION)" >&2; exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
		git ls-files -z -c -o --exclude-standard | \
			tar --null --no-recursion -T - -cf - | tar -C $(DEB_SRC) -xf -; \
	else \
		tar --exclude=./build --exclude=./.git --exclude=./.vmcache --exclude=./.cache \
			-cf - . | tar -C $(DEB_SRC) -xf -; \
	fi
	cd $(DEB_SRC) && DEB_BUILD_OPTIONS="$(DEB_NOCHECK) $(DEB_BUILD_OPTIONS)" \
		DEB_BUILD_PROFILES="$(DEB_NOCHECK)" dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_SRC)
	@ls -l $(DEB_DIR)/*.deb

deb-check: deb
	scripts/check-deb.sh $(DEB_DIR)

# The same packages one version later ($(VERSION)+fleet1 in module/netbuf.h,
# dkms.conf and debian/changelog), for the upgrade in check-fleet.
DEB_NEXT_VERSION := $(VERSION)+fleet1
DEB_NEXT := build/deb-next

deb-next: deb
	rm -rf $(DEB_NEXT)
	mkdir -p $(DEB_NEXT)/tree
	git ls-files -z -c -o --exclude-standard | \
		tar --null --no-recursion -T - -cf - | tar -C $(DEB_NEXT)/tree -xf -
	sed -i 's/^\(#define NETBUF_VERSION[[:space:]]*\)"$(VERSION)"/\1"$(DEB_NEXT_VERSION)"/' $(DEB_NEXT)/tree/module/netbuf.h
	sed -i 's/^PACKAGE_VERSION="$(VERSION)"/PACKAGE_VERSION="$(DEB_NEXT_VERSION)"/' $(DEB_NEXT)/tree/dkms.conf
	{ printf 'netbuf ($(DEB_NEXT_VERSION)) unstable; urgency=medium\n\n  * Test build for make check-fleet'"'"'s upgrade.\n\n -- %s  %s\n\n' \
		"$$(dpkg-parsechangelog -l debian/changelog -S Maintainer)" "$$(date -R)"; \
		cat debian/changelog; } >$(DEB_NEXT)/tree/debian/changelog
	$(MAKE) -C $(DEB_NEXT)/tree deb
	mv $(DEB_NEXT)/tree/build/deb/*.deb $(DEB_NEXT)/
	rm -rf $(DEB_NEXT)/tree

# make check-fleet: selftests/fleet/*.sh in a guest of each kernel (one at a
# time), from the packages in build/deb and build/deb-next. Logs in
# build/fleet-logs/KERNEL.log.
FLEET_KERNELS ?= $(STRESS_KERNELS)
# A DKMS build in a TCG guest takes 10-20 minutes; the round trip makes two.
FLEET_VM_TIMEOUT ?= 6000
FLEET_TEST_TIMEOUT ?= 4800
FLEET_APT_TIMEOUT ?= 1800
FLEET_TESTS ?= selftests/fleet/[0-9]*.sh

check-fleet: deb-next
	@[ -n "$(FLEET_KERNELS)" ] || { echo "check-fleet: no 6.1 or 6.12 kernel with image and headers"; exit 1; }
	@set -e; for k in $(FLEET_KERNELS); do $(MAKE) -s vmbuild KERNELRELEASE=$$k; done
	@mkdir -p build/fleet-logs; rc=0; \
	for k in $(FLEET_KERNELS); do \
		log=build/fleet-logs/$$k.log; start=$$(date +%s); \
		echo "== fleet tests in a $$k guest (log: $$log)"; \
		selftests/vm/run -k $$k --no-build --mem 2048 -t $(FLEET_VM_TIMEOUT) -- \
			"NB_TEST_TIMEOUT=$(FLEET_TEST_TIMEOUT) FLEET_APT_TIMEOUT=$(FLEET_APT_TIMEOUT) selftests/run-suite.sh $(FLEET_TESTS)" \
			>$$log 2>&1 || rc=1; \
		grep -E '^(not )?ok [0-9]+ |^    not ok|^SUITE|^vm/run|^vm:' $$log | sed 's/^/  /'; \
		echo "  $$k: $$(( $$(date +%s) - start )) s"; \
	done; \
	exit $$rc

.PHONY: deb deb-check deb-next check-fleet
