# shadow-sim - build, test, install.
#
#   make              build ./shadow-sim
#   make run          open the stepper on the built-in sample trace
#   make screenshots  render the stepper to screenshots/*.png (tmux, aha, chromium)
#   make test         unit, golden and end-to-end tests, then again under
#                     AddressSanitizer + UndefinedBehaviorSanitizer
#   make plots        redraw docs/plots/*.png (gnuplot)
#   make install      PREFIX=/usr/local DESTDIR= (binary, man page, sample traces,
#                     bash completion, scripts/sweep.gp)
#   make docs         regenerate docs/why-ept.md from real runs
#   make fuzz         FUZZ_SECONDS=60: libFuzzer on every tests/fuzz harness
#   make bench        the benchmark of docs/performance.md
#   make test-valgrind  golden tests and the whole bad-input corpus under memcheck
#   make format       clang-format every source file
#   make bench-session  time the stepper's moves on a long trace
#
# Build dependencies (ncursesw, readline, cmocka, zlib, liblzma, libzstd,
# pkg-config) are checked by scripts/deps.sh, which installs them with
# apt-get when it can.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CC        ?= cc
SANITIZE  ?=

WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wcast-qual -Wwrite-strings -Wvla -Wformat=2 -Wundef \
             -Wno-format-nonliteral
CSTD      := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT       ?= -O2 -g
CFLAGS    ?=
ALL_CFLAGS = $(CSTD) $(WARNINGS) $(OPT) $(CFLAGS) -DSHADOW_SIM_VERSION='"$(VERSION)"'
# --compare runs its machines on threads of their own (src/input/run_parallel.c).
ALL_CFLAGS += -pthread
LDFLAGS    += -pthread

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS    += -fsanitize=address,undefined
endif
# The fuzzing build (make fuzz): clang instruments the library for libFuzzer.
ifneq ($(FUZZ),)
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
endif

