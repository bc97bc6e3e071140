# streamstat - build, test, install.
#
#   make            build build/streamstat
#   make report     install missing packages, build, write the bundled dataset's
#                   workbook and JSON summary to reports/
#   make test       install missing packages, build, run every test, then
#                   again under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      generate a ~6.5M-row history; measure ingest and fitting
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
LIBS     := -lxlsxwriter -ljansson -lnettle -lcsv -lgsl -lgslcblas -lm -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Debian packages a fresh machine needs to build, test and run everything.
DEB_PACKAGES := gcc make pkg-config libcsv-dev libgsl-dev libxlsxwriter-dev libjansson-dev nettle-dev \
                libcmocka-dev python3 python3-openpyxl clang-format clang-tidy cppcheck

# ... and what only "make test" needs: LibreOffice opens the workbook as users do.
TEST_PACKAGES := libreoffice-calc-nogui

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/main.o
BIN      := $(BUILD)/streamstat
LIBA     := $(BUILD)/libstreamstat.a
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BUILD)/bench/gen $(BUILD)/bench/bench $(BUILD)/bench/fitbench

DATASET  := datasets/spotify_albums.csv
CATALOG  := datasets/catalog.csv

.PHONY: all deps report test test-build unit cases e2e asan bench install uninstall \
        clean lint format check-format
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
	$(Q)$(MAKE) --no-print-directory test-build unit cases e2e
	$(Q)$(MAKE) --no-print-directory asan
	$(Q)$(MAKE) --no-print-directory lint check-format

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SAN=1 test-build unit cases e2e

test-build: $(BIN) $(UNIT_BIN) $(BUILD)/bench/gen

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do \
		echo "  UNIT    $$t"; \
		(cd tests/unit && ../../$$t) || exit 1; \
	done

cases: $(BIN)
	@echo "  CASES   tests/cases ($(BIN))"
	$(Q)tests/run-cases.sh $(BIN)

e2e: $(BIN)
	@echo "  E2E     tests/e2e ($(BIN))"
	$(Q)for t in tests/e2e/*.sh; do STREAMSTAT=$(BIN) $$t || exit 1; done

bench: deps
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

C_FILES := $(wildcard src/*.c include/streamstat/*.h tests/unit/*.c bench/*.c bench/*.h)

lint:
	@echo "  TIDY    src"
	$(Q)clang-tidy --quiet $(LIB_SRC) src/main.c -- -std=c11 -D_DEFAULT_SOURCE -Iinclude \
		-DSS_VERSION='"$(VERSION)"' 2>/dev/null
	@echo "  CPPCHECK src"
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem -Iinclude -D__GNUC__ src

format:
	clang-format -i $(C_FILES)

check-format:
	@echo "  FORMAT  check"
	$(Q)clang-format --dry-run --Werror $(C_FILES)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d $(BUILD)/bench/*.d)
