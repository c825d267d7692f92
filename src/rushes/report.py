"""The project report: one static HTML contact sheet of everything in the catalog.

It is what a person opens at the end of the README's demo, and what a producer can be mailed a
copy of: a single file, no JavaScript, no third-party assets, readable with no server running.
Pictures (posters, filmstrips, thumbnails) are not copied in: they are linked relatively from the
report's own folder into the project's cache, so the HTML stays small and the report works
wherever the project folder is moved, as long as the report moves with it (the default place,
``.rushes/report.html``, always does).

Every string that came from outside (file names above all: a camera card can hold anything) goes
through :func:`html.escape`, and every link through :func:`urllib.parse.quote` first.

The report is written under a temporary name and renamed into place, so a browser refreshing it
never sees half a page; assets are rendered one at a time, so memory stays flat however big the
archive is.
"""

from __future__ import annotations

import html
import os
import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import quote

from rushes import __version__
from rushes.catalog import Catalog
from rushes.catalog.assets import (
    AssetRow,
    LocationRow,
    ProblemRow,
    list_assets,
    list_problems,
    locations_of,
)
from rushes.catalog.jobs import FailedJob, counts, failed_jobs
from rushes.catalog.results import results_of
from rushes.domain import TIMED_KINDS
from rushes.domain.timecode import format_rate, parse_rate
from rushes.outputs import atomic_output
from rushes.present import asset_summary, channel_names, shots_json, take_label
from rushes.project import Project

#: Sections in the order a documentary team thinks of its material; unknown kinds follow.
KIND_ORDER = ("video", "audio", "image", "document", "webpage")
KIND_TITLES = {
    "video": "Video", "audio": "Audio", "image": "Photos and images", "document": "Documents",
    "webpage": "Web captures",
}

#: Codec names as an editor says them; anything else is shown as ffprobe names it.
_CODEC_NAMES = {
    "h264": "H.264", "hevc": "HEVC", "prores": "ProRes", "dnxhd": "DNxHD", "mpeg2video": "MPEG-2",
    "vp9": "VP9", "av1": "AV1", "mjpeg": "JPEG", "png": "PNG", "aac": "AAC", "mp3": "MP3",
    "opus": "Opus", "flac": "FLAC", "ac3": "AC-3", "pcm_s16le": "PCM 16-bit",
    "pcm_s24le": "PCM 24-bit", "pcm_s32le": "PCM 32-bit", "pcm_f32le": "PCM float",
}

#: Characters of a text document shown as its excerpt.
_EXCERPT_CHARS = 360


def write_report(project: Project, catalog: Catalog, out: Path) -> Path:
    """Write the HTML contact sheet of ``project`` to ``out`` and return its absolute path."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    with catalog.read() as conn, atomic_output(out) as handle:
        f = cast("IO[str]", handle)
        assets = list_assets(conn)
        jobs = counts(conn)
        failures = failed_jobs(conn)
        problems = list_problems(conn)
        page = _Page(project, out.parent, failures)
        f.write(_head(project))
        f.write(page.header(assets, jobs, failures, problems))
        for kind, group in _by_kind(assets):
            f.write(f'<section class="kind" id="{_e(kind)}">\n'
                    f"<h2>{_e(KIND_TITLES.get(kind, kind.title()))}"
                    f' <span class="count">{len(group)}</span></h2>\n'
                    f'<div class="cards {_e(kind)}">\n')
            for asset in group:
                f.write(page.card(asset, results_of(conn, asset.id),
                                  locations_of(conn, asset.id)))
            f.write("</div>\n</section>\n")
        if not assets:
            f.write('<p class="empty">Nothing catalogued yet: run <code>rushes add</code> '
                    "on a folder of footage, photos and documents.</p>\n")
        f.write(_FOOT.format(version=_e(__version__)))
    return out


def _by_kind(assets: list[AssetRow]) -> Iterator[tuple[str, list[AssetRow]]]:
    groups: dict[str, list[AssetRow]] = {}
    for a in assets:
        groups.setdefault(a.kind, []).append(a)
    for kind in sorted(groups, key=_kind_rank):
        yield kind, groups[kind]


# --- formatting helpers -------------------------------------------------------------------------


def _e(value: object) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape(str(value), quote=True)


def _href(target: Path, base: Path) -> str:
    """A relative URL from the report's folder to ``target``, escaped for an attribute."""
    try:
        rel = os.path.relpath(target, base)
    except ValueError:  # another drive on Windows: no relative path exists
        return _e(target.absolute().as_uri())
    parts = [quote(p, safe="") for p in Path(rel).parts]
    return _e("/".join(parts))


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"


