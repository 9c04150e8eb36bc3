"""The month's act lines in one set-based aggregation, and the daily Parquet files of
marks it reads.

`voucher_ingest` exports each register day's accepted marks (after the double-funding
check) to `vouchers/marks/<YYYY-MM>/<day>.parquet` in the store and records the file in
`voucher_mark_file`; an ingest of the day forgets that record before it changes a mark.
`voucher_acts`' `compute_month_lines` then counts every contract's marks of the month in
ONE GROUP BY, in DuckDB over those files (a day without a current file is exported
again first), and writes each region's lines to `vouchers/month_lines/<period>/<region>.parquet`
for the mapped `compute_acts`. The MariaDB twin (`engine="mariadb"`: the same GROUP BY,
sql/state/queries/voucher_month_lines.sql, over `voucher_mark`) gives the same rows and
is measured beside it in bench/bench_vouchers.py; DuckDB is the DAG's path because it
is the faster (docs/vouchers.md, "At full scale").

DuckDB reads local files. On a local store (`file://`) it reads the store's files in
place; on any other store (S3) the month's files are downloaded through
ObjectStoragePath into a temporary folder first (one file a day, ~10 MB at 10^6
marks), not read with DuckDB's `httpfs`: that extension is fetched from the internet
at first use and would need the store connection's credentials handed to DuckDB.
"""

from __future__ import annotations

import logging
import re
import tempfile
from datetime import date
from pathlib import Path

from airflow.sdk import task

from include.dag_defaults import HEAVY_TIMEOUT
from include.tasks.settings import settings_of
from include.tasks.vouchers_common import STORE_FOLDER, project_db
from include.vouchers.calendar import month_bounds

log = logging.getLogger(__name__)

ENGINES = ("duckdb", "mariadb")
DAY_MARKS_FILE = "duckdb/voucher_day_marks_file"  # a day's marks as its Parquet file
# DuckDB's share of a worker: the month's join of 2·10^7 marks needs ~1 GB
DUCKDB_CONFIG = {"threads": 2, "memory_limit": "3GB", "preserve_insertion_order": True}


def duckdb_sql(name: str) -> str:
    """`sql/<name>.sql` with its pyformat params (`%(x)s`, as sqlfluff lints every file
    in sql/) as DuckDB's named params (`$x`)."""
    from include.connectors.sql_files import sql_text

    return re.sub(r"%\((\w+)\)s", r"$\1", sql_text(f"{name}.sql"))


def mariadb_month_lines_sql(db) -> str:
    """voucher_month_lines.sql as one MariaDB statement: its `contracts` and `marks` are
    CTEs (voucher_month_contracts.sql, and `voucher_mark` itself) and so is the query
    (MariaDB 10.11 does not see a statement's CTEs from a WITH in a derived table)."""
    return (
        f"WITH contracts AS (\n{db.query('voucher_month_contracts')}\n),\n"
        "marks AS (SELECT * FROM voucher_mark),\n"
        f"month_lines AS (\n{db.query('voucher_month_lines')}\n)\n"
        "SELECT * FROM month_lines ORDER BY bin, contract_id"
    )


def duckdb_connection():
    import duckdb

    return duckdb.connect(config=DUCKDB_CONFIG)


def is_local(path) -> bool:
    return getattr(path, "protocol", "file") in ("file", "local")


def local_file(path, folder: str) -> str:
    """A path DuckDB can open: the store's own file when the store is local, else a
    download into `folder` (a temporary folder the caller removes)."""
    if is_local(path):
        return path.path
    target = Path(folder) / path.name
    with path.open("rb") as source, target.open("wb") as sink:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            sink.write(chunk)
    return str(target)


def to_store(con, relation, path) -> tuple[str, int]:
    """A DuckDB relation written as Parquet (zstd) to the store, unless the file holds
    these bytes already (DuckDB writes the same rows in the same order byte for byte,
    so a re-run rewrites nothing). Returns (sha256, rows)."""
    from include.storage import sha256_bytes, write_bytes_if_changed

    with tempfile.TemporaryDirectory(prefix="voucher-parquet-") as folder:
        local = Path(folder) / "file.parquet"
        relation.write_parquet(str(local), compression="zstd")
        data = local.read_bytes()
        rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(local)]).fetchall()[0][0]
    write_bytes_if_changed(path, data)
    return sha256_bytes(data), rows


# --- the daily marks files (voucher_ingest) ------------------------------------------


def marks_path(day: date):
    from include.storage import store_path

    return store_path(STORE_FOLDER, "marks", f"{day:%Y-%m}", f"{day.isoformat()}.parquet")


def forget_day_marks(db, days: list[date]) -> None:
    """The days' files no longer hold their marks as they are (an ingest is about to
    change them): `voucher_mark_file` forgets them until they are exported again."""
    with db.transaction() as cursor:
        cursor.executemany(db.query("voucher_forget_mark_file"), [{"mark_date": d} for d in days])


def write_day_marks(db, day: date) -> int:
    """A day's accepted marks (flags included) -> its Parquet file in the store, recorded
    in `voucher_mark_file`; returns the marks written."""
    frame = db.read_frame(db.query("voucher_day_marks"), {"day": day})
    con = duckdb_connection()
    try:
        con.register("day_marks", frame)
        relation = con.sql(duckdb_sql(DAY_MARKS_FILE))
        path = marks_path(day)
        sha, rows = to_store(con, relation, path)
    finally:
        con.close()
    with db.transaction() as cursor:
        cursor.execute(
            db.query("voucher_record_mark_file"),
            {"mark_date": day, "path": str(path), "sha256": sha, "marks": rows},
        )
    return rows


