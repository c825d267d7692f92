"""Opening the catalog: engine set-up for SQLite (WAL, immediate write transactions) or
PostgreSQL, and migration to the newest schema with Alembic."""

from __future__ import annotations

import functools
import os
import select
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from rushes.errors import RushesError

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration. Checked against Alembic's script directory by a test, so that opening an
#: up-to-date catalog (every command, every worker) costs one query instead of importing Alembic.
HEAD_REVISION = "0011_words_among_unsegmented"


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class ReadOnlyCatalog(RushesError):
    """A command tried to change a catalog opened read-only (a project on a read-only disk or
    share, or whose catalog file this user may not write)."""


class Catalog:
    """The database behind a project. ``read()`` and ``write()`` hand out connections inside a
    transaction; on SQLite a write transaction starts with ``BEGIN IMMEDIATE`` so two workers never
    deadlock upgrading a read lock, and readers never block writers (WAL).

    ``read_only`` is why this catalog may not be changed from here (None: it may): ``write()``
    then refuses with that reason in one line, before anything is written, instead of a
    driver's "attempt to write a readonly database" halfway through a command."""

    def __init__(self, engine: sa.Engine, read_only: str | None = None) -> None:
        self.engine = engine
        self.read_only = read_only

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def where(self) -> str:
        """The catalog's URL as a person may see it (no password)."""
        return _safe_url(self.engine.url)

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def reads(self) -> Iterator[sa.Connection]:
        """A connection for a few reads that need no common snapshot, such as a search's.

        On PostgreSQL it runs without a transaction, which saves the BEGIN and ROLLBACK round
        trips (~0.3 ms of a 3 ms search here) and changes nothing else: under READ COMMITTED
        every statement takes its own snapshot anyway. On SQLite it is :meth:`read`.
        """
        if self.dialect != "postgresql":
            with self.read() as conn:
                yield conn
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn

    def check_writable(self) -> None:
        """Refuse (:class:`ReadOnlyCatalog`) when the catalog may not be changed from here."""
        if self.read_only is not None:
            raise ReadOnlyCatalog(f"{self.read_only}: this command would change it")

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        self.check_writable()
        with (
            self.engine.connect().execution_options(rushes_write=True) as conn,
            conn.begin(),
        ):
            yield conn

    def close(self) -> None:
        self.engine.dispose()


#: How much of a SQLite catalog is read through a memory map (address space, not memory).
MMAP_BYTES = 1 << 30


def _sqlite_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": 60})
    _set_up_sqlite(engine, read_only=False)
    return engine


