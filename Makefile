# SPDX-License-Identifier: GPL-2.0
#
#   make            install missing Debian packages, build module and tools
#   make check      ... and run every test layer (lint, unit, fuzz, vm)
#   make demo       ... and show the module at work in a VM
#   make deps       only install what is missing
#   make install    install the module (extra/, depmod), gcctl, gcd, man pages, gcd.service
#                   and completion; DESTDIR= and PREFIX= (/usr/local) apply
#
# KDIR=/lib/modules/<ver>/build picks the kernel to build for; by default the
# newest installed one with headers. V=1 shows full commands.

SHELL := /bin/bash
# modinfo and modprobe live in /usr/sbin, which a non-login PATH may lack.
export PATH := $(PATH):/usr/sbin:/sbin
BUILD := $(CURDIR)/build
export GC_BUILD := $(BUILD)

# Evaluated late: on a fresh machine the headers appear only after `make deps`.
ifdef KDIR
KVER = $(shell cat "$(KDIR)/include/config/kernel.release")
else
KVER = $(shell for v in $$(ls -1 /lib/modules 2>/dev/null | sort -V); do \
	[ -e /lib/modules/$$v/build ] && echo $$v; done | tail -n 1)
KDIR = /lib/modules/$(KVER)/build
endif

CC := gcc
CLANG := clang
PKGS := libmnl json-c
WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
INCLUDES := -Iuapi -Ikmod -Ictl -Idaemon
CFLAGS_BASE = -std=gnu17 -g $(WARN) $(INCLUDES) $(shell pkg-config --cflags $(PKGS) libsodium zlib) \
	$(LMDB_CFLAGS)
CFLAGS = $(CFLAGS_BASE) -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong
# kselftest_harness.h and the code its macros expand to are not -Wextra clean.
TEST_CFLAGS = $(CFLAGS_BASE) -isystem $(EXT) -Wno-missing-prototypes -Wno-sign-compare \
	-Wno-unused-parameter
SANITIZE := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDLIBS = $(shell pkg-config --libs $(PKGS))
# The core's user-space platform: libsodium (AEAD, SipHash), zlib (CRC32).
CORE_LIBS = $(shell pkg-config --libs libsodium zlib)
# gcd's ledger: LMDB (Debian 12's liblmdb-dev ships lmdb.pc; plain -llmdb without it).
LMDB_CFLAGS = $(shell pkg-config --exists lmdb && pkg-config --cflags lmdb)
LMDB_LIBS = $(shell pkg-config --exists lmdb && pkg-config --libs lmdb || echo -llmdb)
DAEMON_LIBS = $(LMDB_LIBS) -pthread

