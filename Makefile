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