def _set_up_sqlite(engine: sa.Engine, read_only: bool) -> None:
    """The pragmas every SQLite connection gets, and BEGIN IMMEDIATE for write transactions.
    A read-only connection leaves the journal settings alone: they are the writers' business,
    and switching a catalog to WAL is a write."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not the sqlite3 module, decide when transactions start.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not read_only:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        # Read pages straight from the OS page cache instead of copying each through a read()
        # call into SQLite's own 2 MB cache, which a search of a 1,000-hour catalog (1.2 GB)
        # misses on every new query: prefix 2.7 → 2.2 ms, filtered 3.4 → 2.4 ms p50 there.
        # Writes still go through the WAL. The cost: an I/O error while reading (a disk
        # unplugged) ends the process with SIGBUS instead of an error; WAL loses nothing.
        cur.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get("rushes_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _read_only_sqlite_engine(path: Path) -> sa.Engine:
    """An engine that reads the SQLite catalog at ``path`` without writing anything, not even
    the ``-wal`` and ``-shm`` files beside it: see :func:`read_only_uri` for how each
    connection opens it. No pool: each connection decides afresh, so one opened after a writer
    came along reads through that writer's shared memory rather than as immutable."""

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            read_only_uri(path), uri=True, timeout=60, check_same_thread=False
        )

    engine = sa.create_engine(
        sa.engine.URL.create("sqlite", database=str(path)), creator=connect,
        poolclass=sa.pool.NullPool,
    )
    _set_up_sqlite(engine, read_only=True)
    return engine


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens the WAL-mode catalog at ``path`` for reading only, creating
    nothing beside it; :class:`RushesError` when its ``-wal`` holds changes that cannot be read
    that way.

    A WAL database is read through its ``-shm`` (the WAL's index), which a plain ``mode=ro``
    open creates, with the ``-wal``, when they are missing (https://www.sqlite.org/wal.html,
    "Read-Only Databases"). Where the folder cannot be written that open fails ("unable to
    open database file"); where it can, the files it leaves belong to the reader, with the
    catalog's mode bits, and the catalog's owner, unable to write the ``-shm``, then gets
    "attempt to write a readonly database" until someone deletes them. So:

    - ``-wal`` and ``-shm`` both there: someone has the catalog open (or stopped without closing
      it). ``mode=ro`` reads through them, seeing the writer's committed changes, and creates
      nothing; SQLite keeps a private copy of the index where it may not write the ``-shm``.
    - otherwise, with no ``-wal`` or an empty one: nobody has the catalog open (a WAL connection
      keeps its ``-shm`` while open) and the file holds every committed change, so it is opened
      ``immutable=1``: no locks and no ``-shm``. Safe only while nobody writes it, and a folder
      that this user cannot write can still be written by another (root, the owner across a
      share): one who starts writing during a command may give that command an error or a
      stale answer, never harm the catalog (this connection cannot write). The engine does not
      pool connections, so the next connection sees the writer's ``-shm`` and uses ``mode=ro``.
    - a ``-wal`` with content and no ``-shm``: a writer stopped without checkpointing (a crash,
      or a copy taken while it worked). ``immutable`` would ignore those committed changes and
      ``mode=ro`` would have to create the ``-shm``, so this is refused: one writable open
      folds the ``-wal`` into the catalog."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    try:
        wal_bytes: int | None = wal.stat().st_size
    except FileNotFoundError:
        wal_bytes = None
    quoted = "file:" + urllib.parse.quote(os.fsencode(path))
    if wal_bytes is not None and shm.exists():
        return quoted + "?mode=ro"
    if not wal_bytes:
        return quoted + "?mode=ro&immutable=1"
    raise RushesError(
        f"the catalog {path} has changes in {wal.name} that it can only take in where it can "
        "be written (its last writer stopped without closing it): open the project once "
        "where it is writable, then read it here"
    )


def create_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise RushesError(f"bad database URL {url!r}: {exc}") from None
    _check_on_checkout(engine)
    return engine


#: A pooled server connection idle for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_S = 10.0


def _check_on_checkout(engine: sa.Engine) -> None:
    """Hand out only live connections, without a round trip for each.

    SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` at every checkout: 0.1 ms, a fifteenth of
    a rare-word search at 1,000 h, where searches come one per keystroke. A server that shuts
    down or ends a session tells its clients first (FATAL 57P01 and the socket closed), so a
    connection with something to read while idle in the pool is pinged, and replaced when the
    ping fails, as is any connection idle for longer than :data:`PING_AFTER_IDLE_S` (a firewall
    may drop those silently). Otherwise it is handed out as it is."""

    @sa.event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, record: Any) -> None:
        if dbapi_conn is not None:
            record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None:  # a new connection
            return
        if time.monotonic() - since <= PING_AFTER_IDLE_S and not _server_spoke(dbapi_conn):
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_conn, None):
                # The server went away: every pooled connection is as dead as this one.
                raise sa.exc.InvalidatePoolError(str(exc).strip()) from exc
            raise


def _server_spoke(dbapi_conn: Any) -> bool:
    """Whether the server sent anything to an idle connection (or it is already closed)."""
    try:
        if dbapi_conn.closed:
            return True
        readable, _, _ = select.select([dbapi_conn.fileno()], [], [], 0)
    except Exception:  # closed under us, or no socket: the ping will tell
        return True
    return bool(readable)


