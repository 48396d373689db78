"""Failures a user of the scan generator can cause, each with its own exit code."""

from __future__ import annotations


class ScangenError(Exception):
    """Base of every expected failure; the CLI prints `str(err)` and exits `exit_code`."""

    exit_code = 1


class UsageError(ScangenError):
    """The command was called wrongly (unknown level, bad dpi, empty input folder)."""

    exit_code = 2


class InputFileError(ScangenError):
    """The input text cannot be read or has nothing to lay out."""

    exit_code = 3


class MissingDependencyError(ScangenError):
    """A font or an external program is not installed."""

    exit_code = 4


class FontCoverageError(ScangenError):
    """The font has no glyph for a character the document needs."""

    exit_code = 5
