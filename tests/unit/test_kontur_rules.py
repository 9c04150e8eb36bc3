"""kontur_recordings' pure rules: routing, matching, placement, the once-a-day gate,
the quality gate's row rules, the archive page and the settings' validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from include.config import KonturRecordingsSettings, SettingsError, parse_settings
from include.recordings.archive import archive_page_html
from include.recordings.feed import validate_entities
from include.recordings.gate import decide_publication
from include.recordings.placement import choose_section
from include.recordings.quality import entities_frame, split_rejects
from include.recordings.routing import (
    CourseIndex,
    normalise_title,
    plan_publication,
    route_title,
    split_prefix,
)

ROUTES = {"ЕГЭ": 735, "ПО": 727, "СПО": 728}
CATEGORIES = pd.DataFrame(
    [
        (1, 0, "/1", "Category 1"),
        (735, 0, "/735", "ЕГЭ"),
        (736, 735, "/735/736", "ЕГЭ: поток 1"),
        (727, 0, "/727", "ПО"),
        (729, 727, "/727/729", "ПО: поток 1"),
        (730, 727, "/727/730", "ПО: поток 2"),
        (728, 0, "/728", "СПО"),
        (1727, 0, "/1727", "not under 727"),
    ],
    columns=["id", "parent", "path", "name"],
)
COURSES = pd.DataFrame(
    [
        (10, 736, "EGE-MATH", "Математика профильная"),
        (11, 729, "PO-INF", "Информатика"),
        (12, 729, "PO-PHYS-1", "Физика"),
        (13, 730, "PO-PHYS-2", "Физика"),
        (14, 728, "SPO-INF", "Информатика"),
        (15, 1727, "X-INF", "Информатика"),
        (16, 1, "HIST", "Ёмкость истории"),
    ],
    columns=["id", "category", "shortname", "fullname"],
)


def test_normalisation_ignores_case_yo_spaces_and_punctuation():
    assert normalise_title("  ЁМКОСТЬ   истории!! ") == "емкость истории"
    assert normalise_title("Математика—профильная (ЕГЭ)") == "математика профильная егэ"
    assert normalise_title("PO_INF") == "po inf"


@pytest.mark.parametrize(
    ("title", "prefix", "rest"),
    [
        ("ЕГЭ Математика профильная", "ЕГЭ", "Математика профильная"),
        ("ЕГЭ: Математика профильная", "ЕГЭ", "Математика профильная"),
        ("[СПО] Информатика", "СПО", "Информатика"),
        ("спо - Информатика", "СПО", "Информатика"),
        ("ПОлитология", None, "ПОлитология"),  # a word that starts like a prefix is no prefix
        ("Информатика", None, "Информатика"),
    ],
)
def test_split_prefix(title, prefix, rest):
    assert split_prefix(title, list(ROUTES)) == (prefix, rest)


@pytest.mark.parametrize(
    "variant",
    [
        "ЕГЭ Математика профильная",
        "  егэ   МАТЕМАТИКА   профильная  ",
        "ЕГЭ\u00a0Математика\tпрофильная",
        "ЕГЭ\nматематика профильная",
        "[егэ]  Математика  Профильная",
    ],
)
def test_titles_differing_only_in_case_and_whitespace_route_to_the_same_course(variant):
    index = CourseIndex(CATEGORIES, COURSES)
    route = route_title(variant, ROUTES, "ПО", 1)
    assert (route.prefix, route.category_id) == ("ЕГЭ", 735)
    assert index.match(route.category_id, route.rest).course_id == 10


def test_prefix_routes_pick_the_root_and_defaults_apply_when_none_matches():
    assert route_title("СПО Информатика", ROUTES, "ПО", 1).category_id == 728
    routed = route_title("Информатика", ROUTES, "ПО", 1)  # the default prefix's route
    assert (routed.prefix, routed.explicit, routed.category_id) == ("ПО", False, 727)
    fallback = route_title("Информатика", ROUTES, "", 1)  # no default prefix: default category
    assert (fallback.prefix, fallback.category_id) == ("", 1)


def test_matching_searches_only_the_subtree_by_shortname_then_fullname():
    index = CourseIndex(CATEGORIES, COURSES)
    assert index.match(727, "информатика").course_id == 11  # not 14 (СПО) nor 15 (/1727)
    assert index.match(727, "po-inf").matched_by == "shortname"
    assert index.match(735, "МАТЕМАТИКА  профильная!").course_id == 10
    ambiguous = index.match(727, "Физика")
    assert ambiguous.status == "ambiguous" and ambiguous.candidates == (12, 13)
    assert index.match(727, "Химия").status == "unmatched"
    assert index.match(1, "Емкость истории").course_id == 16  # ё→е


def _recordings(*rows):
    return pd.DataFrame(rows, columns=["key", "id", "title", "created_date", "room_name"])


def test_plan_reports_unmatched_ambiguous_and_threshold_never_guessing():
    recs = _recordings(
        ("k1", "1", "ЕГЭ Математика профильная", datetime(2026, 11, 20, 8), "A"),
        ("k2", "2", "ПО Физика", datetime(2026, 11, 20, 9), "A"),
        ("k3", "3", "ПО Химия", datetime(2026, 11, 20, 10), "A"),
        ("k4", "4", "СПО Информатика", datetime(2026, 10, 1, 10), "A"),
        ("k5", "5", "Информатика", datetime(2026, 11, 20, 21, 30), "A"),
    )
    plan = plan_publication(
        recs,
        CATEGORIES,
        COURSES,
        prefix_routes=ROUTES,
        default_prefix="ПО",
        default_category_id=1,
        threshold_date="2026-11-01",
        timezone="Europe/Moscow",
        viewer_url=lambda r: f"https://space.ktalk.ru/recordings/{r['id']}",
    ).set_index("recording_key")
    assert plan.loc["k1", "status"] == "publish" and plan.loc["k1", "course_id"] == 10
    assert plan.loc["k1", "activity_name"] == "Запись занятия: Математика профильная, 2026-11-20"
    assert plan.loc["k1", "viewer_url"] == "https://space.ktalk.ru/recordings/1"
    assert plan.loc["k2", "status"] == "ambiguous" and "[12, 13]" in plan.loc["k2", "reason"]
    assert plan.loc["k3", "status"] == "unmatched" and pd.isna(plan.loc["k3", "course_id"])
    assert plan.loc["k4", "status"] == "before_threshold"
    # 21:30 UTC is already the next day in Moscow: the local date names the activity
    assert plan.loc["k5", "local_date"] == "2026-11-21" and plan.loc["k5", "course_id"] == 11


def test_placement_uses_the_recordings_section_or_creates_one_at_or_above_min_section():
    sections = [{"section": n, "name": None} for n in range(5)]
    assert choose_section(sections, 2, "Записи занятий").create is True
    assert choose_section(sections, 2, "Записи занятий").section_number == 5
    assert choose_section(sections[:2], 3, "Записи занятий").section_number == 3
    sections[3]["name"] = "ЗАПИСИ занятий"
    place = choose_section(sections, 2, "Записи занятий")
    assert (place.section_number, place.create) == (3, False)
    sections[1]["name"] = "Записи занятий"  # below min_section: never used
    assert choose_section(sections, 2, "Записи занятий").section_number == 3


def test_gate_publishes_exactly_once_in_96_quarter_hours_after_publish_at():
    day = datetime(2026, 11, 22, 21, 0, tzinfo=UTC)  # 00:00 in Moscow (UTC+3)
    published: set[str] = set()
    publishing_runs = []
    for n in range(96):
        now = day + timedelta(minutes=15 * n)
        decision = decide_publication(
            now,
            auto_publish=True,
            publish_at="18:10",
            timezone="Europe/Moscow",
            published_dates=published,
        )
        if decision.publish:
            publishing_runs.append(now)
            published.add(decision.local_date)
    assert publishing_runs == [datetime(2026, 11, 23, 15, 15, tzinfo=UTC)]  # 18:15 Moscow
    assert published == {"2026-11-23"}


def test_gate_never_publishes_when_auto_publish_is_off_and_publish_now_skips_it():
    day = datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    decisions = [
        decide_publication(
            day + timedelta(minutes=15 * n),
            auto_publish=False,
            publish_at="00:00",
            timezone="Europe/Moscow",
            published_dates=set(),
        )
        for n in range(96)
    ]
    assert not any(d.publish for d in decisions)
    assert decisions[0].reason == "auto_publish is off"
    now = decide_publication(
        day,
        auto_publish=False,
        publish_at="23:59",
        timezone="Europe/Moscow",
        published_dates={"2026-11-23"},
        publish_now=True,
    )
    assert now.publish is True


def test_quality_gate_rejects_rows_with_a_field_and_a_reason():
    def entity(id_, key, created="2026-11-20T10:00:00Z", duration=60, **extra):
        base = {"id": id_, "key": key, "title": "x", "createdDate": created, "duration": duration}
        return base | extra

    now = datetime(2026, 11, 23, tzinfo=UTC)
    rows, rejects = validate_entities(
        [
            entity("1", "a"),
            entity("2", ""),
            entity("3", "c", created="yesterday"),
            entity("4", "d", created="2027-01-01T00:00:00Z"),
            entity("5", "e", duration=0),
            entity("6", "a", title="y", duration=61),
            entity("7", "g", createdBy="teacher@example.edu"),
            entity("8", "h", participantsCount="many"),
        ],
        now,
    )
    by_key = {r.key: (r.field, r.reason) for r in rejects}
    assert by_key == {
        "2": ("key", "key missing"),
        "c": ("createdDate", "createdDate not parseable"),
        "d": ("createdDate", "createdDate in the future"),
        "e": ("duration", "duration not > 0"),
        "g": ("createdBy", "Input should be a valid dictionary or instance of CreatedBy"),
        "h": ("participantsCount", "Input should be a valid integer"),
    }
    accepted, rule_rejects = split_rejects(entities_frame(rows), now)
    assert list(accepted["key"]) == ["a"] and accepted["title"].iloc[0] == "y"
    assert rule_rejects.empty


def test_the_gate_rules_are_a_second_net_with_a_field():
    frame = entities_frame(
        [
            {"id": "1", "key": "", "title": "x", "created_date": "2026-11-20T10:00:00",
             "duration": 60},
            {"id": "2", "key": "b", "title": "x", "created_date": "2026-11-20T10:00:00",
             "duration": 0},
        ]
    )  # fmt: skip
    _, rejects = split_rejects(frame, datetime(2026, 11, 23, tzinfo=UTC))
    assert list(zip(rejects["field"], rejects["reason"], strict=True)) == [
        ("key", "key missing"),
        ("duration", "duration not > 0"),
    ]


def test_archive_page_lists_every_recording_escaped_and_in_a_stable_order():
    html = archive_page_html(
        [
            {"local_date": "2026-11-21", "title": "Физика <b>", "viewer_url": "https://s/r/2"},
            {"local_date": "2026-11-20", "title": "Математика", "viewer_url": "https://s/r/1"},
        ]
    )
    assert html.index("2026-11-20") < html.index("2026-11-21")
    assert "Физика &lt;b&gt;" in html and 'href="https://s/r/1"' in html
    assert html == archive_page_html(
        [
            {"local_date": "2026-11-20", "title": "Математика", "viewer_url": "https://s/r/1"},
            {"local_date": "2026-11-21", "title": "Физика <b>", "viewer_url": "https://s/r/2"},
        ]
    )


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"min_section": 1}, "min_section"),
        ({"publish_at": "25:00"}, "publish_at"),
        ({"timezone": "Europe/Nowhere"}, "timezone"),
        ({"threshold_date": "2026-02-30"}, "threshold_date"),
        ({"prefix_routes": {"ЕГЭ": 0}}, "prefix_routes"),
        ({"viewer_url_template": "https://x/{nothing}"}, "viewer_url_template"),
        ({"page_size": 5000}, "page_size"),
    ],
)
def test_a_bad_setting_is_an_error_naming_the_field(bad, field):
    with pytest.raises(SettingsError, match=field):
        parse_settings(KonturRecordingsSettings, bad)


def test_settings_defaults_and_run_param_overrides():
    settings = parse_settings(
        KonturRecordingsSettings,
        '{"prefix_routes": {"ЕГЭ": 735}, "auto_publish": true, "publish_at": "7:05"}',
        {"default_prefix": "ПО", "publish_now": True, "prefix_routes": None},
    )
    assert settings.min_section == 2 and settings.publish_at == "07:05"
    assert settings.default_prefix == "ПО" and settings.prefix_routes == {"ЕГЭ": 735}


def test_a_list_parameter_becomes_one_placeholder_per_value_and_markers_compare_as_moodle():
    from include.connectors.moodle_db import expand_lists
    from include.connectors.moodle_modules import marker_key

    sql, params = expand_lists(
        "SELECT id FROM t WHERE id IN (%(ids)s) AND m = %(m)s AND k IN (%(ids_x)s)",
        {"ids": [3, 1], "m": 7, "ids_x": ("a",)},
    )
    assert sql == (
        "SELECT id FROM t WHERE id IN (%(ids__0)s, %(ids__1)s) AND m = %(m)s"
        " AND k IN (%(ids_x__0)s)"
    )
    assert params == {"ids__0": 3, "ids__1": 1, "m": 7, "ids_x__0": "a"}
    with pytest.raises(ValueError, match="empty list"):
        expand_lists("IN (%(ids)s)", {"ids": []})
    assert marker_key("5", "ktalk:AbC ") == marker_key(5, "ktalk:abc") != marker_key(5, "ktalk:ab")
