#!/usr/bin/env bash
# `make run`: migrate and seed the local database, then run the Stripe sandbox and the app
# together on loopback. Ctrl-C stops both. Variables already in the environment win.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p instance

# Development secrets, made once per checkout and never committed (instance/ is ignored).
if [ ! -f instance/dev.env ]; then
  {
    echo "DEV_SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')"
    echo "DEV_WEBHOOK_SECRET=whsec_$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')"
  } > instance/dev.env
fi
if ! grep -q DEV_STAFF_PASSWORD instance/dev.env; then
  echo "DEV_STAFF_PASSWORD=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')" >> instance/dev.env
fi
# shellcheck disable=SC1091
. instance/dev.env
STAFF_EMAIL="admin@newsroom.example"

export PORT="${PORT:-5000}"
export SANDBOX_PORT="${SANDBOX_PORT:-12111}"
export SECRET_KEY="${SECRET_KEY:-$DEV_SECRET_KEY}"
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-$DEV_WEBHOOK_SECRET}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"
# Lines a person reads in a terminal; production keeps the JSON default.
export LOG_FORMAT="${LOG_FORMAT:-text}"

# With a real key and no sandbox URL the app talks to Stripe itself (webhooks via `stripe listen`).
use_sandbox=yes
if [ -n "${STRIPE_SECRET_KEY:-}" ] && [ -z "${STRIPE_API_BASE:-}" ]; then
  use_sandbox=no
else
  export STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:$SANDBOX_PORT}"
fi

.venv/bin/flask --app app db upgrade
# The demo article, its appeals, and a year of pledges so the dashboard has something to show.
.venv/bin/flask --app app seed-demo --pledges 20000
if [ -z "$(.venv/bin/flask --app app staff list)" ]; then
  printf '%s' "$DEV_STAFF_PASSWORD" |
    .venv/bin/flask --app app staff create "$STAFF_EMAIL" --role admin --password-stdin >/dev/null
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ "$use_sandbox" = yes ]; then
  .venv/bin/python -m stripe_sandbox --port "$SANDBOX_PORT" \
    --webhook-url "http://127.0.0.1:$PORT/stripe/webhook" \
    --webhook-secret "$STRIPE_WEBHOOK_SECRET" --state-file instance/sandbox-state.json &
  pids+=($!)
fi

cat <<MSG

  The newsroom is at      http://127.0.0.1:$PORT/
  The demo article:       http://127.0.0.1:$PORT/articles/russia-to-build-drone-factory-in-belarus
  Staff dashboard:        http://127.0.0.1:$PORT/staff/  ($STAFF_EMAIL / $DEV_STAFF_PASSWORD)
MSG
if [ "$use_sandbox" = yes ]; then
  cat <<MSG
  Stripe sandbox:         $STRIPE_API_BASE  (test card 4242 4242 4242 4242, any future date, any CVC;
                          4000 0000 0000 0002 is declined)
MSG
else
  echo "  Stripe:                 real test mode; forward webhooks with: make stripe-listen"
fi
echo "  Stop with Ctrl-C."
echo

# Donor e-mails queued by webhooks (a cron job in production; see README).
.venv/bin/flask --app app mail send-notices --every 5 &
pids+=($!)

.venv/bin/flask --app app run --host 127.0.0.1 --port "$PORT" &
pids+=($!)
wait -n "${pids[@]}"
