"""Errors a user can act on: each carries one readable line, printed without a traceback."""

from __future__ import annotations


class RushesError(Exception):
    """Base for every error rushes reports to a person as a single line."""


class UsageError(RushesError):
    """A wrong option, a bad time or timecode, an unknown asset: the user's input is at fault."""


class ProjectNotFound(RushesError):
    """No ``.rushes`` folder above the current directory and none named by option or environment."""


class MediaError(RushesError):
    """A file that cannot be read as media: empty, truncated, corrupt or of an unknown kind."""


class AnalyzerError(RushesError):
    """An analyzer could not finish on one asset; recorded against the job, the run goes on."""
