"""A local, faithful stand-in for the part of Stripe the donations service uses.

Run it with `python -m stripe_sandbox`; in tests use `SandboxServer` (a context manager
serving it on a free port) or `create_sandbox()` (the WSGI app). See `SANDBOX.md` in the
shared design notes for what it promises.
"""

from .app import Sandbox, create_sandbox
from .server import SandboxServer

__all__ = ["Sandbox", "SandboxServer", "create_sandbox"]
