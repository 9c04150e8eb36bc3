"""The month's act lines by one aggregation (DuckDB over the daily Parquet files, and the
MariaDB twin over the whole month) equal the rules computed apart in pandas from the
stored rows, and so do the acts computed from them, on generated data with hostile
rows (overlapping duplicate contracts, two vouchers of one child, marks outside the
contract dates or outside the month, marks of children without a contract, flagged
double-funded marks, annulled vouchers, a child's death, a weekend mark).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pytest

from include.sandbox.demo_data import vouchers as demo

PERIOD = "2026-03"
FIRST, LAST = date(2026, 3, 1), date(2026, 3, 31)
REGIONS = ["R1", "R2"]


def _insert(cursor, table: str, rows: list[tuple]) -> None:
    if rows:
        marks = ", ".join(["%s"] * len(rows[0]))
        cursor.executemany(f"INSERT IGNORE INTO {table} VALUES ({marks})", rows)


@pytest.fixture(scope="module")
def world(mariadb):
    """A generated month in the project DB (no ingest: the hostile rows are written as
    they could stand after contracts changed under stored marks)."""
    from include.sandbox import stack

    mariadb.recreate_database(stack.database_names()["pipelines"])
    stack.migrate_pipelines_db()
    rng = random.Random(16)
    providers, contracts, vouchers, marks, flags = [], [], [], [], []
    bins = []
    for n in range(8):
        bin_ = demo.make_bin(rng, date(2010 + n, 1, 1))
        bins.append(bin_)
        estimate = n == 7
        providers.append((bin_, f"Сад {n}", REGIONS[n % 2], "estimate" if estimate else "voucher",
                          "сад", 150000000 if estimate else None, "адрес", "active", None, None))  # fmt: skip
    days = [FIRST + timedelta(days=k) for k in range(-3, 34)]  # Feb 26 .. Apr 3
    kids = []
    for n in range(240):
        iin = demo.make_iin(rng, date(2020, 1, 1) + timedelta(days=rng.randrange(1500)))
        bin_ = bins[n % len(bins)]
        start = FIRST + timedelta(days=rng.choice([-40, -1, 0, 5, 12]))
        end = rng.choice([None, None, LAST + timedelta(days=20), FIRST + timedelta(days=17),
                          FIRST - timedelta(days=2)])  # fmt: skip
        contracts.append((f"C{n:04d}", bin_, iin, f"Ребёнок {n}", rng.choice(["general", "special"]),
                          start, end))  # fmt: skip
        kids.append((bin_, iin))
        if n % 9:  # every ninth child has no voucher
            vouchers.append((f"V{n:04d}", iin, bin_, "annulled" if n % 13 == 0 else "active"))
        if n % 17 == 0:  # a second voucher for the same child: the lower id counts
            vouchers.append((f"U{n:04d}", iin, bin_, "active"))
        if n % 31 == 0:  # a second, overlapping contract at the same provider
            contracts.append((f"D{n:04d}", bin_, iin, f"Ребёнок {n}", "general",
                              FIRST + timedelta(days=10), None))  # fmt: skip
        if n == 50:
            flags.append((1, "death", None, iin, FIRST + timedelta(days=14), None, ""))
    strangers = [(bins[k % 8], demo.make_iin(rng, date(2021, 2, k + 1))) for k in range(10)]
    for bin_, iin in kids + strangers:  # marks outside contracts / the month included
        for day in days:
            if rng.random() < 0.85:
                code = rng.choice(["present"] * 8 + ["absent_excused", "absent_unexcused"])
                flag = "double_funding" if code == "present" and rng.random() < 0.02 else None
                marks.append((bin_, iin, day, code, int(rng.random() < 0.7), flag))
    with mariadb_connection() as connection:
        cursor = connection.cursor()
        for code in REGIONS:
            _insert(cursor, "voucher_region", [(code, f"Регион {code}", "950740000120", "ГУ")])
        _insert(cursor, "voucher_provider", providers)
        _insert(cursor, "voucher_contract", contracts)
        _insert(cursor, "voucher_voucher", vouchers)
        _insert(cursor, "voucher_risk_flag", flags)
        _insert(cursor, "voucher_mark", marks)
        _insert(cursor, "voucher_norm", [(r, a, g, 5600000) for r in REGIONS
                for a in ("early", "preschool") for g in ("general", "special")])  # fmt: skip
        connection.commit()
    return {"marks": len(marks), "contracts": len(contracts)}


class mariadb_connection:
    def __enter__(self):
        from include.sandbox.stack import connect

        self.connection = connect("pipelines")
        return self.connection

    def __exit__(self, *exc):
        self.connection.close()


def _expected_lines(region: str) -> pd.DataFrame:
    """The region's lines by the rules, in pandas over the stored rows (the two engines
    run one SQL text, so the reference is written apart from it): the contracts active
    in the month (a child's death ends one the day before), their marks inside the
    contract and the month counted, the child's lowest non-annulled voucher."""
    from include.connectors.sql_files import fetch_frame

    with mariadb_connection() as connection:
        table = {name: fetch_frame(connection, f"SELECT * FROM voucher_{name}")
                 for name in ("contract", "provider", "voucher", "mark", "risk_flag")}  # fmt: skip
    first, last = pd.Timestamp(FIRST), pd.Timestamp(LAST)
    flags = table["risk_flag"]
    deaths = pd.to_datetime(flags[flags["kind"] == "death"].groupby("iin")["flagged_on"].min())
    ct = table["contract"].merge(table["provider"][["bin", "region_code"]], on="bin")
    ct = ct[ct["region_code"] == region].copy()
    ct["start_date"], end = pd.to_datetime(ct["start_date"]), pd.to_datetime(ct["end_date"])
    death = pd.to_datetime(ct["iin"].map(deaths))
    ct["end_date"] = end.mask(
        death.notna() & (end.isna() | (end >= death)), death - pd.Timedelta(days=1)
    )
    ct = ct[(ct["start_date"] <= last) & (ct["end_date"].isna() | (ct["end_date"] >= first))]
    marks = table["mark"].assign(mark_date=lambda m: pd.to_datetime(m["mark_date"]))
    inside = ct.merge(marks, on=["bin", "iin"])
    inside = inside[(inside["mark_date"] >= inside["start_date"].clip(lower=first))
                    & (inside["mark_date"] <= inside["end_date"].fillna(last).clip(upper=last))]  # fmt: skip
    tally = (
        inside.assign(
            present_days=(inside["code"] == "present") & inside["flag"].isna(),
            excused_doc_days=(inside["code"] == "absent_excused") & (inside["document"] == 1),
            valid_marks=1,
        )
        .groupby("contract_id")[["present_days", "excused_doc_days", "valid_marks"]]
        .sum()
    )
    vouchers = table["voucher"][table["voucher"]["status"] != "annulled"]
    first_voucher = vouchers.groupby(["bin", "iin"], as_index=False)["voucher_id"].min()
    lines = ct.merge(first_voucher, on=["bin", "iin"], how="left").merge(
        tally, left_on="contract_id", right_index=True, how="left"
    )
    columns = ["contract_id", "bin", "iin", "child_name", "group_type", "start_date", "end_date",
               "voucher_id", "present_days", "excused_doc_days", "valid_marks"]  # fmt: skip
    lines = lines[columns].fillna({"present_days": 0, "excused_doc_days": 0, "valid_marks": 0})
    for column in ("start_date", "end_date"):  # as the lines are read back: None, not NaT
        lines[column] = [None if pd.isna(v) else v.date() for v in lines[column]]
    lines["voucher_id"] = [None if pd.isna(v) else v for v in lines["voucher_id"]]
    return lines


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.sort_values("contract_id").reset_index(drop=True).copy()
    for column in ("start_date", "end_date"):
        frame[column] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    for column in ("voucher_id",):
        frame[column] = [None if pd.isna(v) else str(v) for v in frame[column]]
    for column in ("present_days", "excused_doc_days", "valid_marks"):
        frame[column] = frame[column].astype("int64")
    return frame.drop(columns=["region_code"], errors="ignore")


def _acts(lines: pd.DataFrame, region: str):
    from include.tasks.vouchers_common import project_db
    from include.vouchers import acts
    from include.vouchers.calendar import WorkingCalendar

    db = project_db()
    try:
        where = {"region": region, "period": PERIOD}
        providers = db.read_frame(db.query("voucher_region_providers"), where)
        norms = db.read_frame(db.query("voucher_region_norms"), where)
    finally:
        db.close()
    lines = lines.copy()
    lines["age_group"] = acts.age_group(lines["iin"], FIRST)
    lines = lines.merge(norms, on=["age_group", "group_type"], how="left")
    lines["norm_tiyn"] = pd.to_numeric(lines["norm_tiyn"]).fillna(0).astype("int64")
    lines.loc[lines["voucher_id"].isna(), "norm_tiyn"] = 0
    providers["estimate_tiyn"] = pd.to_numeric(providers["estimate_tiyn"]).fillna(0).astype("int64")
    return acts.compute_acts(lines, providers, PERIOD, WorkingCalendar.for_period(PERIOD))


def test_one_aggregation_equals_the_rules_per_region(world, store_root):
    from include.tasks.voucher_month_lines import (
        aggregate_month,
        duckdb_connection,
        month_lines_of,
        read_region_lines,
    )
    from include.tasks.vouchers_common import project_db

    assert world["marks"] > 5000
    old = {region: _expected_lines(region) for region in REGIONS}
    assert sum(len(f) for f in old.values()) > 150
    assert sum(int(f["valid_marks"].sum()) for f in old.values()) > 1000
    # the whole month in one GROUP BY, both engines
    for engine in ("mariadb", "duckdb"):
        db, con = project_db(), duckdb_connection()
        try:
            aggregate_month(db, con, PERIOD, engine)
            whole = con.table("lines").df()
        finally:
            con.close()
            db.close()
        for region in REGIONS:
            pd.testing.assert_frame_equal(
                _comparable(whole[whole["region_code"] == region]), _comparable(old[region]),
                check_dtype=False, obj=f"{engine} lines of {region}",
            )  # fmt: skip
    # the DAG's path: Parquet per region, read back by compute_acts; the acts equal
    assert month_lines_of(PERIOD, REGIONS) == REGIONS
    for region in REGIONS:
        new = read_region_lines(PERIOD, region)
        pd.testing.assert_frame_equal(_comparable(new), _comparable(old[region]), check_dtype=False)
        (old_acts, old_act_lines), (new_acts, new_act_lines) = (
            _acts(old[region], region),
            _acts(new, region),
        )
        pd.testing.assert_frame_equal(new_acts, old_acts, check_dtype=False)
        pd.testing.assert_frame_equal(
            new_act_lines.reset_index(drop=True), old_act_lines.reset_index(drop=True),
            check_dtype=False,
        )  # fmt: skip
        assert old_acts["total_tiyn"].sum() > 0


def test_daily_files_are_exported_once_and_rewritten_only_when_marks_change(world, store_root):
    from include.tasks.voucher_month_lines import (
        forget_day_marks,
        marks_path,
        month_mark_files,
        write_day_marks,
    )
    from include.tasks.vouchers_common import project_db

    day = date(2026, 3, 4)
    db = project_db()
    try:
        assert write_day_marks(db, day) > 0
        before = marks_path(day).read_bytes()
        write_day_marks(db, day)  # a re-run: byte-identical
        assert marks_path(day).read_bytes() == before
        files = month_mark_files(db, FIRST, LAST)  # the days without a file are exported
        assert len(files) == 31 and all(f.exists() for f in files)
        with mariadb_connection() as connection:
            cursor = connection.cursor()
            cursor.execute(
                "UPDATE voucher_mark SET code = 'absent_unexcused' WHERE mark_date = %s LIMIT 1",
                (day,),
            )
            connection.commit()
        forget_day_marks(db, [day])  # what an ingest of the day does first
        month_mark_files(db, FIRST, LAST)
        after = marks_path(day).read_bytes()
        assert after != before
        marks_path(day).write_bytes(b"not the recorded bytes")
        month_mark_files(db, FIRST, LAST)  # a file that is not what was recorded: again
        assert marks_path(day).read_bytes() == after
    finally:
        db.close()
        with mariadb_connection() as connection:  # the first test's world, unchanged
            cursor = connection.cursor()
            cursor.execute("DELETE FROM voucher_mark_file")
            connection.commit()
