"""Errors a user can cause and fix. Each names the field that was wrong and what is allowed.

The CLI prints `str(err)` as one line and exits 2; the dashboard shows it beside the field.
"""


class GanError(Exception):
    """Base class of every error gancore raises on purpose (never a bug)."""


class ConfigError(GanError):
    """A configuration value is not allowed. `field` is the config field's name."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class DataError(ConfigError):
    """A dataset cannot be loaded (missing files, no connection, bad folder)."""


class CliError(GanError):
    """A command-line argument is not allowed (a file name of the wrong kind, a missing file)."""


class RunError(GanError):
    """A run folder or checkpoint is missing, unreadable or does not match."""
