"""Stand-in for Kontur.Talk's public API (`talk.public.api`), the parts the DAG uses.

- `GET /kontur/api/Domain/recordings/v2?startFrom=&startTo=&top=&orderMode=byTimeOldFirst
  &pageTokenString=` -> `{entities: [...], nextPageToken}`; `startFrom` inclusive,
  `startTo` exclusive, `top` 1-1000, oldest first; the page token is an opaque
  keyset cursor (null on the last page). An entity: `id`, `key`, `title`,
  `createdDate`, `createdBy{email}`, `roomName`, `participantsCount`, `size`,
  `duration` (seconds).
- `GET /kontur/api/domain/applications/access-info` -> `{expiresAt, scopes}`
  (the exact shape is not public; this is the contract our connector reads).

Auth: header `X-Auth-Token` = the `kontur_talk` connection's password. An
unknown or expired key answers 401; a key without `recordings:read` answers
403 on the recordings list. State: `kontur_recording`, `kontur_access`.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from include.sandbox import faults
from include.sandbox.database import transaction
from include.sandbox.environment import connection_json

router = APIRouter(prefix="/kontur")
RECORDINGS_SCOPE = "recordings:read"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _access() -> dict:
    with transaction("sandbox") as cursor:
        cursor.execute("SELECT expires_at, scopes FROM kontur_access WHERE id = 1")
        return cursor.fetchone() or {"expires_at": None, "scopes": ""}


def _refused(request: Request, path: str, scope: str | None) -> JSONResponse | None:
    expected = connection_json("kontur_talk").get("password", "")
    presented = request.headers.get("x-auth-token", "")
    unauthorized = _error(401, "unauthorized", "Invalid API key")
    refusal = faults.refused("kontur", path, presented, expected, unauthorized)
    if refusal is not None:
        return refusal
    access = _access()
    if access["expires_at"] and access["expires_at"] < datetime.now(UTC).replace(tzinfo=None):
        return _error(401, "unauthorized", "API key expired")
    if scope and scope not in access["scopes"].split():
        return _error(403, "forbidden", f"Scope {scope} required")
    return None


def _iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


@router.get("/api/domain/applications/access-info")
def access_info(request: Request):
    refused = _refused(request, "/api/domain/applications/access-info", None)
    if refused:
        return refused
    access = _access()
    return {
        "expiresAt": _iso(access["expires_at"]) if access["expires_at"] else None,
        "scopes": access["scopes"].split(),
    }


@router.get("/api/Domain/recordings/v2")
def recordings(
    request: Request,
    startFrom: str | None = None,  # noqa: N803 (the API's own names)
    startTo: str | None = None,  # noqa: N803
    top: int = 100,
    orderMode: str = "byTimeOldFirst",  # noqa: N803
    pageTokenString: str | None = None,  # noqa: N803
):
    refused = _refused(request, "/api/Domain/recordings/v2", RECORDINGS_SCOPE)
    if refused:
        return refused
    if not 1 <= top <= 1000:
        return _error(400, "badRequest", "top must be between 1 and 1000")
    if orderMode != "byTimeOldFirst":
        return _error(400, "badRequest", "only orderMode=byTimeOldFirst is served here")
    try:
        start, end = _parse_time(startFrom), _parse_time(startTo)
        after = json.loads(base64.urlsafe_b64decode(pageTokenString)) if pageTokenString else None
    except (ValueError, TypeError):
        return _error(400, "badRequest", "bad startFrom, startTo or pageTokenString")
    where, args = ["1 = 1"], []
    if start:
        where.append("created_date >= %s")
        args.append(start)
    if end:
        where.append("created_date < %s")
        args.append(end)
    if after:
        where.append("(created_date, recording_key) > (%s, %s)")
        args += [_parse_time(after[0]), after[1]]
    with transaction("sandbox") as cursor:
        cursor.execute(
            "SELECT id, recording_key, title, created_date, created_by_email, room_name,"
            " participants_count, size_bytes, duration_seconds FROM kontur_recording"
            f" WHERE {' AND '.join(where)} ORDER BY created_date, recording_key LIMIT %s",
            (*args, top + 1),
        )
        rows = list(cursor.fetchall())
    more = len(rows) > top
    rows = rows[:top]
    token = None
    if more:
        last = rows[-1]
        token = base64.urlsafe_b64encode(
            json.dumps([_iso(last["created_date"]), last["recording_key"]]).encode()
        ).decode()
    entities = [
        {
            "id": r["id"],
            "key": r["recording_key"],
            "title": r["title"],
            "createdDate": _iso(r["created_date"]),
            "createdBy": {"email": r["created_by_email"]},
            "roomName": r["room_name"],
            "participantsCount": r["participants_count"],
            "size": r["size_bytes"],
            "duration": r["duration_seconds"],
        }
        for r in rows
    ]
    return faults.shape_page(
        "kontur",
        "/api/Domain/recordings/v2",
        {"entities": entities, "nextPageToken": token},
        "entities",
        "nextPageToken",
        pageTokenString,
        first_page=not pageTokenString,
    )
