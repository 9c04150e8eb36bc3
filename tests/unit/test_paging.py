"""The bounded paging loop every connector uses (include/connectors/paging.py)."""

from __future__ import annotations

import pytest

from include.connectors.paging import FeedShapeError, PagingError, follow_pages


def pages_of(answers: dict):
    calls = []

    def fetch(token):
        calls.append(token)
        return answers[token]

    return fetch, calls


def follow(fetch, **extra):
    options = {"system": "Test", "endpoint": "api/list", "items_key": "items",
               "token_key": "next"} | extra  # fmt: skip
    return [item for page in follow_pages(fetch, **options) for item in page]


def test_follows_tokens_to_the_last_page():
    fetch, calls = pages_of(
        {None: {"items": [1, 2], "next": "b"}, "b": {"items": [3], "next": "c"},
         "c": {"items": [4], "next": None}}
    )  # fmt: skip
    assert follow(fetch) == [1, 2, 3, 4] and calls == [None, "b", "c"]


def test_an_empty_last_page_without_a_token_ends_normally():
    fetch, _ = pages_of({0: {"items": [1], "next": 1}, 1: {"items": [], "next": None}})
    assert follow(fetch, first_token=0) == [1]


def test_the_same_token_again_stops_naming_the_token_and_the_page_count():
    fetch, calls = pages_of({None: {"items": [1], "next": "t"}, "t": {"items": [2], "next": "t"}})
    with pytest.raises(PagingError, match=r"page 2 returns next 't' again .*after 2 page"):
        follow(fetch)
    assert calls == [None, "t"]  # stopped at once, not 5 097 times


def test_a_cycle_of_tokens_stops():
    fetch, _ = pages_of(
        {None: {"items": [1], "next": "a"}, "a": {"items": [2], "next": "b"},
         "b": {"items": [3], "next": "a"}}
    )  # fmt: skip
    with pytest.raises(PagingError, match="'a' again"):
        follow(fetch)


def test_a_repeated_offset_stops():
    fetch, _ = pages_of({0: {"items": [1], "next": 5}, 5: {"items": [2], "next": 0}})
    with pytest.raises(PagingError, match="next 0 again"):
        follow(fetch, first_token=0)


def test_an_empty_page_that_still_carries_a_token_stops():
    fetch, _ = pages_of({None: {"items": [], "next": "more"}})
    with pytest.raises(PagingError, match="page 1 is empty but carries next 'more'"):
        follow(fetch)


def test_more_pages_than_max_pages_stops():
    fetch = lambda token: {"items": [token], "next": (token or 0) + 1}  # noqa: E731 - endless
    with pytest.raises(PagingError, match=r"more than max_pages = 3 pages; stopped after 3"):
        follow(fetch, max_pages=3)


@pytest.mark.parametrize(
    "page, message",
    [
        (["a", "list"], "is not a JSON object"),
        ("<html>error</html>", "is not a JSON object"),
        ({"data": []}, "has no 'items' list"),
        ({"items": "x"}, "'items' is str, not a list"),
        ({"items": [1], "next": {"x": 1}}, "'next' is dict, not a token"),
        ({"items": [1], "next": True}, "'next' is bool, not a token"),
    ],
)
def test_a_page_of_the_wrong_shape_fails_with_the_systems_text(page, message):
    with pytest.raises(FeedShapeError, match=message):
        follow(lambda token: page)


def test_the_eios_students_feed_is_bounded(monkeypatch):
    from include.connectors.eios import EiosHook

    hook = EiosHook(max_pages=5)
    monkeypatch.setattr(
        hook, "get_json", lambda endpoint, params: {"items": [{}], "next_page_token": "same"}
    )
    with pytest.raises(PagingError, match=r"EIOS faculties/f1/students: page 2 returns"):
        hook.students("f1")
