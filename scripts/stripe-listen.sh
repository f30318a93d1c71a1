#!/usr/bin/env bash
# `make stripe-listen`: forward real Stripe test-mode webhooks to the local app with the Stripe
# CLI (from npm's @stripe/cli), subscribed to exactly the events the app handles.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${STRIPE_SECRET_KEY:-}" ] || [[ "${STRIPE_SECRET_KEY}" != sk_test_* ]]; then
  cat >&2 <<'MSG'
make stripe-listen talks to Stripe itself, so it needs a real test key and internet access:

    STRIPE_SECRET_KEY=sk_test_… make stripe-listen

It prints a signing secret (whsec_…): start the app with it in STRIPE_WEBHOOK_SECRET
(and without STRIPE_API_BASE). Offline, `make run` uses the local sandbox instead.
MSG
  exit 2
fi

events=$(.venv/bin/python -c 'from donations.webhooks.handlers import HANDLERS; print(",".join(HANDLERS))')
port="${PORT:-5000}"
exec npm exec --yes --package=@stripe/cli@1.52.0 -- stripe listen \
  --api-key "$STRIPE_SECRET_KEY" \
  --forward-to "localhost:$port/stripe/webhook" \
  --events "$events"
