"""The pure rules of course_archive and course_audit (include/courses)."""

from __future__ import annotations

import hashlib
import io
import tarfile
from datetime import date, datetime

import pandas as pd
import pytest

from include.config import CourseArchiveSettings, CourseAuditSettings, SettingsError, parse_settings
from include.courses import archive, audit

CATEGORIES = pd.DataFrame(
    [
        {"id": 1, "name": "Category 1", "idnumber": None, "path": "/1"},
        {"id": 5, "name": "ФСУ", "idnumber": "fsu", "path": "/5"},
        {"id": 6, "name": "Кафедра АСУ", "idnumber": "asu", "path": "/5/6"},
        {"id": 7, "name": "Гуманитарный", "idnumber": "gf", "path": "/7"},
        {"id": 9, "name": "Архив 2025/2026", "idnumber": "archive-2025-2026", "path": "/9"},
    ]
)
JUNE = int(datetime(2026, 6, 30).timestamp())


def _candidates(*rows):
    return pd.DataFrame(
        [
            dict(zip(("id", "shortname", "fullname", "category", "enddate"), r, strict=True))
            for r in rows
        ]
    )


def test_academic_year_starts_in_september():
    assert archive.academic_year(date(2026, 6, 30)).label == "2025/2026"
    assert archive.academic_year(date(2026, 9, 1)).slug == "2026-2027"
    assert archive.archive_category(
        archive.AcademicYear(2025), "Архив {year}", "archive-{start}-{end}"
    ) == {
        "name": "Архив 2025/2026",
        "idnumber": "archive-2025-2026",
    }


def test_plan_selects_the_subtree_before_the_cutoff_and_skips_the_archived():
    candidates = _candidates(
        (10, "A-1", "A", 6, JUNE),
        (11, "A-2", "A", 6, JUNE + 60),
        (12, "H-1", "H", 7, JUNE),  # other subtree
        (13, "A-3", "A", 6, int(datetime(2026, 12, 30).timestamp())),  # ends after the cutoff
        (14, "A-4", "A", 9, JUNE),  # in an archive category: outside the subtree anyway
        (15, "A/5 x", "A", 5, JUNE + 120),
    )
    plan, skipped = archive.plan_archive(
        candidates,
        CATEGORIES,
        root_category_id=5,
        end_before=date(2026, 11, 1),
        archived_ids={11},
        archive_category_ids={9},
        limit=10,
    )
    assert [p["course_id"] for p in plan] == [10, 15]
    assert plan[0]["store_path"] == "courses/2025-2026/ФСУ/Кафедра_АСУ/A-1-10.mbz"
    assert plan[1]["store_path"] == "courses/2025-2026/ФСУ/A_5_x-15.mbz"
    assert skipped == [{"course_id": 11, "shortname": "A-2", "reason": "already archived"}]


def test_plan_is_throttled_oldest_first():
    candidates = _candidates(*[(20 + n, f"C-{n}", "C", 6, JUNE - n) for n in range(5)])
    plan, skipped = archive.plan_archive(
        candidates,
        CATEGORIES,
        root_category_id=0,
        end_before=date(2026, 11, 1),
        archived_ids=set(),
        archive_category_ids=set(),
        limit=2,
    )
    assert [p["shortname"] for p in plan] == ["C-4", "C-3"]
    assert [s["reason"] for s in skipped] == ["throttled: next run"] * 3


def _mbz(course_id: int) -> bytes:
    xml = (
        f"<moodle_backup><information><original_course_id>{course_id}</original_course_id>"
        "<settings><setting><name>users</name><value>1</value></setting></settings>"
        "</information></moodle_backup>"
    ).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("moodle_backup.xml")
        info.size = len(xml)
        tar.addfile(info, io.BytesIO(xml))
    return buffer.getvalue()