def _clock(seconds: float) -> str:
    """A duration for people: ``8.72 s`` for short media, ``1:02:03`` for long."""
    if seconds < 60:
        return f"{seconds:.2f} s"
    whole = int(seconds)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _codec(name: object) -> str:
    return _CODEC_NAMES.get(str(name), str(name))


def _rate(summary: dict[str, Any], probe: dict[str, Any]) -> str | None:
    if not summary.get("rate"):
        return None
    rate = parse_rate(str(summary["rate"]))
    text = f"{format_rate(rate)} fps"
    if rate.denominator != 1:
        text += f" ({rate.numerator}/{rate.denominator})"
    if probe.get("drop_frame"):
        text += " DF"
    return text


def _video_codec(probe: dict[str, Any]) -> str | None:
    if not probe.get("video_codec"):
        return None
    bits = [_codec(probe["video_codec"])]
    if probe.get("video_profile"):
        bits.append(str(probe["video_profile"]))
    detail = ", ".join(
        str(x) for x in (probe.get("pix_fmt"),
                         f"{probe['bit_depth']}-bit" if probe.get("bit_depth") else None) if x
    )
    return " ".join(bits) + (f" ({detail})" if detail else "")


def _audio_codec(probe: dict[str, Any]) -> str | None:
    if not probe.get("audio_codec"):
        return None
    bits = [_codec(probe["audio_codec"])]
    channels = probe.get("audio_channels")
    if channels:
        bits.append({1: "mono", 2: "stereo"}.get(int(channels), f"{channels} ch"))
    if probe.get("audio_sample_rate"):
        bits.append(f"{int(probe['audio_sample_rate']) / 1000:g} kHz")
    streams = probe.get("audio_streams")
    if isinstance(streams, int) and streams > 1:
        bits.append(f"{streams} tracks")
    return ", ".join(bits)


def _gps(probe: dict[str, Any]) -> str | None:
    gps = probe.get("gps")
    if not isinstance(gps, dict) or gps.get("lat") is None or gps.get("lon") is None:
        return None
    lat, lon = float(gps["lat"]), float(gps["lon"])
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


def _when(probe: dict[str, Any]) -> str | None:
    value = probe.get("creation_time")
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def _excerpt(path: Path, fmt: str) -> str | None:
    """The opening of a text document, or an HTML page's title: enough to recognise it."""
    if fmt not in {"text", "html"}:
        return None
    try:
        with path.open("rb") as f:
            head = f.read(16384).decode("utf-8", errors="replace")
    except OSError:
        return None
    if fmt == "html":
        m = re.search(r"<title[^>]*>(.*?)</title>", head, re.IGNORECASE | re.DOTALL)
        return html.unescape(" ".join(m.group(1).split())) if m else None
    text = head.strip()
    return text[:_EXCERPT_CHARS] + ("…" if len(text) > _EXCERPT_CHARS else "")


def _facts(rows: Iterable[tuple[str, str | None]]) -> str:
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v)
    return f'<dl class="facts">{items}</dl>' if items else ""


# --- the page -----------------------------------------------------------------------------------


