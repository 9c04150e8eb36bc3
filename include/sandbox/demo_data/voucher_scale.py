"""The voucher pipeline's world at full scale (10^6 children, 10^4 providers, a month
of marks), generated inside MariaDB: set-based `INSERT ... SELECT` over the Sequence
engine's number tables (`seq_0_to_N`), not a Python loop of inserts, so the whole
world takes minutes. bench/bench_vouchers.py builds on it.

Children: child n is born on 2020-01-01 + (n mod 1825) days and gets the serial
n div 1825, so every first-11-digits is unique; the check digit is computed in SQL
(include/vouchers/ids.py's algorithm); a child whose digits admit no check digit with
the 7th digit 5 takes 6, and the few that admit neither are left out. Child n goes to
provider n mod P (the providers ordered by BIN).
"""

from __future__ import annotations

import random
from datetime import date

from include.sandbox.demo_data.vouchers import add_provider, add_region, make_bin
from include.vouchers.ids import WEIGHTS_1, WEIGHTS_2

GENERATED_START = date(2026, 1, 10)  # every generated contract starts here, open-ended


def _weighted(column: str, weights: tuple[int, ...]) -> str:
    terms = " + ".join(f"SUBSTRING({column}, {i + 1}, 1) * {w}" for i, w in enumerate(weights))
    return f"MOD({terms}, 11)"


def check_digit_sql(column: str) -> str:
    """SQL: the 12th digit of the 11-digit text `column`, NULL when there is none."""
    first, second = _weighted(column, WEIGHTS_1), _weighted(column, WEIGHTS_2)
    return f"CASE WHEN {first} < 10 THEN {first} WHEN {second} < 10 THEN {second} END"


def add_world(cursor, providers: int, regions: int, seed: int) -> list[str]:
    """Regions and providers in the sandbox registry (every fifth estimate-funded);
    returns the BINs. 10^4 rows: one executemany is enough here."""
    rng = random.Random(seed)
    codes = [f"R{n:02d}" for n in range(min(regions, providers))]
    for code in codes:
        add_region(cursor, code, f"Регион {code}", make_bin(rng, date(2005, 3, 1)), "ГУ")
    bins = []
    for n in range(providers):
        bin_ = make_bin(rng, date(2000 + n % 25, n % 12 + 1, 1))
        while bin_ in bins[-50:]:
            bin_ = make_bin(rng, date(2000 + n % 25, n % 12 + 1, 1))
        estimate = n % 5 == 4
        add_provider(
            cursor, bin_, f"Детский сад №{n + 1}", codes[n % len(codes)],
            "estimate" if estimate else "voucher", "3000000.00" if estimate else None,
        )  # fmt: skip
        bins.append(bin_)
    return bins


CHILDREN = """
INSERT INTO lms_contract (contract_id, bin, iin, child_name, group_name, group_type,
    start_date, end_date)
SELECT CONCAT('C', LPAD(kid.n, 8, '0')), p.bin,
    CASE WHEN kid.c5 IS NOT NULL THEN CONCAT(kid.f5, kid.c5) ELSE CONCAT(kid.f6, kid.c6) END,
    'Ребёнок', 'Группа', 'general', %(start)s, NULL
FROM (
    SELECT digits.n, digits.f5, digits.f6, {c5} AS c5, {c6} AS c6
    FROM (
        SELECT seq AS n,
            CONCAT(DATE_FORMAT(DATE_ADD('2020-01-01', INTERVAL seq MOD 1825 DAY), '%%y%%m%%d'),
                '5', LPAD(seq DIV 1825, 4, '0')) AS f5,
            CONCAT(DATE_FORMAT(DATE_ADD('2020-01-01', INTERVAL seq MOD 1825 DAY), '%%y%%m%%d'),
                '6', LPAD(seq DIV 1825, 4, '0')) AS f6
        FROM seq_0_to_{last}
    ) AS digits
) AS kid
INNER JOIN gen_provider AS p ON p.k = kid.n MOD %(providers)s
WHERE kid.c5 IS NOT NULL OR kid.c6 IS NOT NULL
"""


def add_children(cursor, children: int) -> int:
    """`children` contracts in the LMS (open-ended, from GENERATED_START) and one active
    voucher each in the registry, in two statements; returns the contracts written."""
    cursor.execute("DROP TEMPORARY TABLE IF EXISTS gen_provider")
    cursor.execute(
        "CREATE TEMPORARY TABLE gen_provider (k INT PRIMARY KEY, bin CHAR(12) NOT NULL)"
        " SELECT ROW_NUMBER() OVER (ORDER BY bin) - 1 AS k, bin FROM vr_provider"
    )
    cursor.execute("SELECT COUNT(*) FROM gen_provider")
    (providers,) = cursor.fetchone()
    sql = CHILDREN.format(
        c5=check_digit_sql("digits.f5"), c6=check_digit_sql("digits.f6"), last=children - 1
    )
    cursor.execute(sql, {"start": GENERATED_START, "providers": providers})
    written = cursor.rowcount
    cursor.execute(
        "INSERT INTO vr_voucher (voucher_id, iin, bin, status, issued_on)"
        " SELECT CONCAT('V', SUBSTRING(contract_id, 2)), iin, bin, 'active', start_date"
        " FROM lms_contract"
    )
    return written


# One day's mark of every contract (86% present, 8% excused with a document, 6%
# unexcused), drawn from a hash of (child, day, seed): the LMS's raw marks of a day,
# and the accepted marks of the month's other days in the project DB.
MARKS_OF_DAYS = """
INSERT INTO {table} (bin, iin, mark_date, code, document)
SELECT drawn.bin, drawn.iin, drawn.day,
    CASE WHEN drawn.r < 86 THEN 'present' WHEN drawn.r < 94 THEN 'absent_excused'
        ELSE 'absent_unexcused' END,
    drawn.r >= 86 AND drawn.r < 94
FROM (
    SELECT c.bin, c.iin, d.day, MOD(CRC32(CONCAT(c.iin, d.day, %(seed)s)), 100) AS r
    FROM {source} AS c
    INNER JOIN ({days}) AS d
    WHERE c.bin BETWEEN %(bin_from)s AND %(bin_to)s
) AS drawn
ORDER BY drawn.bin, drawn.iin, drawn.day
"""


def add_marks_of_days(cursor, table: str, source: str, days: list[date], seed: int,
                      bins: list[str], chunk: int = 500) -> int:  # fmt: skip
    """Every contract's mark of each of `days` into `table` (lms_mark in the sandbox,
    voucher_mark in the project DB), in key order, `chunk` providers a statement
    (commit between them: one transaction of 2·10^7 rows would hold its undo log)."""
    union = " UNION ALL ".join(f"SELECT DATE('{d.isoformat()}') AS day" for d in days)
    sql = MARKS_OF_DAYS.format(table=table, source=source, days=union)
    ordered, written = sorted(bins), 0
    for start in range(0, len(ordered), chunk):
        part = ordered[start : start + chunk]
        cursor.execute(sql, {"seed": seed, "bin_from": part[0], "bin_to": part[-1]})
        written += cursor.rowcount
        cursor.connection.commit()
    return written
