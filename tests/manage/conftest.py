"""The manage tests' fixtures: the app with its own sandbox, whose clock they move."""

from tests.test_lifecycle_e2e import own_sandbox, world  # noqa: F401  (fixtures)
