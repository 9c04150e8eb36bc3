"""Hostile paging and whole-answer failures from the sandbox's Kontur.Talk, kindergarten
LMS and voucher registry, over real HTTP: every paging loop ends with a clear error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from include.connectors.kindergarten_lms import ApiUnavailable, KindergartenLmsHook
from include.connectors.kontur import KonturTalkHook, KonturTalkUnavailable
from include.connectors.paging import FeedShapeError, PagingError
from include.connectors.voucher_registry import VoucherRegistryHook
from include.sandbox.stack import connect

WINDOW = (datetime.now(UTC) - timedelta(days=10), datetime.now(UTC))
RECORDINGS = "/api/Domain/recordings"


@pytest.fixture(autouse=True)
def clean(stack):
    stack.reset()
    yield
    stack.reset()


def _scalar(sql: str):
    connection = connect("sandbox")
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return cursor.fetchone()[0]
    finally:
        connection.close()


def test_kontur_a_repeated_token_stops_at_the_second_page(stack):
    stack.arm("kontur", RECORDINGS, "repeat_token")
    with pytest.raises(PagingError, match=r"page 2 returns nextPageToken '.+' again") as caught:
        list(KonturTalkHook(backoff_seconds=0).recording_pages(*WINDOW, top=2))
    assert "stopped after 2 page(s)" in str(caught.value)
    assert stack.calls()["kontur:/api/Domain/recordings/v2"] == 2


def test_kontur_an_empty_page_with_a_token_stops(stack):
    stack.arm("kontur", RECORDINGS, "empty_page")
    with pytest.raises(PagingError, match="page 1 is empty but carries nextPageToken"):
        list(KonturTalkHook(backoff_seconds=0).recording_pages(*WINDOW, top=2))


def test_kontur_more_pages_than_max_pages_stops(stack):
    assert _scalar("SELECT COUNT(*) FROM kontur_recording") > 3
    hook = KonturTalkHook(backoff_seconds=0, max_pages=3)
    with pytest.raises(PagingError, match=r"more than max_pages = 3 pages; stopped after 3"):
        list(hook.recording_pages(*WINDOW, top=1))


def test_the_poll_task_stops_at_the_settings_max_pages(stack, store_root):
    from include.config import KonturRecordingsSettings
    from include.tasks.kontur_recordings import poll_recordings

    stored = KonturRecordingsSettings(page_size=1, max_pages=2).model_dump(mode="json")
    with pytest.raises(PagingError, match="max_pages = 2"):
        poll_recordings.function(stored, run_id="paging__test", logical_date=datetime.now(UTC))


def test_kontur_an_answer_that_is_not_json_fails_with_its_text(stack):
    stack.arm("kontur", RECORDINGS, "not_json", times=2)
    hook = KonturTalkHook(backoff_seconds=0, attempts=2)
    with pytest.raises(KonturTalkUnavailable, match="not JSON: <html><body>Service temporarily"):
        list(hook.recording_pages(*WINDOW))


def test_kontur_an_answer_of_the_wrong_shape_fails_with_its_text(stack):
    stack.arm("kontur", RECORDINGS, "wrong_shape")
    with pytest.raises(FeedShapeError, match=r"page 1 is not a JSON object .*'not', 'the'"):
        list(KonturTalkHook(backoff_seconds=0).recording_pages(*WINDOW))


def _busy_provider() -> str:
    return _scalar(
        "SELECT bin FROM lms_contract GROUP BY bin HAVING COUNT(*) >= 3 ORDER BY bin LIMIT 1"
    )


def test_lms_a_repeated_offset_stops(stack):
    bin_ = _busy_provider()
    stack.arm("lms", f"/providers/{bin_}/contracts", "repeat_token")
    hook = KindergartenLmsHook(backoff_seconds=0, page_size=1)
    with pytest.raises(PagingError, match=r"page 2 returns next_offset 1 again"):
        hook.contracts(bin_)


def test_lms_an_empty_page_with_an_offset_stops(stack):
    bin_ = _busy_provider()
    stack.arm("lms", f"/providers/{bin_}/contracts", "empty_page")
    with pytest.raises(PagingError, match="page 1 is empty but carries next_offset"):
        KindergartenLmsHook(backoff_seconds=0).contracts(bin_)


def test_lms_more_pages_than_max_pages_stops(stack):
    hook = KindergartenLmsHook(backoff_seconds=0, page_size=1, max_pages=2)
    with pytest.raises(PagingError, match="more than max_pages = 2 pages"):
        hook.contracts(_busy_provider())


def test_lms_an_answer_that_is_not_json_fails_with_its_text(stack):
    bin_ = _busy_provider()
    stack.arm("lms", f"/providers/{bin_}/contracts", "not_json", times=2)
    with pytest.raises(ApiUnavailable, match="not JSON: <html>"):
        KindergartenLmsHook(backoff_seconds=0, attempts=2).contracts(bin_)


def test_registry_an_empty_page_with_an_offset_stops(stack):
    stack.arm("registry", "/vouchers", "empty_page")
    with pytest.raises(PagingError, match="voucher registry api/v1/vouchers: page 1 is empty"):
        VoucherRegistryHook(backoff_seconds=0).vouchers()


def test_registry_lists_of_the_wrong_shape_fail_with_their_text(stack):
    stack.arm("registry", "/regions", "wrong_shape")
    with pytest.raises(FeedShapeError, match=r"api/v1/regions: not a JSON object .*'not'"):
        VoucherRegistryHook(backoff_seconds=0).regions()
    stack.arm("registry", "/providers", "wrong_shape")
    with pytest.raises(FeedShapeError, match="api/v1/providers: page 1 is not a JSON object"):
        VoucherRegistryHook(backoff_seconds=0).providers()


def test_the_ingest_task_fails_on_a_whole_bad_answer_with_the_systems_text(stack):
    from include.tasks.vouchers_common import extract_registry

    stack.arm("registry", "/norms", "not_json", times=4)
    with pytest.raises(ApiUnavailable, match="voucher registry api/v1/norms: HTTP 200, the answer"):
        extract_registry.function({}, run_id="paging__test")
