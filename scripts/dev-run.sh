#!/usr/bin/env bash
# `make run`: migrate and seed the local database, then run the Stripe sandbox and the app
# together on loopback. Ctrl-C stops both.
#
# The run's settings go into .env (never committed), which Flask's CLI reads by itself: in a
# second terminal, `.venv/bin/flask --app app …` works on the same database, sandbox and keys.
# Variables already in the environment win, as they do for Flask.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p instance
ENV_FILE=.env

# .env as it stands, for whatever the environment does not set (an older checkout kept its
# secrets in instance/dev.env: they carry over).
load() {
  local name value
  [ -f "$1" ] || return 0
  while IFS='=' read -r name value; do
    case "$name" in '' | \#*) continue ;; esac
    if [ -z "${!name+x}" ]; then export "$name=$value"; fi
  done <"$1"
}
given_api_base="${STRIPE_API_BASE-}"
load "$ENV_FILE"
load instance/dev.env
random() { .venv/bin/python -c "import secrets; print(secrets.$1)"; }

# Development secrets, made once per checkout.
export SECRET_KEY="${SECRET_KEY:-${DEV_SECRET_KEY:-$(random 'token_hex(32)')}}"
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-${DEV_WEBHOOK_SECRET:-whsec_$(random 'token_hex(24)')}}"
DEV_STAFF_PASSWORD="${DEV_STAFF_PASSWORD:-$(random 'token_urlsafe(12)')}"
STAFF_EMAIL="admin@newsroom.example"

export PORT="${PORT:-5000}"
export SANDBOX_PORT="${SANDBOX_PORT:-12111}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"
# Lines a person reads in a terminal; production keeps the JSON default.
export LOG_FORMAT="${LOG_FORMAT:-text}"
# The demo runs in donor safety mode (README, "Donor safety").
export DONOR_SAFETY="${DONOR_SAFETY:-1}"
# Anniversary e-mails with their one-click raise (off by default in production; README).
export ANNIVERSARY_EMAILS="${ANNIVERSARY_EMAILS:-1}"

# With a real test key (given now, or remembered in .env) and no sandbox URL given now, the app
# talks to Stripe itself (webhooks via `stripe listen`).
use_sandbox=yes
if [[ "${STRIPE_SECRET_KEY:-}" == sk_test_* && "${STRIPE_SECRET_KEY:-}" != sk_test_sandbox ]] &&
  [ -z "$given_api_base" ]; then
  use_sandbox=no
  unset STRIPE_API_BASE
else
  export STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:$SANDBOX_PORT}"
fi

{
  echo "# Written by \`make run\` for this checkout; never commit it. Flask's CLI reads it."
  for name in SECRET_KEY STRIPE_WEBHOOK_SECRET STRIPE_SECRET_KEY STRIPE_API_BASE DATABASE_URL \
    PUBLIC_BASE_URL LOG_FORMAT DONOR_SAFETY ANNIVERSARY_EMAILS MAIL_SERVER MAIL_PORT PORT SANDBOX_PORT; do
    if [ -n "${!name:-}" ]; then echo "$name=${!name}"; fi
  done
  echo "# The demo staff account's password ($STAFF_EMAIL); not read by the app."
  echo "DEV_STAFF_PASSWORD=$DEV_STAFF_PASSWORD"
} >"$ENV_FILE.new"
mv "$ENV_FILE.new" "$ENV_FILE"
chmod 600 "$ENV_FILE"
rm -f instance/dev.env

.venv/bin/flask --app app db upgrade
# The demo article, its appeals, and a year of pledges so the dashboard has something to show.
.venv/bin/flask --app app seed-demo --pledges "${DEMO_PLEDGES:-20000}"
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
cat <<MSG
  In another terminal:    .venv/bin/flask --app app --help   (it reads .env: same database, same sandbox)
  Stop with Ctrl-C.

MSG

# Donor e-mails queued by webhooks and requests, reminders' and the newsletter's confirmations,
# reminders, and the day's anniversary e-mails (cron jobs in production; see README).
.venv/bin/flask --app app mail queue-anniversaries --every 3600 &
pids+=($!)
.venv/bin/flask --app app mail send-notices --every 5 &
pids+=($!)
.venv/bin/flask --app app reminders send-due --every 5 &
pids+=($!)
.venv/bin/flask --app app newsletter send-confirmations --every 5 &
pids+=($!)

.venv/bin/flask --app app run --host 127.0.0.1 --port "$PORT" &
pids+=($!)
wait -n "${pids[@]}"
