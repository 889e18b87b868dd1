# Fluxion IaC. Quick start: `make synth`, then `make test` (python3 3.11.5+, pip, make; the rest from
# the lockfiles). Each target's comment is `[group] what it does`: `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
PIPENV_VERSION := 2026.10.3
TOOLS := .tools
PIPENV := $(TOOLS)/bin/pipenv
# make's spelling (1) and the environment's (2) of one setting, default (3); they must agree.
define one_setting
ifneq ($$(and $$($(1)),$$($(2))),)
ifneq ($$($(1)),$$($(2)))
$$(error $(1)=$$($(1)) and $(2)=$$($(2)) disagree: set only one)
endif
endif
$(1) := $$(or $$($(1)),$$($(2)),$(3))
export $(2) := $$($(1))
endef
# The engine (runtime/engine ENGINES; tests/test_makefile.py compares): each has its own venv.
$(eval $(call one_setting,ENGINE,FLUXION_ENGINE,cdktf))
ENGINE_NAMES := cdktf cdktn
VENV_cdktf := .venv
VENV_cdktn := engines/cdktn/.venv
VENV := $(or $(VENV_$(ENGINE)),$(error ENGINE=$(ENGINE) is not an engine; valid: cdktf, cdktn))
PIPFILE := $(if $(filter cdktf,$(ENGINE)),Pipfile,engines/$(ENGINE)/Pipfile)
export PIPENV_PIPFILE := $(CURDIR)/$(PIPFILE)
IN_ENGINE := env -u FLUXION_ENGINE -u PIPENV_PIPFILE $(MAKE) --no-print-directory
MYPY_ENGINE := --always-$(if $(filter cdktn,$(ENGINE)),true,false) CDKTN
LOCK := $(PIPFILE).lock
PY := $(VENV)/bin/python
CHECKOV := $(TOOLS)/checkov/.installed
AUDITORS := $(TOOLS)/iam-auditors/.installed
COVERAGE_FLOOR := 90
# The packages that ship (strict typing, coverage, the function-length rule read this line).
SHIPPED := app config policies modules stacks imports review deploy runtime ops
# The stacks (config/estate.py STACKS, CI_STACKS; tests/test_makefile.py compares).
STACKS := state identity network data compute edge monitoring
CI_STACKS := network data compute edge
# pipenv in the project's own venvs, quietly; no telemetry or update checks (cdktf, Terraform).
$(foreach v,PIPENV_VENV_IN_PROJECT=1 PIPENV_IGNORE_VIRTUALENVS=1 PIPENV_VERBOSITY=-1 \
	PIPENV_NOSPIN=1 CHECKPOINT_DISABLE=1 DISABLE_VERSION_CHECK=1,$(eval export $(v)))
# cdktf 0.21 calls util.isArray (DEP0044) on Node 22; the heap size is the CLI's own default.
export NODE_OPTIONS := --no-deprecation --max-old-space-size=4096
# Terraform reads the project's CLI config (runtime/terraform.py), never ~/.terraformrc.
export TF_CLI_CONFIG_FILE := $(CURDIR)/.tools/terraform/terraformrc
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The hardening switches: the environment's own (config/environments.py), or PROFILE's preset.
$(eval $(call one_setting,PROFILE,FLUXION_PROFILE,))
AS_PROFILE := $(if $(PROFILE),--profile $(PROFILE))
need = $(if $($(1)),,$(error $(1)=<$(subst $() ,|,$(2))> is required))
SYNCED := $(VENV)/.synced
# Every target this file names at the start of a line (the commands, not the files) is phony.
.PHONY: $(shell sed -n 's/^\([a-z][a-z0-9-]*\):.*/\1/p' $(firstword $(MAKEFILE_LIST)))
# [daily] Synthesize cdktf.out/ (the environment's switches, or PROFILE=adopt|hardened).
synth: $(SYNCED) ; $(PY) main.py && echo "synthesized: $$(ls cdktf.out/stacks | tr '\n' ' ')"
# [daily] Lint, types, workflow audit, pytest on 2 workers with coverage (floor: COVERAGE_FLOOR).
test: $(SYNCED) node_modules/.installed $(CHECKOV) $(AUDITORS) tfconfig lint workflows
	rm -f .coverage .coverage.* && $(PY) -m coverage run -m pytest -n $(or $(TEST_WORKERS),2) --durations=10
	$(PY) -m coverage combine -q && $(PY) -m coverage report --fail-under=$(COVERAGE_FLOOR)
