"""Demo data of the voucher pipeline: regions, providers, children with contracts and
vouchers, a month of attendance marks in the LMS, and risk flags in the registry.

Deterministic (seeded). Sizes: `voucher_regions`, `voucher_providers`,
`voucher_children` (spread over the providers). Marks cover the previous month
and the current month up to yesterday. Every IIN and BIN is generated with a
valid checksum; the demo month also holds the cases the pipeline must catch:
a bad IIN, an unknown code, an excused absence without document, a weekend
mark, a child present in two kindergartens on one day, a provider with tax
debt, a provider whose register has no `present` mark, a child's death, a
mid-month enrolment and exit, and an estimate-funded state kindergarten.

The per-capita norms are SAMPLE FIGURES for the demo, not official amounts.
The helpers (`add_region`, `add_provider`, `add_contract`, `add_marks`,
`add_flag`, `make_iin`, `make_bin`) are what the tests use to build a case.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np

from include.vouchers.calendar import WorkingCalendar, month_bounds
from include.vouchers.ids import complete

TEST_SIZES = {"voucher_regions": 1, "voucher_providers": 3, "voucher_children": 24}

# SAMPLE FIGURES (tenge per month) for the demo: region x age group x group type.
SAMPLE_NORMS = {
    ("early", "general"): "62500.00",
    ("preschool", "general"): "56000.00",
    ("early", "special"): "93750.00",
    ("preschool", "special"): "84000.00",
}
REGIONS = [
    ("ALA", "г. Алматы", "ГУ «Управление образования города Алматы»"),
    ("AST", "г. Астана", "ГУ «Управление образования города Астаны»"),
    ("KAR", "Карагандинская область", "ГУ «Управление образования Карагандинской области»"),
    ("TUR", "Туркестанская область", "ГУ «Управление образования Туркестанской области»"),
]
FIRST_NAMES = ["Алихан", "Амина", "Айсулу", "Нурислам", "Томирис", "Даниял", "Мирас", "Аяна",
               "София", "Арсен", "Медина", "Алия", "Ерасыл", "Жансая", "Тимур", "Дана"]  # fmt: skip
LAST_NAMES = ["Ахметов", "Сериков", "Ким", "Иванов", "Жумабаев", "Нуров", "Оспанов", "Ли",
              "Касымов", "Петров", "Абенов", "Темиров"]  # fmt: skip


def make_iin(rng: random.Random, born: date) -> str:
    """A valid IIN for a child born on `born` (21st century: 7th digit 5 or 6)."""
    while True:
        first11 = f"{born:%y%m%d}{rng.choice('56')}{rng.randrange(10000):04d}"
        number = complete(first11)
        if number:
            return number


def make_bin(rng: random.Random, registered: date, kind: str = "4") -> str:
    """A valid BIN (legal entity registered in `registered`'s month)."""
    while True:
        number = complete(f"{registered:%y%m}{kind}0{rng.randrange(100000):05d}")
        if number:
            return number


def child_name(rng: random.Random, iin: str) -> str:
    last = rng.choice(LAST_NAMES)
    female = iin[6] in "246"
    if female and last[-2:] in ("ов", "ев", "ин"):
        last += "а"
    return f"{last} {rng.choice(FIRST_NAMES)}"


def add_region(cursor, code: str, name: str, emitent_bin: str, emitent_name: str) -> None:
    cursor.execute(
        "INSERT INTO vr_region (code, name, emitent_bin, emitent_name) VALUES (%s, %s, %s, %s)",
        (code, name, emitent_bin, emitent_name),
    )
    cursor.executemany(
        "INSERT INTO vr_norm (region_code, age_group, group_type, monthly_amount)"
        " VALUES (%s, %s, %s, %s)",
        [(code, age, group, amount) for (age, group), amount in SAMPLE_NORMS.items()],
    )


def add_provider(
    cursor,
    bin_: str,
    name: str,
    region: str,
    funding_model: str = "voucher",
    estimate: str | None = None,
    address: str = "ул. Абая, 1",
) -> None:
    cursor.execute(
        "INSERT INTO vr_provider (bin, name, region_code, funding_model, lms_name,"
        " estimate_monthly, address) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (bin_, name, region, funding_model, "Kindergarten LMS (sandbox)", estimate, address),
    )


def add_contract(
    cursor,
    contract_id: str,
    bin_: str,
    iin: str,
    name: str,
    start: date,
    end: date | None = None,
    group_type: str = "general",
    voucher_id: str | None = None,
) -> str:
    """An LMS contract and (unless `voucher_id` is '') the registry's active voucher."""
    cursor.execute(
        "INSERT INTO lms_contract (contract_id, bin, iin, child_name, group_name, group_type,"
        " start_date, end_date) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (contract_id, bin_, iin, name, "Группа «Солнышко»", group_type, start, end),
    )
    voucher_id = voucher_id if voucher_id is not None else f"V-{contract_id}"
    if voucher_id:
        cursor.execute(
            "INSERT INTO vr_voucher (voucher_id, iin, bin, status, issued_on)"
            " VALUES (%s, %s, %s, 'active', %s)",
            (voucher_id, iin, bin_, start),
        )
    return voucher_id


def add_marks(cursor, rows: list[tuple]) -> None:
    """Raw register rows: (bin, iin, mark_date, code, document)."""
    for start in range(0, len(rows), 20000):
        cursor.executemany(
            "INSERT INTO lms_mark (bin, iin, mark_date, code, document) VALUES (%s, %s, %s, %s, %s)",
            rows[start : start + 20000],
        )


def add_flag(cursor, kind: str, flagged_on: date, bin_=None, iin=None, resolved_on=None) -> int:
    cursor.execute(
        "INSERT INTO vr_risk_flag (kind, bin, iin, flagged_on, resolved_on, detail)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (kind, bin_, iin, flagged_on, resolved_on, f"{kind} (sandbox)"),
    )
    return cursor.lastrowid


def full_marks(
    bin_: str, iin: str, days: list[date], rng: np.random.Generator, present: float = 0.86
) -> list[tuple]:
    """A realistic register for one child: present, excused with document, unexcused."""
    draw = rng.random(len(days))
    rows = []
    for day, x in zip(days, draw, strict=True):
        if x < present:
            rows.append((bin_, iin, day, "present", 0))
        elif x < present + 0.08:
            rows.append((bin_, iin, day, "absent_excused", 1))
        else:
            rows.append((bin_, iin, day, "absent_unexcused", 0))
    return rows


def demo_window(today: date | None = None) -> tuple[str, date, date]:
    """The demo month (the previous one) and the marks' first and last day (yesterday)."""
    today = today or date.today()
    period = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return period, month_bounds(period)[0], today - timedelta(days=1)


PERIOD, FIRST_DAY, LAST_DAY = demo_window()
DEMO_RUNS = {
    "voucher_ingest": (
        0,
        {"day_from": FIRST_DAY.isoformat(), "day": month_bounds(PERIOD)[1].isoformat()},
    ),
    "voucher_acts": (0, {"period": PERIOD}),
    "voucher_payments": (0, {}),
}


def seed(context) -> str:
    rng = random.Random(context.seed)
    nrng = np.random.default_rng(context.seed)
    n_regions = min(context.size("voucher_regions", 3), len(REGIONS))
    n_providers = max(context.size("voucher_providers", 12), 3)
    n_children = max(context.size("voucher_children", 600), n_providers)
    cursor = context.sandbox.cursor()
    period, first, last = demo_window()
    month_last = month_bounds(period)[1]
    calendar = WorkingCalendar.for_years({first.year, last.year})
    days = calendar.working_days(first, last)
    regions = REGIONS[:n_regions]
    for code, name, emitent in regions:
        add_region(cursor, code, name, make_bin(rng, date(2005, 3, 1)), emitent)
    providers = []
    for n in range(n_providers):
        bin_ = make_bin(rng, date(2010 + n % 12, n % 12 + 1, 1))
        code = regions[n % n_regions][0]
        estimate = n % 4 == 3
        kind = "ГККП «Ясли-сад №%d»" if estimate else "ТОО «Детский сад «Балапан-%d»»"
        add_provider(
            cursor, bin_, kind % (n + 1), code, "estimate" if estimate else "voucher",
            "4500000.00" if estimate else None, f"ул. Достык, {n + 1}",
        )  # fmt: skip
        providers.append(bin_)
    marks: list[tuple] = []
    children = []
    for n in range(n_children):
        bin_ = providers[n % n_providers]
        born = date(2020, 1, 1) + timedelta(days=rng.randrange(5 * 365))
        iin = make_iin(rng, born)
        start, end = first - timedelta(days=rng.randrange(200)), None
        if n % 25 == 5:  # mid-month enrolment
            start = first + timedelta(days=9)
        if n % 25 == 7:  # mid-month exit
            end = first + timedelta(days=13)
        group = "special" if n % 10 == 9 else "general"
        add_contract(cursor, f"C{n + 1:07d}", bin_, iin, child_name(rng, iin), start, end, group)
        children.append((bin_, iin))
        inside = [d for d in days if d >= start and (end is None or d <= end)]
        if bin_ == providers[1]:  # empty register: the provider did not operate
            marks.extend((bin_, iin, d, "absent_unexcused", 0) for d in inside)
        else:
            marks.extend(full_marks(bin_, iin, inside, nrng))
    # the cases the register checks and the risk rules must catch
    some_day = days[2]
    bin0, iin0 = children[0]
    # an excused absence without its document replaces child 0's mark of days[4]
    marks = [m for m in marks if not (m[0] == bin0 and m[1] == iin0 and m[2] == days[4])]
    marks.append((bin0, iin0, days[4], "absent_excused", 0))
    marks.append((bin0, "123456789012", some_day, "present", 0))  # invalid IIN
    marks.append((bin0, iin0, days[3], "sick", 1))  # unknown code (its valid mark stands)
    saturday = next(first + timedelta(k) for k in range(7) if (first + timedelta(k)).weekday() == 5)
    marks.append((bin0, iin0, saturday, "present", 0))  # not a working day
    twin_bin, twin_iin = children[2]
    other = providers[0] if twin_bin != providers[0] else providers[-1]
    # a second contract (no voucher) at another kindergarten, present there on `some_day`
    add_contract(cursor, "C-TWIN", other, twin_iin, "Двойной учёт", first, None, voucher_id="")
    marks.extend(
        (other, twin_iin, d, "present" if d == some_day else "absent_unexcused", 0) for d in days
    )
    add_marks(cursor, marks)
    add_flag(cursor, "tax_debt", first + timedelta(days=5), bin_=providers[2 % n_providers])
    died = children[n_children // 2]
    add_flag(cursor, "death", first + timedelta(days=15), iin=died[1])
    context.sandbox.commit()
    return (
        f"vouchers: {n_regions} regions, {n_providers} providers, {n_children} children with"
        f" contracts, {len(marks)} register rows {first}..{min(last, month_last)}+ (SAMPLE norms)"
    )
