"""gunicorn settings: `gunicorn -c config/gunicorn.py "app:create_app()"`.

Each can be overridden by its environment variable; defaults suit one app machine with two
cores, nginx in front of gunicorn on the same machine, behind a load balancer.
"""

import multiprocessing
import os

# Loopback: nginx on the same machine is gunicorn's only client. Straight from the network, the
# sync workers would meet slow clients unbuffered, and answers would say "Server: gunicorn";
# nginx answers with its own, version-less (server_tokens off). Set GUNICORN_BIND=0.0.0.0:8000
# where nginx runs elsewhere (another container).
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Measured (bench/http_load.py, bench/webhook_flood.py, 2 cores): cores + 1 processes beat
# 2 × cores (the usual advice for I/O-bound apps): page views are CPU-bound, and fewer
# processes fight less over the cores (webhooks 318 vs 270 events/s, /api/prompt p99 64 vs
# 118 ms); the one extra process overlaps database and Redis waits (/healthz).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() + 1)
# One thread: the sync worker takes a connection only when it is free, so requests queue in
# the kernel for whichever process frees first. gthread's keep-alive ties each connection to
# one process, and a busy process keeps its queue: at the same req/s, p99 was twice as long
# (/api/prompt 94 vs 44 ms, article 130 vs 63 ms at 64 connections). A second thread per
# process fights over the GIL (/api/prompt 0.49 vs 0.54 × bare, webhooks 296 vs 318
# events/s) but keeps a process serving while another thread waits on Stripe; with
# GUNICORN_THREADS > 1 gunicorn runs gthread workers. The sync worker needs a buffering
# proxy in front (the load balancer): it never keeps connections alive.
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = "sync" if threads == 1 else "gthread"
# Stripe calls time out after 10 s (STRIPE_TIMEOUT_SECONDS); nothing legitimate takes 30.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5  # gthread only
# The app is built once in the master and forked: a new or recycled worker costs a fork, not
# seconds of imports (profiled: recycling every 5,000 requests took a fifth of the CPU).
preload_app = True
# Workers prove they are alive by touching a file on every loop: on tmpfs, where a container's
# disk cannot stall them into a timeout (gunicorn's advice for Docker). gunicorn makes the file
# with mkstemp, so a shared directory is safe.
SHARED_MEMORY = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = 100_000
max_requests_jitter = 10_000
# Only the load balancer in front may set X-Forwarded-*; the app's ProxyFix reads them.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
# LOG_FORMAT=json (the default): gunicorn's lines are JSON like the app's; text: this format.
logger_class = "donations.platform.observability.GunicornLogger"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"
# gunicorn's control socket is one path per user ($HOME/.gunicorn/gunicorn.ctl), so two servers
# on a machine (the benchmarks run two) take it from each other; signals (HUP, TTIN, TERM)
# manage the server instead, and the master forks with no extra thread running.
control_socket_disable = True


def post_fork(server, worker):
    """A forked worker must never share the master's database connections (it has none when
    the app is only built, but a hook or an import may open one)."""
    app = server.app.wsgi()
    if "sqlalchemy" not in app.extensions:  # bench/'s bare yardstick app has no database
        return
    with app.app_context():
        for engine in app.extensions["sqlalchemy"].engines.values():
            engine.dispose(close=False)
