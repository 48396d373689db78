"""Failures a user can cause, each with its own exit code and a one-line message."""

from __future__ import annotations


class VanthuError(Exception):
    """Base of every expected failure; the CLI prints `str(err)` and exits `exit_code`."""

    exit_code = 1


class UsageError(VanthuError):
    """The command was called wrongly."""

    exit_code = 2


class InputFileError(VanthuError):
    """A file cannot be read as what it claims to be."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class MissingDependencyError(VanthuError):
    """An external program the stage needs is not installed."""


class StoreError(VanthuError):
    """The store cannot be opened or written."""
