"""Errors the command line turns into one clear line and exit code 2."""


class HarnessError(Exception):
    """Bad input or configuration: reported as one line, exit code 2."""


class ConfigError(HarnessError):
    """The configuration (pyproject, environment, command line) is invalid."""


class ResultsError(HarnessError):
    """A run file is missing, unreadable, corrupt or of another schema."""


class VersionError(HarnessError):
    """A version spec cannot be resolved to a release."""
