"""Catalog rows as the dictionaries pages and the API show: the CLI's JSON (``asset_summary``)
plus the URLs a browser needs for pictures and the player."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from rushes.catalog.assets import AssetRow
from rushes.present import asset_summary


def picture_urls(asset_id: str, thumbnails: dict[str, Any] | None) -> dict[str, Any]:
    thumbnails = thumbnails or {}
    strip_times = thumbnails.get("filmstrip_times") or []
    return {
        "poster_url": f"/media/{asset_id}/poster" if thumbnails.get("poster") else None,
        "filmstrip_url": f"/media/{asset_id}/filmstrip" if thumbnails.get("filmstrip") else None,
        "filmstrip_frames": len(strip_times) if isinstance(strip_times, list) else 0,
    }


def asset_card(
    asset: AssetRow, probe: dict[str, Any] | None, thumbnails: dict[str, Any] | None,
    timecode_rate: Fraction | None = None,
) -> dict[str, Any]:
    """``rushes ls``'s row for the asset, with its page, pictures and recording date.
    ``timecode_rate``: as for :func:`asset_summary`."""
    probe = probe or {}
    return {
        **asset_summary(asset, probe, timecode_rate),
        **picture_urls(asset.id, thumbnails),
        "url": f"/assets/{asset.id}",
        "created": probe.get("creation_time"),
    }
