"""``rushes search``: the same search as the web app's ``/api/search``, for the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from rushes.catalog.assets import resolve_asset
from rushes.cli.app import State, emit_json, pass_state, printable
from rushes.search import Hit, SearchResult
from rushes.search import search as run_search
from rushes.search.core import SOURCES
from rushes.search.query import shorten

_HELP = """Find QUERY in transcripts, notes, tags, clip labels and what files say of
themselves (title, caption, keywords, a recorder's scene, take and note).

\b
  harbour master          both words (AND is implied)
  "harbour master"        the phrase
  harb*                   words starting with harb
  dont                    also finds don't (as theyre finds they're)
  boat OR ship, -storm, NOT storm, (a OR b) c
  孩子                     Chinese/Japanese/Thai… found as a substring
  kind:video  asset:ID-PREFIX  speaker:"Ellen Marsh"  speaker:ell*
  tag:people              a tag and the tags below it (people/Ai Weiwei)
  tag:"people/Ai Weiwei"  quoted with spaces; tag:people/Ai* for a prefix
  source:transcript       or clip, note, tag, metadata
  after:2024-01-01  before:2024-02

Matched words are shown between « and »; each hit's timecode is the first matched word.
--semantic and --hybrid take the same query: its filters apply, and excluded words
(-storm, NOT storm) leave out the hits that contain them.
"""


def _once(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> str | None:
    """One value of a filter option, refused when given twice: click would otherwise keep the
    last one without a word, and a search meant for two assets would quietly search one."""
    if len(values) > 1:
        shown = ", ".join(repr(v) for v in values)
        raise click.BadParameter(f"given {len(values)} times ({shown}); give it once", ctx, param)
    return values[0] if values else None


@click.command(help=_HELP)
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--kind", multiple=True, callback=_once,
              help="Only assets of this kind (video, audio, image…).")
@click.option("--asset", multiple=True, callback=_once,
              help="Only this asset (id, id prefix or path).")
@click.option("--speaker", multiple=True, callback=_once,
              help="Only what this speaker says.")
@click.option("--tag", multiple=True, callback=_once,
              help="Only assets with this tag (or a tag below it).")
@click.option("--source", multiple=True, callback=_once,
              help=f"Only this kind of text ({', '.join(SOURCES)}).")
@click.option("--after", "date_from", metavar="DATE", multiple=True, callback=_once,
              help="Assets made on or after DATE.")
@click.option("--before", "date_to", metavar="DATE", multiple=True, callback=_once,
              help="Assets made before DATE.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="Hits per page.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Hits to skip (paging).")
@click.option("--semantic", is_flag=True,
              help="Rank by meaning (sentence embeddings) instead of by the words typed.")
@click.option("--hybrid", is_flag=True,
              help="Words and meaning together (reciprocal rank fusion of both searches).")
@pass_state
def search(
    state: State,
    query: tuple[str, ...],
    as_json: bool,
    kind: str | None,
    asset: str | None,
    speaker: str | None,
    tag: str | None,
    source: str | None,
    date_from: str | None,
    date_to: str | None,
    limit: int,
    offset: int,
    semantic: bool,
    hybrid: bool,
) -> None:
    catalog = state.catalog()
    asset_id = None
    if asset:
        with catalog.read() as conn:
            asset_id = resolve_asset(conn, asset).id
    if semantic and hybrid:
        raise click.UsageError("give --semantic or --hybrid, not both")
    if semantic or hybrid:
        # The model loads only when asked.
        from rushes.search.hybrid import hybrid_search
        from rushes.search.semantic import semantic_search

        settings = state.settings
        model = settings.embedding_model
        result = (hybrid_search if hybrid else semantic_search)(
            catalog, state.project().cache_dir, " ".join(query),
            model=Path(model) if model else None, threads=settings.embedding_threads,
            asset=asset_id, kind=kind, speaker=speaker, tag=tag, source=source,
            date_from=date_from, date_to=date_to, limit=limit, offset=offset,
        )
    else:
        result = run_search(
            catalog, " ".join(query), kind=kind, asset=asset_id, speaker=speaker, tag=tag,
            source=source, date_from=date_from, date_to=date_to, limit=limit, offset=offset,
        )
    if as_json:
        emit_json(result.to_json())
        return
    if not result.hits:
        click.echo(_no_hits(result), err=True)
        return
    # Each asset once, under its path, in the order of its best hit; its hits in rank order.
    by_path: dict[str, list[Hit]] = {}
    for hit in result.hits:
        by_path.setdefault(hit.path or hit.asset, []).append(hit)
    for path, hits in by_path.items():
        click.echo(printable(path))
        for hit in hits:
            when = hit.timecode or f"{hit.start:.2f}s"
            who = f"{hit.speaker}: " if hit.speaker else ""
            click.echo(f"  {when}  {who}{hit.snippet}")
    if result.more:
        click.echo(
            f"(more hits: add --offset {result.offset + len(result.hits)})", err=True
        )


def _no_hits(result: SearchResult) -> str:
    """What an empty page says: that nothing matched, or that the page lies past the last hit
    (``--offset 3`` with 3 hits), which "no hits" would wrongly deny. The query is shortened:
    a pasted page of text would bury the message."""
    shown = repr(shorten(result.query))
    if result.offset and result.total != 0:
        counted = f" ({result.total} in all)" if result.total is not None else ""
        return f"no more hits for {shown}{counted}: --offset {result.offset} is past the last"
    return f"no hits for {shown}"


def register(cli: click.Group) -> None:
    cli.add_command(search)
