"""Stand-in for the kindergarten LMS: each provider's contracts and daily attendance register.

Data contract (JSON over HTTPS, `Authorization: Bearer <token>`; 401 without it):
- `GET /lms/api/v1/providers/{bin}/contracts?offset=&limit=` ->
  `{"items": [{contract_id, iin, child_name, group_name, group_type, start_date,
  end_date|null}], "next_offset": int|null}`
- `GET /lms/api/v1/providers/{bin}/attendance?date=YYYY-MM-DD&offset=&limit=` ->
  `{"provider_bin", "date", "items": [{iin, date, code, document}], "next_offset"}`
  where code is `present | absent_excused | absent_unexcused` and `document`
  says a supporting document (sick note…) is attached. Rows come as the
  provider typed them: the pipeline validates them.
Errors: `{"error": "<message>"}` with 4xx/5xx. Rows live in the sandbox DB
(`lms_contract`, `lms_mark`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from include.sandbox.database import transaction
from include.sandbox.environment import connection_json
from include.sandbox.faults import refused, shape_page

router = APIRouter(prefix="/lms/api/v1")


def _guard(target: str, authorization: str | None):
    expected = f"Bearer {connection_json('kindergarten_lms').get('password', '')}"
    unauthorized = JSONResponse({"error": "invalid or missing access token"}, status_code=401)
    return refused("lms", target, authorization, expected, unauthorized)


def _provider_page(
    bin_: str,
    what: str,
    authorization: str | None,
    offset: int,
    limit: int,
    *,
    select: str,
    args: tuple,
    item: Callable[[dict], dict],
    head: dict | None = None,
):
    """One page of a provider's `what` (contracts, attendance): refused as the armed
    faults and the token say, else the rows of `select` (its `args`, then LIMIT and
    OFFSET), each as `item(row)`, after the page's `head` fields, page faults applied."""
    target = f"/providers/{bin_}/{what}"
    refusal = _guard(target, authorization)
    if refusal is not None:
        return refusal
    with transaction("sandbox") as cursor:
        cursor.execute(select + " LIMIT %s OFFSET %s", (*args, limit, offset))
        rows = list(cursor.fetchall())
    page = {
        "provider_bin": bin_,
        **(head or {}),
        "items": [item(row) for row in rows],
        "next_offset": offset + limit if len(rows) == limit else None,
    }
    return shape_page("lms", target, page, "items", "next_offset", offset, offset == 0)


@router.get("/providers/{bin_}/contracts")
def contracts(
    bin_: str,
    offset: int = Query(0, ge=0),
    limit: int = Query(1000, ge=1, le=10000),
    authorization: str | None = Header(None),
):
    select = (
        "SELECT contract_id, iin, child_name, group_name, group_type, start_date, end_date"
        " FROM lms_contract WHERE bin = %s ORDER BY contract_id"
    )

    def item(row: dict) -> dict:
        row["start_date"] = row["start_date"].isoformat()
        row["end_date"] = row["end_date"].isoformat() if row["end_date"] else None
        return row

    return _provider_page(
        bin_, "contracts", authorization, offset, limit, select=select, args=(bin_,), item=item
    )


@router.get("/providers/{bin_}/attendance")
def attendance(
    bin_: str,
    day: Annotated[date, Query(alias="date")],
    offset: int = Query(0, ge=0),
    limit: int = Query(5000, ge=1, le=50000),
    authorization: str | None = Header(None),
):
    select = (
        "SELECT iin, mark_date, code, document FROM lms_mark"
        " WHERE bin = %s AND mark_date = %s ORDER BY mark_id"
    )

    def item(row: dict) -> dict:
        document = None if row["document"] is None else bool(row["document"])
        return {
            "iin": row["iin"],
            "date": row["mark_date"].isoformat(),
            "code": row["code"],
            "document": document,
        }

    return _provider_page(
        bin_,
        "attendance",
        authorization,
        offset,
        limit,
        select=select,
        args=(bin_, day),
        item=item,
        head={"date": day.isoformat()},
    )
