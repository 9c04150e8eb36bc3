"""`voucher_ingest`'s reads of the kindergarten LMS: a bounded pool of connections, and
each batch's contracts written where the LMS changed them."""

from __future__ import annotations

from datetime import date, timedelta

from include.connectors.mysql_base import deadlock_retrying
from include.tasks.vouchers_common import records

CONTRACT_COLUMNS = ["contract_id", "bin", "iin", "child_name", "group_type", "start_date",
                    "end_date"]  # fmt: skip


class LmsPool:
    """A bounded pool of kindergarten-LMS connections (one hook per thread): at most
    `lms_concurrency` requests in flight from one task."""

    def __init__(self, run) -> None:
        import threading
        from concurrent.futures import ThreadPoolExecutor

        self.run = run
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(run.lms_concurrency, thread_name_prefix="lms")

    def __enter__(self) -> LmsPool:
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _hook(self):
        from include.connectors.kindergarten_lms import KindergartenLmsHook

        if not hasattr(self.local, "hook"):
            self.local.hook = KindergartenLmsHook(
                page_size=self.run.lms_page_size, max_pages=self.run.max_pages
            )
        return self.local.hook

    def contracts(self, bins: list[str]):
        """(bin, items) per provider, in the batch's order."""
        return self.pool.map(lambda b: (b, self._hook().contracts(b)), bins)

    def attendance(self, bins: list[str], day: date) -> list:
        """Futures of (bin, items) per provider's register of `day`."""
        return [self.pool.submit(lambda b: (b, self._hook().attendance(b, day)), b) for b in bins]


def ingest_contracts(db, lms: LmsPool, batch: list[str], deaths, run_id: str, counts):
    """Every provider's contracts replaced (one transaction for the batch); returns the
    effective contracts (a child's death ends a contract the day before)."""
    import pandas as pd

    from include.feed_rejects import record_rejects, seen_now
    from include.vouchers.feeds import validate_contracts

    frames, rejects_of = [], {}
    for bin_, items in lms.contracts(batch):
        valid, rejects = validate_contracts(bin_, items)
        counts["schema_rejected"] += len(rejects)
        rejects_of[bin_] = rejects
        frames.append(
            pd.DataFrame(valid, columns=[c for c in CONTRACT_COLUMNS if c != "bin"]).assign(
                bin=bin_
            )
        )
    contracts = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=CONTRACT_COLUMNS)
    )
    contracts["start_date"] = pd.to_datetime(contracts["start_date"]).dt.date
    contracts["end_date"] = [
        None if pd.isna(e) else date.fromisoformat(str(e)) for e in contracts["end_date"]
    ]
    for attempt in deadlock_retrying():
        with attempt, db.transaction() as cursor:
            seen_at = seen_now()
            stale, fresh = _changed_contracts(db, batch, contracts)
            if stale:
                cursor.execute(db.query("voucher_delete_contracts"), {"contract_ids": stale})
            if not fresh.empty:
                cursor.executemany(
                    db.query("voucher_insert_contract"), records(fresh, CONTRACT_COLUMNS)
                )
            for bin_, rejects in rejects_of.items():
                record_rejects(db, cursor, "lms_contracts", rejects, run_id, seen_at, scope=bin_)
    effective = contracts.copy()
    for iin, died in deaths.items():  # a handful of children, not per mark
        ends = effective["iin"] == iin
        last_day = died - timedelta(days=1)
        effective.loc[ends, "end_date"] = [
            min(e, last_day) if e else last_day for e in effective.loc[ends, "end_date"]
        ]
    return effective


def _changed_contracts(db, batch: list[str], contracts):
    """What replacing the batch's contracts changes: (ids to delete: gone or changed,
    rows to insert: new or changed). An unchanged day writes nothing (10^6 contracts a
    day would otherwise be deleted and inserted again)."""
    stored = db.read_frame(db.query("voucher_batch_contracts"), {"bins": tuple(batch)})
    old = set(_contract_rows(stored)) if not stored.empty else set()
    ordered = _contract_rows(contracts)
    added = set(ordered) - old
    stale = {row[0] for row in (old - set(ordered)) | added}
    return tuple(sorted(stale)), contracts[[row in added for row in ordered]]


def _contract_rows(frame) -> list[tuple]:
    clean = frame[CONTRACT_COLUMNS].astype(object).where(frame[CONTRACT_COLUMNS].notna(), None)
    return list(clean.itertuples(index=False, name=None))