@dataclass
class _Page:
    """What every card needs: where the project is, where the report is, what failed."""

    project: Project
    base: Path
    failures: list[FailedJob]

    def _shown_path(self, path: str | None) -> str:
        if path is None:
            return "(no location)"
        try:
            return str(Path(path).relative_to(self.project.root))
        except ValueError:
            return path

    def header(
        self,
        assets: list[AssetRow],
        jobs: dict[str, int],
        failures: list[FailedJob],
        problems: list[ProblemRow],
    ) -> str:
        by_kind: dict[str, int] = {}
        for a in assets:
            by_kind[a.kind] = by_kind.get(a.kind, 0) + 1
        kinds = "".join(
            f'<a class="stat" href="#{_e(k)}"><b>{n}</b> {_e(k)}</a>'
            for k, n in sorted(by_kind.items(), key=lambda kv: _kind_rank(kv[0]))
        )
        total = sum(a.size for a in assets)
        job_bits = "".join(
            f'<span class="job {_e(state)}"><b>{n}</b> {_e(state)}</span>'
            for state, n in jobs.items()
        )
        errors = [(f.path, f.analyzer, f.error) for f in failures]
        errors += [(p.path, p.stage, p.error) for p in problems]
        if errors:
            rows = "".join(
                f"<tr><td class=\"path\">{_e(self._shown_path(path))}</td>"
                f"<td>{_e(stage)}</td><td>{_e(error)}</td></tr>"
                for path, stage, error in errors
            )
            error_html = (
                f'<section class="errors"><h2>Errors <span class="count">{len(errors)}</span>'
                f"</h2><table><thead><tr><th>File</th><th>Step</th><th>Error</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>"
                f"<p class=\"hint\">Fix the cause, then <code>rushes retry</code>.</p></section>\n"
            )
        else:
            error_html = '<p class="ok">No errors: every file was catalogued and analysed.</p>\n'
        generated = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        plural = "s" * (len(assets) != 1)
        return (
            f"<header>\n<p class=\"eyebrow\">rushes project report</p>\n"
            f"<h1>{_e(self.project.root.name)}</h1>\n"
            f'<p class="where">{_e(self.project.root)} · generated {_e(generated)}</p>\n'
            f'<div class="stats"><span class="stat total"><b>{len(assets)}</b> asset{plural} · '
            f"{_e(_size(total))}</span>{kinds}</div>\n"
            f'<div class="jobs"><span class="label">Analysis jobs</span>{job_bits}</div>\n'
            f"</header>\n{error_html}"
        )

    def card(
        self, asset: AssetRow, results: dict[str, dict[str, Any]], locs: list[LocationRow]
    ) -> str:
        probe = results.get("probe") or {}
        summary = asset_summary(asset, probe, self.project.settings.timecode_rate)
        shown = self._shown_path(asset.path)
        name = Path(shown).name
        folder = str(Path(shown).parent) if Path(shown).parent != Path(".") else ""
        present = [loc for loc in locs if not loc.missing]
        original = present[0].fs_path if present else None
        title = (f'<a href="{_href(original, self.base)}">{_e(name)}</a>' if original
                 else _e(name))
        badges = "" if present else '<span class="badge missing">missing</span>'
        if len(locs) > 1:
            badges += f'<span class="badge">{len(locs)} copies</span>'
        for f in self.failures:
            if f.asset_id == asset.id:
                badges += (f'<span class="badge failed" title="{_e(f.error)}">'
                           f"{_e(f.analyzer)} failed</span>")

        cache = self.project.asset_cache(asset.id)
        thumbs = results.get("thumbnails") or {}
        poster = self._picture(cache / "thumbnails", thumbs.get("poster"), name, "poster")
        strip = self._picture(cache / "thumbnails", thumbs.get("filmstrip"),
                              f"Filmstrip of {name}", "filmstrip")

        size = f"{summary['width']}×{summary['height']}" if summary.get("width") else None
        duration = _clock(summary["duration"]) if summary.get("duration") is not None else None
        camera = " ".join(str(probe[k]) for k in ("camera_make", "camera_model") if probe.get(k))
        facts = _facts([
            ("Title", probe.get("title")),
            # A contact sheet's card holds a caption, not a library's whole catalogue entry.
            ("Description", textwrap.shorten(probe["description"], 240, placeholder=" …")
             if probe.get("description") else None),
            ("Keywords", ", ".join(probe.get("keywords") or ()) or None),
            ("Duration", duration),
            ("Frame rate", _rate(summary, probe)),
            ("Start TC", summary.get("start_timecode")),
            ("Resolution", size),
            ("Video", _video_codec(probe) if asset.kind == "video" else None),
            ("Audio", _audio_codec(probe)),
            ("Camera", camera or None),
            ("Take", take_label(probe)),
            ("Sound note", probe.get("sound_note")),
            ("Channels", channel_names(probe)),
            ("Taken" if asset.kind == "image" else "Recorded", _when(probe)),
            ("Place", _gps(probe)),
            ("Format", asset.format if asset.kind in {"document", "webpage"} else None),
            ("Size", _size(asset.size)),
        ])
        extra = self._proxy(asset, results, cache) + self._shots(asset, results, probe)
        if asset.kind == "document" and original is not None:
            excerpt = _excerpt(original, asset.format)
            if excerpt:
                extra += f'<pre class="excerpt">{_e(excerpt)}</pre>'
        css = "card" if poster else "card no-media"
        return (
            f'<article class="{css}" id="a-{_e(asset.id[:12])}">\n'
            + (f'<div class="media">{poster}</div>\n' if poster else "")
            + f'<div class="info"><h3>{title}{badges}</h3>'
            f'<p class="folder">{_e(folder)}<span class="id">{_e(asset.id[:12])}</span></p>'
            f"{facts}{extra}</div>\n"
            + (f'<div class="strip">{strip}</div>\n' if strip else "")
            + "</article>\n"
        )

    def _picture(self, folder: Path, file: object, alt: str, css: str) -> str:
        """An ``<img>`` for a file a result names, only when the file is really there."""
        if not isinstance(file, str) or not file or "/" in file or "\\" in file:
            return ""
        path = folder / file
        if not path.is_file():
            return ""
        return f'<img class="{css}" src="{_href(path, self.base)}" alt="{_e(alt)}" loading="lazy">'

    def _proxy(self, asset: AssetRow, results: dict[str, dict[str, Any]], cache: Path) -> str:
        """Whether a browser-playable copy exists (only media a browser refuses gets one)."""
        if asset.kind not in TIMED_KINDS:
            return ""
        proxy = results.get("proxy")
        probe = results.get("probe") or {}
        if proxy and isinstance(proxy.get("file"), str):
            path = cache / "proxy" / proxy["file"]
            if path.is_file():
                dims = (f" {proxy['width']}×{proxy['height']}" if proxy.get("width") else "")
                return (f'<p class="proxy yes">Proxy: <a href="{_href(path, self.base)}">'
                        f"{_e(proxy['file'])}</a>{_e(dims)}</p>")
        if probe.get("browser_playable") is True:
            return '<p class="proxy na">Proxy: not needed (plays in a browser)</p>'
        if probe.get("browser_playable") is False:
            return '<p class="proxy no">Proxy: not made yet</p>'
        return ""

    def _shots(
        self, asset: AssetRow, results: dict[str, dict[str, Any]], probe: dict[str, Any]
    ) -> str:
        """The shot list: how many shots, and each transition's kind and timecode."""
        result = results.get("shots")
        if asset.kind != "video" or not result:
            return ""
        try:
            data = shots_json(asset, result, probe)
        except Exception:  # a malformed result must not take the whole report down
            return '<p class="shots">Shots: unreadable result</p>'
        n = len(data["shots"])
        items = "".join(
            f'<li><span class="kind-{_e(t["kind"])}">{_e(t["kind"])}</span>'
            f' <span class="tc">{_e(t["timecode"])}</span></li>'
            for t in data["transitions"]
        )
        head = f"{n} shot{'s' if n != 1 else ''}"
        if not items:
            return f'<div class="shots"><b>{_e(head)}</b>, no transitions</div>'
        return f'<div class="shots"><b>{_e(head)}</b><ol>{items}</ol></div>'


