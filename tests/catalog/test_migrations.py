"""Migrations: the same schema on SQLite and PostgreSQL, and the recorded head is Alembic's."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from rushes.catalog import Catalog
from rushes.catalog.db import (
    HEAD_REVISION,
    MIGRATIONS,
    MMAP_BYTES,
    create_engine,
    current_revision,
    migrate,
)
from rushes.catalog.schema import metadata


def test_head_revision_constant_matches_the_migration_scripts() -> None:
    assert ScriptDirectory(str(MIGRATIONS)).get_current_head() == HEAD_REVISION


def test_migrated_schema_matches_the_table_definitions(catalog: Catalog) -> None:
    with catalog.read() as conn:
        inspector = sa.inspect(conn)
        assert current_revision(conn) == HEAD_REVISION
        for table in metadata.sorted_tables:
            # Generated columns that nothing writes, spelled per dialect: PostgreSQL's search
            # vectors, and the probe's creation date (0005), rate and start timecode (0008).
            columns = {c["name"] for c in inspector.get_columns(table.name)} - {
                "tsv", "grams_tsv", "created_day", "media_rate", "media_start_tc"
            }
            assert columns == {c.name for c in table.columns}, table.name


def test_migrating_twice_changes_nothing(catalog: Catalog) -> None:
    migrate(catalog.engine)
    with catalog.read() as conn:
        assert current_revision(conn) == HEAD_REVISION


def _old_catalog(tmp_path: Path, revision: str, *entries: str, url: str | None = None) -> str:
    """The URL of a catalog (SQLite unless ``url`` names another) migrated only to
    ``revision``, holding one asset ('ab12') and a note entry per text in ``entries``, written
    as that revision's schema allows."""
    from alembic import command
    from alembic.config import Config

    url = url or f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.execute(sa.text(
            "INSERT INTO assets (id, kind, format, size, added_ms) VALUES ('ab12', 'video', "
            "'mov', 1, 0)"
        ))
        if entries:
            conn.execute(sa.text(
                "INSERT INTO search_entries (asset_id, source, text) "
                "VALUES ('ab12', 'note', :text)"
            ), [{"text": t} for t in entries])
    engine.dispose()
    return url


@pytest.mark.postgres
def test_upgrading_postgres_to_the_pair_index_gives_it_statistics_at_once(
    tmp_path: Path, postgres_url: str
) -> None:
    """0010 analyses the table after building the pair index, so that phrases in a catalog
    upgraded with years of entries use it from the first search (the search decides by its
    statistics), not after autovacuum's next analyse."""
    from rushes.catalog import open_catalog
    from rushes.search import postgres_backend, search

    texts = [f"the harbour master said {n} boats left" for n in range(300)]
    url = _old_catalog(tmp_path, "0009_location_real_paths", *texts, url=postgres_url)
    catalog = open_catalog(url)
    try:
        with catalog.read() as conn:
            stats = postgres_backend._word_stats(conn)
        assert stats is not None and stats.pair_floor is not None
        assert stats.rows_with_pair("harbour_master") == pytest.approx(300, rel=0.1)
        assert len(search(catalog, '"harbour master"', limit=1000).hits) == 300
    finally:
        catalog.close()


def test_upgrading_to_the_prefix_index_keeps_every_entry_searchable(tmp_path: Path) -> None:
    """0004 re-creates SQLite's word index; entries made before it must still be found, and the
    triggers must index what comes after it."""
    from rushes.catalog import open_catalog
    from rushes.search import search

    url = _old_catalog(tmp_path, "0003_logging_edits", "interview at the harbour")
    catalog = open_catalog(url)
    try:
        with catalog.write() as conn:
            assert current_revision(conn) == HEAD_REVISION
            conn.exec_driver_sql(
                "INSERT INTO search_entries (asset_id, source, text) VALUES "
                "('ab12', 'note', 'interval between takes')"
            )
        assert [h.text for h in search(catalog, "harbour").hits] == ["interview at the harbour"]
        assert sorted(h.text for h in search(catalog, "inter*").hits) == [
            "interval between takes", "interview at the harbour"]
        assert [h.text for h in search(catalog, "i*").hits] != []
        with catalog.write() as conn:
            conn.exec_driver_sql("DELETE FROM search_entries WHERE text LIKE 'interval%'")
        assert [h.text for h in search(catalog, "inter*").hits] == ["interview at the harbour"]
    finally:
        catalog.close()


