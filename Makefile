# Two commands matter: `make dev` (the whole local stack) and `make test` (the whole suite).
# Both create .venv and install the pinned requirements on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8080
PYTEST_ARGS ?=
# e.g. DEV_ARGS="--no-demo-media" or "--state-dir /tmp/stack" (python -m infra.local.stack -h)
DEV_ARGS ?=
# USER is also the login name in the environment: only a USER= given to make names a user.
INGEST_USER := $(if $(filter command line,$(origin USER)),$(USER),)
export INGEST_USER

.PHONY: tail-events dev test screenshots unit lint load api-key bearer-subject dev-issuer ingest clean docs bundle checkov replay-dead-letters

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

dev: $(STAMP)
	$(PY) -m infra.local.stack --port $(PORT) $(DEV_ARGS)

test: $(STAMP) browser-deps
	mkdir -p .local
	OMP_NUM_THREADS=1 $(PY) -m pytest --junitxml=.local/junit.xml $(PYTEST_ARGS)

# The console's browser test: Debian's chromium and playwright-core (never a downloaded browser).
# Idempotent: a no-op when both are present and package-lock.json has not changed.
BROWSER_DIR := tests/browser
BROWSER_STAMP := $(BROWSER_DIR)/node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser-deps: $(BROWSER_STAMP)
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

$(BROWSER_STAMP): $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The README's console screenshots (docs/images/), from a private stack with the demo media.
screenshots: $(STAMP) browser-deps
	OMP_NUM_THREADS=1 $(PY) -m infra.local.console_screenshots

unit: $(STAMP)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

# Load test of a private stack through its gateway (bounded; loopback only).
DURATION ?= 120
load: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) -m bench.load_test --duration $(DURATION)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy shared functions infra tests/fakes bench

# Against the running local stack: prints only the new key.
api-key: $(STAMP)
	@test -f .local/dev.env || { echo "Start the stack first: make dev" >&2; exit 1; }
	@test -n "$(INGEST_USER)" || \
	  { echo "usage: make api-key USER=<user id> [SCOPES=search|read|write|admin,...]" >&2; exit 2; }
	@set -a; . ./.local/dev.env; set +a; \
	  $(PY) -m shared.cli.api_keys create --user "$(INGEST_USER)" --scopes "$(or $(SCOPES),read)"

# Against the running local stack: tokens of ISSUER for subject SUB act for USER (decision 007).
bearer-subject: $(STAMP)
	@test -f .local/dev.env || { echo "Start the stack first: make dev" >&2; exit 1; }
	@test -n "$(ISSUER)" -a -n "$(SUB)" -a -n "$(INGEST_USER)" || \
	  { echo "usage: make bearer-subject ISSUER=<iss> SUB=<sub> USER=<user id>" >&2; exit 1; }
	@set -a; . ./.local/dev.env; set +a; \
	  $(PY) -m shared.cli.bearer_subjects link --issuer "$(ISSUER)" --subject "$(SUB)" --user "$(INGEST_USER)"

# A local bearer-token issuer for `make dev` (development only; see README, Authentication).
dev-issuer: $(STAMP)
	$(PY) -m infra.local.dev_issuer --port $(or $(ISSUER_PORT),8091)

# Against the running local stack: follow the demo user's processing events (resumes by itself).
# ARGS passes filters, e.g. ARGS="--run-id run-1 --event-types prompt_run.progress".
tail-events: $(STAMP)
	@test -f .local/dev.env || { echo "Start the stack first: make dev" >&2; exit 1; }
	@set -a; . ./.local/dev.env; set +a; $(PY) -m shared.cli.tail_events $(ARGS)

# Republish dead-lettered messages once their cause is fixed (docs/runbooks/dead-letter-backlog.md).
# Against the running local stack, or with PROJECT=<id> against that project's Pub/Sub.
# ARGS, e.g. ARGS="--dry-run" or ARGS="--reason validation_failed --limit 10".
replay-dead-letters: $(STAMP)
	@if [ -n "$(PROJECT)" ]; then export GOOGLE_CLOUD_PROJECT="$(PROJECT)"; \
	  elif [ -f .local/dev.env ]; then set -a; . ./.local/dev.env; set +a; \
	  else echo "Start the stack first (make dev) or give PROJECT=<project id>" >&2; exit 1; fi; \
	  $(PY) -m shared.cli.replay_dead_letters $(ARGS)

# Regenerate what is generated from the code and the route table (tests fail when stale).
docs: $(STAMP)
	$(PY) -m infra.openapi > docs/openapi.json
	$(PY) -m infra.parity > docs/backend-parity-matrix.md

# Each function's deployable folder and zip under build/bundles/ (docs/decisions/001, 050).
bundle: $(STAMP)
	$(PY) -m infra.bundle

# Against the running local stack: upload FILE for USER (default: the demo user) and watch it
# being processed. INDEX=<index id> files it into an index instead of the playground.
ingest: $(STAMP)
	@test -f .local/dev.env || { echo "Start the stack first: make dev" >&2; exit 1; }
	@test -n "$(FILE)" || { echo "usage: make ingest FILE=path/to/media [USER=id] [INDEX=id]" >&2; exit 2; }
	@set -a; . ./.local/dev.env; set +a; \
	  $(PY) -m shared.cli.ingest "$(FILE)" --user "$${INGEST_USER:-$$VV_USER_ID}" --index "$(INDEX)"

# Policy checks of infra/*.tf, in a venv of their own (checkov's pins would clash with ours).
# Fails on any failed check; a check that does not apply is skipped in the .tf with a reason.
CHECKOV_VENV := .local/checkov-venv
CHECKOV_VERSION := 3.3.30

$(CHECKOV_VENV)/.installed:
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	touch $@

checkov: $(CHECKOV_VENV)/.installed
	BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov --directory infra --framework terraform \
	  --skip-download --compact --quiet

clean:
	rm -rf $(VENV) .local .pytest_cache .mypy_cache .ruff_cache build
