"""Settings: typed defaults in code (settings.py), overridden by environment variables."""

from config.settings import ConfigError, Settings, database_uri, load_settings

__all__ = ["ConfigError", "Settings", "database_uri", "load_settings"]
