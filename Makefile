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
STRESS_KERNELS ?= $(shell for d in /lib/modules/6.1.* /lib/modules/6.12.*; do \
	k=$$(basename $$d); [ -f /boot/vmlinuz-$$k ] && [ -d $$d/build ] && echo $$k; done 2>/dev/null | sort -V)
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
			"NB_STRESS_SCALE=$(NB_STRESS_SCALE) NB_TEST_TIMEOUT=$(STRESS_TEST_TIMEOUT) selftests/run-suite.sh selftests/netbuf/5[0-9]-*.sh" \
			>$$log 2>&1 || rc=1; \
		grep -E '^(not )?ok [0-9]+ |^    not ok|^SUITE|^vm/run' $$log | sed 's/^/  /'; \
	done; \
	for k in $(STRESS_KERNELS); do \
		echo "== figures on $$k (NB_STRESS_SCALE=$(NB_STRESS_SCALE))"; \
		grep -E '^    # (figures|leak budget|kernel |start:|reader |iperf3-|collapse:)|^(not )?ok [0-9]+ ' \
			build/stress-logs/$$k.log | sed 's/^    # /    /; s/^\(not \)\{0,1\}ok [0-9]* /  /'; \
	done; \
	exit $$rc

.PHONY: stress

# ---- make bench (issue 8): see bench/README.md ----
# One guest per kernel measures throughput (veth, virtio_net, a slow-path
# workload) without netbuf, with it and with bench/netbuf.bt, the cost of
# netbuf's handlers per event, and its memory; prints a table per kernel,
# raw numbers in build/bench/. NB_BENCH_QUICK=1: a short smoke run.
# The newest installed 6.1 and 6.12 with image and headers (never a
# hard-coded point release: Debian ships new ones).
BENCH_KERNELS ?= $(shell for s in 6.1 6.12; do for d in /lib/modules/$$s.*; do \
	k=$$(basename $$d); [ -f /boot/vmlinuz-$$k ] && [ -d $$d/build ] && echo $$k; done 2>/dev/null | sort -V | tail -1; done)

build/bench/nbload: bench/nbload.c
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 -o $@ $<

bench: build/bench/nbload
	@[ -n "$(strip $(BENCH_KERNELS))" ] || { echo "bench: no 6.1 or 6.12 kernel with image and headers"; exit 1; }
	set -e; for k in $(BENCH_KERNELS); do \
		$(MAKE) --no-print-directory build/$$k/netbuf.ko KERNELRELEASE=$$k; \
	done
	$(MAKE) -C selftests/workload
	bench/bench.sh $(BENCH_KERNELS)

.PHONY: bench

# make mutants (issue 13): plant small faults in module/ (scripts/mutants.py
# lists them) and run the selftests that should catch each in a guest;
# prints "mutants: K killed / N total" and fails below 100%. About 2-4 min
# per mutant under TCG: not part of make check. MUTANTS_KERNEL picks the kernel.
MUTANTS_KERNEL ?=
mutants: tool
	python3 scripts/mutants.py $(if $(MUTANTS_KERNEL),-k $(MUTANTS_KERNEL))

.PHONY: mutants
