"""eios_sync's pure domain: quality rules, the plan for each movement, the guard,
batch isolation, history names and retention. No network, milliseconds."""

from __future__ import annotations

from datetime import datetime

import pytest

from include.config import EiosSyncSettings, SettingsError, parse_settings
from include.eios.batching import send_in_batches
from include.eios.guard import mass_graduation_guard
from include.eios.history import expired_files, history_file_name
from include.eios.plan import plan_sync
from include.eios.quality import split_rejects

NOW = datetime(2026, 11, 20, 12, 0, 0)
PATTERN = EiosSyncSettings().group_code_pattern


def item(sid="1", **extra) -> dict:
    base = {
        "student_id": sid,
        "login": f"s{sid}",
        "last_name": "Иванов",
        "first_name": "Иван",
        "middle_name": "",
        "email": f"s{sid}@example.edu",
        "faculty_id": "F1",
        "group_code": "ЭК-21",
        "status": "studying",
        "status_date": "2026-11-01",
        "changed_at": "2026-11-10T10:00:00",
    }
    return {**base, **extra}


def user(uid, sid, suspended=0, **extra) -> dict:
    base = {
        "id": uid,
        "username": f"s{sid}",
        "idnumber": sid,
        "firstname": "Иван",
        "lastname": "Иванов",
        "middlename": "",
        "email": f"s{sid}@example.edu",
        "auth": "manual",
        "suspended": suspended,
        "department": "Факультет",
    }
    return {**base, **extra}


def plan(items, users=(), members=(), on_leave="suspend", limit=0, lower=None, roster=None):
    return plan_sync(
        list(items),
        roster if roster is not None else {i["student_id"] for i in items},
        list(users),
        list(members),
        faculty_id="F1",
        faculty_name="Факультет",
        lower_bound=lower,
        username_template="{login}",
        auth="manual",
        on_leave=on_leave,
        limit=limit,
    )


def kinds(p) -> list[str]:
    return [a["kind"] for a in p.actions]


IN_GROUP = [
    {"cohortid": 7, "idnumber": "group:ЭК-21", "name": "ЭК-21", "userid": 10},
    {"cohortid": 7, "idnumber": "group:ЭК-21", "name": "ЭК-21", "userid": 11},
]


# A good row with these changes, and a word of the reason it is rejected with: the feed's
# own rules (include/eios/quality.py) and Moodle's (include/eios/moodle_rules.py)
BAD_ROWS = {
    "e-mail": ({"email": "bad@@x"}, "e-mail"),
    "group code": ({"group_code": "группа ?"}, "group_code"),
    "status": ({"status": "dropped"}, "status"),
    "faculty": ({"faculty_id": "F2"}, "scanned faculty"),
    "future": ({"changed_at": "2027-01-01T00:00:00"}, "future"),
    "first name": ({"first_name": ""}, "first_name"),
    "login case": ({"login": "Bad Login"}, "Moodle does not allow"),
    "e-mail dots": ({"email": "ivan..tochkin@students.example.edu"}, "validate_email"),
    "name tag": ({"last_name": "<script>x</script>"}, "tag"),
    "e-mail brackets": ({"email": "ivan<4>@example.edu"}, "validate_email"),
    "login space": ({"login": "ivan tochkin"}, "PARAM_USERNAME"),
}


