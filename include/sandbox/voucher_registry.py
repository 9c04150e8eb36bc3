"""Stand-in for the state voucher registry (e-Qazyna): providers, vouchers, risk flags, acts.

Data contract (JSON, `Authorization: Bearer <token>`; 401 without it):
- `GET /registry/api/v1/regions` -> `{"items": [{code, name, emitent_bin, emitent_name}]}`
- `GET /registry/api/v1/providers?offset=&limit=` -> `{"items": [{bin, name, region_code,
  funding_model: voucher|estimate, lms_name, estimate_monthly: "123.45"|null,
  address}], "next_offset"}`
- `GET /registry/api/v1/norms` -> `{"items": [{region_code, age_group, group_type,
  monthly_amount: "123.45"}]}` (sample figures in the demo)
- `GET /registry/api/v1/vouchers?offset=&limit=` -> `{"items": [{voucher_id, iin, bin,
  status}], "next_offset"}`
- `GET /registry/api/v1/risk-flags` -> `{"items": [{flag_id, kind: tax_debt|address_mismatch|
  liquidation|death, bin|null, iin|null, flagged_on, resolved_on|null, detail}]}`
- `PUT /registry/api/v1/acts/{act_number}` body `{bin, period, total, data_sha256,
  generated_on}` -> the act (idempotent: a known act keeps its status and dates;
  409 if the act was signed and the data changed)
- `GET /registry/api/v1/acts?period=YYYY-MM` (or all) -> `{"items": [{act_number, bin,
  period, total, status: generated|reconciled|signed|invoiced|paid, reconciled_on,
  signed_on, invoiced_on, paid_on}]}`
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from include.sandbox.database import transaction
from include.sandbox.environment import connection_json
from include.sandbox.faults import refused, shape_page

router = APIRouter(prefix="/registry/api/v1")


def _guard(target: str, authorization: str | None):
    expected = f"Bearer {connection_json('voucher_registry').get('password', '')}"
    unauthorized = JSONResponse({"error": "invalid or missing access token"}, status_code=401)
    return refused("registry", target, authorization, expected, unauthorized)


def _json(row: dict) -> dict:
    out = {}
    for key, value in row.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[key] = value
    return out


def _select(sql: str, params: tuple = ()) -> list[dict]:
    with transaction("sandbox") as cursor:
        cursor.execute(sql, params)
        return [_json(r) for r in cursor.fetchall()]


def _paged(target: str, authorization: str | None, sql: str, offset: int, limit: int):
    """One page of a paged list (`next_offset`), after the guard."""
    refusal = _guard(target, authorization)
    if refusal is not None:
        return refusal
    rows = _select(f"{sql} LIMIT %s OFFSET %s", (limit, offset))
    page = {"items": rows, "next_offset": offset + limit if len(rows) == limit else None}
    return shape_page("registry", target, page, "items", "next_offset", offset, offset == 0)


def _listed(target: str, authorization: str | None, sql: str):
    """A whole (small) list in one answer, after the guard."""
    refusal = _guard(target, authorization)
    if refusal is not None:
        return refusal
    return shape_page("registry", target, {"items": _select(sql)})


@router.get("/regions")
def regions(authorization: str | None = Header(None)):
    return _listed(
        "/regions",
        authorization,
        "SELECT code, name, emitent_bin, emitent_name FROM vr_region ORDER BY code",
    )


@router.get("/providers")
def providers(
    offset: int = Query(0, ge=0),
    limit: int = Query(5000, ge=1, le=50000),
    authorization: str | None = Header(None),
):
    return _paged(
        "/providers",
        authorization,
        "SELECT bin, name, region_code, funding_model, lms_name, estimate_monthly, address"
        " FROM vr_provider ORDER BY bin",
        offset,
        limit,
    )


@router.get("/norms")
def norms(authorization: str | None = Header(None)):
    return _listed(
        "/norms",
        authorization,
        "SELECT region_code, age_group, group_type, monthly_amount FROM vr_norm"
        " ORDER BY region_code, age_group, group_type",
    )


@router.get("/vouchers")
def vouchers(
    offset: int = Query(0, ge=0),
    limit: int = Query(20000, ge=1, le=100000),
    authorization: str | None = Header(None),
):
    return _paged(
        "/vouchers",
        authorization,
        "SELECT voucher_id, iin, bin, status FROM vr_voucher ORDER BY voucher_id",
        offset,
        limit,
    )


@router.get("/risk-flags")
def risk_flags(authorization: str | None = Header(None)):
    return _listed(
        "/risk-flags",
        authorization,
        "SELECT flag_id, kind, bin, iin, flagged_on, resolved_on, detail FROM vr_risk_flag"
        " ORDER BY flag_id",
    )


class ActIn(BaseModel):
    bin: str
    period: str
    total: str
    data_sha256: str
    generated_on: date


ACT_COLUMNS = (
    "act_number, bin, period, total, status, reconciled_on, signed_on, invoiced_on, paid_on"
)


@router.put("/acts/{act_number}")
def put_act(act_number: str, act: ActIn, authorization: str | None = Header(None)):
    refusal = _guard("/acts", authorization)
    if refusal is not None:
        return refusal
    with transaction("sandbox") as cursor:
        cursor.execute(
            "SELECT status, data_sha256 FROM vr_act WHERE act_number = %s", (act_number,)
        )
        known = cursor.fetchone()
        if known is None:
            cursor.execute(
                "INSERT INTO vr_act (act_number, bin, period, total, data_sha256, generated_on)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (act_number, act.bin, act.period, act.total, act.data_sha256, act.generated_on),
            )
        elif known["data_sha256"] != act.data_sha256:
            if known["status"] != "generated":
                return JSONResponse(
                    {"error": f"act {act_number} is {known['status']}: its data cannot change"},
                    status_code=409,
                )
            cursor.execute(
                "UPDATE vr_act SET total = %s, data_sha256 = %s WHERE act_number = %s",
                (act.total, act.data_sha256, act_number),
            )
        cursor.execute(f"SELECT {ACT_COLUMNS} FROM vr_act WHERE act_number = %s", (act_number,))
        return _json(cursor.fetchone())


@router.get("/acts")
def acts(period: str | None = None, authorization: str | None = Header(None)):
    refusal = _guard("/acts", authorization)
    if refusal is not None:
        return refusal
    if period:
        rows = _select(
            f"SELECT {ACT_COLUMNS} FROM vr_act WHERE period = %s ORDER BY act_number", (period,)
        )
    else:
        rows = _select(f"SELECT {ACT_COLUMNS} FROM vr_act ORDER BY act_number")
    return {"items": rows}