def test_a_copy_is_verified_by_sha256_and_as_a_backup_of_the_course():
    data = _mbz(42)
    digest = hashlib.sha256(data).hexdigest()
    assert archive.verify_copy(data, digest, 42) is None
    assert archive.inspect_mbz(data, 42)["users"] is True
    assert "SHA-256 mismatch" in archive.verify_copy(data + b"x", digest, 42)
    truncated = data[: len(data) // 2]
    assert "unreadable archive" in archive.verify_copy(
        truncated, hashlib.sha256(truncated).hexdigest(), 42
    )
    assert "expected 43" in archive.verify_copy(data, digest, 43)


def test_retention_is_one_calendar_year_by_default():
    backups = [
        {"store_path": "old", "backed_up_at": datetime(2025, 11, 22, 23, 0)},
        {"store_path": "edge", "backed_up_at": datetime(2025, 11, 23, 0, 0)},
        {"store_path": "young", "backed_up_at": date(2026, 5, 1)},
    ]
    assert [b["store_path"] for b in archive.expired_backups(backups, date(2026, 11, 23), 12)] == [
        "old"
    ]
    assert archive.retention_cutoff(date(2026, 2, 28), 12) == date(2025, 2, 28)


def test_bad_settings_name_the_field():
    with pytest.raises(SettingsError, match="max_backups_per_run"):
        parse_settings(CourseArchiveSettings, {"max_backups_per_run": 0})
    with pytest.raises(SettingsError, match="archive_category_name"):
        parse_settings(CourseArchiveSettings, {"archive_category_name": "Архив"})
    with pytest.raises(SettingsError, match="default_delivery_model"):
        parse_settings(CourseAuditSettings, '{"default_delivery_model": "distance"}')
    assert (
        parse_settings(CourseArchiveSettings, None, {"max_backups_per_run": 3}).max_backups_per_run
        == 3
    )


# --- the audit ---------------------------------------------------------------

COURSE = {
    "id": 1,
    "shortname": "C",
    "fullname": "Курс",
    "category": 2,
    "summary": "<p>Кратко о курсе</p>",
}


def _m(section, modname, name, section_name="", entries=None):
    return {
        "section": section,
        "section_name": section_name,
        "modname": modname,
        "name": name,
        "glossary_entries": entries,
    }


WEB_OK = [
    _m(1, "page", "Об авторе"),
    _m(1, "url", "Рабочая программа"),
    _m(2, "page", "Лекция 1"),
    _m(2, "quiz", "Самоконтроль 1"),
    _m(3, "page", "Список литературы"),
]


def _findings(modules, model="web_support", course=COURSE, **rules):
    result = audit.audit_course(course, modules, model, audit.AuditRules(**rules))
    return result, {f["code"]: f for f in result["findings"]}


def test_a_minimal_web_support_course_passes():
    result, _ = _findings(WEB_OK)
    assert result["passed"] and result["score"] == 100 and result["missing"] == []


def test_annotation_over_400_characters_is_malformed_and_html_is_not_counted():
    long_course = {**COURSE, "summary": "<p>" + "а" * 401 + "</p>"}
    result, findings = _findings(WEB_OK, course=long_course)
    assert findings["1"]["status"] == "malformed" and result["malformed"] == ["1"]
    exact = {**COURSE, "summary": "<p><b>" + "а" * 400 + "</b>&nbsp;</p>"}
    assert _findings(WEB_OK, course=exact)[1]["1"]["status"] == "present"
    assert _findings(WEB_OK, course={**COURSE, "summary": ""})[1]["1"]["status"] == "missing"


def test_glossary_needs_ten_teacher_terms_and_must_be_one():
    small = [*WEB_OK, _m(1, "glossary", "Глоссарий", entries=9)]
    assert _findings(small, "online")[1]["7"]["status"] == "malformed"
    enough = [*WEB_OK, _m(1, "glossary", "Глоссарий", entries=10)]
    assert _findings(enough, "online")[1]["7"]["status"] == "present"
    two = [*enough, _m(2, "glossary", "Ещё глоссарий", entries=12)]
    assert "должен быть один" in _findings(two, "online")[1]["7"]["detail"]


def test_each_missing_required_element_is_reported():
    for name in ("Об авторе", "Рабочая программа", "Список литературы", "Самоконтроль 1"):
        modules = [m for m in WEB_OK if m["name"] != name]
        result, _ = _findings(modules)
        assert len(result["missing"]) == 1 and not result["passed"], name


def test_theory_and_outcomes_are_checked_in_every_module():
    modules = [
        *WEB_OK,
        _m(4, "page", "Результаты обучения по модулю 2"),
        _m(4, "quiz", "Самоконтроль 2"),
    ]
    result, findings = _findings(modules, "online")
    assert findings["12"]["status"] == "malformed" and "4" in findings["12"]["detail"]
    assert findings["11"]["status"] == "malformed" and "2" in findings["11"]["detail"]


def test_control_elements_are_required_only_when_the_course_has_them():
    _, findings = _findings(WEB_OK, "blended")
    assert findings["17a"]["status"] == "not_applicable" and not findings["17a"]["required"]
    labs = [*WEB_OK, _m(5, "assign", "Отчёт", section_name="Лабораторные работы")]
    result, findings = _findings(labs, "blended")
    assert findings["17a"]["status"] == "missing" and result["missing"] == ["17a"]
    guided = [*labs, _m(5, "page", "Методические указания", section_name="Лабораторные работы")]
    assert _findings(guided, "blended")[0]["passed"]


def test_name_patterns_and_required_elements_are_settings():
    renamed = [
        m if m["name"] != "Список литературы" else {**m, "name": "Источники"} for m in WEB_OK
    ]
    assert _findings(renamed)[1]["14"]["status"] == "missing"
    assert _findings(renamed, name_patterns={"14": ["источник"]})[1]["14"]["status"] == "present"
    result, _ = _findings(WEB_OK, required_elements={"web_support": ["1", "10"]})
    assert result["missing"] == ["10"] and result["score"] == 50


def test_delivery_model_from_the_course_field_or_the_setting():
    options = "Обучение с веб-поддержкой\r\nСмешанное обучение\r\nОнлайн-обучение"
    assert audit.resolve_model("3", options, "web_support") == ("online", "course field")
    assert audit.resolve_model("blended", None, "web_support") == ("blended", "course field")
    assert audit.resolve_model(None, options, "blended") == ("blended", "setting")
    assert audit.resolve_model("9", options, "online") == ("online", "setting")


def test_audit_settings_check_patterns_and_element_codes():
    with pytest.raises(SettingsError, match="name_patterns"):
        parse_settings(CourseAuditSettings, {"name_patterns": {"14": ["(unclosed"]}})
    with pytest.raises(SettingsError, match="required_elements"):
        parse_settings(CourseAuditSettings, {"required_elements": {"online": ["1", "99"]}})
    ok = parse_settings(CourseAuditSettings, {"name_patterns": {"17": ["лаб"]}})
    assert ok.name_patterns == {"17": ["лаб"]}
