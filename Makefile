# streamstat - build, test, install.
#
#   make            build build/streamstat
#   make report     install missing packages, build, write the bundled dataset's
#                   workbook and JSON summary to reports/
#   make test       install missing packages, build, run every test, then
#                   again under AddressSanitizer + UndefinedBehaviorSanitizer,
#                   and the golden cases under valgrind
#   make bench      generate a ~6.5M-row history; measure ingest and fitting;
#                   the sharded report against the single run (bench/shard.sh)
#   make accuracy   score the projections on real histories (REAL_DATA, default
#                   ../shared/data/real) against the recent pace, by horizon
#   make calibration  relearn the pace model's shipped table (src/pace_table.c)
#                   from REAL_DATA, cuts before 2025-01-01 only
#   make fuzz       libFuzzer on ingest and option parsing (FUZZ_SECONDS each)
#   make install    PREFIX=/usr/local, DESTDIR for staging
#   make lint       clang-tidy and cppcheck
#   make format     clang-format -i; make check-format fails on a diff
#
# V=1 shows the commands; WERROR=0 drops -Werror (for packagers).

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
BUILD    ?= build
WERROR   ?= 1
SAN      ?= 0

CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wundef -Wcast-align -Wpointer-arith
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SAN),1)
CFLAGS   := -O1 -g $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
endif
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARNINGS) -Iinclude \
             -DSS_VERSION='"$(VERSION)"' -MMD -MP $(CFLAGS)
LIBS     := -lxlsxwriter -ljansson -lnettle -lcsv -lgsl -lgslcblas -lz -lm -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Debian packages that building and running need ("make report"); the
# README lists them for other distributions.
DEB_PACKAGES := gcc make pkg-config libcsv-dev libgsl-dev libxlsxwriter-dev libjansson-dev nettle-dev zlib1g-dev

# ... and what only "make test" needs: cmocka for the unit tests, python3 and
# openpyxl to read workbooks back, clang-format, clang-tidy and cppcheck for
# lint; LibreOffice opens the workbook as users do, and poppler-utils count
# and draw its printed pages; valgrind checks the golden cases for memory
# errors and leaks; numpy runs the accuracy harness on real histories
# (tests/accuracy/); systemd's systemd-analyze verifies the units
# "schedule --systemd" prints (it needs no running systemd); GNU parallel runs
# the sharded report (tests/e2e/check-shard.sh), rsync carries its parts to
# "hosts" and back, a one-node Slurm of its own runs the job array script
# (tests/e2e/check-slurm.sh), shellcheck checks the scripts.
TEST_PACKAGES := libcmocka-dev python3 python3-openpyxl clang-format clang-tidy cppcheck \
                 libreoffice-calc-nogui poppler-utils valgrind python3-numpy systemd \
                 parallel rsync slurmctld slurmd slurm-client shellcheck

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/main.o
BIN      := $(BUILD)/streamstat
LIBA     := $(BUILD)/libstreamstat.a
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BUILD)/bench/gen $(BUILD)/bench/bench $(BUILD)/bench/fitbench

# Fuzzing (libFuzzer, clang): each target in tests/fuzz/fuzz_NAME.c; its
# seeds in tests/fuzz/seeds/NAME, its kept reproducers in
# tests/fuzz/crashes/NAME, both replayed by "make test" through a plain
# driver (tests/fuzz/replay.c) in the normal and the sanitizer builds.
FUZZ_TARGETS := ingest options report
REPLAY_BIN   := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay-%)
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := build/fuzzer
FUZZ_CFLAGS  := -std=c11 -D_DEFAULT_SOURCE -Iinclude -DSS_VERSION='"$(VERSION)"' -g -O1 \
                -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJ     := $(LIB_SRC:src/%.c=$(FUZZ_DIR)/obj/%.o)
.SECONDARY: $(FUZZ_OBJ)

DATASET  := datasets/spotify_albums.csv
CATALOG  := datasets/catalog.csv

.PHONY: accuracy calibration all deps report test test-build unit cases e2e asan bench install uninstall \
        clean lint format check-format replay fuzz valgrind
.SUFFIXES:

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(LIBA)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(LIBA): $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS) -lcmocka

$(BUILD)/bench/%: bench/%.c $(LIBA)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

# Install whatever Debian packages are missing (as root, else through sudo).
# "make test" also wants LibreOffice to open the workbook the way users do.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES) $(EXTRA_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
			|| missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "  APT    $$missing"; \
		if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing \
			|| { echo "make: could not install:$$missing" >&2; exit 1; }; \
	fi

# The bundled case as of the day its record was reported (2023-11-21).
report: deps
	$(Q)$(MAKE) --no-print-directory all
	$(BIN) report --as-of 2023-11-21 --catalog $(CATALOG) $(DATASET)

test:
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PACKAGES="$(TEST_PACKAGES)"
	$(Q)$(MAKE) --no-print-directory test-build unit cases replay e2e
	$(Q)$(MAKE) --no-print-directory asan
	$(Q)$(MAKE) --no-print-directory valgrind
	$(Q)$(MAKE) --no-print-directory lint check-format