CORE_SRCS := $(wildcard kmod/core/*.c)
CTL_LIB_SRCS := ctl/nl.c ctl/decode.c ctl/parse.c
CTL_SRCS := $(CTL_LIB_SRCS) ctl/gcctl.c ctl/node.c ctl/status.c ctl/monitor.c ctl/up.c \
	ctl/params.c ctl/key.c ctl/members.c ctl/stats.c ctl/items.c ctl/agg.c ctl/chain.c \
	kmod/core/config.c \
	kmod/core/node_name.c
SIM_SRCS := $(wildcard sim/*.c)
# gcd's parts (daemon/): linked into the unit tests and fuzzers; gcd.c has main().
DAEMON_LIB_SRCS := $(filter-out daemon/gcd.c,$(wildcard daemon/*.c))
DAEMON_HDRS := $(wildcard daemon/*.h)
# What gcctl reads gcd's ledger with.
LEDGER_SRCS := daemon/chain.c daemon/durable.c daemon/genesis.c daemon/ledger.c
HDRS := $(wildcard uapi/*.h kmod/*.h kmod/core/*.h ctl/*.h sim/*.h)
KMOD_SRCS := Kbuild $(wildcard kmod/*.c kmod/core/*.c) $(HDRS)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*.c))
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/*.c))
SELFTEST_BINS := $(patsubst tests/selftests/%.c,$(BUILD)/selftests/%,$(wildcard tests/selftests/*.c))
EXT := $(BUILD)/ext
EXT_FILES := $(EXT)/kselftest_harness.h $(EXT)/checkpatch.pl

PREFIX ?= /usr/local

.PHONY: all deps build module tools tests vm check demo clean format install \
	_build _tests _check _demo

all: deps
	@$(MAKE) --no-print-directory _build

deps:
	@mk/deps.sh

build module tools tests vm: deps
	@$(MAKE) --no-print-directory _$@

check: deps
	@$(MAKE) --no-print-directory _check

demo: deps
	@$(MAKE) --no-print-directory _demo

_build: _module _tools

# The module goes under /lib/modules/<ver>/extra, so `modprobe gossipchain`
# loads it with its dependency (libchacha20poly1305).
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		modules_install
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)
	install -D -m 755 $(BUILD)/bin/gcctl $(DESTDIR)$(PREFIX)/sbin/gcctl
	install -D -m 644 ctl/gcctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/gcctl.8
	install -D -m 644 ctl/completion/gcctl.bash \
		$(DESTDIR)/usr/share/bash-completion/completions/gcctl
	install -D -m 755 $(BUILD)/bin/gcd $(DESTDIR)$(PREFIX)/sbin/gcd
	install -D -m 644 daemon/gcd.8 $(DESTDIR)$(PREFIX)/share/man/man8/gcd.8
	sed 's|/usr/local|$(PREFIX)|g' daemon/gcd.service >$(BUILD)/gcd.service
	install -D -m 644 $(BUILD)/gcd.service $(DESTDIR)/etc/systemd/system/gcd.service

_module: gossipchain.ko $(BUILD)/kver

# KCFLAGS=-Werror: a compiler warning in the module fails the build.
gossipchain.ko: $(KMOD_SRCS)
	@test -d "$(KDIR)" || { echo "no kernel headers at $(KDIR): make deps or set KDIR"; exit 1; }
	@mkdir -p $(BUILD)
	$(MAKE) -C $(KDIR) M=$(CURDIR) KCFLAGS=-Werror modules 2>&1 | tee $(BUILD)/module-build.log; \
		exit $${PIPESTATUS[0]}
	@! grep -i 'warning:' $(BUILD)/module-build.log

$(BUILD)/kver: gossipchain.ko
	@modinfo -F vermagic gossipchain.ko | cut -d' ' -f1 >$@

_tools: $(BUILD)/bin/gcctl $(BUILD)/bin/gcsim $(BUILD)/bin/gcflood $(BUILD)/bin/recvdrop \
	$(BUILD)/bin/pushsum-model \
	$(BUILD)/bin/gcverify $(BUILD)/bin/gcd $(BUILD)/bin/gcforge $(BUILD)/bin/gcd-pipeline

# The ledger daemon: signature checks, Tendermint, LMDB (daemon/).
$(BUILD)/bin/gcd: daemon/gcd.c $(DAEMON_LIB_SRCS) $(DAEMON_HDRS) $(CTL_LIB_SRCS) \
		kmod/core/node_name.c $(HDRS) | $(BUILD)/bin
	$(CC) $(CFLAGS) -o $@ daemon/gcd.c $(DAEMON_LIB_SRCS) $(CTL_LIB_SRCS) kmod/core/node_name.c \
		$(LDLIBS) $(CORE_LIBS) $(DAEMON_LIBS)

# A verifier for tests and for trying the item API (tests/tools/gcverify.c).
$(BUILD)/bin/gcverify: tests/tools/gcverify.c $(CTL_LIB_SRCS) kmod/core/node_name.c $(HDRS) \
		| $(BUILD)/bin
	$(CC) $(CFLAGS) -o $@ tests/tools/gcverify.c $(CTL_LIB_SRCS) kmod/core/node_name.c \
		$(LDLIBS) $(CORE_LIBS)

# The chain selftest's adversary: forged transactions, proposals, votes, packets.
$(BUILD)/bin/gcforge: tests/tools/gcforge.c $(LEDGER_SRCS) daemon/keys.c $(CORE_SRCS) $(HDRS) \
		$(DAEMON_HDRS) | $(BUILD)/bin
	$(CC) $(CFLAGS) -o $@ tests/tools/gcforge.c $(LEDGER_SRCS) daemon/keys.c $(CORE_SRCS) \
		$(LDLIBS) $(CORE_LIBS) $(LMDB_LIBS)

# gcd's verify+persist pipeline against raw libsodium and LMDB (bench/gcd-pipeline.sh).
$(BUILD)/bin/gcd-pipeline: bench/gcd-pipeline.c $(LEDGER_SRCS) daemon/mempool.c daemon/workers.c \
		daemon/sigcache.c kmod/core/node_name.c $(DAEMON_HDRS) tests/unit/gcd_fixture.h \
		| $(BUILD)/bin
	$(CC) $(CFLAGS) -Itests/unit -o $@ bench/gcd-pipeline.c $(LEDGER_SRCS) daemon/mempool.c \
		daemon/workers.c daemon/sigcache.c kmod/core/node_name.c $(LDLIBS) $(CORE_LIBS) \
		$(DAEMON_LIBS)

# Receive-path benchmark tools (bench/rx-path.sh).
$(BUILD)/bin/gcflood: bench/gcflood.c $(CORE_SRCS) $(HDRS) | $(BUILD)/bin
	$(CC) $(CFLAGS) -o $@ bench/gcflood.c $(CORE_SRCS) $(CORE_LIBS)

$(BUILD)/bin/recvdrop: bench/recvdrop.c | $(BUILD)/bin
	$(CC) $(CFLAGS) -o $@ bench/recvdrop.c

# The idealized push-sum that the aggregation rows compare with.
$(BUILD)/bin/pushsum-model: bench/pushsum-model.c | $(BUILD)/bin
	$(CC) $(CFLAGS) -o $@ bench/pushsum-model.c -lm

$(BUILD)/bin/gcctl: $(CTL_SRCS) $(LEDGER_SRCS) $(HDRS) $(DAEMON_HDRS) | $(BUILD)/bin
	$(CC) $(CFLAGS) -o $@ $(CTL_SRCS) $(LEDGER_SRCS) $(LDLIBS) $(CORE_LIBS) $(LMDB_LIBS)

$(BUILD)/bin/gcsim: $(SIM_SRCS) $(CORE_SRCS) $(HDRS) | $(BUILD)/bin
	$(CC) $(CFLAGS) -Isim -o $@ $(SIM_SRCS) $(CORE_SRCS) $(LDLIBS) $(CORE_LIBS)

_tests: $(UNIT_TESTS) $(FUZZERS) $(SELFTEST_BINS) _vm

# What the unit tests and fuzzers test, compiled once per sanitizer flavour
# into an archive that each of them links (only the objects it needs).
TESTED_SRCS := $(CTL_LIB_SRCS) $(CORE_SRCS) $(DAEMON_LIB_SRCS)
FUZZ_SANITIZE := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
ASAN_LIB := $(BUILD)/lib/libtested-asan.a
FUZZ_LIB := $(BUILD)/lib/libtested-fuzz.a

$(BUILD)/obj/asan/%.o: %.c $(HDRS) $(DAEMON_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SANITIZE) -c -o $@ $<

$(BUILD)/obj/fuzz/%.o: %.c $(HDRS) $(DAEMON_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_BASE) $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link -c -o $@ $<

$(ASAN_LIB): $(patsubst %.c,$(BUILD)/obj/asan/%.o,$(TESTED_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_LIB): $(patsubst %.c,$(BUILD)/obj/fuzz/%.o,$(TESTED_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/unit/%: tests/unit/%.c $(ASAN_LIB) $(HDRS) $(DAEMON_HDRS) $(EXT_FILES)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) $(SANITIZE) -o $@ $< $(ASAN_LIB) $(LDLIBS) $(CORE_LIBS) $(DAEMON_LIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(HDRS) $(DAEMON_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(CFLAGS_BASE) $(FUZZ_SANITIZE) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS) \
		$(CORE_LIBS) $(DAEMON_LIBS)

$(BUILD)/selftests/%: tests/selftests/%.c $(CTL_LIB_SRCS) $(CORE_SRCS) $(HDRS) $(EXT_FILES)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -O2 -o $@ $< $(CTL_LIB_SRCS) $(CORE_SRCS) $(LDLIBS) $(CORE_LIBS)

$(EXT_FILES) &:
	mk/extract-kernel-tools.sh /usr/src/linux-source-6.1.tar.xz $(EXT)

_vm: $(BUILD)/vm/initramfs-$(KVER).cpio.gz

$(BUILD)/vm/initramfs-%.cpio.gz: tests/vm/init tests/vm/mkinitramfs.sh
	@mkdir -p $(@D)
	tests/vm/mkinitramfs.sh $* $@

$(BUILD)/bin:
	@mkdir -p $@

_check: _build _tests
	@tests/run-all.sh

_demo: _build _vm
	@tests/vm/run.sh tests/vm/demo.sh

format:
	clang-format -i $(filter ctl/%,$(CTL_SRCS)) ctl/*.h $(SIM_SRCS) sim/*.h bench/*.c tests/unit/*.c tests/fuzz/*.c \
		daemon/*.[ch] \
		tests/selftests/*.c tests/tools/*.c

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1
	rm -rf $(BUILD)
