#!/usr/bin/env bash
# `make stripe-listen`: forward real Stripe test-mode webhooks to the local app with the Stripe
# CLI (from npm's @stripe/cli), subscribed to exactly the events the app handles, rendered at
# the API version the app reads.
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

read -r events pinned < <(.venv/bin/python -c '
from donations.payments.stripe_gateway import API_VERSION
from donations.payments.webhooks.handlers import HANDLERS
print(",".join(HANDLERS), API_VERSION)')
port="${PORT:-5000}"
# Without --latest the CLI sends the account's default API version, whatever it is. The app's
# pin (stripe-python's) is Stripe's latest version when the SDK is current; if Stripe has moved
# on, the app refuses the events and says so: upgrade the SDK (README, "A new Stripe version").
echo "Forwarding events at Stripe's latest API version; this app reads $pinned." >&2
exec npm exec --yes --package=@stripe/cli@1.52.0 -- stripe listen \
  --api-key "$STRIPE_SECRET_KEY" \
  --latest \
  --forward-to "localhost:$port/stripe/webhook" \
  --events "$events"