# The golden cases and a full report under valgrind memcheck: zero errors,
# zero leaks (tests/valgrind-streamstat exits 99 on either).
valgrind: $(BIN)
	@echo "  VALGRIND tests/cases, report"
	$(Q)STREAMSTAT_UNDER_VALGRIND=$(BIN) tests/run-cases.sh tests/valgrind-streamstat
	$(Q)out=$$(mktemp -d) && STREAMSTAT_UNDER_VALGRIND=$(BIN) tests/valgrind-streamstat \
		report -q -o "$$out" --catalog $(CATALOG) $(DATASET); st=$$?; rm -rf "$$out"; \
		[ $$st -eq 0 ] || { echo "make: the report under valgrind exited $$st" >&2; exit 1; }

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SAN=1 test-build unit cases replay e2e

test-build: $(BIN) $(UNIT_BIN) $(BENCH_BIN) $(REPLAY_BIN)

$(BUILD)/fuzz/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz_util.h $(LIBA)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(LIBA) $(LIBS)

replay: $(REPLAY_BIN)
	@for t in $(FUZZ_TARGETS); do \
		echo "  REPLAY  tests/fuzz/seeds/$$t tests/fuzz/crashes/$$t"; \
		$(BUILD)/fuzz/replay-$$t $$(find tests/fuzz/seeds/$$t tests/fuzz/crashes/$$t \
			-type f ! -name .gitkeep | sort) 2>$(BUILD)/fuzz/replay-$$t.log || \
			{ tail -n 40 $(BUILD)/fuzz/replay-$$t.log; exit 1; }; \
	done

# make fuzz [FUZZ_SECONDS=N]: each target for N seconds, both at once; new
# crashes land in build/fuzzer/artifacts-NAME/ (keep them in
# tests/fuzz/crashes/NAME once fixed).
fuzz:
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PACKAGES="clang libclang-rt-14-dev"
	$(Q)$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz-%)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/corpus-$$t $(FUZZ_DIR)/artifacts-$$t; \
		( $(FUZZ_DIR)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 \
			-close_fd_mask=2 \
			-artifact_prefix=$(FUZZ_DIR)/artifacts-$$t/ -print_final_stats=1 \
			$(FUZZ_DIR)/corpus-$$t tests/fuzz/seeds/$$t >$(FUZZ_DIR)/$$t.log 2>&1; \
			echo "  FUZZ    $$t: exit $$?, $$(grep -c . $(FUZZ_DIR)/$$t.log) log lines" ) & \
	done; wait
	@for t in $(FUZZ_TARGETS); do grep -E "stat::number_of_executed_units|stat::peak_rss" \
		$(FUZZ_DIR)/$$t.log | sed "s/^/  $$t: /"; ls $(FUZZ_DIR)/artifacts-$$t | sed "s/^/  $$t artifact: /"; done

$(FUZZ_DIR)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/fuzz-%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_util.h $(FUZZ_OBJ)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do \
		echo "  UNIT    $$t"; \
		tests/run-unit.sh $$t tests/unit/$$(basename $$t).c || exit 1; \
	done

cases: $(BIN)
	@echo "  CASES   tests/cases ($(BIN))"
	$(Q)tests/run-cases.sh $(BIN)

e2e: $(BIN)
	@echo "  E2E     tests/e2e ($(BIN))"
	$(Q)for t in tests/e2e/*.sh; do STREAMSTAT=$(BIN) $$t || exit 1; done

REAL_DATA ?= ../shared/data/real

# The harness prints one table: method x band, in and out of sample.
accuracy: deps
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PACKAGES=python3-numpy
	$(Q)$(MAKE) --no-print-directory $(BIN)
	$(Q)/usr/bin/python3 tests/accuracy/accuracy.py --bin $(BIN) --real $(REAL_DATA)

calibration:
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PACKAGES=python3-numpy
	$(Q)/usr/bin/python3 tests/accuracy/calibrate.py $(REAL_DATA) | clang-format --assume-filename=src/pace_table.c > src/pace_table.c.tmp
	$(Q)mv src/pace_table.c.tmp src/pace_table.c

bench: deps
	$(Q)$(MAKE) --no-print-directory deps EXTRA_PACKAGES="parallel time"
	$(Q)$(MAKE) --no-print-directory CFLAGS="-O2 -g" $(BIN) $(BENCH_BIN)
	$(Q)bench/run.sh $(BUILD)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/streamstat
	install -m 644 man/streamstat.1 $(DESTDIR)$(MANDIR)/man1/streamstat.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/streamstat $(DESTDIR)$(MANDIR)/man1/streamstat.1

clean:
	rm -rf build bench/out

C_FILES := $(wildcard src/*.c include/streamstat/*.h tests/unit/*.c tests/fuzz/*.c bench/*.c bench/*.h)

lint:
	@echo "  TIDY    src"
	$(Q)clang-tidy --quiet $(LIB_SRC) src/main.c -- -std=c11 -D_DEFAULT_SOURCE -Iinclude \
		-DSS_VERSION='"$(VERSION)"' 2>/dev/null
	@echo "  CPPCHECK src"
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -Iinclude -D__GNUC__ src
	@echo "  SHELLCHECK scripts bench"
	$(Q)shellcheck scripts/shard-report.sh scripts/shard-slurm.sbatch bench/shard.sh tests/e2e/check-shard.sh \
		tests/e2e/check-slurm.sh tests/e2e/check-man.sh tests/e2e/same-output

format:
	clang-format -i $(C_FILES)

check-format:
	@echo "  FORMAT  check"
	$(Q)clang-format --dry-run --Werror $(C_FILES)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d $(BUILD)/bench/*.d $(FUZZ_DIR)/obj/*.d)
