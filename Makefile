# hf: make demo | test | check | bench | binary. `make setup` (a dependency of
# every target) finds Deno or installs it from npm into .tools/.
SHELL := bash
.DEFAULT_GOAL := help
DENO_VERSION := 2.9.6
DENO_MIN_MINOR := 5
LOCAL_DENO := $(CURDIR)/.tools/deno
NPM_DENO := $(CURDIR)/.tools/node_modules/.bin/deno

# The deno on PATH when it is 2.x with x >= 5 (or a later major), else the pinned one in .tools/.
PATH_DENO := $(shell d=$$(command -v deno 2>/dev/null) && \
  "$$d" --version 2>/dev/null | awk -v d="$$d" 'NR==1 { split($$2, v, "."); \
    if (v[1] > 2 || (v[1] == 2 && v[2] >= $(DENO_MIN_MINOR))) print d }')
DENO ?= $(if $(PATH_DENO),$(PATH_DENO),$(LOCAL_DENO))
# As src/v8_flags.ts: a small young generation keeps memory down with many connections.
HF_V8_FLAGS := --max-semi-space-size=4
HF := $(DENO) run -A --v8-flags=$(HF_V8_FLAGS) cli.ts

.PHONY: help setup test check demo bench binary clean

help:
	@echo "make demo    run benchmarks/quickstart.hf.yaml against the built-in example server"
	@echo "make test    run the test suite"
	@echo "make check   formatting, lint and type checks"
	@echo "make bench   hf vs wrk against a local nginx, as ratios (a few minutes)"
	@echo "make binary  build the single hf binary into dist/hf"
	@echo "make setup   find Deno >= 2.$(DENO_MIN_MINOR) or install $(DENO_VERSION) into .tools/ (done by the others)"

setup: .tools/deps.stamp
	@:

# Quiet when done already: the stamp is newer than deno.json and deno.lock.
.tools/deps.stamp: deno.json deno.lock | $(DENO)
	@$(DENO) install --quiet
	@mkdir -p .tools && touch $@

# Only reached when no suitable deno is on PATH.
$(LOCAL_DENO):
	@if [ ! -x "$(NPM_DENO)" ] || ! "$(NPM_DENO)" --version >/dev/null 2>&1; then \
	  echo "setup: installing deno $(DENO_VERSION) from npm into .tools/"; \
	  npm install --prefix .tools --no-save --no-audit --no-fund --loglevel=error deno@$(DENO_VERSION); \
	fi
	@ln -sfn node_modules/.bin/deno $@
	@"$@" --version >/dev/null

test: setup
	$(DENO) test -A --parallel tests/

check: setup
	$(DENO) fmt --check
	$(DENO) lint
	$(DENO) check cli.ts mod.ts tests/ benchmarks/

# The example server runs for the length of the benchmark; it stops when hf closes its stdin.
demo: setup
	@echo "\$$ hf example-server --port 8080 &"
	@coproc SERVER { exec $(HF) example-server --port 8080 --stop-on-stdin-close; }; \
	  read -r line <&"$${SERVER[0]}" || { echo "demo: the example server did not start (is port 8080 free?)"; exit 3; }; \
	  echo "$$line"; \
	  echo "\$$ hf run benchmarks/quickstart.hf.yaml"; \
	  $(HF) run benchmarks/quickstart.hf.yaml; status=$$?; \
	  exec {SERVER[1]}>&-; wait $$SERVER_PID 2>/dev/null; exit $$status

# nginx on a loopback port: wrk vs hf wrk, hf wrk2's rate, 10,000 connections' RSS, loading 1,000 phases.
bench: setup
	@$(DENO) run -A benchmarks/bench.ts

binary: setup
	@mkdir -p dist
	$(DENO) compile -A --v8-flags=$(HF_V8_FLAGS) --include src/engine/executor_worker.ts --output dist/hf cli.ts || { \
	  echo "hint: deno compile needs Deno's 'denort' runtime, which it downloads from Deno's site;" >&2; \
	  echo "      offline, set DENORT_BIN=/path/to/denort (the denort of Deno $$($(DENO) --version | awk 'NR==1{print $$2}'))" >&2; \
	  exit 1; }
	@echo "built dist/hf"

clean:
	rm -rf dist .tools/deps.stamp
