"""Moodle's answers to a batch, row by row: a write counts only when Moodle says so.

Observed on a real Moodle 4.5 (shared/moodle/README.md, cohort/externallib.php,
user/externallib.php):
- `core_cohort_add_cohort_members` answers `{"warnings": [...]}` without an item id: each
  warning names its row only by the values it echoes (`user username=… not exists`,
  `cohort idnumber=… not exists`, `record already exists: cohort(idnumber=… id=…)`);
  some echo none (`invalid parameter: usertype=…`, `Invalid context: …`). A warning that
  matches no row fails its whole batch: nothing of it is recorded as applied.
- `core_user_update_users` answers one warning per refused user, `itemid` = the user id.
- `core_user_create_users` answers the created users (`id`, `username`);
  `core_cohort_create_cohorts` the created cohorts (`idnumber`).
- `core_cohort_delete_cohort_members` and `core_cohort_update_cohorts` answer `null`, and an
  update (a suspension) may be cut short without a warning: the batch's effect is read back
  (one query per batch) and compared here.
Pure functions: payloads in, `{position in batch: error}` out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Errors = dict[int, str]


def _warnings(answer: Any) -> list[dict]:
    if isinstance(answer, dict):
        return [w for w in answer.get("warnings") or [] if isinstance(w, dict)]
    return []


def _code_message(warning: dict) -> tuple[str, str]:
    return str(warning.get("warningcode", "")), str(warning.get("message", ""))


def _fail_batch(count: int, unmatched: list[str]) -> Errors:
    reason = "Moodle answered a warning that names no row of the batch, so no row counts: " + (
        "; ".join(unmatched)
    )
    return dict.fromkeys(range(count), reason)


def member_add_errors(payloads: Sequence[dict], answer: Any) -> Errors:
    """Errors of a `core_cohort_add_cohort_members` batch from its warnings (code 3,
    'record already exists', is success). An unmatched warning fails every row."""
    errors: Errors = {}
    unmatched: list[str] = []
    for warning in _warnings(answer):
        code, message = _code_message(warning)
        matched = False
        for position, payload in enumerate(payloads):
            ct, cv = payload["cohorttype"]["type"], str(payload["cohorttype"]["value"])
            ut, uv = payload["usertype"]["type"], str(payload["usertype"]["value"])
            if code == "3" and message == f"record already exists: cohort({ct}={cv} {ut}={uv})":
                matched = True  # already a member: what we wanted
            elif code == "2" and message in (
                f"user {ut}={uv} not exists",
                f"cohort {ct}={cv} not exists",
            ):
                matched = True
                errors[position] = f"warning {code}: {message}"
        if not matched:
            unmatched.append(f"warning {code}: {message}")
    if unmatched:
        return _fail_batch(len(payloads), unmatched)
    return errors


def user_update_errors(payloads: Sequence[dict], answer: Any) -> Errors:
    """Errors of a `core_user_update_users` batch: each warning's `itemid` is a user id."""
    by_id: dict[str, list[int]] = {}
    for position, payload in enumerate(payloads):
        by_id.setdefault(str(payload.get("id")), []).append(position)
    errors: Errors = {}
    unmatched: list[str] = []
    for warning in _warnings(answer):
        code, message = _code_message(warning)
        positions = by_id.get(str(warning.get("itemid", "")))
        if not positions:
            unmatched.append(f"{code}: {message} (itemid {warning.get('itemid')})")
            continue
        for position in positions:
            errors[position] = f"{code}: {message}"
    if unmatched:
        return _fail_batch(len(payloads), unmatched)
    return errors


def created_errors(payloads: Sequence[dict], answer: Any, key: str) -> Errors:
    """Errors of a create call (users by `username`, cohorts by `idnumber`): a row that
    Moodle's answer does not list was not created."""
    listed = (
        {str(item.get(key)) for item in answer if isinstance(item, dict)}
        if isinstance(answer, list)
        else set()
    )
    errors: Errors = {}
    for position, payload in enumerate(payloads):
        if str(payload.get(key)) not in listed:
            errors[position] = (
                f"not confirmed: Moodle's answer does not list {key} {payload.get(key)}"
            )
    warnings = _warnings(answer)
    if warnings:
        return _fail_batch(len(payloads), [" ".join(_code_message(w)) for w in warnings])
    return errors


def no_row_errors(payloads: Sequence[dict], answer: Any) -> Errors:
    """Errors of a call that answers nothing per row (`null`): any warning fails the batch."""
    warnings = _warnings(answer)
    if warnings:
        return _fail_batch(len(payloads), [" ".join(_code_message(w)) for w in warnings])
    return {}


NOT_APPLIED = "not applied: Moodle answered no error, but reading it back shows"


def member_readback_errors(
    payloads: Sequence[dict], members: Iterable[dict], added: bool, cohort_ids: dict | None = None
) -> Errors:
    """Rows whose membership is not as the call wanted, read back after it.

    `members`: rows `cohortid, cohort_idnumber, userid, username` of the batch's cohorts
    and users. `added`: an add (the member must be there) or a delete (gone)."""
    present_by_id: set[tuple[str, str]] = set()
    present_by_name: set[tuple[str, str]] = set()
    present_pairs: set[tuple[int, int]] = set()
    for row in members:
        present_by_id.add((str(row["cohort_idnumber"]), str(row["userid"])))
        present_by_name.add((str(row["cohort_idnumber"]), str(row["username"])))
        present_pairs.add((int(row["cohortid"]), int(row["userid"])))
    errors: Errors = {}
    for position, payload in enumerate(payloads):
        if added:
            cohort = str(payload["cohorttype"]["value"])
            user_type, user = payload["usertype"]["type"], str(payload["usertype"]["value"])
            found = (cohort, user) in (present_by_id if user_type == "id" else present_by_name)
            if not found:
                errors[position] = f"{NOT_APPLIED} {user_type}={user} is not a member of {cohort}"
        else:
            pair = (int(payload["cohortid"]), int(payload["userid"]))
            if pair in present_pairs:
                errors[position] = (
                    f"{NOT_APPLIED} user id={pair[1]} is still a member of cohort id={pair[0]}"
                )
    return errors


def _same(sent: Any, stored: Any) -> bool:
    if isinstance(sent, bool) or isinstance(sent, int):
        try:
            return int(sent) == int(stored)
        except (TypeError, ValueError):
            return False
    return ("" if stored is None else str(stored)) == str(sent)


def record_readback_errors(
    payloads: Sequence[dict], rows: Iterable[dict], ignore: tuple[str, ...] = ()
) -> Errors:
    """Rows (users or cohorts, by `id`) whose stored values differ from what was sent.
    `ignore`: sent fields that are not stored as sent (e.g. `categorytype`)."""
    by_id = {str(row["id"]): row for row in rows}
    errors: Errors = {}
    for position, payload in enumerate(payloads):
        row = by_id.get(str(payload["id"]))
        if row is None:
            errors[position] = f"{NOT_APPLIED} no record with id {payload['id']}"
            continue
        wrong = [
            f"{name}={row.get(name)!r}"
            for name, value in payload.items()
            if name != "id" and name not in ignore and not _same(value, row.get(name))
        ]
        if wrong:
            errors[position] = f"{NOT_APPLIED} {', '.join(wrong)}"
    return errors
