"""The analyzer registry.

Built-in analyzers are loaded through the same door as third-party ones (Datasette's
``DEFAULT_PLUGINS``): a module path in :data:`DEFAULT_ANALYZERS`, or an entry point in the
``rushes.analyzers`` group, whose module defines ``ANALYZER``, an :class:`Analyzer` instance.
Adding an analyzer is one new file plus one line here (or one entry point in another package).
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from rushes.analyzers.base import (
    AnalysisContext,
    Analyzer,
    AssetView,
    FrameAnalyzer,
    Result,
    params_hash,
)

DEFAULT_ANALYZERS: tuple[str, ...] = (
    "rushes.analyzers.probe",
    "rushes.analyzers.thumbnails",
    "rushes.analyzers.shots",
    "rushes.analyzers.integrity",
    "rushes.analyzers.proxy",
    "rushes.analyzers.transcript",
    "rushes.analyzers.speakers",
)

__all__ = [
    "DEFAULT_ANALYZERS",
    "AnalysisContext",
    "Analyzer",
    "AssetView",
    "FrameAnalyzer",
    "Result",
    "analyzers",
    "get_analyzer",
    "params_hash",
]


@cache
def analyzers() -> dict[str, Analyzer]:
    """Every registered analyzer by name, built-ins first, in dependency-friendly order."""
    modules = [importlib.import_module(name) for name in DEFAULT_ANALYZERS]
    for ep in entry_points(group="rushes.analyzers"):
        modules.append(ep.load())
    found: dict[str, Analyzer] = {}
    for module in modules:
        analyzer = module.ANALYZER
        if analyzer.name in found:
            raise RuntimeError(f"two analyzers are named {analyzer.name!r}")
        found[analyzer.name] = analyzer
    return found


def get_analyzer(name: str) -> Analyzer:
    try:
        return analyzers()[name]
    except KeyError:
        raise KeyError(f"no analyzer named {name!r}") from None