@pytest.mark.parametrize(("changes", "reason"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_quality_rules_reject_a_bad_row_with_its_reason(changes, reason):
    accepted, rejects = split_rejects(
        [item("1"), item("2", **changes)], "F1", PATTERN, "{login}", NOW
    )
    assert [r["student_id"] for r in accepted] == ["1"]
    assert [r["student_id"] for r in rejects] == ["2"] and reason in rejects[0]["reason"]


def test_quality_rules_reject_repeated_and_missing_ids_and_allow_no_email():
    rows = [item("1"), item("6", email=""), item("8"), item("8"), item("", login="x")]
    accepted, rejects = split_rejects(rows, "F1", PATTERN, "{login}", NOW)
    # no e-mail is allowed in the feed (a new user is refused later)
    assert [r["student_id"] for r in accepted] == ["1", "6"]
    reasons = {r["student_id"]: r["reason"] for r in rejects}
    assert "more than once" in reasons["8"] and "student_id missing" in reasons[""]


def test_new_student_is_created_and_added_to_a_new_cohort():
    p = plan([item("1")])
    assert kinds(p) == ["create_cohort", "create_user", "add_member"]
    create = p.actions[1]["payload"]
    assert create["idnumber"] == "1" and create["username"] == "s1" and create["auth"] == "manual"
    assert p.actions[0]["payload"]["idnumber"] == "group:ЭК-21"


def test_unchanged_student_plans_nothing():
    assert plan([item("1")], [user(10, "1")], IN_GROUP).actions == []


def test_rename_and_email_change_are_one_update():
    p = plan([item("1", last_name="Петров", email="new@example.edu")], [user(10, "1")], IN_GROUP)
    assert kinds(p) == ["update_user"]
    assert p.actions[0]["payload"] == {"id": 10, "lastname": "Петров", "email": "new@example.edu"}


def test_transfer_moves_between_cohorts():
    members = [
        *IN_GROUP,
        {"cohortid": 8, "idnumber": "group:ЭК-22", "name": "ЭК-22", "userid": None},
    ]
    p = plan([item("1", group_code="ЭК-22")], [user(10, "1")], members)
    assert kinds(p) == ["remove_member", "add_member"]
    assert p.actions[0]["payload"] == {"cohortid": 7, "userid": 10}


@pytest.mark.parametrize("status", ["expelled", "academic_leave", "graduated"])
def test_leaving_suspends_and_keeps_membership_by_default(status):
    others = [item("2")]
    p = plan([item("1", status=status), *others], [user(10, "1"), user(11, "2")], IN_GROUP)
    assert kinds(p) == ["suspend"] and p.actions[0]["payload"] == {"id": 10, "suspended": 1}


def test_on_leave_can_also_remove_the_membership_but_not_for_graduates():
    users = [user(10, "1"), user(11, "2")]
    p = plan(
        [item("1", status="expelled"), item("2")], users, IN_GROUP, "suspend_and_remove_from_cohort"
    )
    assert kinds(p) == ["suspend", "remove_member"]


def test_reinstated_is_unsuspended_and_re_added():
    p = plan([item("1")], [user(10, "1", suspended=1)], [])
    assert kinds(p) == ["create_cohort", "unsuspend", "add_member"]


def test_missing_from_eios_changes_nothing_and_is_reported():
    p = plan([item("1")], [user(10, "1"), user(11, "2")], IN_GROUP)
    assert p.actions == [] and [m["student_id"] for m in p.missing] == ["2"]


def test_fully_graduated_group_cohort_is_archived_with_the_year():
    rows = [item("1", status="graduated"), item("2", status="graduated")]
    users = [user(10, "1", suspended=1), user(11, "2", suspended=1)]
    p = plan(rows, users, IN_GROUP)
    assert kinds(p) == ["archive_cohort"]
    payload = p.actions[0]["payload"]
    assert payload["name"] == "ЭК-21 (выпуск 2026)" and payload["visible"] == 0
    assert payload["idnumber"] == "group:ЭК-21:graduated-2026"


def test_limit_takes_oldest_first_and_the_watermark_points_at_the_rest():
    rows = [item(str(n), changed_at=f"2026-11-0{n}T00:00:00") for n in range(1, 6)]
    p = plan(rows, limit=2)
    created = [a["student_id"] for a in p.actions if a["kind"] == "create_user"]
    assert created == ["1", "2"] and p.deferred_students == 3
    assert p.watermark == "2026-11-03T00:00:00"
    later = plan(rows, lower=datetime(2026, 11, 3))
    assert [a["student_id"] for a in later.actions if a["kind"] == "create_user"] == ["3", "4", "5"]


def test_guard_holds_at_the_threshold_and_always_for_an_empty_feed():
    args = {"threshold_pct": 30, "min_active": 20, "confirmed": False}
    assert mass_graduation_guard("F", leaving=24, active=30, feed_size=30, **args).held
    assert not mass_graduation_guard("F", leaving=8, active=30, feed_size=30, **args).held
    assert not mass_graduation_guard("F", leaving=5, active=5, feed_size=5, **args).held
    assert mass_graduation_guard("F", leaving=0, active=3, feed_size=0, **args).held
    confirmed = {**args, "confirmed": True}
    assert not mass_graduation_guard("F", leaving=24, active=30, feed_size=30, **confirmed).held


class Rejected(Exception):
    pass


def test_a_rejected_batch_is_split_until_the_bad_rows_stand_alone():
    bad = {3, 6}

    def send(batch):
        if any(i in bad for i in batch):
            raise Rejected("Invalid parameter value detected")
        return {}

    outcome = send_in_batches(list(range(8)), send, 4, lambda exc: "split")
    assert [i for i, e in enumerate(outcome.errors) if e] == [3, 6]
    assert outcome.calls == 2 + 2 * 2 + 2 * 2  # 2 batches, each split twice down to the bad row


def test_an_unavailable_system_fails_the_batch_rows_and_keeps_going():
    def send(batch):
        if 0 in batch:
            raise Rejected("HTTP 503")
        return {2: "warning"} if 5 in batch else {}

    outcome = send_in_batches(list(range(6)), send, 3, lambda exc: "fail")
    assert outcome.errors == ["HTTP 503"] * 3 + [None, None, "warning"]


def test_history_names_and_retention():
    assert history_file_name(datetime(2026, 11, 20, 2, 30, 5)) == "2026-11-20_02-30-05.csv"
    names = ["2026-10-01_00-00-00.csv", "2026-11-15_00-00-00.csv", "notes.txt"]
    assert expired_files(names, NOW, 30) == ["2026-10-01_00-00-00.csv"]


@pytest.mark.parametrize(
    "bad",
    [
        {"mass_graduation_threshold_pct": 0},
        {"on_leave": "delete"},
        {"username_template": "{password}"},
        {"group_code_pattern": "(["},
        {"per_faculty_limit": -1},
    ],
)
def test_a_bad_setting_names_the_field(bad):
    with pytest.raises(SettingsError, match=next(iter(bad))):
        parse_settings(EiosSyncSettings, bad)


# --- Moodle's own validation, mirrored (include/eios/moodle_rules.py) ---------------

# PHP 8.2's filter_var(FILTER_VALIDATE_EMAIL) on each, recorded with `php -r` on the
# machine that runs the real Moodle 4.5.6; Moodle also refuses `<` and `>`.
PHP_EMAIL_ANSWERS = {
    "s1@students.example.edu": True,
    "ivan..tochkin@students.example.edu": False,
    ".ivan@example.edu": False,
    "ivan.@example.edu": False,
    "ivan@example": False,  # no dot in the domain
    "ivan@localhost.localdomain": True,
    "ivan@example.c0m": True,
    "ivan@example.123": False,
    "ivan@-example.com": False,
    "ivan@example-.com": False,
    "ivan@xn--80ak6aa92e.com": True,
    "ivan@[127.0.0.1]": True,
    "ivan@[IPv6:2001:db8::1]": True,
    "ivan@127.0.0.1": False,
    '"ivan.t"@example.edu': True,
    '"ivan t"@example.edu': False,
    "ivan+tag@example.edu": True,
    "o'brien@example.edu": True,
    "иван@example.edu": False,
    "ivan@пример.рф": False,
    "ivan@@example.edu": False,
    "ivan example@example.edu": False,
    "a" * 64 + "@example.edu": True,
    "a" * 65 + "@example.edu": False,
    "ivan@" + "b" * 63 + ".edu": True,
    "ivan@" + "b" * 64 + ".edu": False,
    "ivan@example.edu\n": False,
    "": False,
}


@pytest.mark.parametrize("address", sorted(PHP_EMAIL_ANSWERS))
def test_email_rule_is_phps_filter_validate_email(address):
    from include.eios.moodle_rules import moodle_email_valid, php_validate_email

    assert php_validate_email(address) == PHP_EMAIL_ANSWERS[address]
    assert moodle_email_valid(address) == PHP_EMAIL_ANSWERS[address]


def test_moodle_also_refuses_angle_brackets_and_line_breaks():
    from include.eios.moodle_rules import moodle_email_valid, php_validate_email

    assert not moodle_email_valid("ivan<x>@example.edu")
    assert not moodle_email_valid("ivan@example.edu\r")
    assert not moodle_email_valid(None)
    assert php_validate_email('"a<b"@example.edu') and not moodle_email_valid('"a<b"@example.edu')


def test_email_rule_is_fast_on_inputs_that_backtrack():
    import time

    from include.eios.moodle_rules import moodle_email_valid

    started = time.perf_counter()
    for address in ('a"' * 150 + "@", "a@" + "xn--a." * 60 + "-", "a@[IPv6:" + "1:" * 100 + "]"):
        assert not moodle_email_valid(address)
    assert time.perf_counter() - started < 1


EMAIL_PARTS = ["a", "Z", "0", ".", "@", "-", '"', "\\", "[", "]", ":", "xn--", "é", "!", " "]


def test_email_rule_never_accepts_what_a_plain_pattern_rules_out():
    """Property: every accepted address has one unquoted `@`, a non-empty local part and a
    dotted domain, and no white space outside quotes; no input raises or hangs."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from include.eios.moodle_rules import moodle_email_valid

    @settings(max_examples=400, deadline=200)
    @given(st.lists(st.sampled_from(EMAIL_PARTS), max_size=30).map("".join))
    def check(address):
        if moodle_email_valid(address):
            local, _, domain = address.rpartition("@")
            assert local and domain and ("." in domain or domain.startswith("["))
            assert '"' in local or " " not in address

    check()


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("ivan.tochkin", "ivan.tochkin"),
        (" Ivan ", "ivan"),
        ("ivan tochkin", "ivantochkin"),
        ("иван", ""),
        ("a+b@c_d-e.f", "ab@c_d-e.f"),
    ],
)
def test_username_is_what_clean_param_username_keeps(raw, cleaned):
    from include.eios.moodle_rules import clean_username, username_problem

    assert clean_username(raw) == cleaned
    assert (username_problem(raw) == "") == (raw == cleaned and bool(cleaned))


def test_username_property_accepted_means_unchanged_by_moodle():
    from hypothesis import given
    from hypothesis import strategies as st

    from include.eios.moodle_rules import clean_username, username_problem

    @given(st.text(alphabet="aZ0 .-_@+ёЁ\t", max_size=12))
    def check(name):
        if not username_problem(name):
            assert clean_username(name) == name and 0 < len(name) <= 100
        assert clean_username(clean_username(name)) == clean_username(name)

    check()


def test_names_blank_for_php_trim_or_with_tags_are_refused():
    from include.eios.moodle_rules import name_problem

    assert "cannot be blank" in name_problem("first_name", " \t")
    assert name_problem("first_name", "Иван") == ""
    assert "tag" in name_problem("last_name", "<b>Иванов</b>")
    assert name_problem("middle_name", "", required=False) == ""


def test_moodle_refusals_need_an_email_and_a_free_one_unless_the_site_allows_sharing():
    from include.eios.quality import moodle_refusals

    users = [user(10, "1"), user(11, "2", email="old@example.edu")]
    emails = [
        {"id": 10, "email": "s1@example.edu"},
        {"id": 11, "email": "old@example.edu"},
        {"id": 99, "email": "Taken@Example.edu"},
    ]
    rows = [
        item("1"),  # unchanged: nothing sent
        item("2", email="taken@example.edu"),  # change to another account's address
        item("3", email=""),  # new without an e-mail
        item("4", email="twin@example.edu"),
        item("5", email="TWIN@example.edu"),  # two new students, one address
        item("6", email="s6@example.edu"),
        item("7", email="taken@example.edu", status="expelled"),  # never created: not sent
    ]
    accepted, rejects = moodle_refusals(rows, users, emails, allow_same_email=False)
    assert [r["student_id"] for r in accepted] == ["1", "6", "7"]
    reasons = {r["student_id"]: r["reason"] for r in rejects}
    assert "another Moodle account" in reasons["2"] and "requires one" in reasons["3"]
    assert "shared with another student" in reasons["4"] and reasons["5"] == reasons["5"]
    accepted, rejects = moodle_refusals(rows, users, emails, allow_same_email=True)
    assert [r["student_id"] for r in rejects] == ["3"]


def test_members_are_added_by_id_or_username_never_by_idnumber():
    new = plan([item("1")])
    assert new.actions[-1]["payload"]["usertype"] == {"type": "username", "value": "s1"}
    moved = plan([item("1", group_code="ЭК-22")], [user(10, "1")], IN_GROUP)
    add = [a for a in moved.actions if a["kind"] == "add_member"][0]
    assert add["payload"]["usertype"] == {"type": "id", "value": 10}


def test_a_blank_email_in_eios_never_blanks_moodles():
    assert plan([item("1", email="")], [user(10, "1")], IN_GROUP).actions == []


# --- Moodle's answers, row by row (include/eios/answers.py) -----------------------------


def member(cohort, utype, value):
    return {
        "cohorttype": {"type": "idnumber", "value": cohort},
        "usertype": {"type": utype, "value": value},
    }


def test_member_warnings_are_matched_by_the_values_they_echo():
    from include.eios.answers import member_add_errors

    batch = [
        member("group:A", "username", "s1"),
        member("group:A", "id", 12),
        member("group:B", "id", 13),
    ]
    answer = {
        "warnings": [
            {
                "warningcode": "3",
                "message": "record already exists: cohort(idnumber=group:A username=s1)",
            },
            {"warningcode": "2", "message": "user id=12 not exists"},
            {"warningcode": "2", "message": "cohort idnumber=group:B not exists"},
        ]
    }
    errors = member_add_errors(batch, answer)
    assert sorted(errors) == [1, 2] and "user id=12" in errors[1] and "group:B" in errors[2]
    assert member_add_errors(batch, {"warnings": []}) == {}


def test_a_warning_that_names_no_row_fails_the_whole_batch():
    from include.eios.answers import member_add_errors, user_update_errors

    batch = [member("group:A", "username", "s1"), member("group:A", "username", "s10")]
    answer = {"warnings": [{"warningcode": "1", "message": "invalid parameter: usertype=idnumber"}]}
    errors = member_add_errors(batch, answer)
    assert sorted(errors) == [0, 1] and all("names no row" in e for e in errors.values())
    # a prefix is not a match: s1 does not match the warning about s10's value
    near = {"warnings": [{"warningcode": "2", "message": "user username=s100 not exists"}]}
    assert sorted(member_add_errors(batch, near)) == [0, 1]
    updates = user_update_errors(
        [{"id": 5, "email": "x"}, {"id": 6, "email": "y"}],
        {
            "warnings": [
                {
                    "item": "user",
                    "itemid": 6,
                    "warningcode": "useremailduplicate",
                    "message": "Duplicate email address",
                }
            ]
        },
    )
    assert list(updates) == [1] and "useremailduplicate" in updates[1]
    stray = user_update_errors(
        [{"id": 5}], {"warnings": [{"itemid": 7, "warningcode": "x", "message": "m"}]}
    )
    assert list(stray) == [0]


def test_read_back_finds_rows_a_cut_call_did_not_apply():
    from include.eios.answers import created_errors, member_readback_errors, record_readback_errors

    batch = [member("group:A", "username", "s1"), member("group:A", "id", 12)]
    there = [{"cohortid": 7, "cohort_idnumber": "group:A", "userid": 11, "username": "s1"}]
    errors = member_readback_errors(batch, there, added=True)
    assert list(errors) == [1] and "not a member" in errors[1]
    removed = [{"cohortid": 7, "userid": 11}, {"cohortid": 7, "userid": 12}]
    assert list(member_readback_errors(removed, there, added=False)) == [0]
    sent = [{"id": 11, "suspended": 1}, {"id": 12, "suspended": 1}, {"id": 13, "lastname": "Н"}]
    stored = [{"id": 11, "suspended": 1}, {"id": 12, "suspended": 0}, {"id": 13, "lastname": "Н"}]
    assert list(record_readback_errors(sent, stored)) == [1]
    created = created_errors(
        [{"username": "a"}, {"username": "b"}], [{"id": 1, "username": "a"}], "username"
    )
    assert list(created) == [1]


# --- batches sized by form fields -------------------------------------------------------


def test_batches_stay_under_the_field_budget_and_the_item_limit():
    from hypothesis import given
    from hypothesis import strategies as st

    from include.eios.batching import field_batches

    @given(st.lists(st.integers(1, 40), max_size=200), st.integers(1, 50), st.integers(40, 500))
    def check(sizes, max_items, max_fields):
        batches = field_batches(sizes, max_items, max_fields, fixed_fields=3)
        assert [i for b in batches for i in b] == list(range(len(sizes)))
        for b in batches:
            assert len(b) <= max_items
            assert len(b) == 1 or 3 + sum(sizes[i] for i in b) <= max_fields

    check()


def test_600_users_go_out_in_calls_php_reads_whole():
    """The real Moodle cut 600 users (5 403 fields) to 5 000: no call may come near."""
    from include.connectors.moodle_ws import HEADER_FIELDS, encode_php_params, field_budget
    from include.eios.batching import field_batches

    payloads = [plan([item(str(n))]).actions[1]["payload"] for n in range(600)]
    sizes = [len(encode_php_params({"users": [p]})) for p in payloads]
    assert HEADER_FIELDS + sum(sizes) > 5000
    budget = field_budget(5000)
    assert budget < 5000
    batches = field_batches(sizes, 2000, budget, HEADER_FIELDS)
    for batch in batches:
        fields = HEADER_FIELDS + len(encode_php_params({"users": [payloads[i] for i in batch]}))
        assert fields <= budget


def test_the_connector_splits_a_call_over_the_budget_and_joins_the_answers():
    from include.connectors.moodle_ws import MoodleWsHook, MoodleWsTooLarge, field_count

    sent: list[int] = []

    class Fake(MoodleWsHook):
        def _call_once(self, wsfunction, params):
            assert field_count(params) <= self.max_fields
            sent.append(len(params["cmids"]))
            return {"warnings": [{"itemid": params["cmids"][0]}]}

    hook = Fake(max_input_vars=200)
    answer = hook.call("core_course_delete_modules", {"cmids": list(range(500))})
    assert sum(sent) == 500 and len(sent) > 2 and len(answer["warnings"]) == len(sent)
    with pytest.raises(MoodleWsTooLarge):
        hook.call("core_x", {"a": list(range(300)), "b": list(range(300))})


# --- issue 14: one plan across faculties, the schema, Moodle's comparisons ---------------
from include.eios.feed import validate_students  # noqa: E402
from include.eios.plan import same_value  # noqa: E402
from include.eios.quality import check_extract  # noqa: E402
from include.eios.resolve import claimed_by, resolve_feeds  # noqa: E402


def _faculty_plan(fid, name, items, users, members, roster, owner, superseded=(), blocked=()):
    return plan_sync(
        list(items),
        roster,
        list(users),
        list(members),
        faculty_id=fid,
        faculty_name=name,
        lower_bound=None,
        username_template="{login}",
        auth="manual",
        on_leave="suspend",
        owner=owner,
        superseded=list(superseded),
        blocked_ids=set(blocked),
    )


def _transfer(old_at: str, new_at: str, old_status: str = "expelled"):
    old = item("1", faculty_id="F1", status=old_status, changed_at=old_at)
    new = item("1", faculty_id="F2", group_code="ПР-11", status="studying", changed_at=new_at)
    return {"F1": [old, item("2")], "F2": [new]}


@pytest.mark.parametrize(
    ("old_at", "new_at", "winner"),
    [
        ("2026-11-10T10:00:00", "2026-11-10T10:00:01", "F2"),  # the later row
        ("2026-11-10T10:00:05", "2026-11-10T10:00:01", "F1"),  # the later row, even leaving
        ("2026-11-10T10:00:00", "2026-11-10T10:00:00", "F2"),  # a tie: studying wins
    ],
)
def test_a_student_in_two_feeds_is_resolved_by_the_latest_change_then_studying(
    old_at, new_at, winner
):
    winners, superseded = resolve_feeds(_transfer(old_at, new_at))
    assert [r["faculty_id"] for r in winners[winner] if r["student_id"] == "1"] == [winner]
    loser = {"F1": "F2", "F2": "F1"}[winner]
    assert [r["student_id"] for r in superseded[loser]] == ["1"]
    assert [r["student_id"] for r in winners["F1"]] == (["1", "2"] if winner == "F1" else ["2"])


def test_a_full_tie_goes_to_the_faculty_first_in_sort_order_on_every_run():
    feeds = _transfer("2026-11-10T10:00:00", "2026-11-10T10:00:00", old_status="studying")
    for _ in range(3):
        winners, _ = resolve_feeds(dict(reversed(list(feeds.items()))))
        assert {r["faculty_id"] for r in winners["F1"]} == {"F1"}
        assert winners["F2"] == []


def test_a_transfer_moves_department_and_cohort_once_and_a_replan_is_empty():
    """The issue's flip: old faculty `expelled`, new one `studying`, the same day."""
    feeds = _transfer("2026-11-10T09:00:00", "2026-11-10T10:00:00")
    members = [
        *IN_GROUP,
        {"cohortid": 9, "idnumber": "group:ПР-11", "name": "ПР-11", "userid": None},
    ]
    moodle = [user(10, "1", department="Старый"), user(11, "2", department="Старый")]
    winners, superseded = resolve_feeds(feeds)
    roster = {"1", "2"}
    owner = claimed_by({"F1": {"1", "2"}, "F2": {"1"}}, winners)
    old = _faculty_plan("F1", "Старый", winners["F1"], moodle, members, roster, owner,
                        superseded["F1"])  # fmt: skip
    new = _faculty_plan("F2", "Новый", winners["F2"], moodle, members, roster, owner,
                        superseded["F2"])  # fmt: skip
    assert kinds(old) == [] and old.leaving == 0  # never suspended
    assert old.watermark == "2026-11-10T10:00:00"  # the superseded row was read too
    assert kinds(new) == ["update_user", "remove_member", "add_member"]
    assert new.actions[0]["payload"] == {"id": 10, "department": "Новый"}
    assert old.active_in_moodle == 1 and new.active_in_moodle == 1  # each student counted once
    assert old.missing == [] and new.missing == []
    # Moodle after the apply: the next plans are empty (no flip back)
    moodle[0]["department"] = "Новый"
    members = [IN_GROUP[1], {**members[2], "userid": 10}]
    assert kinds(_faculty_plan("F1", "Старый", winners["F1"], moodle, members, roster, owner,
                               superseded["F1"])) == []  # fmt: skip
    assert kinds(_faculty_plan("F2", "Новый", winners["F2"], moodle, members, roster, owner,
                               superseded["F2"])) == []  # fmt: skip


def test_a_student_listed_by_a_faculty_not_synced_waits_and_pins_the_watermark():
    rows = [
        item("1", changed_at="2026-11-10T09:00:00"),
        item("2", changed_at="2026-11-10T11:00:00"),
    ]
    p = _faculty_plan("F1", "Факультет", rows, [], [], {"1", "2"}, None, blocked={"1"})
    assert {a["student_id"] for a in p.actions if a["kind"] != "create_cohort"} == {"2"}
    assert p.watermark == "2026-11-10T09:00:00"


def test_comparisons_normalise_as_moodle_does_so_only_real_changes_are_sent():
    assert same_value("email", "Ivan.Petrov@Example.EDU", " ivan.petrov@example.edu ")
    assert same_value("lastname", "  Петров   Водкин ", "Петров Водкин")
    assert not same_value("lastname", "Петров", "Петрова")
    assert not same_value("email", "a@example.edu", "b@example.edu")
    moodle = [user(10, "1", email="S1@EXAMPLE.edu", firstname=" Иван  ", lastname="Иванов")]
    p = plan([item("1", email="s1@example.EDU", first_name="Иван", last_name="  Иванов ")],
             moodle, IN_GROUP)  # fmt: skip
    assert p.actions == []  # 0 write calls
    p = plan([item("1", email="other@example.edu")], moodle, IN_GROUP)
    assert kinds(p) == ["update_user"] and p.actions[0]["payload"] == {
        "id": 10,
        "email": "other@example.edu",
    }


def test_the_schema_runs_before_the_row_rules_and_names_the_field():
    rows = [
        item("1"),
        item("2", course_year="third"),
        item("3", changed_at="9999-12-31T23:59:59"),
        item("4", last_name=None),
        item("5", first_name="Иван\x00"),
        {k: v for k, v in item("6").items() if k != "status"},
        item("7", student_id="../../etc/passwd"),
        item("8", email="bad@@x"),  # schema passes, Moodle's rule refuses
        "not a row",
        item("9", status_date="0001-01-01"),
        item(10, login="s10"),  # an integer id is accepted as text
        item("11", last_name="  Иванов   Петров  "),
    ]
    accepted, rejects = check_extract(rows, "F1", PATTERN, "{login}", NOW)
    assert [r["student_id"] for r in accepted] == ["1", "10", "11"]
    assert accepted[2]["last_name"] == "Иванов Петров"
    fields = {r["key"]: (r["field"], r["reason"]) for r in rejects}
    assert fields["F1/2"][0] == "course_year" and fields["F1/3"][0] == "changed_at"
    assert "future" in fields["F1/3"][1] and fields["F1/4"][0] == "last_name"
    assert "control character" in fields["F1/5"][1] and fields["F1/6"][0] == "status"
    assert fields["F1/8"][0] == "email" and "validate_email" in fields["F1/8"][1]
    assert fields["F1/9"][0] == "status_date"
    assert "schema" in fields["F1/../../etc/passwd"][1]  # a key only, never a path
    assert any(k.startswith("F1/row-sha256:") for k in fields)  # "not a row"
    assert len(rejects) == len(rows) - 3
    good, bad = validate_students([item("1")], "F1", NOW)
    assert len(good) == 1 and bad == []
