# Fluxion: the commands behind the README. Variables can be overridden on the command
# line, e.g. `make bench CASE=rhs_lv`, `make run ARGS=--help`, `make SWIFT=/opt/swift/bin/swift test`.

SWIFT ?= swift
# Where SwiftPM builds (binaries land in $(SCRATCH)/debug and $(SCRATCH)/release).
SCRATCH ?= .build
# Extra flags for every `swift build` / `swift test` (e.g. -j 1).
SWIFT_FLAGS ?=
# System packages Fluxion links (ncursesw and readline for the workbench, SuiteSparse KLU
# for LinearSolve) and tmux for the workbench's terminal test; installed by `make deps`.
DEB_PACKAGES ?= libncurses-dev libreadline-dev libsuitesparse-dev libopenblas-dev tmux
# Arguments for `make run`, case names for `make bench` (empty: every case).
ARGS ?=
CASE ?=
EXAMPLE ?=

SWIFTPM = --scratch-path $(SCRATCH) $(SWIFT_FLAGS)
# Swift Testing runs only when some test imports it; otherwise its "0 tests" line would
# close the output and hide XCTest's summary.
SWIFT_TESTING = $(if $(shell grep -rlE '^import Testing' Tests --include='*.swift' 2>/dev/null),,--disable-swift-testing)

.PHONY: all deps build release run test bench examples sessions clean

all: build

# Installs the missing Debian packages (apt-get update once, then install); silent when
# everything is present or when this is not a Debian-like system.
deps:
	@command -v dpkg >/dev/null 2>&1 || exit 0; \
	missing=""; \
	for pkg in $(DEB_PACKAGES); do \
	  dpkg -s "$$pkg" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$pkg"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	echo "make deps: installing$$missing"; \
	$$sudo apt-get update && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing

build:
	$(SWIFT) build $(SWIFTPM)

release:
	$(SWIFT) build -c release $(SWIFTPM)

# At a terminal the workbench opens on its first screen, which lists the tutorials
# (`:tutorial NAME` starts one); without one the getting-started tutorial runs as a
# script and prints its results. ARGS replaces both, e.g. `make run ARGS="tutorial neural-ode"`.
run: deps build
	@if [ -n "$(ARGS)" ] || { [ -t 0 ] && [ -t 1 ]; }; then \
	  $(SCRATCH)/debug/fluxion $(ARGS); \
	else \
	  $(SCRATCH)/debug/fluxion tutorial getting-started --batch; \
	fi

test: deps
	$(SWIFT) build --build-tests $(SWIFTPM)
	$(SWIFT) test --skip-build $(SWIFTPM) $(SWIFT_TESTING)
	Tests/Terminal/workbench.sh $(SCRATCH)/debug/fluxion
	Tests/Terminal/sessions.sh $(SCRATCH)/debug/fluxion
	Tests/Terminal/tutorial.sh $(SCRATCH)/debug/fluxion
	Tests/Terminal/jobs.sh $(SCRATCH)/debug/fluxion
	Tests/Terminal/plain.sh $(SCRATCH)/debug/fluxion

# Build output goes to stderr, so stdout carries only the cases' JSON lines.
bench: deps
	@$(SWIFT) build -c release --product fluxion-bench $(SWIFTPM) >&2
	@$(SCRATCH)/release/fluxion-bench $(CASE)

# The training workflows of the tutorials (spiral, missing physics, LV fit), release build.
examples: deps
	@$(SWIFT) build -c release --product fluxion-examples $(SWIFTPM) >&2
	@$(SCRATCH)/release/fluxion-examples $(EXAMPLE)

# The example sessions: each sessions/NAME.flx runs through the line REPL (one cell per
# top-level input) and ends by saving sessions/NAME.json.
sessions: deps build
	@for script in sessions/*.flx; do echo "make sessions: $$script"; \
	  out=$$($(SCRATCH)/debug/fluxion --plain < "$$script" 2>&1) || exit 1; \
	  if echo "$$out" | grep -q ': error: '; then echo "$$out" | grep -A4 ': error: '; exit 1; fi; done

clean:
	$(SWIFT) package --scratch-path $(SCRATCH) clean
