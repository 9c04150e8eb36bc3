"""Forming the month's acts: lines, totals, holds, act numbers and the ESF draft.

`compute_acts` is vectorised over every contract of a region: numpy counts the
working days of each contract and prorates each line; the per-provider totals
are one groupby. Holds, in order of precedence: the provider is terminated or
suspended (risk rules), its register is empty (no `present` mark: the
termination flag is raised for the emitent), or incomplete (missing marks).
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd

from include.vouchers.amounts import RULES, allocate, prorate, tenge, tenge_ru, to_tiyn
from include.vouchers.calendar import WorkingCalendar, month_bounds
from include.vouchers.ids import iin_birth_date, mask_iin

ACT_STATUSES = (
    "held_provider_terminated",
    "held_provider_suspended",
    "held_empty_register",
    "held_incomplete_register",
    "generated",
    "reconciled",
    "signed",
    "invoiced",
    "paid",
)
TRACKED = ("reconciled", "signed", "invoiced", "paid")
LINE_COLUMNS = [
    "act_number", "line_no", "contract_id", "voucher_id", "iin", "child_name", "group_type",
    "contract_days", "attended_days", "payable_days", "norm_tiyn", "amount_tiyn",
]  # fmt: skip


def act_number(period: str, bin_: str) -> str:
    """One act per provider-month, so the number is derived from both: a re-run of the
    month finds the same number and can never issue a second act."""
    return f"VA-{period.replace('-', '')}-{bin_}"


def contract_days(lines: pd.DataFrame, period: str, calendar: WorkingCalendar) -> np.ndarray:
    """Working days of the month inside each contract (mid-month start or exit prorated)."""
    first, last = month_bounds(period)
    start = pd.to_datetime(lines["start_date"]).clip(lower=pd.Timestamp(first))
    end = (
        pd.to_datetime(lines["end_date"]).fillna(pd.Timestamp(last)).clip(upper=pd.Timestamp(last))
    )
    return calendar.count_between(
        start.values.astype("datetime64[D]"), end.values.astype("datetime64[D]")
    )


def compute_acts(
    lines: pd.DataFrame,
    providers: pd.DataFrame,
    period: str,
    calendar: WorkingCalendar,
    billing_basis: str = "attendance",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(acts, act lines) for the providers given.

    `lines`: one row per contract active in the month: bin, contract_id, voucher_id,
    iin, child_name, group_type, start_date, end_date (effective), norm_tiyn,
    present_days, excused_doc_days, valid_marks (all counted inside the contract on
    working days, double-funded marks excluded from present).
    `providers`: bin, funding_model, estimate_tiyn, status.
    """
    working = calendar.working_days_in_month(period)
    frame = lines.sort_values(["bin", "contract_id"]).reset_index(drop=True).copy()
    frame["contract_days"] = contract_days(frame, period, calendar)
    frame["attended_days"] = np.minimum(
        frame["present_days"].astype("int64"), frame["contract_days"]
    )
    if billing_basis == "attendance":
        payable = frame["present_days"].astype("int64") + frame["excused_doc_days"].astype("int64")
    elif billing_basis == "enrolment":
        payable = frame["contract_days"]
    else:
        raise ValueError(f"unknown billing_basis {billing_basis!r}")
    frame["payable_days"] = np.minimum(payable, frame["contract_days"])
    frame["missing_marks"] = np.maximum(
        frame["contract_days"] - frame["valid_marks"].astype("int64"), 0
    )
    frame = frame.merge(providers[["bin", "funding_model", "estimate_tiyn"]], on="bin", how="left")
    frame["amount_tiyn"] = prorate(frame["norm_tiyn"].fillna(0), frame["payable_days"], working)
    estimate = frame["funding_model"] == "estimate"
    frame.loc[estimate, "amount_tiyn"] = 0
    frame["line_no"] = frame.groupby("bin").cumcount() + 1
    frame["act_number"] = [act_number(period, b) for b in frame["bin"]]

    acts = providers.copy().sort_values("bin").reset_index(drop=True)
    totals = frame.groupby("bin").agg(
        children=("contract_id", "size"),
        total_tiyn=("amount_tiyn", "sum"),
        present_days=("present_days", "sum"),
        missing_marks=("missing_marks", "sum"),
        payable_days=("payable_days", "sum"),
    )
    acts = acts.merge(totals, left_on="bin", right_index=True, how="left")
    for column in ("children", "total_tiyn", "present_days", "missing_marks", "payable_days"):
        acts[column] = acts[column].fillna(0).astype("int64")
    acts = acts[(acts["children"] > 0) | (acts["funding_model"] == "estimate")].reset_index(
        drop=True
    )
    by_estimate = acts["funding_model"] == "estimate"
    acts.loc[by_estimate, "total_tiyn"] = acts.loc[by_estimate, "estimate_tiyn"].astype("int64")
    # estimate providers: the estimate is the total whatever the contingent; it is spread
    # over the child lines by payable days so the lines still sum to the total
    for row in acts[by_estimate & (acts["children"] > 0)].itertuples():  # one per provider
        mask = frame["bin"] == row.bin
        frame.loc[mask, "amount_tiyn"] = allocate(
            int(row.total_tiyn), frame.loc[mask, "payable_days"]
        )
    acts["act_number"] = [act_number(period, b) for b in acts["bin"]]
    acts["period"] = period
    acts["working_days"] = working
    acts["rule_id"] = np.where(by_estimate, RULES["estimate"], RULES[billing_basis])
    acts["termination_flag"] = (acts["present_days"] == 0) & (acts["status"] != "terminated")
    acts["act_status"] = np.select(
        [
            acts["status"] == "terminated",
            acts["status"] == "suspended",
            acts["termination_flag"],
            acts["missing_marks"] > 0,
        ],
        [
            "held_provider_terminated",
            "held_provider_suspended",
            "held_empty_register",
            "held_incomplete_register",
        ],  # fmt: skip
        default="generated",
    )
    return acts, frame[LINE_COLUMNS + ["bin", "missing_marks"]]


