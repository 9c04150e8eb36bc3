"""The attendance register's row rules: each failing row goes to rejects with its reason.

Rules (spec "Validate the register"), checked in this order, first failure wins:
`invalid_iin`, `unknown_code`, `duplicate_mark` (two marks of one child on one day
in one provider: both rejected, we cannot tell which is true), `not_working_day`,
`outside_contract`, `excused_without_document`. Across providers:
`double_funding` (a child marked present in two providers on the same day: the
present marks of every provider involved are flagged).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from include.vouchers.calendar import WorkingCalendar
from include.vouchers.ids import has_valid_checksum, iin_birth_date

CODES = ("present", "absent_excused", "absent_unexcused")
REASONS = (
    "invalid_iin",
    "unknown_code",
    "duplicate_mark",
    "not_working_day",
    "outside_contract",
    "excused_without_document",
    "double_funding",
)
MARK_COLUMNS = ["bin", "iin", "mark_date", "code", "document"]
# The field each register rule is about (the rejects file's `field` column).
RULE_FIELDS = {
    "invalid_iin": "iin",
    "unknown_code": "code",
    "duplicate_mark": "iin",
    "not_working_day": "date",
    "outside_contract": "date",
    "excused_without_document": "document",
    "double_funding": "iin",
}


def _valid_iins(iins: pd.Series) -> pd.Series:
    unique = pd.Series(iins.dropna().unique())
    ok = {i: has_valid_checksum(i) and iin_birth_date(i) is not None for i in unique}
    return iins.map(ok).fillna(False).astype(bool)


def split_register(
    marks: pd.DataFrame, contracts: pd.DataFrame, calendar: WorkingCalendar
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted marks, rejects with `reason`) for one provider's marks.

    `marks`: bin, iin, mark_date (date), code, document (bool or None).
    `contracts`: bin, iin, start_date, end_date (None = open-ended), the
    effective dates (a child's death already ends the contract).
    """
    frame = marks.reindex(columns=MARK_COLUMNS).copy()
    frame["iin"] = frame["iin"].astype("string").fillna("")
    frame["document"] = frame["document"].astype("boolean").fillna(False).astype(bool)
    reason = pd.Series(pd.NA, index=frame.index, dtype="object")

    def flag(mask: pd.Series, name: str) -> None:
        reason[mask & reason.isna()] = name

    flag(~_valid_iins(frame["iin"]), "invalid_iin")
    flag(~frame["code"].isin(CODES), "unknown_code")
    # duplicates among the rows still standing: a row already rejected (bad code) does not
    # make the child's valid mark of that day a duplicate
    standing = frame[reason.isna()]
    twice = standing.duplicated(["bin", "iin", "mark_date"], keep=False)
    flag(pd.Series(frame.index.isin(standing.index[twice]), index=frame.index), "duplicate_mark")
    days = pd.Series(frame["mark_date"].unique())
    working = {d: calendar.is_working_day(d) for d in days}
    flag(~frame["mark_date"].map(working).fillna(False).astype(bool), "not_working_day")
    flag(~_inside_contract(frame, contracts), "outside_contract")
    flag((frame["code"] == "absent_excused") & ~frame["document"], "excused_without_document")
    rejects = frame[reason.notna()].assign(reason=reason[reason.notna()])
    return frame[reason.isna()].reset_index(drop=True), rejects.reset_index(drop=True)


def _inside_contract(frame: pd.DataFrame, contracts: pd.DataFrame) -> pd.Series:
    if frame.empty or contracts.empty:
        return pd.Series(False, index=frame.index)
    keyed = frame.reset_index()[["index", "bin", "iin", "mark_date"]]
    joined = keyed.merge(
        contracts[["bin", "iin", "start_date", "end_date"]].astype({"iin": "string"}),
        on=["bin", "iin"],
        how="inner",
    )
    day = pd.to_datetime(joined["mark_date"])
    start = pd.to_datetime(joined["start_date"])
    end = pd.to_datetime(joined["end_date"]).fillna(pd.Timestamp.max)
    inside = joined.loc[(day >= start) & (day <= end), "index"].unique()
    return pd.Series(frame.index.isin(inside), index=frame.index)


def double_funding(marks: pd.DataFrame) -> pd.DataFrame:
    """The `present` marks of children marked present in two or more providers on one day."""
    present = marks[marks["code"] == "present"]
    providers = present.groupby(["iin", "mark_date"])["bin"].transform("nunique")
    return present[providers > 1].reset_index(drop=True)


def missing_marks(expected_days: np.ndarray, valid_marks: np.ndarray) -> np.ndarray:
    """Per contract: working days inside the contract that have no valid mark (never < 0)."""
    return np.maximum(np.asarray(expected_days) - np.asarray(valid_marks), 0)
