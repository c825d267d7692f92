"""rushes: a local-first archive for documentary teams."""

__version__ = "0.1.0"
