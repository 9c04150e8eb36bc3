"""Property-based tests (hypothesis): hostile rows in every feed, through the real task
functions against the sandbox and the real MariaDB.

Each example arms the sandbox to append raw JSON items (good and hostile rows mixed) to
a feed's first page (`extra_items`: the typed sandbox tables cannot hold a string where
an integer goes), runs the task functions the DAGs call, and asserts: no crash, every
bad row rejected with a field and a reason (once per key in `feed_reject`), the good
rows processed, nothing written outside the run's store folder, and the watermark (or
the ingest record) where the good rows put it.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from include.sandbox.environment import PROJECT_ROOT
from tests.db import query

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- hostile text ----------------------------------------------------------------------
WEIRD_BUT_VALID_TEXT = [
    "<script>alert('x')</script> Математика",
    "'; DROP TABLE kontur_recording; --",
    "../../etc/passwd",
    "C:\\Windows\\system32",
    "ЕГЭ Физика — 数学 🎓 Ünïcödé",
    "  padded   with   spaces  ",
    '"quoted" & <b>bold</b>',
]
CONTROL_TEXT = ["line\nbreak", "nul\x00byte", "esc\x1b[31mred", "bell\x07", "del\x7f", "\u2028sep"]
HUGE = "Ж" * 70_000


def _project_entries() -> set[str]:
    """Files and folders two levels below the project root, outside the store and tools."""
    skip = {".git", ".venv", ".local", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}
    seen = set()
    for top in os.listdir(PROJECT_ROOT):
        if top in skip:
            continue
        seen.add(top)
        path = PROJECT_ROOT / top
        if path.is_dir():
            seen.update(f"{top}/{name}" for name in os.listdir(path) if name != "__pycache__")
    return seen


def _store_files(root) -> set[str]:
    base = str(root).removeprefix("file://")
    return {
        os.path.relpath(os.path.join(folder, name), base)
        for folder, _, names in os.walk(base)
        for name in names
    }


# --- Kontur.Talk -----------------------------------------------------------------------
_serial = itertools.count(1)


def _good_entity(draw_title: str, minutes_ago: int) -> dict:
    n = next(_serial)
    created = datetime.now(UTC) - timedelta(minutes=minutes_ago + 5)
    return {
        "id": f"hyp-{n}",
        "key": f"hyp-good-{n}",
        "title": draw_title,
        "createdDate": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "createdBy": {"email": "teacher@example.edu"},
        "roomName": "Аудитория 101",
        "participantsCount": 12,
        "size": 123456,
        "duration": 1800,
        "somethingNew": {"the API may": "add fields"},
    }


good_entities = st.builds(
    _good_entity,
    st.sampled_from(WEIRD_BUT_VALID_TEXT)
    | st.text(min_size=1, max_size=60).filter(
        lambda t: t.strip() and not any(c in t for c in "\x00\x1f\x7f") and t.isprintable()
    ),
    st.integers(min_value=0, max_value=3 * 24 * 60),
)


def _without(name: str):
    """A mutation: the row without the field `name`."""
    return lambda row: {k: v for k, v in row.items() if k != name}


def _set(**values):
    """A mutation: the row with these fields set."""
    return lambda row: row | values


KONTUR_MUTATIONS = {
    "missing key": _without("key"),
    "missing createdDate": _without("createdDate"),
    "missing duration": _without("duration"),
    "null title": _set(title=None),
    "createdBy a string": _set(createdBy="teacher@example.edu"),
    "createdBy a list": _set(createdBy=["x"]),
    "participantsCount many": _set(participantsCount="many"),
    "participantsCount bool": _set(participantsCount=True),
    "participantsCount huge": _set(participantsCount=10**12),
    "size negative": _set(size=-1),
    "duration text": _set(duration="60"),
    "duration zero": _set(duration=0),
    "duration negative": _set(duration=-5),
    "date far past": _set(createdDate="0001-01-01T00:00:00Z"),
    "date far future": _set(createdDate="9999-12-31T23:59:59Z"),
    "date zoned before year 1": _set(createdDate="0001-01-01T00:00:00+05:00"),
    "date zoned past year 9999": _set(createdDate="9999-12-31T23:00:00-05:00"),
    "date text": _set(createdDate="yesterday"),
    "date number": _set(createdDate=1700000000),
    "empty title": _set(title="   "),
    "huge title": _set(title=HUGE),
    **{f"control title {n}": _set(title=f"Физика {text}") for n, text in enumerate(CONTROL_TEXT)},
    "path key": _set(key="../../etc/passwd"),
    "key with space": _set(key="a key"),
    "huge key": _set(key="k" * 5000),
    "numeric key": _set(key=12345),
    "empty key": _set(key=""),
    "control id": _set(id="id\x00"),
    "entity a string": lambda e: "not an entity",
    "entity null": lambda e: None,
}


@st.composite
def bad_entities(draw):
    base = _good_entity("Плохая запись", draw(st.integers(0, 600)))
    base["key"] = base["key"].replace("good", "bad")
    name = draw(st.sampled_from(sorted(KONTUR_MUTATIONS)))
    return name, KONTUR_MUTATIONS[name](base)


_clock = itertools.count(1)


@EXAMPLES
@given(
    good=st.lists(good_entities, max_size=4),
    bad=st.lists(bad_entities(), min_size=1, max_size=4),
    duplicate=st.booleans(),
    order=st.randoms(use_true_random=False),
)
def test_kontur_hostile_entities_are_rejected_and_the_good_ones_published_to_the_store(
    stack, store_root, good, bad, duplicate, order
):
    from include.config import KonturRecordingsSettings
    from include.recordings.feed import FEED, entity_key
    from include.tasks import kontur_recordings as steps

    stack.reset()
    rows = list(good) + [entity for _, entity in bad]
    if duplicate and good:  # the same key twice in one poll: stored once, the last one wins
        rows.append(good[0] | {"title": good[0]["title"] + " (исправлено)"})
    order.shuffle(rows)
    stack.arm("kontur", "/api/Domain/recordings", "extra_items", items=rows)
    clock = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=15 * next(_clock))
    run_id = f"hypothesis__{clock:%Y%m%dT%H%M%S}"
    stored = KonturRecordingsSettings().model_dump(mode="json")
    before_project = _project_entries()
    before_store = _store_files(store_root)

    polled = steps.poll_recordings.function(stored, run_id=run_id, logical_date=clock)
    checked = steps.check_recordings.function(polled, run_id=run_id)
    staged = steps.stage_recordings.function(checked, run_id=run_id)
    steps.record_watermark.function(polled, {}, run_id=run_id)

    # every bad row rejected with its field and reason, recorded once per key
    rejects = json.loads(open(checked["rejects_json"].removeprefix("file://")).read())
    by_key = {r["key"]: r for r in rejects}
    for name, entity in bad:
        key = entity_key(entity)
        assert key in by_key, (name, key)
        assert by_key[key]["field"] and by_key[key]["reason"], name
    open_keys = {
        r[0]
        for r in query(
            "pipelines",
            "SELECT record_key FROM feed_reject WHERE feed = %s AND resolved_at IS NULL",
            FEED,
        )
    }
    assert {entity_key(entity) for _, entity in bad} <= open_keys
    assert staged["rejects_recorded"] == len(rejects)
    # the good rows are stored (once per key, the last row of a key wins)
    for entity in good:
        found = query(
            "pipelines",
            "SELECT title, participants_count FROM kontur_recording WHERE recording_key = %s",
            entity["key"],
        )
        assert len(found) == 1, entity["key"]
        last = [r for r in rows if isinstance(r, dict) and r.get("key") == entity["key"]][-1]
        assert found[0][0] == last["title"].strip()
    # the watermark is the window's end: rejected rows never hold it back
    (watermark,) = query("pipelines", "SELECT watermark FROM kontur_watermark")[0]
    assert watermark >= clock.replace(tzinfo=None)
    # nothing was written outside the run's folder of the store
    assert _project_entries() == before_project
    new_files = _store_files(store_root) - before_store
    assert all(f.startswith(f"kontur_recordings{os.sep}{run_id}{os.sep}") for f in new_files)


def test_a_malformed_entity_no_longer_blocks_publishing_and_is_reported_until_fixed(
    stack, store_root
):
    """Issue 14: a `createdBy` string and a `participantsCount` "many" used to stop every
    poll; now they are rejected once, the others are staged, the watermark moves on."""
    from include.config import KonturRecordingsSettings
    from include.tasks import kontur_recordings as steps

    stored = KonturRecordingsSettings().model_dump(mode="json")
    good = _good_entity("ПО Информатика", 30)
    broken = _good_entity("ПО Физика", 40) | {"createdBy": "someone", "key": "issue14-a"}
    many = _good_entity("ПО Химия", 50) | {"participantsCount": "many", "key": "issue14-b"}
    stack.reset()
    stack.arm(
        "kontur", "/api/Domain/recordings", "extra_items", times=3, items=[good, broken, many]
    )
    clocks = [datetime.now(UTC) + timedelta(minutes=15 * n) for n in (1, 2)]
    for clock in clocks:
        run_id = f"issue14__{clock:%H%M%S}"
        polled = steps.poll_recordings.function(stored, run_id=run_id, logical_date=clock)
        checked = steps.check_recordings.function(polled, run_id=run_id)
        staged = steps.stage_recordings.function(checked, run_id=run_id)
        steps.record_watermark.function(polled, {}, run_id=run_id)
        assert staged["open_rejects"] >= 2
    counts = query(
        "pipelines",
        "SELECT record_key, field, COUNT(*) FROM feed_reject WHERE record_key LIKE 'issue14-%%'"
        " GROUP BY record_key, field ORDER BY record_key",
    )
    assert [tuple(r) for r in counts] == [
        ("issue14-a", "createdBy", 1),
        ("issue14-b", "participantsCount", 1),
    ]
    assert query(
        "pipelines", "SELECT COUNT(*) FROM kontur_recording WHERE recording_key = %s", good["key"]
    )
    assert query("pipelines", "SELECT watermark FROM kontur_watermark")[0][0] >= clocks[-1].replace(
        tzinfo=None
    )
    summary, counts, _ = steps.report_line(
        polled,
        checked,
        {"publish": False, "reason": "auto_publish is off"},
        {},
        {},
        {},
        {},
        staged,
    )
    assert "still open in feed_reject" in summary and counts["open_rejects"] >= 2
    # the source fixes one: it is resolved, the other stays open
    stack.reset()
    stack.arm(
        "kontur", "/api/Domain/recordings", "extra_items", items=[broken | {"createdBy": None}]
    )
    clock = clocks[-1] + timedelta(minutes=15)
    run_id = f"issue14__{clock:%H%M%S}"
    polled = steps.poll_recordings.function(stored, run_id=run_id, logical_date=clock)
    steps.stage_recordings.function(
        steps.check_recordings.function(polled, run_id=run_id), run_id=run_id
    )
    resolved = dict(
        query(
            "pipelines",
            "SELECT record_key, resolved_at IS NOT NULL FROM feed_reject"
            " WHERE record_key LIKE 'issue14-%%'",
        )
    )
    assert resolved == {"issue14-a": 1, "issue14-b": 0}


# --- kindergarten LMS ------------------------------------------------------------------
DAY = date(2026, 4, 15)  # a Wednesday, a working day in the shipped calendar
RNG = random.Random(14)


def _lms_world():
    from include.sandbox.demo_data import vouchers as demo

    bin_ = demo.make_bin(RNG, date(2019, 6, 1))
    children = [demo.make_iin(RNG, date(2021, 2, n + 1)) for n in range(6)]
    return bin_, children


LMS_BIN, CHILDREN = _lms_world()


def _contract(n: int) -> dict:
    return {
        "contract_id": f"HYP-{n}",
        "iin": CHILDREN[n],
        "child_name": f"  Ребёнок   {n}  ",
        "group_name": "Группа «Солнышко»",
        "group_type": "general",
        "start_date": "2026-01-10",
        "end_date": None,
    }


def _mark(n: int) -> dict:
    return {"iin": CHILDREN[n], "date": DAY.isoformat(), "code": "present", "document": None}


MARK_MUTATIONS = {
    "missing iin": _without("iin"),
    "missing code": _without("code"),
    "iin a number": lambda m: m | {"iin": int(m["iin"])},
    "iin null": _set(iin=None),
    "iin huge": _set(iin="9" * 5000),
    "iin control": _set(iin="21\x0005"),
    "code huge": _set(code="present" * 100),
    "code a list": _set(code=["present"]),
    "code control": _set(code="pre\nsent"),
    "document text": _set(document="yes"),
    "document number": _set(document=1),
    "date another day": _set(date="2026-04-16"),
    "date far past": _set(date="0001-01-01"),
    "date far future": _set(date="9999-12-31"),
    "date text": _set(date="<b>today</b>"),
    "date number": _set(date=20260415),
    "mark a string": lambda m: "'; DROP TABLE voucher_mark; --",
}
CONTRACT_MUTATIONS = {
    "missing contract_id": _without("contract_id"),
    "iin short": _set(iin="123"),
    "name empty": _set(child_name="   "),
    "name huge": _set(child_name=HUGE),
    "name control": _set(child_name="Имя\x1b[0m"),
    "group_type path": _set(group_type="../../etc"),
    "start text": _set(start_date="soon"),
    "end before start": _set(end_date="2025-01-01"),
    "id huge": _set(contract_id="C" * 500),
}


@EXAMPLES
@given(
    good=st.sets(st.integers(0, 3), max_size=4),
    bad_marks=st.lists(
        st.tuples(st.sampled_from(sorted(MARK_MUTATIONS)), st.integers(0, 5)),
        min_size=1,
        max_size=4,
    ),  # fmt: skip
    bad_contracts=st.lists(
        st.tuples(st.sampled_from(sorted(CONTRACT_MUTATIONS)), st.integers(4, 5)), max_size=2
    ),
    order=st.randoms(use_true_random=False),
)
def test_lms_hostile_contracts_and_marks_are_rejected_and_the_good_marks_stored(
    stack, store_root, good, bad_marks, bad_contracts, order
):
    from include.feed_schema import row_key
    from include.tasks.voucher_ingest import IngestRun, flag_double_funding, ingest_marks

    stack.reset()
    contracts = [_contract(n) for n in range(4)]
    bad_c = [(name, CONTRACT_MUTATIONS[name](_contract(n))) for name, n in bad_contracts]
    contracts += [c for _, c in bad_c]
    marks = [_mark(n) for n in sorted(good)]
    bad_m = [(name, MARK_MUTATIONS[name](_mark(n))) for name, n in bad_marks]
    marks += [m for _, m in bad_m]
    order.shuffle(contracts)
    order.shuffle(marks)
    base = f"/providers/{LMS_BIN}"
    stack.arm("lms", f"{base}/contracts", "extra_items", items=contracts)
    stack.arm("lms", f"{base}/attendance", "extra_items", items=marks)
    before_project = _project_entries()
    run_id = f"hypothesis__lms_{next(_clock)}"

    run = IngestRun(days=[DAY]).model_dump(mode="json")
    counts = ingest_marks.function([LMS_BIN], run, run_id=run_id)
    checked = flag_double_funding([DAY])

    open_marks = {
        r[0]
        for r in query(
            "pipelines",
            "SELECT record_key FROM feed_reject WHERE feed = 'lms_attendance'"
            " AND scope = %s AND resolved_at IS NULL",
            f"{LMS_BIN}/{DAY}",
        )
    }
    assert {f"{LMS_BIN}/{DAY}/{row_key(m, 'iin')}" for _, m in bad_m} == open_marks
    open_contracts = {
        r[0]
        for r in query(
            "pipelines",
            "SELECT record_key FROM feed_reject WHERE feed = 'lms_contracts' AND scope = %s"
            " AND resolved_at IS NULL",
            LMS_BIN,
        )
    }
    assert {f"{LMS_BIN}/{row_key(c, 'contract_id')}" for _, c in bad_c} == open_contracts
    stored = {
        r[0]
        for r in query(
            "pipelines",
            "SELECT iin FROM voucher_mark WHERE bin = %s AND mark_date = %s",
            LMS_BIN,
            DAY,
        )
    }
    # the good marks are stored unless a hostile row of the same child was a rule reject
    assert stored == {CHILDREN[n] for n in good}
    (ingested,) = query(
        "pipelines",
        "SELECT accepted FROM voucher_ingested_day WHERE bin = %s AND register_date = %s",
        LMS_BIN,
        DAY,
    )
    assert ingested[0] == len(good) and counts["schema_rejected"] >= len(open_marks)
    # the rejects file lists the schema rejects too, IINs masked
    body = open(checked["rejects_file"].removeprefix("file://"), encoding="utf-8").read()
    assert all(child not in body for child in CHILDREN)
    if open_marks:
        assert "schema: " in body
    assert _project_entries() == before_project


# --- voucher registry ------------------------------------------------------------------
PROVIDER = {
    "bin": None,
    "name": "ТОО «Гипотеза»",
    "region_code": "HYP",
    "funding_model": "voucher",
    "lms_name": "lms",
    "estimate_monthly": None,
    "address": "ул. Абая, 1",
}
PROVIDER_MUTATIONS = {
    "bin short": _set(bin="12"),
    "bin a number": _set(bin=990640000123),
    "funding unknown": _set(funding_model="cash"),
    "estimate text": _set(estimate_monthly="a lot"),
    "estimate negative": _set(estimate_monthly="-5.00"),
    "estimate float": _set(estimate_monthly=1500.5),
    "name control": _set(name="ТОО\x00"),
    "name huge": _set(name=HUGE),
    "address null": _set(address=None),
    "missing region": _without("region_code"),
}
NORM_MUTATIONS = {
    "amount text": {"monthly_amount": "много"},
    "amount number": {"monthly_amount": 56000},
    "amount 3 decimals": {"monthly_amount": "1.005"},
    "amount huge": {"monthly_amount": "9" * 40},
    "region path": {"region_code": "../x"},
}


@EXAMPLES
@given(
    good=st.integers(0, 3),
    bad=st.lists(st.sampled_from(sorted(PROVIDER_MUTATIONS)), min_size=1, max_size=3),
    bad_norm=st.sampled_from(sorted(NORM_MUTATIONS)),
    twice=st.booleans(),
)
def test_registry_hostile_rows_are_rejected_and_the_good_ones_stored(
    stack, store_root, good, bad, bad_norm, twice
):
    from include.sandbox.demo_data import vouchers as demo
    from include.tasks.vouchers_common import extract_registry

    stack.reset()
    rng = random.Random(next(_clock))
    good_rows = [PROVIDER | {"bin": demo.make_bin(rng, date(2018, 1, 1))} for _ in range(good)]
    bad_rows = [
        PROVIDER_MUTATIONS[name](PROVIDER | {"bin": demo.make_bin(rng, date(2017, 1, 1))})
        for name in bad
    ]
    rows = good_rows + bad_rows
    dup_bin = demo.make_bin(rng, date(2016, 1, 1))
    if twice:  # a key twice in one answer: both rows rejected, we cannot tell which is true
        rows += [PROVIDER | {"bin": dup_bin}, PROVIDER | {"bin": dup_bin, "name": "Другое"}]
    norm = {"region_code": "HYP", "age_group": "early", "group_type": "general",
            "monthly_amount": "1.00"} | NORM_MUTATIONS[bad_norm]  # fmt: skip
    stack.arm("registry", "/providers", "extra_items", items=rows)
    stack.arm("registry", "/norms", "extra_items", items=[norm])
    before_project = _project_entries()

    result = extract_registry.function({}, run_id=f"hypothesis__registry_{next(_clock)}")

    stored = {
        r[0]
        for r in query("pipelines", "SELECT bin FROM voucher_provider WHERE region_code = 'HYP'")
    }
    assert {p["bin"] for p in good_rows} <= stored
    assert not {p.get("bin") for p in bad_rows if isinstance(p.get("bin"), str)} & stored - {
        p["bin"] for p in good_rows
    }
    open_rejects = {
        r[0]: r[1]
        for r in query(
            "pipelines",
            "SELECT record_key, reason FROM feed_reject WHERE feed = 'registry_providers'"
            " AND resolved_at IS NULL",
        )
    }
    from include.feed_schema import row_key

    for row in bad_rows:
        assert row_key(row, "bin") in open_rejects
    if twice:
        assert "rows share this key" in open_rejects[dup_bin]
    assert result["open_feed_rejects"]["registry_norms"] == 1
    assert _project_entries() == before_project
