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

install: tool
	$(MAKE) -C tools install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C tools clean
	-$(MAKE) -C selftests/workload clean
	rm -rf build

.PHONY: all module tool vmbuild sparse check install clean
