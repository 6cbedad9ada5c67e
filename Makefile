# guise: build, check, install, demo, bench, fuzz, lint (GNU make).
#
#   make                      build the commands into build/bin
#   make check                build and run the test suites
#   make check-pg             the store's suites again, against PostgreSQL
#   make SANITIZE=address,undefined check
#   make install PREFIX=/usr/local DESTDIR=
#   make demo | bench | fuzz | lint | hdr-check

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wpedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wvla -Wwrite-strings -Wmissing-prototypes
# CI builds with -Werror; a user's newer compiler should not break the build.
ifeq ($(CI),true)
WERROR ?= -Werror
endif

comma := ,
SANITIZE ?=
O := build$(if $(SANITIZE),-$(subst $(comma),-,$(SANITIZE)))
SANFLAGS = $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all)

# Every library through pkg-config; each command names the ones it links.
# libpq is for its headers only: lib/db_pg_lib.c loads it when a
# PostgreSQL store is opened (linked, it slows every command's start).
LIB_PKGS = jansson yaml-0.1 sqlite3 libpq libsodium libkeyutils zlib libzip libdeflate libcurl \
	libpcre2-8
# Asked on first use, once (not at parse time): make demo installs the
# libraries before anything asks pkg-config about them.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $$(LIB_PKGS)))$(PKG_CFLAGS)
pkg_libs = $(shell pkg-config --libs $(1))

CPPFLAGS += -Ilib -D_GNU_SOURCE
ALL_CFLAGS = -std=c11 $(WARNINGS) $(WERROR) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

LIB_SRC := $(wildcard lib/*.c)
LIB_HDR := $(wildcard lib/*.h)
EMBEDDED := $(O)/lib/embedded_sql.c $(O)/lib/embedded_pg_sql.c $(O)/lib/embedded_templates.c
LIB_OBJ := $(patsubst lib/%.c,$(O)/lib/%.o,$(LIB_SRC)) $(EMBEDDED:.c=.o)
# The command frame (cmd/common/): options, messages, the stdout close;
# it prints, so it is not in lib/, and only the programs link it.
CMD_SRC := $(wildcard cmd/common/*.c)
CMD_HDR := $(wildcard cmd/common/*.h)
CMD_OBJ := $(patsubst cmd/common/%.c,$(O)/cmd/common/%.o,$(CMD_SRC))
CMD_CPPFLAGS = -Icmd/common
SQL := $(sort $(wildcard share/sql/*.sql))
# PostgreSQL's own migrations (lib/db_pg_open.c); there may be none yet
PG_SQL := $(sort $(wildcard share/sql/pg/*.sql))
TEMPLATES := $(sort $(wildcard share/templates/*))

COMMANDS := $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
BINS := $(addprefix $(O)/bin/,$(COMMANDS))
TEST_TOOL := $(O)/bin/test-tool
MANPAGES := $(wildcard share/man/man*/*.[1-9])

# The libraries each program links, and no others.
test-tool_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils zlib libzip libdeflate libcurl \
	libpcre2-8
persona-encrypt_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils
persona-import_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils zlib libzip libdeflate
persona-export_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils zlib libzip libdeflate
persona_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils
lore_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils
session-bind_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils
session-log_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils
prompt-render_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils libpcre2-8
llm-send_PKGS = jansson yaml-0.1 sqlite3 libsodium libkeyutils libcurl

.PHONY: all check check-pg test demo bench fuzz fuzz-replay lint hdr-check install uninstall clean
.DELETE_ON_ERROR:
# keep objects made through pattern chains (cmd/%.o) between runs
.SECONDARY:

all: $(BINS) $(TEST_TOOL)

$(O)/lib/%.o: lib/%.c $(LIB_HDR) | $(O)/lib
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(O)/lib/embedded_sql.c: scripts/embed $(SQL) | $(O)/lib
	scripts/embed sql $(SQL) > $@

# the directory too: a file removed from it changes it, and the table
$(O)/lib/embedded_pg_sql.c: scripts/embed $(PG_SQL) share/sql/pg | $(O)/lib
	scripts/embed pg_sql $(PG_SQL) > $@

$(O)/lib/embedded_templates.c: scripts/embed $(TEMPLATES) | $(O)/lib
	scripts/embed templates $(TEMPLATES) > $@