DEPS_STAMP := $(BUILD)/.deps-ok
PKGS       := ncursesw readline
UI_CFLAGS   = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
UI_LIBS     = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The engine reads compressed traces with these (src/input/instream_codec.c).
CODEC_PKGS   := zlib liblzma libzstd
CODEC_CFLAGS = $(shell pkg-config --cflags $(CODEC_PKGS) 2>/dev/null)
CODEC_LIBS   = $(shell pkg-config --libs $(CODEC_PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags cmocka 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs cmocka 2>/dev/null)

# The layers of src/ (README, "Source map"): each folder is compiled with
# the include paths of the layers it may use and no others, so a header
# included across the rule does not compile.
LAYER_util   := util
LAYER_engine := util engine
LAYER_mmu    := util engine mmu
LAYER_input  := util engine input
LAYER_report := util engine input report
LAYER_debug  := util engine input report debug
LAYER_gen    := util engine gen
LAYERS       := util engine mmu input report debug gen
layer_inc     = $(addprefix -Isrc/,$(LAYER_$(firstword $(subst /, ,$(1)))))
ALL_INC      := $(addprefix -Isrc/,$(LAYERS)) -Iui

ENGINE_SRC := $(wildcard src/*/*.c)
ENGINE_HDR := $(wildcard src/*/*.h)
UI_SRC     := $(wildcard ui/*.c)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
ENGINE_OBJ := $(ENGINE_SRC:%.c=$(BUILD)/%.o)
UI_OBJ     := $(UI_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/sample_trace.o
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
# Each harness also links with tests/fuzz/replay.c into a plain program that
# the suite runs over the corpus (no clang needed there).
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/replay_%)
LIB        := $(BUILD)/libshadowsim.a
BIN        := $(if $(filter build,$(BUILD)),shadow-sim,$(BUILD)/shadow-sim)

.PHONY: screenshots
.PHONY: all run test test-fast test-valgrind check-deps install uninstall clean format bench docs \
        fuzz fuzz-bins
.SUFFIXES:

all: $(BIN)

$(DEPS_STAMP): scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p $(@D) && touch $@

check-deps: $(DEPS_STAMP)

$(BUILD)/src/%.o: src/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(call layer_inc,$*) $(CODEC_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/ui/%.o: ui/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_INC) $(UI_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/gen/sample_trace.c: traces/sample_trace.txt scripts/embed.sh
	@mkdir -p $(@D)
	sh scripts/embed.sh $< sample_trace > $@

$(BUILD)/gen/sample_trace.o: $(BUILD)/gen/sample_trace.c
	$(CC) $(ALL_CFLAGS) $(ALL_INC) -Wno-missing-variable-declarations -c $< -o $@

$(LIB): $(ENGINE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(UI_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(UI_OBJ) $(LIB) $(UI_LIBS) $(CODEC_LIBS)

# A unit test links the helper objects it is given as extra prerequisites.
$(BUILD)/tests/%: tests/unit/%.c $(LIB) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_INC) $(TEST_CFLAGS) -MMD -MP $< $(filter %.o,$^) -o $@ $(LDFLAGS) $(LIB) \
		$(TEST_LIBS) $(CODEC_LIBS)

# Test helpers (tests/unit/ref_*.c): objects linked into the tests that use them.
$(BUILD)/tests/ref_%.o: tests/unit/ref_%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_INC) -MMD -MP -c $< -o $@

# The reference model of x86 translation (tests/unit/ref_x86.h).
$(BUILD)/tests/test_reference: $(BUILD)/tests/ref_x86.o
$(BUILD)/tests/test_vcpu: $(BUILD)/tests/ref_x86.o

$(BUILD)/tests/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB) $(ENGINE_HDR) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_INC) tests/fuzz/$*.c tests/fuzz/replay.c -o $@ $(LDFLAGS) $(LIB) $(CODEC_LIBS)

# The whole suite once normally, once under ASan + UBSan (its own build tree).
test: $(BIN) $(UNIT_BIN) $(REPLAY_BIN)
	@$(MAKE) --no-print-directory BUILD=build-san SANITIZE=1 OPT="-O1 -g" build-san/shadow-sim unit-bins-san
	@sh tests/run_all.sh

unit-bins-san: $(UNIT_BIN) $(REPLAY_BIN)

# Every golden test and the whole bad-input corpus under valgrind memcheck
# (make test runs a case of each kind; this runs all, a few minutes).
test-valgrind: $(BIN)
	@VALGRIND_FULL=1 SHADOW_SIM=$(CURDIR)/$(BIN) sh tests/e2e/valgrind.sh | tee build/valgrind.log
	@! grep -q '^not ok' build/valgrind.log

# The suite against the normal build only (quicker while developing).
test-fast: $(BIN) $(UNIT_BIN) $(REPLAY_BIN)
	@SHADOW_SIM_NO_SAN=1 sh tests/run_all.sh

# The stepper's moves on a trace of millions of events (not part of the tests).
.PHONY: bench-session
$(BUILD)/bench/session_bench: tests/bench/session_bench.c $(LIB) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_INC) -MMD -MP $< -o $@ $(LDFLAGS) $(LIB) $(CODEC_LIBS)

bench-session: $(BIN) $(BUILD)/bench/session_bench
	sh scripts/bench-session.sh

# docs/why-ept.md from real runs (every number in it is measured).
docs: $(BIN)
	sh scripts/why-ept.sh

run: $(BIN)
	./$(BIN) -i

# PNGs of the stepper for the README (needs tmux, aha and chromium).
screenshots: $(BIN)
	sh scripts/screenshots.sh ./$(BIN)

# docs/plots/*.png from generated workloads and the recorded lackey trace.
.PHONY: plots
plots: $(BIN)
	SHADOW_SIM=./$(BIN) sh scripts/plots.sh

MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

# The bash completion script, written by the program from its own tables.
COMPLETION := $(BUILD)/shadow-sim.bash
$(COMPLETION): $(BIN)
	./$(BIN) completion bash >$@.tmp && mv $@.tmp $@

install: $(BIN) $(COMPLETION)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/shadow-sim/traces
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/shadow-sim
	install -m 644 traces/*.txt traces/*.gz traces/README.md $(DESTDIR)$(PREFIX)/share/shadow-sim/traces/
	install -m 644 scripts/sweep.gp $(DESTDIR)$(PREFIX)/share/shadow-sim/
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 shadow-sim.1 $(DESTDIR)$(MANDIR)/man1/shadow-sim.1
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 $(COMPLETION) $(DESTDIR)$(BASHCOMPDIR)/shadow-sim

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/shadow-sim
	rm -rf $(DESTDIR)$(PREFIX)/share/shadow-sim
	rm -f $(DESTDIR)$(MANDIR)/man1/shadow-sim.1
	rm -f $(DESTDIR)$(BASHCOMPDIR)/shadow-sim

# Benchmark (scripts/bench.sh, docs/performance.md): a generated lackey
# trace of BENCH_LINES accesses, every scheme beside wc -l, peak memory.
BENCH_GEN := $(BUILD)/bench/gen_lackey

$(BENCH_GEN): tests/bench/gen_lackey.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@

bench: $(BIN) $(BENCH_GEN)
	@sh scripts/deps.sh bench
	@sh scripts/bench.sh ./$(BIN) $(BENCH_GEN)

# Fuzzing: builds every tests/fuzz/fuzz_*.c harness with clang and libFuzzer
# (build-fuzz/) and runs each for FUZZ_SECONDS, one after the other (one
# core). New inputs go to build-fuzz/corpus/NAME, seeded from
# tests/fuzz/corpus/NAME; crashes to build-fuzz/crashes/. A crash is turned
# into a regression by copying it into tests/fuzz/corpus/NAME/ (the suite
# replays that directory) and, where it is a trace, into tests/bad/.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?= -timeout=10 -rss_limit_mb=2048 -max_len=16384
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)

fuzz: check-deps
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang FUZZ=1 OPT="-O1 -g" fuzz-bins
	@set -e; for f in $(FUZZ_BIN); do \
		name=$${f#build-fuzz/fuzz_}; \
		mkdir -p build-fuzz/corpus/$$name build-fuzz/crashes; \
		dict=; [ -f tests/fuzz/$$name.dict ] && dict=-dict=tests/fuzz/$$name.dict; \
		echo "fuzzing $$name for $(FUZZ_SECONDS)s"; \
		$$f $(FUZZ_FLAGS) $$dict -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=build-fuzz/crashes/$$name- \
			build-fuzz/corpus/$$name tests/fuzz/corpus/$$name; \
	done

fuzz-bins: $(FUZZ_BIN)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB) $(ENGINE_HDR)
	$(CC) $(ALL_CFLAGS) $(ALL_INC) -fsanitize=fuzzer,address,undefined $< -o $@ $(LIB) $(CODEC_LIBS)

format:
	clang-format -i src/*/*.[ch] ui/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c tests/bench/*.c traces/programs/*.c

clean:
	rm -rf build build-san build-fuzz shadow-sim tests/out

-include $(ENGINE_OBJ:.o=.d) $(UI_OBJ:.o=.d) $(UNIT_BIN:=.d) $(BUILD)/tests/ref_x86.d
