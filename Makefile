# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format sandbox stripe-listen browser-deps bench bench-deps clean

run: $(VENV)/.runtime-installed ## Start the Stripe sandbox and the app on http://127.0.0.1:5000
	@bash scripts/dev-run.sh

test: $(VENV)/.dev-installed browser-deps node_modules/.installed lint ## Install what the tests need and run them all
	@bash scripts/test.sh

lint: $(VENV)/.dev-installed ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

sandbox: $(VENV)/.runtime-installed ## Run only the Stripe sandbox (port 12111)
	$(BIN)/python -m stripe_sandbox

stripe-listen: $(VENV)/.runtime-installed ## Forward real Stripe test webhooks here (needs STRIPE_SECRET_KEY and network)
	@bash scripts/stripe-listen.sh

browser-deps: ## Debian's Chromium for the browser tests (Playwright never downloads one)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

bench-deps: $(VENV)/.dev-installed ## wrk (Debian) and py-spy for the benchmarks in bench/
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/pip install -q -r bench/requirements.txt

bench: bench-deps ## Hot paths against a bare route, the webhook flood, and the component's size (loopback only)
	$(BIN)/python bench/http_load.py
	$(BIN)/python bench/webhook_flood.py
	$(BIN)/python bench/embed_size.py

node_modules/.installed: package.json package-lock.json ## axe-core for the accessibility checks
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV)/.runtime-installed: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime-installed

clean:
	rm -rf $(VENV) instance node_modules .pytest_cache .ruff_cache test-artifacts