$(O)/lib/embedded_%.o: $(O)/lib/embedded_%.c lib/embedded.h
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(O)/libguise.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(O)/cmd/common/%.o: cmd/common/%.c $(LIB_HDR) $(CMD_HDR) | $(O)/cmd/common
	$(CC) $(CPPFLAGS) $(CMD_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(O)/libguise-cmd.a: $(CMD_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(O)/cmd/%.o: cmd/%.c $(LIB_HDR) $(CMD_HDR) | $(O)/cmd
	$(CC) $(CPPFLAGS) $(CMD_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(O)/bin/%: $(O)/cmd/%.o $(O)/libguise-cmd.a $(O)/libguise.a | $(O)/bin
	$(CC) $(ALL_LDFLAGS) $< $(O)/libguise-cmd.a $(O)/libguise.a $(call pkg_libs,$($*_PKGS)) -o $@

$(O)/tests/%.o: tests/helpers/%.c $(wildcard tests/helpers/*.h) $(LIB_HDR) $(CMD_HDR) | $(O)/tests
	$(CC) $(CPPFLAGS) $(CMD_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

TEST_TOOL_OBJ := $(patsubst tests/helpers/%.c,$(O)/tests/%.o,$(wildcard tests/helpers/*.c))
$(TEST_TOOL): $(TEST_TOOL_OBJ) $(O)/libguise-cmd.a $(O)/libguise.a | $(O)/bin
	$(CC) $(ALL_LDFLAGS) $(TEST_TOOL_OBJ) $(O)/libguise-cmd.a $(O)/libguise.a \
		$(call pkg_libs,$(test-tool_PKGS)) -o $@

$(O)/lib $(O)/cmd $(O)/cmd/common $(O)/bin $(O)/tests:
	mkdir -p $@

# The suites run through prove, whose summary line CI reads.
PROVE_JOBS ?= 2
check: all fuzz-replay
	GUISE_BUILD=$(CURDIR)/$(O) prove -j$(PROVE_JOBS) --exec 'bats --tap' tests/*.bats

test: check

# The suites that touch the store (store, keys, import, session and
# ownership, lore, send, and the examples: fanout.sh and the README's
# blocks), each against its own throwaway PostgreSQL cluster (tests/pg.bash,
# started and stopped by the suite); the writers' races (3006) with 8
# writers, then again with 32.
PG_SUITES = $(wildcard tests/0005-*.bats tests/1004-*.bats tests/1006-*.bats \
	tests/1007-*.bats tests/1016-*.bats tests/1017-*.bats tests/200[1-7]-*.bats \
	tests/300[1-8]-*.bats tests/400[5-9]-*.bats tests/401[01]-*.bats tests/500[1-5]-*.bats \
	tests/6004-*.bats tests/9001-*.bats)
check-pg: all
	GUISE_TEST_STORE=pg GUISE_TEST_WRITERS=8 GUISE_BUILD=$(CURDIR)/$(O) \
		prove -j$(PROVE_JOBS) --exec 'bats --tap' $(PG_SUITES)
	GUISE_TEST_STORE=pg GUISE_TEST_WRITERS=32 GUISE_BUILD=$(CURDIR)/$(O) \
		prove --exec 'bats --tap' tests/3006-concurrent-writes.bats

# The main job against a throwaway database; installs what is missing
# first, then builds in a new make, which asks pkg-config afresh.
demo:
	scripts/install-deps
	$(MAKE) all
	GUISE_BUILD=$(CURDIR)/$(O) examples/quickstart.sh

bench: all
	GUISE_BUILD=$(CURDIR)/$(O) bench/run

# libFuzzer targets, built with clang in their own tree; FUZZ_SECONDS each.
# A fixed seed makes a run repeatable (CI explores what a developer saw);
# FUZZ_FLAGS= explores afresh. Found inputs stay in build-fuzz/corpus/<t>;
# to keep them, merge the ones that add coverage into the seeds, which
# make check replays (fuzz-replay, below):
#   build-fuzz/<t> -merge=1 fuzz/seeds/<t> build-fuzz/corpus/<t>
# (the same as `cp build-fuzz/corpus/<t>/* fuzz/seeds/<t>/` minimised).
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?= -seed=1
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/*_fuzz.c))
FUZZ_O := build-fuzz
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -D_GNU_SOURCE \
	$(PKG_CFLAGS)
fuzz: $(addprefix $(FUZZ_O)/,$(FUZZ_TARGETS))
	for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_O)/corpus/$$t; \
		$(FUZZ_O)/$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 $(FUZZ_FLAGS) \
			-artifact_prefix=$(FUZZ_O)/ $(FUZZ_O)/corpus/$$t fuzz/seeds/$$t \
			> $(FUZZ_O)/$$t.log 2>&1 || { tail -n 60 $(FUZZ_O)/$$t.log; exit 1; }; \
		echo "$$t: $$(grep '^Done' $(FUZZ_O)/$$t.log)"; \
	done

# lib/ is built once, instrumented, for every target (fuzzer-no-link: the
# coverage without libFuzzer's main, which each target links itself).
FUZZ_LIB_CFLAGS = $(subst -fsanitize=fuzzer$(comma),-fsanitize=fuzzer-no-link$(comma),$(FUZZ_CFLAGS))
FUZZ_LIB_OBJ := $(patsubst lib/%.c,$(FUZZ_O)/lib/%.o,$(LIB_SRC)) \
	$(patsubst $(O)/lib/%.c,$(FUZZ_O)/lib/%.o,$(EMBEDDED))

$(FUZZ_O)/lib/%.o: lib/%.c $(LIB_HDR)
	mkdir -p $(FUZZ_O)/lib
	clang $(FUZZ_LIB_CFLAGS) -c $< -o $@

$(FUZZ_O)/lib/embedded_%.o: $(O)/lib/embedded_%.c lib/embedded.h
	mkdir -p $(FUZZ_O)/lib
	clang $(FUZZ_LIB_CFLAGS) -c $< -o $@

$(FUZZ_O)/libguise.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_O)/%: fuzz/%.c fuzz/oracle.h $(FUZZ_O)/libguise.a $(LIB_HDR)
	clang $(FUZZ_CFLAGS) $< $(FUZZ_O)/libguise.a \
		$(call pkg_libs,$(LIB_PKGS)) -o $@

# Each target without libFuzzer, with the normal compiler, flags and
# SANITIZE: make check replays fuzz/seeds/<t> through $(O)/fuzz-replay/<t>.
fuzz-replay: $(addprefix $(O)/fuzz-replay/,$(FUZZ_TARGETS))

$(O)/fuzz-replay/%: fuzz/%.c fuzz/replay.c fuzz/oracle.h $(O)/libguise.a $(LIB_HDR)
	mkdir -p $(O)/fuzz-replay
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) fuzz/$*.c fuzz/replay.c \
		$(O)/libguise.a $(call pkg_libs,$(LIB_PKGS)) -o $@

hdr-check:
	@for h in $(LIB_HDR) $(CMD_HDR); do \
		echo "#include \"$$(basename $$h)\"" | \
		$(CC) $(CPPFLAGS) $(CMD_CPPFLAGS) $(ALL_CFLAGS) -fsyntax-only -x c - || exit 1; \
	done; echo "hdr-check: $(words $(LIB_HDR) $(CMD_HDR)) headers compile on their own"

BANNED = sprintf|strcpy|strcat|strtok|atoi|gets|system
SHELL_SCRIPTS = scripts/install-deps scripts/embed .ci/run bench/run \
	$(wildcard examples/*.sh bench/*.sh bench/lib/*.sh tests/*.bash tests/helpers/*.bash)
# clang-tidy is most of lint's time and looks at one file at a time: run
# it on LINT_JOBS files at once (xargs -P), each batch with the same flags.
LINT_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TIDY_SRC = $(LIB_SRC) $(CMD_SRC) $(wildcard cmd/*.c) $(wildcard tests/helpers/*.c)
lint: $(EMBEDDED)
	printf '%s\n' $(TIDY_SRC) | xargs -P $(LINT_JOBS) -n 8 sh -c \
		'clang-tidy --quiet "$$@" -- $(CPPFLAGS) $(CMD_CPPFLAGS) -std=c11 $(PKG_CFLAGS)' tidy
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE \
		-Ilib -Icmd/common lib $(wildcard cmd) tests/helpers
	mandoc -Tlint -Wwarning $(MANPAGES)
	shellcheck $(SHELL_SCRIPTS)
	@if grep -nE '\b($(BANNED))\s*\(' lib/*.c lib/*.h $(wildcard cmd/*.c) $(CMD_SRC) $(CMD_HDR) \
		tests/helpers/*.c; then \
		echo "lint: banned functions (STYLE.md 13)"; exit 1; fi
	@echo "lint: clean"

install: $(BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	$(if $(BINS),install -m 755 $(BINS) $(DESTDIR)$(BINDIR))
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(COMMANDS))
	for m in $(MANPAGES); do \
		s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf build build-* 
