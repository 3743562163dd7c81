# Every target creates .venv itself and installs what it needs from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_DEV := $(VENV)/.installed-dev
STAMP_DEMO := $(VENV)/.installed-demo
STAMP_INFRA := $(VENV)/.installed-infra
BENCH ?=
ENV ?= dev
SYNTH_ARGS ?=

.PHONY: demo test bench lint format synth clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The demo needs the runtime, the provider SDKs and the emulator; not CDK or test tools.
$(STAMP_DEMO): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[providers,local]'
	touch $@

$(STAMP_INFRA): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[infra]'
	touch $@

# The example TypeScript tool, compiled with the project's pinned TypeScript (npm registry).
TS_TOOL := examples/tools/word_freq
$(TS_TOOL)/dist/index.js: $(TS_TOOL)/src/index.ts $(TS_TOOL)/package-lock.json $(TS_TOOL)/tsconfig.json
	npm ci --prefix $(TS_TOOL) --no-audit --no-fund --silent
	npm run --prefix $(TS_TOOL) --silent build

demo: $(STAMP_DEMO)
	$(BIN)/sfa demo

# CloudFormation templates for a real account, offline and without Docker (docs/deploy.md).
synth: $(STAMP_INFRA)
	$(BIN)/python -m infra.cli --env $(ENV) --out cdk.out $(SYNTH_ARGS)

test: $(STAMP_DEV) $(TS_TOOL)/dist/index.js
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP_DEV)
	$(BIN)/python -m bench $(if $(BENCH),--only $(BENCH),)

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP_DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis cdk.out $(TS_TOOL)/dist $(TS_TOOL)/node_modules