def month_mark_files(db, first: date, last: date) -> list:
    """The store paths of the month's daily marks files, one per day with marks; a day
    whose file is missing, not current or not the bytes recorded is exported now."""
    from include.storage import sha256_of, stored_path

    days = db.read_frame(
        db.query("voucher_month_mark_days"), {"first_day": first, "last_day": last}
    )
    paths = []
    for row in days.itertuples(index=False):
        path = stored_path(row.path) if isinstance(row.path, str) else None
        if path is None or not path.exists() or sha256_of(path) != row.sha256:
            log.info("marks of %s have no current Parquet file: exporting it", row.mark_date)
            write_day_marks(db, row.mark_date)
            path = marks_path(row.mark_date)
        paths.append(path)
    return paths


# --- the month's aggregation (voucher_acts) ------------------------------------------


def aggregate_month(db, con, period: str, engine: str = "duckdb") -> int:
    """Every contract of the month with its marks counted (one row per contract, all
    regions) as the table `lines` in the DuckDB connection `con`; returns its rows.

    duckdb: the contracts (and vouchers) from MariaDB, the marks from the month's daily
    Parquet files, one GROUP BY in DuckDB. mariadb: the same GROUP BY over `voucher_mark`
    in MariaDB."""
    first, last = month_bounds(period)
    bounds = {"first_day": first, "last_day": last}
    if engine == "mariadb":
        frame = db.read_frame(mariadb_month_lines_sql(db), bounds)
        con.register("month_lines", _typed(frame))
        con.execute("CREATE OR REPLACE TABLE lines AS SELECT * FROM month_lines").complete()
        return len(frame)
    if engine != "duckdb":
        raise ValueError(f"unknown engine {engine!r} (one of {ENGINES})")
    contracts = _typed(db.read_frame(db.query("voucher_month_contracts"), bounds))
    with tempfile.TemporaryDirectory(prefix="voucher-marks-") as folder:
        files = [local_file(p, folder) for p in month_mark_files(db, first, last)]
        con.register("contracts", contracts)
        if files:
            con.read_parquet(files).create_view("marks")
        else:  # a month without a mark: a daily file's columns, no row
            con.register("day_marks", db.read_frame(db.query("voucher_day_marks"), {"day": first}))
            con.sql(duckdb_sql(DAY_MARKS_FILE)).create_view("marks")
        con.execute(
            "CREATE OR REPLACE TABLE lines AS " + duckdb_sql("state/queries/voucher_month_lines"),
            {"first_day": first, "last_day": last},
        ).complete()
    return con.execute("SELECT count(*) FROM lines").fetchall()[0][0]


def _typed(frame):
    """The columns' types made explicit for DuckDB (object columns of dates, of Decimals
    or of all-NULL values would otherwise be guessed from the first rows)."""
    import pandas as pd

    frame = frame.copy()
    for column in ("start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("present_days", "excused_doc_days", "valid_marks"):  # MariaDB's SUM: Decimal
        if column in frame:
            frame[column] = frame[column].astype("int64")
    for column in ("contract_id", "bin", "iin", "child_name", "group_type", "region_code",
                   "voucher_id"):  # fmt: skip
        frame[column] = frame[column].astype("string")
    return frame


def region_lines_path(period: str, region: str):
    from include.storage import store_path

    return store_path(STORE_FOLDER, "month_lines", period, f"{region}.parquet")


def read_region_lines(period: str, region: str):
    """A region's lines of the month (`compute_month_lines`' output) as a frame, in the
    form `include.vouchers.acts.compute_acts` takes (NULL voucher -> None)."""
    path = region_lines_path(period, region)
    if not path.exists():
        raise RuntimeError(f"{path} is missing: compute_month_lines did not run for {period}")
    con = duckdb_connection()
    try:
        with tempfile.TemporaryDirectory(prefix="voucher-lines-") as folder:
            frame = con.read_parquet(local_file(path, folder)).df()
    finally:
        con.close()
    for column in ("start_date", "end_date"):
        frame[column] = [None if v is None or v != v else v.date() for v in frame[column]]
    for column in ("contract_id", "bin", "iin", "child_name", "group_type", "voucher_id"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in ("present_days", "excused_doc_days", "valid_marks"):
        frame[column] = frame[column].astype("int64")
    return frame


def write_region_lines(con, period: str, regions: list[str]) -> dict[str, int]:
    """Each region's rows of `lines` -> its Parquet file; returns rows per region."""
    counts = {}
    for region in regions:
        relation = con.sql(
            "SELECT * FROM lines WHERE region_code = $region ORDER BY bin, contract_id",
            params={"region": region},
        )
        _, counts[region] = to_store(con, relation, region_lines_path(period, region))
    return counts


@task(execution_timeout=HEAVY_TIMEOUT)
def compute_month_lines(settings: dict, regions: list[str]) -> list[str]:
    """The month's act lines in one set-based aggregation: every contract's marks of the
    month counted in one DuckDB GROUP BY over the daily Parquet files (module
    docstring), each region's lines written to the store. Returns the regions, which
    `compute_acts` is mapped over."""
    from include.tasks.voucher_acts import ActsRun

    return month_lines_of(settings_of(ActsRun, settings).period, regions)


def month_lines_of(period: str, regions: list[str], engine: str = "duckdb") -> list[str]:
    """`compute_month_lines`' body with a choice of engine (the bench runs both)."""
    db = project_db()
    con = duckdb_connection()
    try:
        rows = aggregate_month(db, con, period, engine)
        counts = write_region_lines(con, period, regions)
    finally:
        con.close()
        db.close()
    log.info("month %s: %d contract lines (%s), %d in the %d region(s) formed",
             period, rows, engine, sum(counts.values()), len(regions))  # fmt: skip
    return regions