def test_upgrading_to_the_pair_index_fills_it_for_existing_entries(tmp_path: Path) -> None:
    """0007 computes the word pairs of the entries already there; the triggers keep the pair
    index in step with entries added and deleted after it (FTS5's integrity check agrees)."""
    from rushes.catalog import open_catalog
    from rushes.catalog.logs import index_entry
    from rushes.search import search

    url = _old_catalog(
        tmp_path, "0006_asset_entries_index", "interview at the harbour", "Café au lait")
    catalog = open_catalog(url)
    try:
        with catalog.write() as conn:
            assert current_revision(conn) == HEAD_REVISION
            assert conn.exec_driver_sql(
                "SELECT pairs FROM search_entries ORDER BY id").scalars().all() == [
                "interview_at at_the the_harbour", "cafe_au au_lait caf_au _n"]
            index_entry(conn, "note", 1, "ab12", "the harbour at night")
        assert sorted(h.text for h in search(catalog, '"the harbour"').hits) == [
            "interview at the harbour", "the harbour at night"]
        assert [h.text for h in search(catalog, '"cafe au lait"').hits] == ["Café au lait"]
        with catalog.write() as conn:
            conn.exec_driver_sql("DELETE FROM search_entries WHERE text LIKE 'interview%'")
            conn.exec_driver_sql(
                "INSERT INTO search_pairs(search_pairs, rank) VALUES ('integrity-check', 1)")
        assert [h.text for h in search(catalog, '"the harbour"').hits] == [
            "the harbour at night"]
    finally:
        catalog.close()


def test_reads_runs_without_a_transaction_only_on_postgresql(catalog: Catalog) -> None:
    """``Catalog.reads`` saves PostgreSQL's BEGIN/ROLLBACK round trips; SQLite keeps its read
    transaction (a WAL snapshot, and no round trip to save). The pooled connection must come
    back transactional: a write after a search must still be atomic."""
    with catalog.reads() as conn:
        autocommit = getattr(conn.connection.driver_connection, "autocommit", None)
        in_transaction = conn.in_transaction()
        assert conn.exec_driver_sql("SELECT count(*) FROM assets").scalar() == 0
    if catalog.dialect == "postgresql":
        assert autocommit is True
        with catalog.write() as conn:
            assert getattr(conn.connection.driver_connection, "autocommit", None) is False
    else:
        assert in_transaction


def test_sqlite_catalog_is_read_through_a_memory_map(catalog: Catalog) -> None:
    """Every pooled SQLite connection maps the catalog (search reads pages from the OS cache
    without a copy); a setting on one connection only would leave the others copying."""
    if catalog.dialect != "sqlite":
        pytest.skip("a SQLite setting")
    with catalog.reads() as a, catalog.write() as b:
        sizes = [c.exec_driver_sql("PRAGMA mmap_size").scalar() for c in (a, b)]
    assert sizes == [MMAP_BYTES, MMAP_BYTES]


def test_created_day_follows_the_probe_document(catalog: Catalog) -> None:
    """0005's generated column is what the date filter reads: the probe's creation date, NULL
    without one, and re-computed when the probe result is replaced."""
    from rushes.catalog.assets import add_asset
    from rushes.catalog.results import save_result

    def day(asset_id: str) -> str | None:
        with catalog.read() as conn:
            value = conn.execute(sa.text(
                "SELECT created_day FROM results WHERE asset_id = :a AND analyzer = 'probe'"
            ), {"a": asset_id}).scalar_one()
        return None if value is None else str(value)

    with catalog.write() as conn:
        add_asset(conn, "aa01", "video", "mov", 1)
        add_asset(conn, "aa02", "image", "jpg", 1)
        save_result(conn, "aa01", "probe", 1, "h", {"creation_time": "2019-03-05T10:00:00Z"})
        save_result(conn, "aa02", "probe", 1, "h", {"width": 640})
    assert day("aa01") == "2019-03-05"
    assert day("aa02") is None
    with catalog.write() as conn:
        save_result(conn, "aa02", "probe", 1, "h", {"creation_time": "1978-06-01"})
    assert day("aa02") == "1978-06-01"


def test_the_media_clock_columns_follow_the_probe_document(catalog: Catalog) -> None:
    """0008's generated columns are what a page of hits reads: the probe's rate and start
    timecode as the document spells them (a number as its text), NULL when absent or for
    another analyzer's result, and re-computed when the probe result is replaced."""
    from rushes.catalog.assets import add_asset
    from rushes.catalog.results import save_result

    def clock(asset_id: str, analyzer: str = "probe") -> tuple[str | None, str | None]:
        with catalog.read() as conn:
            row = conn.execute(sa.text(
                "SELECT media_rate, media_start_tc FROM results "
                "WHERE asset_id = :a AND analyzer = :n"
            ), {"a": asset_id, "n": analyzer}).one()
        return row[0], row[1]

    with catalog.write() as conn:
        add_asset(conn, "aa01", "video", "mov", 1)
        add_asset(conn, "aa02", "audio", "wav", 1)
        save_result(conn, "aa01", "probe", 1, "h",
                    {"rate": "30000/1001", "start_timecode": "01:00:00;00"})
        save_result(conn, "aa01", "shots", 1, "h", {"rate": "25"})
        save_result(conn, "aa02", "probe", 1, "h", {"rate": 25})
    assert clock("aa01") == ("30000/1001", "01:00:00;00")
    assert clock("aa01", "shots") == (None, None)
    assert clock("aa02") == ("25", None)
    with catalog.write() as conn:
        save_result(conn, "aa02", "probe", 1, "h", {"rate": "24", "start_timecode": "10:00:00:00"})
    assert clock("aa02") == ("24", "10:00:00:00")


