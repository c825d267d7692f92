"""The catalog's tables, as SQLAlchemy Core metadata shared by queries and migrations.

Times are integer milliseconds since the epoch (wall clock) so the same column type and
arithmetic work on SQLite and PostgreSQL. Media times never live here as floats: analyzer results
keep them as exact rationals or frame numbers inside their JSON.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine.default import DefaultExecutionContext

from rushes.domain.scripts import grams_of, word_index_text, word_text_of
from rushes.domain.words import pairs_of

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

assets = sa.Table(
    "assets",
    metadata,
    # BLAKE3 of the content, hex: identity survives renames, moves and copies.
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False, index=True),
    sa.Column("format", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("added_ms", sa.BigInteger, nullable=False),
)

locations = sa.Table(
    "locations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    # The exact bytes of the absolute path (file names need not be UTF-8) and a readable form.
    sa.Column("path_bytes", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("path", sa.Text, nullable=False),
    # The path with its symbolic links resolved when it was added (migration 0009): the same
    # file reached by another path is this location, not a second one.
    sa.Column("real_bytes", sa.LargeBinary, nullable=True, index=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("mtime_ns", sa.BigInteger, nullable=False),
    sa.Column("seen_ms", sa.BigInteger, nullable=False),
    sa.Column("verified_ms", sa.BigInteger, nullable=True),
    sa.Column("missing", sa.Boolean, nullable=False, server_default=sa.false()),
)

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("analyzer", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("params_hash", sa.String(16), nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    # pending → running → done | failed; running with an expired lease is claimable again.
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("lease_owner", sa.String(128), nullable=True),
    sa.Column("lease_expires_ms", sa.BigInteger, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("updated_ms", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("asset_id", "analyzer", "version", "params_hash", name="uq_jobs_identity"),
)

results = sa.Table(
    "results",
    metadata,
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("analyzer", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("params_hash", sa.String(16), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

# Files that could not become assets (empty, corrupt, unreadable…), one row per path, cleared when
# the path is later ingested successfully.
problems = sa.Table(
    "problems",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("path_bytes", sa.LargeBinary, nullable=False, unique=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("at_ms", sa.BigInteger, nullable=False),
)

speakers = sa.Table(
    "speakers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # A person's name once someone gives one; until then the voice is "Speaker N".
    sa.Column("name", sa.Text, nullable=True),
    # The mean voice embedding (float32 bytes) that matches this voice across assets.
    sa.Column("embedding", sa.LargeBinary, nullable=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

transcripts = sa.Table(
    "transcripts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # "asr:pocketsphinx", "import:srt"…: an asset may hold one transcript per source.
    sa.Column("source", sa.String(64), nullable=False),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("asset_id", "source", name="uq_transcripts_asset_source"),
)

segments = sa.Table(
    "segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "transcript_id", sa.Integer, sa.ForeignKey("transcripts.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("seq", sa.Integer, nullable=False),
    # Microseconds of media time: exact enough for words, integer on both databases.
    sa.Column("start_us", sa.BigInteger, nullable=False),
    sa.Column("end_us", sa.BigInteger, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("speaker_label", sa.String(128), nullable=True),
    sa.Column(
        "speaker_id", sa.Integer, sa.ForeignKey("speakers.id", ondelete="SET NULL"),
        nullable=True,
    ),
    # [[start_us, end_us, text], …]: read with the segment, never queried on their own.
    sa.Column("words", sa.JSON, nullable=False),
)

def _grams_default(context: DefaultExecutionContext) -> str | None:
    params = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return grams_of(params.get("text") or "")


def _word_text_default(context: DefaultExecutionContext) -> str | None:
    if context.dialect.name != "sqlite":
        return None  # PostgreSQL takes the runs out in rushes_fold, as it makes ``tsv``
    params = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return word_text_of(params.get("text") or "")


def _pairs_default(context: DefaultExecutionContext) -> str | None:
    if context.dialect.name != "sqlite":
        return None  # PostgreSQL's own phrase search needs no pairs
    params = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return pairs_of(word_index_text(params.get("text") or ""))


#: What ``search_entries.source`` may hold: the kinds of text rushes indexes. ``metadata`` is a
#: file's own title, caption, keywords and sound report (rushes.catalog.descriptions). ``ocr``
#: (text in images and frames) is named by the command-line contract and has no writer yet, so
#: a filter on it is valid and finds nothing.
SEARCH_SOURCES = ("transcript", "clip", "note", "tag", "metadata", "ocr")

search_entries = sa.Table(
    "search_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    # transcript, note, tag, clip, ocr, web…: what the text is; ref_id points into its table.
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("ref_id", sa.Integer, nullable=True),
    sa.Column("start_us", sa.BigInteger, nullable=True),
    sa.Column("end_us", sa.BigInteger, nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("speaker", sa.Text, nullable=True),
    # Character bigrams of the text's unsegmented-script runs (rushes.domain.scripts.grams_of),
    # for 1–2 character substring search. Filled from ``text`` on every Core insert that does
    # not give it; an UPDATE of ``text`` must set it and ``pairs`` too.
    sa.Column("grams", sa.Text, nullable=True, default=_grams_default),
    # Adjacent word pairs of what the word index reads (rushes.domain.words.pairs_of), indexed
    # by search_pairs for phrase search on SQLite (migration 0007); NULL on PostgreSQL. Filled
    # like ``grams``.
    sa.Column("pairs", sa.Text, nullable=True, default=_pairs_default),
    # What SQLite's word index (search_fts) reads in place of ``text`` when the text holds
    # unsegmented-script runs: the text with them taken out (rushes.domain.scripts.word_text_of,
    # migration 0011); NULL otherwise, and always on PostgreSQL. Filled like ``grams``.
    sa.Column("word_text", sa.Text, nullable=True, default=_word_text_default),
    sa.Index("ix_search_entries_source_ref", "source", "ref_id"),
    # Ends with the id: an asset's first and last entry are each one seek (migration 0006).
    sa.Index("ix_search_entries_asset_entry", "asset_id", "id"),
)

# --- logging: clips (subclips/selects), tags, notes and markers, ratings, bins -----------------
# Media times that must stay frame-exact are kept as fraction strings of seconds ("1001/30000");
# the microsecond columns beside them are for ordering and search, never for hand-over.

clips = sa.Table(
    "clips",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("in_time", sa.String(64), nullable=False),
    sa.Column("out_time", sa.String(64), nullable=False),
    sa.Column("start_us", sa.BigInteger, nullable=False),
    sa.Column("end_us", sa.BigInteger, nullable=False),
    sa.Column("label", sa.Text, nullable=True),
    sa.Column("rating", sa.Integer, nullable=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

tags = sa.Table(
    "tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    # A tag on a clip also belongs to its asset (so ``tag:`` filters find the asset).
    sa.Column(
        "clip_id", sa.Integer, sa.ForeignKey("clips.id", ondelete="CASCADE"), nullable=True,
    ),
    # Hierarchical with '/': "people/Ai Weiwei", "place/Chengdu".
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column(
        "clip_id", sa.Integer, sa.ForeignKey("clips.id", ondelete="CASCADE"), nullable=True,
    ),
    # A note with a time is a marker at that moment; without one it is about the whole asset.
    sa.Column("at_time", sa.String(64), nullable=True),
    sa.Column("at_us", sa.BigInteger, nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

ratings = sa.Table(
    "ratings",
    metadata,
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("value", sa.Integer, nullable=False),
)

bins = sa.Table(
    "bins",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)

bin_entries = sa.Table(
    "bin_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "bin_id", sa.Integer, sa.ForeignKey("bins.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=True,
    ),
    sa.Column(
        "clip_id", sa.Integer, sa.ForeignKey("clips.id", ondelete="CASCADE"), nullable=True,
    ),
    sa.Column("seq", sa.Integer, nullable=False),
)

# --- paper edits -----------------------------------------------------------------------------

cuts = sa.Table(
    "cuts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    # The sequence rate as a fraction string ("25", "30000/1001") and the record start label.
    sa.Column("rate", sa.String(32), nullable=False),
    sa.Column("drop_frame", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("start_timecode", sa.String(16), nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sa.Column("updated_ms", sa.BigInteger, nullable=False),
)

cut_items = sa.Table(
    "cut_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "cut_id", sa.Integer, sa.ForeignKey("cuts.id", ondelete="CASCADE"),
        nullable=False, index=True,
    ),
    sa.Column("seq", sa.Integer, nullable=False),
    # clip, range, still, title, voiceover, note
    sa.Column("kind", sa.String(16), nullable=False),
    # A clip in a cut keeps the cut's range even if the clip is later trimmed: the range is
    # copied in; clip_id records where it came from (for the unused-selects list).
    sa.Column(
        "clip_id", sa.Integer, sa.ForeignKey("clips.id", ondelete="SET NULL"), nullable=True,
    ),
    sa.Column(
        "asset_id", sa.String(64), sa.ForeignKey("assets.id", ondelete="CASCADE"), nullable=True,
    ),
    sa.Column("in_time", sa.String(64), nullable=True),
    sa.Column("out_time", sa.String(64), nullable=True),
    # Seconds, as a fraction string, for stills, titles and voice-over with a set length.
    sa.Column("duration", sa.String(64), nullable=True),
    sa.Column("text", sa.Text, nullable=True),
    sa.Column("label", sa.Text, nullable=True),
)

# --- people who use the web app ----------------------------------------------------------------

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    # owner, editor, viewer
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_ms", sa.BigInteger, nullable=False),
)