def act_document(act: dict, lines: list[dict], region: dict, mask_digits: int | None = 4) -> dict:
    """The act's data as one JSON-able dict (amounts as exact decimal text; IINs masked
    unless `mask_digits` is None). Byte-identical for the same inputs."""
    return {
        "act_number": act["act_number"],
        "period": act["period"],
        "status": act["act_status"],
        "rule_id": act["rule_id"],
        "working_days": int(act["working_days"]),
        "missing_marks": int(act["missing_marks"]),
        "termination_flag": bool(act["termination_flag"]),
        "provider": {
            "bin": act["bin"],
            "name": act["name"],
            "funding_model": act["funding_model"],
            "address": act.get("address") or "",
        },
        "emitent": {"bin": region["emitent_bin"], "name": region["emitent_name"]},
        "region": {"code": region["code"], "name": region["name"]},
        "lines": [
            {
                "line_no": int(line["line_no"]),
                "voucher_id": line["voucher_id"],
                "iin": line["iin"] if mask_digits is None else mask_iin(line["iin"], mask_digits),
                "child_name": line["child_name"],
                "contract_days": int(line["contract_days"]),
                "attended_days": int(line["attended_days"]),
                "payable_days": int(line["payable_days"]),
                "norm": tenge(line["norm_tiyn"] or 0),
                "amount": tenge(line["amount_tiyn"]),
            }
            for line in lines
        ],
        "totals": {
            "children": len(lines),
            "payable_days": sum(int(x["payable_days"]) for x in lines),
            "attended_days": sum(int(x["attended_days"]) for x in lines),
            "amount": tenge(act["total_tiyn"]),
        },
    }


def esf_draft(document: dict, issued_on: date) -> dict:
    """A machine-readable e-invoice (ESF) draft of an act: seller, buyer, period, lines,
    total. The provider issues the real ESF in the IS ESF from this draft."""
    first, last = month_bounds(document["period"])
    quantity = document["totals"]["payable_days"]
    return {
        "kind": "esf_draft",
        "version": 1,
        "act_number": document["act_number"],
        "date": issued_on.isoformat(),
        "turnover_period": {"from": first.isoformat(), "to": last.isoformat()},
        "seller": {"bin": document["provider"]["bin"], "name": document["provider"]["name"]},
        "buyer": {"bin": document["emitent"]["bin"], "name": document["emitent"]["name"]},
        "currency": "KZT",
        "lines": [
            {
                "line_no": 1,
                "description": (
                    "Услуги дошкольного воспитания и обучения по ваучерам, "
                    f"период {document['period']} (акт {document['act_number']})"
                ),
                "unit": "чел.-день",
                "quantity": quantity,
                "amount": document["totals"]["amount"],
                "vat": "без НДС",
            }
        ],
        "total": document["totals"]["amount"],
    }


def canonical_json(data: dict) -> bytes:
    """Stable bytes: sorted keys, no clock, UTF-8 (so re-runs compare byte for byte)."""
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def overdue_acts(acts: pd.DataFrame, today: date, due_days: int = 30) -> pd.DataFrame:
    """Signed (or invoiced) acts unpaid more than `due_days` calendar days after signing."""
    signed = pd.to_datetime(acts["signed_on"])
    unpaid = acts["status"].isin(["signed", "invoiced"])
    late = (pd.Timestamp(today) - signed).dt.days > due_days
    result = acts[unpaid & late].copy()
    result["days_overdue"] = (pd.Timestamp(today) - signed[unpaid & late]).dt.days - due_days
    return result.reset_index(drop=True)


def age_group(iins: pd.Series, on: date) -> pd.Series:
    """`early` (under 3 on the month's first day) or `preschool`, from the IIN's birth date."""
    births = pd.to_datetime(iins.map(iin_birth_date))
    age = (pd.Timestamp(on) - births).dt.days / 365.25
    return pd.Series(["early" if a < 3 else "preschool" for a in age], index=iins.index)


def pdf_context(document: dict, esf: dict) -> dict:
    """What the act's PDF template (include/render: voucher_act.html) is given."""
    first, last = month_bounds(document["period"])
    return {
        "act": document,
        "esf": esf,
        "period_from": first.strftime("%d.%m.%Y"),
        "period_to": last.strftime("%d.%m.%Y"),
        "money": lambda text: tenge_ru(to_tiyn(text)),
    }
