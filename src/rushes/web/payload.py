"""One endpoint per action, for both callers: the JSON API and the pages' plain HTML forms.

A state-changing route reads its body with :func:`read_body` (JSON or form-encoded, validated by
the same pydantic model) and answers with :func:`done`: JSON for API callers, or a redirect back
to the page (with a one-line flash message) for a form, so pages work without JavaScript and the
API is never a second, drifting copy of the same logic. :func:`body_doc` puts the model into the
OpenAPI document, since FastAPI cannot infer a body it does not parse itself.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, get_args, get_origin

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith(_FORM_TYPES)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(get_origin(arg) is list for arg in get_args(annotation))


async def read_body(request: Request, model: type[M]) -> M:
    """The request's body as ``model``: JSON, or form fields (repeated fields as lists, empty
    fields as absent so optional values stay optional)."""
    data: Any
    if is_form(request):
        form = await request.form()
        data = {}
        for name, info in model.model_fields.items():
            key = info.alias or name
            if _is_list(info.annotation):
                values = [v for v in form.getlist(key) if isinstance(v, str) and v.strip()]
                if values:
                    data[key] = values
            else:
                value = form.get(key)
                if isinstance(value, str) and value.strip() != "":
                    data[key] = value
    else:
        raw = await request.body()
        try:
            data = json.loads(raw) if raw.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise HTTPException(400, "the body is not valid JSON") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise HTTPException(422, f"{where}: {first.get('msg', 'invalid')}") from None


def body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` describing ``model`` as the JSON (or form) body of a route."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
            },
        }
    }


def safe_next(value: object, default: str = "/") -> str:
    """A local path to go back to; anything else (another site, a scheme) becomes ``default``."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(c) < 0x20 for c in value):
        return default
    return value


async def next_url(request: Request, default: str = "/") -> str:
    if is_form(request):
        form = await request.form()
        return safe_next(form.get("next"), default)
    return default


def flash(request: Request, message: str, kind: str = "ok") -> None:
    messages = list(request.session.get("flash", []))[-4:]
    messages.append([kind, message[:300]])
    request.session["flash"] = messages


async def done(
    request: Request,
    data: Any,
    *,
    message: str | None = None,
    back: str = "/",
    status: int = 200,
) -> Response:
    """JSON ``data`` for an API call; for a form, a flash ``message`` and a 303 to ``next``."""
    if is_form(request):
        if message:
            flash(request, message)
        return RedirectResponse(await next_url(request, back), status_code=303)
    return JSONResponse(data, status_code=status)
