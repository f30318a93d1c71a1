# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format translations sandbox stripe-listen system-deps bench bench-deps clean

run: $(VENV)/.runtime-installed ## Start the Stripe sandbox and the app on http://127.0.0.1:5000
	@bash scripts/dev-run.sh

test: $(VENV)/.dev-installed system-deps node_modules/.installed lint ## Install what the tests need and run them all
	@bash scripts/test.sh

lint: $(VENV)/.dev-installed ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# After marking or changing strings: extract them, merge them into each language's catalogue,
# then translate what is new or fuzzy in translations/<lang>/LC_MESSAGES/messages.po. The app
# compiles the .mo files itself when it starts (donations/platform/i18n.py).
translations: $(VENV)/.runtime-installed ## Extract the marked strings and update the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k lazy_ngettext:1,2 \
		--no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete
	$(BIN)/python scripts/english_catalogue.py translations/en/LC_MESSAGES/messages.po

sandbox: $(VENV)/.runtime-installed ## Run only the Stripe sandbox (port 12111)
	$(BIN)/python -m stripe_sandbox

stripe-listen: $(VENV)/.runtime-installed ## Forward real Stripe test webhooks here (needs STRIPE_SECRET_KEY and network)
	@bash scripts/stripe-listen.sh

# Debian's Chromium for the browser tests (Playwright never downloads one), nginx for the cache
# in front (deploy/nginx.conf), wrk for the benchmarks. The packages' own nginx service is not
# wanted: the tests and benchmarks start theirs on loopback.
DEBIAN_PACKAGES := chromium nginx wrk
system-deps: ## Debian packages the tests and benchmarks run: chromium, nginx, wrk
	@missing=""; for tool in $(DEBIAN_PACKAGES); do command -v $$tool >/dev/null 2>&1 || [ -x /usr/sbin/$$tool ] || missing="$$missing $$tool"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing && { nginx -s stop 2>/dev/null || true; }; fi

bench-deps: $(VENV)/.dev-installed system-deps ## wrk, nginx (Debian) and py-spy for bench/
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
