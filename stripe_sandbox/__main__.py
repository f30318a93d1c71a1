"""Command line: `python -m stripe_sandbox [--port 12111] [--webhook-url URL] …`.

Every option can also come from an environment variable (`SANDBOX_HOST`, `SANDBOX_PORT`,
`SANDBOX_WEBHOOK_URL`, `SANDBOX_WEBHOOK_SECRET`, `SANDBOX_STATE_FILE`, and the app's own
`NEWSROOM_NAME` for `--business-name`); the flag wins.
"""

import argparse
import logging
import os
import sys

from werkzeug.serving import make_server

from .app import create_sandbox

log = logging.getLogger("stripe_sandbox")

LOOPBACK = "127.0.0.1"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Options from flags, falling back to the environment."""
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="python -m stripe_sandbox", description="Local Stripe stand-in (test mode only)."
    )
    parser.add_argument("--host", default=env.get("SANDBOX_HOST", LOOPBACK))
    parser.add_argument("--port", type=int, default=int(env.get("SANDBOX_PORT", "12111")))
    parser.add_argument("--webhook-url", default=env.get("SANDBOX_WEBHOOK_URL"))
    parser.add_argument("--webhook-secret", default=env.get("SANDBOX_WEBHOOK_SECRET"))
    parser.add_argument("--state-file", default=env.get("SANDBOX_STATE_FILE"))
    # The account's name on Checkout: the newsroom's, as the app is configured.
    parser.add_argument("--business-name", default=env.get("NEWSROOM_NAME", "Sandbox newsroom"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve the sandbox until interrupted."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.host != LOOPBACK:
        # It accepts any sk_test_ key and has unauthenticated admin endpoints.
        log.error("The sandbox only binds to %s (refusing --host %s).", LOOPBACK, args.host)
        return 2
    if args.webhook_secret and not args.webhook_secret.startswith("whsec_"):
        log.error("--webhook-secret must start with whsec_.")
        return 2
    app = create_sandbox(
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        state_file=args.state_file,
        business_name=args.business_name,
    )
    sandbox = app.extensions["stripe_sandbox"]
    server = make_server(LOOPBACK, args.port, app, threaded=True)
    try:
        # Logged inside the try: whoever reads this line may interrupt at once.
        log.info(
            "Stripe sandbox on http://%s:%d (webhooks: %s)",
            LOOPBACK,
            server.server_port,
            args.webhook_url or "not delivered",
        )
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.close()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