def _kind_rank(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)


def _head(project: Project) -> str:
    return _HEAD.format(title=_e(f"{project.root.name}: rushes report"), css=_CSS)


_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rushes">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<main>
"""

_FOOT = """<footer>Made by rushes {version}; <code>rushes report</code> rewrites this page.
</footer>
</main>
</body>
</html>
"""

_CSS = """
:root { --ink: #1d2330; --muted: #6b7280; --line: #e3e6ec; --bg: #f5f6f8; --card: #fff;
  --accent: #1f5fa8; --bad: #b42318; --badbg: #fdecea; --good: #0f7b45; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 48px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 18px; margin-bottom: 18px; }
.eyebrow { margin: 0; text-transform: uppercase; letter-spacing: .12em; font-size: 11px;
  color: var(--muted); }
h1 { margin: 2px 0 2px; font-size: 28px; }
.where { margin: 0 0 14px; color: var(--muted); font-size: 12px; word-break: break-all; }
.stats, .jobs { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.jobs { margin-top: 10px; font-size: 12px; }
.jobs .label { color: var(--muted); margin-right: 4px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 999px;
  padding: 4px 12px; color: var(--ink); text-decoration: none; }
.stat.total { background: var(--ink); color: #fff; border-color: var(--ink); }
.job { padding: 2px 9px; border-radius: 999px; background: #eceff3; }
.job.failed b { color: var(--bad); }
.job.done b { color: var(--good); }
.ok { color: var(--good); margin: 0 0 18px; }
.errors { background: var(--badbg); border: 1px solid #f4c7c3; border-radius: 8px;
  padding: 10px 14px; margin-bottom: 22px; }
.errors h2 { margin: 0 0 8px; font-size: 16px; color: var(--bad); border: 0; }
.errors table { width: 100%; border-collapse: collapse; font-size: 12px; }
.errors th, .errors td { text-align: left; padding: 4px 8px 4px 0; vertical-align: top;
  border-top: 1px solid #f4c7c3; }
.errors td.path { word-break: break-all; width: 40%; }
.hint { margin: 8px 0 0; font-size: 12px; color: var(--muted); }
h2 { font-size: 18px; margin: 26px 0 12px; padding-bottom: 6px;
  border-bottom: 2px solid var(--ink); }
.count { font-weight: 400; color: var(--muted); font-size: 14px; margin-left: 4px; }
.cards { display: grid; gap: 14px; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
.cards.video { grid-template-columns: 1fr; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px;
  overflow: hidden; display: grid; grid-template-columns: 150px 1fr; break-inside: avoid; }
.cards.video .card { grid-template-columns: 320px 1fr; }
.media { background: #11151c; display: flex; align-items: center; justify-content: center;
  min-height: 110px; }
.media img.poster { display: block; width: 100%; height: auto; }
.card.no-media { grid-template-columns: 1fr; border-left: 4px solid #9aa3b2; }
.cards.audio .card.no-media { border-left-color: #0f7b45; }
.cards.document .card.no-media { border-left-color: #a05a00; }
.cards.image { grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); }
.cards.image .card { grid-template-columns: 1fr; grid-template-rows: 190px auto; }
.cards.image .media img.poster { width: 100%; height: 190px; object-fit: contain; }
.info { padding: 10px 14px 12px; min-width: 0; }
h3 { margin: 0; font-size: 15px; word-break: break-all; }
h3 a { color: var(--accent); text-decoration: none; }
h3 a:hover { text-decoration: underline; }
.folder { margin: 1px 0 8px; color: var(--muted); font-size: 12px; word-break: break-all; }
.id { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 11px;
  margin-left: 8px; color: #9aa3b2; }
.badge { display: inline-block; margin-left: 8px; padding: 0 7px; border-radius: 4px;
  font-size: 11px; font-weight: 500; background: #eceff3; vertical-align: 2px; }
.badge.missing, .badge.failed { background: var(--badbg); color: var(--bad); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; margin: 0;
  font-size: 12.5px; }
.cards.video .facts { grid-template-columns: max-content 1fr max-content 1fr; }
dt { color: var(--muted); }
dd { margin: 0; font-variant-numeric: tabular-nums; }
.proxy { margin: 8px 0 0; font-size: 12px; }
.proxy.yes { color: var(--good); }
.proxy a { color: inherit; }
.proxy.no { color: var(--bad); }
.proxy.na { color: var(--muted); }
.shots { margin-top: 8px; font-size: 12px; }
.shots ol { display: inline; margin: 0; padding: 0; list-style: none; }
.shots li { display: inline-block; margin: 2px 0 0 8px; padding: 1px 7px; border-radius: 4px;
  background: #eef3fa; }
.tc, code, .excerpt { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.kind-cut { color: var(--accent); font-weight: 600; }
.kind-dissolve { color: #7a3fb0; font-weight: 600; }
.kind-fade { color: #a05a00; font-weight: 600; }
.strip { grid-column: 1 / -1; background: #11151c; line-height: 0; }
.strip img { width: 100%; height: auto; display: block; }
.excerpt { margin: 8px 0 0; max-height: 9.5em; overflow: hidden; white-space: pre-wrap;
  overflow-wrap: anywhere;
  font-size: 11px; background: var(--bg); padding: 6px 8px; border-radius: 6px; color: #394150; }
.empty { color: var(--muted); }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; text-align: center; }
@media (max-width: 760px) {
  .card, .cards.video .card { grid-template-columns: 1fr; }
  .cards.video .facts { grid-template-columns: max-content 1fr; }
}
@media print {
  body { background: #fff; }
  main { max-width: none; padding: 0; }
  .card { border-color: #ccc; }
}
"""