def test_upgrading_resolves_the_paths_of_existing_locations(tmp_path: Path) -> None:
    """0009 fills each location's resolved path from the files as they are: through a link to
    the file it leads to; a path that no longer exists (a volume offline) resolves to itself."""
    import os

    from rushes.catalog import open_catalog
    from rushes.catalog.assets import location_named

    card = tmp_path / "card"
    card.mkdir()
    (card / "a.mov").write_bytes(b"x")
    (tmp_path / "footage").symlink_to(card, target_is_directory=True)
    url = _old_catalog(tmp_path, "0008_probe_clock_columns")
    engine = create_engine(url)
    with engine.begin() as conn:
        for path in (tmp_path / "footage" / "a.mov", Path("/offline/b.mov")):
            conn.exec_driver_sql(
                "INSERT INTO locations (asset_id, path_bytes, path, size, mtime_ns, seen_ms) "
                "VALUES ('ab12', ?, ?, 1, 0, 0)", (os.fsencode(path), str(path)))
    engine.dispose()
    catalog = open_catalog(url)
    try:
        with catalog.read() as conn:
            reals = conn.exec_driver_sql(
                "SELECT real_bytes FROM locations ORDER BY id").scalars().all()
            found = location_named(conn, card / "a.mov")
        assert [bytes(r) for r in reals] == [
            os.fsencode(card.resolve() / "a.mov"), b"/offline/b.mov"]
        assert found is not None and found.path == str(tmp_path / "footage" / "a.mov")
    finally:
        catalog.close()


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_upgrading_makes_words_among_chinese_searchable(
    tmp_path: Path, database: str, request: pytest.FixtureRequest
) -> None:
    """0011: entries made before it with Latin words or numbers among CJK characters are found
    by those words; on SQLite the word index still agrees with its content (integrity check)
    after entries are added and deleted, and going down again gives back 0010's index."""
    from alembic import command
    from alembic.config import Config

    from rushes.catalog import open_catalog
    from rushes.catalog.logs import index_entry
    from rushes.domain.scripts import grams_of
    from rushes.search import search

    url = request.getfixturevalue("postgres_url") if database == "postgres" else None
    url = _old_catalog(tmp_path, "0010_postgres_word_pairs", url=url)
    texts = ["我们用iPhone 15拍摄", "1989年6月4日", "the harbour at dawn"]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO search_entries (asset_id, source, text, grams) "
            "VALUES ('ab12', 'note', :text, :grams)"
        ), [{"text": t, "grams": grams_of(t)} for t in texts])
    engine.dispose()
    catalog = open_catalog(url)
    try:
        assert [h.text for h in search(catalog, "iphone").hits] == ["我们用iPhone 15拍摄"]
        assert [h.text for h in search(catalog, '"iphone 15"').hits] == ["我们用iPhone 15拍摄"]
        assert [h.text for h in search(catalog, "1989").hits] == ["1989年6月4日"]
        assert [h.text for h in search(catalog, "拍摄").hits] == ["我们用iPhone 15拍摄"]
        with catalog.write() as conn:
            index_entry(conn, "note", 1, "ab12", "用Sony A7拍")
            conn.execute(sa.text("DELETE FROM search_entries WHERE text = :t"), {"t": texts[1]})
        assert [h.text for h in search(catalog, '"sony a7"').hits] == ["用Sony A7拍"]
        assert search(catalog, "1989").hits == []
        if database == "sqlite":
            with catalog.write() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        catalog.close()
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010_postgres_word_pairs")
        if database == "sqlite":
            conn.exec_driver_sql(
                "INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            found = conn.exec_driver_sql(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'harbour'").scalar()
        else:
            found = conn.exec_driver_sql(
                "SELECT count(*) FROM search_entries WHERE tsv @@ 'harbour'::tsquery").scalar()
        assert found == 1
        columns = {c["name"] for c in sa.inspect(conn).get_columns("search_entries")}
        assert "word_text" not in columns
    engine.dispose()