# [daily] Which resources have an import block, which do not, and what to run.
adoption-report: $(SYNCED) ; FLUXION_ADOPTION_REPORT=1 $(PY) main.py
# [daily] What this change does to each stack; fails on a lost stateful resource.
guard: $(SYNCED) ; $(PY) -m review.replacement_guard
# [daily] terraform validate of every stack in cdktf.out.
validate: tfconfig ; $(PY) -m runtime.terraform validate
# [daily] The security gate (checkov, IAM auditors) against review/waivers.json.
security: synth $(CHECKOV) $(AUDITORS) ; $(PY) -m review.security_gate
# [daily] Find the live IDs with read-only AWS calls (credentials for the config's account).
resolve: $(SYNCED) ; $(PY) -m imports.resolve
# [daily] Deploy cdktf.out in order, guarded: plan, gate, confirm, apply exactly that plan.
deploy: $(SYNCED) tfconfig ; $(PY) -m deploy deploy $(AS_PROFILE)
# [daily] One stack, by a person: STACK=compute (REPLACE=<address> replaces that resource).
deploy-stack: $(SYNCED) tfconfig ; $(call need,STACK,$(STACKS))$(PY) -m deploy deploy $(AS_PROFILE) --stacks $(STACK) $(if $(REPLACE),--replace $(REPLACE))
# [daily] Destroy in reverse order; needs CONFIRM=<environment name>.
destroy: $(SYNCED) tfconfig ; $(PY) -m deploy destroy --confirm "$(CONFIRM)"
# [daily] Day-2 operations from the stacks' outputs: ARGS="status" (python -m ops --help).
ops: $(SYNCED) ; $(PY) -m ops $(ARGS)
# [daily] Monthly cost per stack, resource and price component (PLAN="STACK=FILE ...": plans').
cost: synth ; $(PY) -m review.cost estimate $(foreach p,$(PLAN),--plan $(p))
# [daily] Refresh-only plan of every stack as a drift table; exit 2 on drift.
drift: synth tfconfig ; $(PY) -m ops drift --report $(or $(REPORT),drift-report.md) --known $(or $(KNOWN),drift-known.json)
# [daily] The pinned cdktf CLI, guarded: ARGS="diff network", ARGS="deploy network".
cdktf: $(SYNCED) node_modules/.installed tfconfig ; $(PY) -m deploy.cdktf $(ARGS)
# [ci] Plan one stack and save it for review in plans/<stack>/: STACK=data.
plan-save: $(SYNCED) tfconfig ; $(call need,STACK,$(CI_STACKS))$(PY) -m deploy.reviewed_plan save --stack $(STACK) --to plans
# [ci] Apply exactly the reviewed plans/<stack>/plan.bin: STACK=data.
apply-reviewed: $(SYNCED) tfconfig ; $(call need,STACK,$(CI_STACKS))$(PY) -m deploy.reviewed_plan apply --stack $(STACK) --from plans
# [ci] In moto: production deployed, adopted back, hardened; staging built fresh, recovery (~19 min).
e2e: $(SYNCED) node_modules/.installed engines tfconfig ; $(PY) scripts/e2e.py
# [ci] In moto: interrupted, locked, throttled, revoked, state damaged, destroy refused (~15 min).
faults: $(SYNCED) tfconfig ; FLUXION_E2E=1 $(PY) -m pytest tests/e2e/test_faults.py -p no:cacheprovider -s
# [ci] Every rollout step's configuration: synth, validate, security gate, replacements.
rollout-steps: $(SYNCED) $(CHECKOV) $(AUDITORS) tfconfig ; FLUXION_ROLLOUT=1 $(PY) -m pytest tests/rollout -p no:cacheprovider -n 2
# [ci] The change's monthly cost difference (BASE=rev, default merge base); fails over budget.
cost-diff: $(SYNCED) ; $(PY) -m review.cost compare $(if $(BASE),--base $(BASE)) --markdown cost-diff.md
# [ci] Mutation testing of the safety nets (tests/mutants.toml: budget; SHARD=auto|K/N, default all).
mutants: $(SYNCED) node_modules/.installed $(CHECKOV) $(AUDITORS) tfconfig ; $(if $(filter cdktf,$(ENGINE)),,$(error mutants runs on ENGINE=cdktf only (docs/tests.md)))$(PY) scripts/mutants.py --shard $(or $(SHARD),all)
# [ci] Both engines compared per stack (PROFILE=..., PINS=bindings: the provider upgrade).
engine-diff: $(SYNCED) engines ; $(PY) -m review.engine_diff $(AS_PROFILE) --pins $(or $(PINS),estate)
# [ci] Every environment that can apply needs a reviewer (GH_TOKEN, REPO=owner/name).
github-check: ; $(PYTHON) -m review.github --repository $(or $(REPO),$(GITHUB_REPOSITORY))
# [ci] ruff, mypy, and mypy --strict on the shipped packages (as .pre-commit-config.yaml).
lint: $(SYNCED)
	$(VENV)/bin/ruff format --check . && $(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(MYPY_ENGINE) && $(VENV)/bin/mypy $(MYPY_ENGINE) --strict $(SHIPPED)
# [ci] GitHub Actions: security audit (offline) and schema validation.
workflows: $(SYNCED) ; $(VENV)/bin/zizmor --offline .github/workflows && $(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
# [maintainers] Both engines' venvs, each from its own lock.
engines: ; $(foreach e,$(ENGINE_NAMES),$(IN_ENGINE) ENGINE=$(e) $(VENV_$(e))/.synced;)
# [maintainers] Refresh review/prices.json from AWS's Price List API (credentials), for review.
cost-prices: $(SYNCED) ; $(PY) -m review.price_list
# [maintainers] Write the project's Terraform CLI config and warm the plugin cache.
tfconfig: $(SYNCED) ; @$(PY) -m runtime.terraform config --warm >/dev/null
# [maintainers] Synthesis benchmark: N runs, ENGINES=cdktf,cdktn side by side.
bench: $(SYNCED) ; $(if $(findstring cdktn,$(ENGINES)),$(IN_ENGINE) ENGINE=cdktn $(VENV_cdktn)/.synced &&) \
	$(PY) scripts/bench_synth.py --repeat $(or $(N),1) --kernel-profile --engines $(or $(ENGINES),cdktf)
# [maintainers] The proof loop's figures: warm `make test` (N runs), E2E=1 the e2e phases.
bench-loop: $(SYNCED) ; $(PY) scripts/bench_loop.py --test-runs $(or $(N),3) $(if $(E2E),--e2e)
# [maintainers] Regenerate the stack diagram in docs/architecture.md from cdktf.out.
docs: synth ; $(PY) scripts/diagram.py
# [maintainers] Remove synthesized output and caches.
clean: ; rm -rf cdktf.out .cdktf.out-* .*_cache .coverage .coverage.* .tools/terraform/validate-cache
# [daily] This list: every target, by group (daily, ci, maintainers).
help:
	@for g in daily ci maintainers; do echo "$$g:"; awk -v g="[$$g]" '$$2 == g { d = substr($$0, \
		length(g) + 4) } /^[a-z][a-z0-9-]*:/ && d { split($$0, t, ":"); printf "  make %-16s %s\n", \
		t[1], d; d = "" }' $(firstword $(MAKEFILE_LIST)); done
$(PIPENV): ; $(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet pipenv==$(PIPENV_VERSION)
$(SYNCED): $(LOCK) | $(PIPENV)
	@$(PYTHON) -c 'import json; json.load(open("$(LOCK)"))' 2>/dev/null || { echo \
		"error: $(LOCK) is not valid JSON; restore it (git checkout $(LOCK))" >&2; exit 2; }
	$(PIPENV) sync --dev && touch $@
# checkov and the IAM auditors pin what the project cannot: each has its own environment.
$(TOOLS)/%/.installed: review/%-requirements.txt
	$(PYTHON) -m venv $(TOOLS)/$* && $(TOOLS)/$*/bin/pip install --quiet -r $< && touch $@
node_modules/.installed: package-lock.json $(SYNCED) ; npm ci --no-audit --no-fund && touch $@
