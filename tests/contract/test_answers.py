"""What the contract compares, and that recordings carry no secret."""

from __future__ import annotations

import os

from include.moodle_contract.__main__ import DEFAULT_RECORDINGS
from include.moodle_contract.answers import differences, normalise
from include.moodle_contract.runner import ContractSite
from include.moodle_contract.setup_checks import _granted
from tests.conftest import SECRETS


def test_status_kind_errorcode_warnings_and_shape_are_compared():
    moodle = normalise(200, {"warnings": [{"warningcode": "3", "message": "x"}]})
    assert differences(
        moodle, normalise(200, {"warnings": [{"warningcode": "2", "message": "y"}]})
    ) == ["warning codes ['2'] (Moodle: ['3'])"]
    error = {"exception": "e", "errorcode": "invalidparameter", "message": "m", "debuginfo": "d"}
    assert differences(normalise(200, error), normalise(200, {**error, "errorcode": "other"}))
    assert differences(normalise(200, error), normalise(200, None))
    assert differences(normalise(200, None), normalise(500, None)) == ["HTTP 500 (Moodle: 200)"]
    # debuginfo (debugging on) is not part of the shape
    assert differences(normalise(200, error), normalise(200, {**error, "debuginfo": None})) == []


def test_shape_keys_and_types_and_what_data_may_vary():
    moodle = normalise(200, [{"id": 1, "name": "a", "idnumber": "x"}, {"id": 2, "name": "b"}])
    assert differences(moodle, normalise(200, [{"id": 3, "name": "c"}])) == []  # optional key
    assert differences(moodle, normalise(200, [{"id": 3}])) == ["[].name missing"]
    assert differences(moodle, normalise(200, [{"id": "3", "name": "c"}])) == [
        "[].id: int expected, got str"
    ]
    assert differences(moodle, normalise(200, [])) == []  # an empty list fits any list


def test_grants_are_read_per_table_and_database():
    grants = [
        "GRANT USAGE ON *.* TO `p`@`%`",
        "GRANT SELECT ON `moodle`.* TO `p`@`%`",
        "GRANT INSERT, UPDATE ON `moodle`.`mdl_page` TO `p`@`%`",
    ]
    assert _granted(grants, "moodle", "mdl_page") >= {"SELECT", "INSERT", "UPDATE"}
    assert _granted(grants, "moodle", "mdl_url") >= {"SELECT"}
    assert "INSERT" not in _granted(grants, "moodle", "mdl_url")


def test_recordings_hold_no_token_or_password():
    for path in DEFAULT_RECORDINGS.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert "wstoken" not in text and "password" not in text.lower().replace(
            "createpassword", ""
        ), path.name
        assert not [s for s in SECRETS if s in text], path.name


def test_the_stand_in_drops_fields_past_max_input_vars(fresh_stack, monkeypatch):
    monkeypatch.setitem(os.environ, "SANDBOX_MOODLE_MAX_INPUT_VARS", "100")
    site = ContractSite(backoff_seconds=0)
    member = {"cohorttype": {"type": "id", "value": 1}, "usertype": {"type": "bad", "value": 1}}
    # 3 + 4 x 24 = 99 fields: all arrive (PHP keeps max_input_vars + 1 = 101)
    status, body = site.exchange("core_cohort_add_cohort_members", {"members": [member] * 24})
    assert len(body["warnings"]) == 24
    # 3 + 4 x 30 = 123 fields: the 25th member is cut after 2 of its 4 fields
    status, body = site.exchange("core_cohort_add_cohort_members", {"members": [member] * 30})
    assert body["errorcode"] == "invalidparameter"
    assert "Missing required key" in body["debuginfo"]


def test_a_case_whose_fixture_cannot_be_written_is_skipped_without_a_request():
    from include.moodle_contract.case import Case
    from include.moodle_contract.runner import _run_one

    class NoSite:
        def exchange(self, *args, **kwargs):
            raise AssertionError("no request may be sent")

    def no_database(ctx, db_conn_id):
        raise RuntimeError(f"The conn_id `{db_conn_id}` isn't defined")

    case = Case("ok", "core_course_delete_modules", prepare=no_database, write=True)
    outcome = _run_one(NoSite(), case, {"tag": "pc0"}, None, "moodle_db")
    assert outcome.answer is None
    assert outcome.skipped.startswith("skipped: its fixture could not be written through moodle_db")
