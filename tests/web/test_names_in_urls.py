"""Bin, cut and user names travel in URL paths: names the web could make but never address
again (a ``/``, or only dots, which browsers fold away as ``.``/``..``) are refused up front."""

from __future__ import annotations

import httpx
import pytest

from rushes.catalog.users import check_name
from rushes.errors import UsageError
from web.conftest import Server

pytestmark = pytest.mark.slow


def test_unaddressable_bin_and_cut_names_are_refused(open_server: Server) -> None:
    with httpx.Client(base_url=open_server.url, timeout=30) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf_token"]
        for url in ("/api/bins", "/api/cuts"):
            for name in ("a/b", "..", "."):
                r = c.post(url, json={"name": name})
                assert r.status_code == 422, (url, name)
                assert "name" in r.json()["error"]
        made = c.post("/api/bins", json={"name": "selects .. v2"})
        assert made.status_code == 201
        r = c.post("/api/bins/selects .. v2/items", json={"items": ["1"]})
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("name", ["..", ".", "..."])
def test_user_names_of_only_dots_are_refused(name: str) -> None:
    with pytest.raises(UsageError):
        check_name(name)
    assert check_name(" a.b ") == "a.b"