def current_revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration; each step runs in its own transaction."""
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
        if current == HEAD_REVISION:
            return
        _check_not_newer(engine, current)
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()


def open_catalog(url: str, read_only: str | None = None) -> Catalog:
    """Connect to the catalog and migrate it; a server that cannot be reached, or a file that
    is not a catalog, is one clear error.

    ``read_only`` (why the catalog may not be changed from here, as a person should read it)
    opens it for reading only: a SQLite file without writing anything beside it
    (:func:`read_only_uri`), and without migrating, so a catalog older than this code is
    refused in one line rather than read with the wrong schema."""
    if read_only is None:
        engine = create_engine(url)
    elif url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if not database or database == ":memory:":
            raise RushesError(f"cannot open {_safe_url(url)} read-only: it is not a file")
        engine = _read_only_sqlite_engine(Path(database))
    else:
        # A server keeps its own permissions: the write guard is what makes it read-only here.
        engine = create_engine(url)
    try:
        if read_only is None:
            migrate(engine)
        else:
            _check_revision(engine)
    except sa.exc.DBAPIError as exc:
        reason = database_failure(exc)
        if reason is None:
            raise
        engine.dispose()
        raise RushesError(f"cannot open the catalog at {_safe_url(url)}: {reason}") from None
    except RushesError:
        engine.dispose()
        raise
    return Catalog(engine, read_only)


def _check_revision(engine: sa.Engine) -> None:
    """What :func:`migrate` would do, for a catalog that may not be migrated: nothing when it
    is at the newest schema, otherwise one line saying what would make it readable."""
    with engine.connect() as conn:
        current = current_revision(conn)
        conn.rollback()
    if current == HEAD_REVISION:
        return
    where = _safe_url(engine.url)
    if current is None:
        raise RushesError(f"the catalog at {where} is not a rushes catalog (no schema version)")
    _check_not_newer(engine, current)
    raise RushesError(
        f"the catalog at {where} needs upgrading (schema {current}, this rushes reads "
        f"{HEAD_REVISION}), which only a writable open does: run any command once where "
        "the project can be written"
    )


def _check_not_newer(engine: sa.Engine, current: str | None) -> None:
    """Refuse a catalog whose schema is newer than this code's, in one line: Alembic's own
    "Can't locate revision" reads as a fault in rushes, and the fix is to upgrade rushes.
    Without the scripts to compare with (an install that left them out), it lets Alembic
    decide."""
    known = _known_revisions()
    if current is not None and known and current not in known:
        raise RushesError(
            f"the catalog at {_safe_url(engine.url)} was made by a newer rushes (schema "
            f"{current}): upgrade rushes to read it"
        )


@functools.cache
def _known_revisions() -> frozenset[str]:
    """Every migration's revision: each script is named after its revision (a test checks),
    so that telling an old catalog from a newer one costs no import of Alembic."""
    return frozenset(p.stem for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def database_failure(exc: BaseException) -> str | None:
    """The driver's one-line reason when the database itself failed: a server that went away,
    a damaged, locked or full file, a file that is not a database. These are a catalog's
    trouble, not a fault in rushes, and a person can act on them; None for anything else (an
    error in rushes' own SQL stays an internal error).

    Searches run on the driver's cursor (:func:`rushes.search.core.fetch`), so the driver's
    own exceptions come here as well as SQLAlchemy's wrappings of them."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        exc = exc.orig
    # PEP 249: OperationalError is the database's trouble; the other subclasses of
    # DatabaseError (ProgrammingError, IntegrityError, …) are faults in the SQL, while sqlite3
    # raises the base class itself for a damaged file.
    if not any(isinstance(exc, module.OperationalError) or type(exc) is module.DatabaseError
               for module in _drivers()):
        return None
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def database_errors() -> tuple[type[Exception], ...]:
    """Every exception class that :func:`database_failure` may recognise, for handlers that
    must be registered by class (the web app's)."""
    return (sa.exc.DBAPIError, *(module.Error for module in _drivers()))


@functools.cache
def _drivers() -> tuple[Any, ...]:
    """The DB-API modules a catalog may run on: sqlite3, and psycopg where installed."""
    import sqlite3

    try:
        import psycopg
    except ImportError:
        return (sqlite3,)
    return (sqlite3, psycopg)


def _safe_url(url: str | sa.URL) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unparseable URL)"
