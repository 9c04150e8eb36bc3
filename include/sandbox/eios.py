"""Stand-in for the university information system (EIOS): the contract in docs/eios_sync.md.

- `GET /eios/faculties` -> `[{id, name}]`
- `GET /eios/faculties/{id}/students?changed_since=<ISO-8601>&page_token=…&page_size=…`
  -> `{items: [...], next_page_token}`, ordered by `changed_at` (inclusive lower bound)
  then row; a page token is an opaque keyset cursor.

Auth: `Authorization: Bearer <token>` (the `eios_default` connection's password).
State: `eios_faculty` and `eios_student` in the sandbox database.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from include.eios.quality import COLUMNS
from include.sandbox import faults
from include.sandbox.database import transaction
from include.sandbox.environment import connection_json

router = APIRouter(prefix="/eios")

ITEM_FIELDS = COLUMNS  # the data contract is one definition, shared with the client


def _refused(request: Request, path: str) -> JSONResponse | None:
    expected = f"Bearer {connection_json('eios_default').get('password', '')}"
    presented = request.headers.get("authorization", "")
    unauthorized = JSONResponse({"error": "unauthorized", "message": "invalid token"}, 401)
    return faults.refused("eios", path, presented, expected, unauthorized)


@router.get("/faculties")
def faculties(request: Request):
    refused = _refused(request, "/faculties")
    if refused is not None:
        return refused
    with transaction("sandbox") as cursor:
        cursor.execute("SELECT id, name FROM eios_faculty ORDER BY id")
        return JSONResponse(list(cursor.fetchall()))


def _decode_token(token: str) -> tuple[str, int]:
    data = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
    return data["c"], int(data["r"])


def _encode_token(changed_at: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"c": changed_at, "r": row_id}).encode()).decode()


@router.get("/faculties/{faculty_id}/students")
def students(
    request: Request,
    faculty_id: str,
    changed_since: str | None = None,
    page_token: str | None = None,
    page_size: int = Query(500, ge=1, le=5000),
):
    refused = _refused(request, f"/faculties/{faculty_id}/students")
    if refused is not None:
        return refused
    where, args = ["faculty_id = %s"], [faculty_id]
    if changed_since:
        try:
            since = datetime.fromisoformat(changed_since.replace("Z", "+00:00"))
        except ValueError:
            return JSONResponse(
                {
                    "error": "bad_request",
                    "message": f"changed_since: not ISO-8601: {changed_since}",
                },
                400,
            )
        where.append("changed_at >= %s")
        args.append(since.replace(tzinfo=None))
    if page_token:
        try:
            after_changed, after_row = _decode_token(page_token)
        except (ValueError, KeyError):
            return JSONResponse({"error": "bad_request", "message": "invalid page_token"}, 400)
        where.append("(changed_at > %s OR (changed_at = %s AND row_id > %s))")
        args += [after_changed, after_changed, after_row]
    with transaction("sandbox") as cursor:
        cursor.execute("SELECT id FROM eios_faculty WHERE id = %s", (faculty_id,))
        if cursor.fetchone() is None:
            return JSONResponse(
                {"error": "not_found", "message": f"faculty {faculty_id} does not exist"}, 404
            )
        cursor.execute(
            f"SELECT {', '.join(ITEM_FIELDS)}, row_id FROM eios_student"
            f" WHERE {' AND '.join(where)} ORDER BY changed_at, row_id LIMIT %s",
            (*args, page_size + 1),
        )
        rows = list(cursor.fetchall())
    more = len(rows) > page_size
    rows = rows[:page_size]
    items = []
    for row in rows:
        item = {name: row[name] for name in ITEM_FIELDS}
        item["changed_at"] = row["changed_at"].strftime("%Y-%m-%dT%H:%M:%S")
        if item["status_date"] is not None:
            item["status_date"] = item["status_date"].isoformat()
        items.append(item)
    next_token = None
    if more and rows:
        last = rows[-1]
        next_token = _encode_token(last["changed_at"].strftime("%Y-%m-%d %H:%M:%S"), last["row_id"])
    page = faults.shape_page(  # extra_items, repeat_token, empty_page (include/sandbox/faults.py)
        "eios",
        f"/faculties/{faculty_id}/students",
        {"items": items, "next_page_token": next_token},
        token_key="next_page_token",
        asked_token=page_token,
        first_page=not page_token,
    )
    # JSONResponse directly: the items are plain JSON already (skips jsonable_encoder)
    return JSONResponse(page)
