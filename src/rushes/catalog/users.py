"""People who use the web app: a name, a role and an Argon2id password hash.

Roles are ordered: a **viewer** (say, the film's subject reviewing a cut) may watch, search and
comment; an **editor** may also log, cut and export; an **owner** may also manage people. The
order lives in :data:`ROLES` so "at least an editor" is one comparison everywhere.

Hashing lives beside the table because both the command line (``rushes user add``) and the web
app (logging in) need it, and neither should import the other. argon2-cffi's defaults (RFC 9106's
low-memory profile) are used as they are: they are what that library's maintainers keep current,
and a hash records its own parameters, so raising them later re-hashes at the next log-in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from rushes.catalog.db import now_ms
from rushes.catalog.schema import users
from rushes.errors import UsageError

#: From least to most trusted; each role may do everything the ones before it may.
ROLES = ("viewer", "editor", "owner")
#: Shorter passwords are refused: a web app on a team server is reachable by guessing.
MIN_PASSWORD = 8
MAX_NAME = 64

_HASHER = PasswordHasher()
#: Verified against when the name is unknown, so a wrong name costs as long as a wrong password
#: and response times do not reveal who has an account.
_DUMMY_HASH = _HASHER.hash("rushes-no-such-user")


@dataclass(frozen=True)
class User:
    """A person as the web app sees them. ``stamp`` changes whenever the password does, so a
    session that remembers it ends when the password changes or the user is removed."""

    id: int
    name: str
    role: str
    created_ms: int
    stamp: str

    def may(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "created_ms": self.created_ms}


def role_rank(role: str) -> int:
    try:
        return ROLES.index(role)
    except ValueError:
        raise UsageError(f"unknown role {role!r}; use one of {', '.join(ROLES)}") from None


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def _user(row: Any) -> User:
    return User(row.id, row.name, row.role, row.created_ms, _stamp(row.password_hash))


def check_name(name: str) -> str:
    """A user name as stored: trimmed, printable, at most :data:`MAX_NAME` characters."""
    clean = name.strip()
    if not clean:
        raise UsageError("a user name must not be empty")
    if len(clean) > MAX_NAME:
        raise UsageError(f"user name {clean[:20]!r}… is longer than {MAX_NAME} characters")
    if any(not ch.isprintable() for ch in clean):
        raise UsageError(f"user name {clean!r} contains control characters")
    if "/" in clean:
        raise UsageError(f"user name {clean!r} contains '/' (web addresses use the name)")
    if set(clean) == {"."}:
        # Browsers fold "." and ".." path segments away, so /api/users/../delete goes elsewhere.
        raise UsageError(f"user name {clean!r} is only dots (web addresses use the name)")
    return clean


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"a password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def add_user(conn: sa.Connection, name: str, role: str, password: str) -> User:
    """Create a user; an existing name is an error (remove it first, or change its password)."""
    name = check_name(name)
    role_rank(role)
    hashed = hash_password(password)
    if find_user(conn, name) is not None:
        raise UsageError(f"user {name!r} already exists")
    new_id = conn.execute(
        users.insert().values(name=name, role=role, password_hash=hashed, created_ms=now_ms())
    ).inserted_primary_key
    assert new_id is not None
    found = get_user(conn, int(new_id[0]))
    assert found is not None
    return found


def set_password(conn: sa.Connection, name: str, password: str) -> None:
    hashed = hash_password(password)
    changed = conn.execute(
        users.update().where(users.c.name == check_name(name)).values(password_hash=hashed)
    ).rowcount
    if not changed:
        raise UsageError(f"no user {name!r}")


def set_role(conn: sa.Connection, name: str, role: str) -> None:
    role_rank(role)
    changed = conn.execute(
        users.update().where(users.c.name == check_name(name)).values(role=role)
    ).rowcount
    if not changed:
        raise UsageError(f"no user {name!r}")


def remove_user(conn: sa.Connection, name: str) -> None:
    """Remove a user; the last owner cannot be removed while others remain, or nobody could
    manage the team any more."""
    user = find_user(conn, name)
    if user is None:
        raise UsageError(f"no user {name!r}")
    if user.role == "owner":
        owners = conn.execute(
            sa.select(sa.func.count()).select_from(users).where(users.c.role == "owner")
        ).scalar_one()
        others = count_users(conn) - 1
        if owners == 1 and others > 0:
            raise UsageError(f"{user.name!r} is the last owner; make someone else owner first")
    conn.execute(users.delete().where(users.c.id == user.id))


def list_users(conn: sa.Connection) -> list[User]:
    rows = conn.execute(sa.select(users).order_by(users.c.name)).all()
    return [_user(r) for r in rows]


def count_users(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


def get_user(conn: sa.Connection, user_id: int) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def find_user(conn: sa.Connection, name: str) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.name == name.strip())).first()
    return _user(row) if row else None


def authenticate(conn: sa.Connection, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else None (the same work either way).

    Give it a write connection: a hash made with older parameters is upgraded on the spot.
    """
    row = conn.execute(sa.select(users).where(users.c.name == name.strip())).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        conn.execute(
            users.update().where(users.c.id == row.id)
            .values(password_hash=_HASHER.hash(password))
        )
        row = conn.execute(sa.select(users).where(users.c.id == row.id)).first()
    return _user(row)
