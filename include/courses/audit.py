"""The regulation's minimum composition of an e-course (Appendices B and C), checked per course.

Elements are numbered as in Appendix B. Detection is by module type plus name
patterns (regular expressions, case-insensitive) whose defaults are the
regulation's element names; a setting overrides the patterns per element.
Elements marked `*` in Appendix C (15–20: practice, control work, labs,
course project, individual work, exam) are required only when the course has
them in its working program; the course's own structure tells: a section or
activity whose name matches the element's topic.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

MODELS = ("web_support", "blended", "online")
MODEL_TITLES = {
    "web_support": "Обучение с веб-поддержкой",
    "blended": "Смешанное обучение",
    "online": "Онлайн-обучение",
}
STATUS_TITLES = {
    "present": "есть",
    "missing": "нет",
    "malformed": "с нарушением",
    "not_applicable": "не требуется",
}

CONTENT_TYPES = (
    "page",
    "book",
    "lesson",
    "resource",
    "url",
    "folder",
    "h5pactivity",
    "scorm",
    "imscp",
)
ACTIVITY_TYPES = ("assign", "quiz", "forum", "wiki", "data", "workshop", "bigbluebuttonbn")


@dataclass(frozen=True)
class Element:
    code: str
    title: str
    types: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    scope: str = "course"  # course | section | summary | control_a | control_b
    topic: str = ""  # the 15–20 element whose topic decides "present in the working program"


_TOPICS = {
    "15": ("Семинарское и/или практическое занятие", (r"семинар", r"практическ")),
    "16": ("Контрольная работа и/или коллоквиум", (r"контрольн", r"коллоквиум")),
    "17": ("Лабораторная работа", (r"лабораторн",)),
    "18": ("Курсовой проект (работа)", (r"курсов",)),
    "19": ("Индивидуальное задание", (r"индивидуальн", r"реферат", r"доклад")),
    "20": ("Зачет / зачет с оценкой / экзамен", (r"заче[тё]", r"экзамен", r"аттестац")),
}

ELEMENTS: tuple[Element, ...] = (
    Element("1", "Аннотация", scope="summary"),
    Element(
        "2",
        "Информация об авторе и преподавателе",
        ("page", "label", "resource", "url", "book"),
        (r"автор", r"преподавател"),
    ),
    Element("3", "Объявления", ("forum", "label"), (r"объявлени", r"новост", r"announcement")),
    Element("4", "Консультации", ("forum", "bigbluebuttonbn", "chat"), (r"консультац", r"вопрос")),
    Element("5", "Рабочая программа", ("url", "page"), (r"рабоч\w* программ", r"\bрп\b")),
    Element(
        "6",
        "Инструкция по работе с электронным курсом",
        ("page", "resource", "url", "book"),
        (r"инструкци", r"порядок (работы|обучения)"),
    ),
    Element("7", "Глоссарий", ("glossary",)),
    Element("8", "Входное тестирование", ("quiz", "url"), (r"входн",)),
    Element(
        "9",
        "Обратная связь (отзыв об электронном курсе)",
        ("feedback", "survey", "url", "forum", "questionnaire"),
        (r"обратн\w* связ", r"отзыв", r"анкет"),
    ),
    Element("10", "Хранилище материалов", ("folder",)),
    Element(
        "11",
        "Результаты обучения по модулю",
        ("page", "label"),
        (r"результат\w* обучени",),
        "section",
    ),
    Element(
        "12",
        "Теоретический материал по модулю",
        (
            "lesson",
            "book",
            "page",
            "url",
            "resource",
            "bigbluebuttonbn",
            "scorm",
            "imscp",
            "h5pactivity",
        ),
        (),
        "section",
    ),
    Element(
        "13",
        "Самоконтроль по теоретическому материалу",
        ("quiz", "h5pactivity", "url", "lti", "scorm", "imscp", "lesson"),
        (r"самоконтрол", r"самопровер", r"проверь себя"),
    ),
    Element(
        "14",
        "Список литературы",
        ("page", "url", "resource", "book"),
        (r"литератур", r"список источников", r"библиограф"),
    ),
    *(
        element
        for number, (title, topic) in _TOPICS.items()
        for element in (
            Element(
                f"{number}a",
                f"{title}: методические указания",
                CONTENT_TYPES,
                topic,
                "control_a",
                number,
            ),
            Element(
                f"{number}b",
                f"{title}: элементы проведения",
                ACTIVITY_TYPES,
                topic,
                "control_b",
                number,
            ),
        )
    ),
)
ELEMENTS_BY_CODE = {e.code: e for e in ELEMENTS}
TOPIC_CODES = frozenset(_TOPICS)  # 15–20: a name pattern applies to both parts a and b

_CONTROL_A = [f"{n}a" for n in _TOPICS]
_CONTROL_AB = [code for n in _TOPICS for code in (f"{n}a", f"{n}b")]
# Appendix C (В), column "ЭК дисциплин": the required element numbers per delivery model.
REQUIRED_BY_MODEL: dict[str, tuple[str, ...]] = {
    "web_support": ("1", "2", "5", "12", "13", "14"),
    "blended": ("1", "2", "5", "12", "13", "14", *_CONTROL_A),
    "online": ("1", "2", "3", "4", "5", "6", "7", "11", "12", "13", "14", *_CONTROL_AB),
}

_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def plain_text(summary: str | None) -> str:
    """A course summary as a reader counts it: tags removed, entities decoded, spaces collapsed."""
    text = html.unescape(_TAGS.sub(" ", summary or ""))
    return _SPACES.sub(" ", text).strip()


def resolve_model(value, options_text: str | None, default: str) -> tuple[str, str]:
    """(delivery model, source) from the course custom field value, or the setting's default.

    The field may be a text field holding a code or title, or a select field whose
    value is the 1-based index of an option (Moodle stores the index).
    """
    raw = "" if value is None else str(value).strip()
    if raw.isdigit() and options_text:
        options = [o.strip() for o in options_text.splitlines() if o.strip()]
        index = int(raw)
        raw = options[index - 1] if 1 <= index <= len(options) else ""
    lowered = raw.lower()
    for code, needles in (
        ("web_support", ("web_support", "веб")),
        ("blended", ("blended", "смешан")),
        ("online", ("online", "онлайн", "дистанц")),
    ):
        if lowered and any(n in lowered for n in needles):
            return code, "course field"
    return default, "setting"


@dataclass
class AuditRules:
    annotation_max_chars: int = 400
    glossary_min_entries: int = 10
    pass_score: int = 100
    name_patterns: dict[str, list[str]] = field(default_factory=dict)
    required_elements: dict[str, list[str]] = field(default_factory=dict)

    def patterns(self, element: Element) -> list[re.Pattern]:
        key = element.topic or element.code
        texts = self.name_patterns.get(key, self.name_patterns.get(element.code))
        chosen = element.patterns if texts is None else tuple(texts)
        return [re.compile(p, re.IGNORECASE) for p in chosen]

    def required(self, model: str) -> tuple[str, ...]:
        return tuple(self.required_elements.get(model, REQUIRED_BY_MODEL[model]))


def _matches(patterns: list[re.Pattern], *texts: str) -> bool:
    return any(p.search(t or "") for p in patterns for t in texts)


def audit_course(course: dict, modules: list[dict], model: str, rules: AuditRules) -> dict:
    """Findings per element for one course and its score.

    `course`: id, shortname, fullname, category, summary. `modules`: dicts with
    section (number), section_name, modname, name, glossary_entries (glossaries).
    """
    required = set(rules.required(model))
    claimed: set[int] = set()  # modules identified as a named element are not theory
    findings: dict[str, dict] = {}
    named = [e for e in ELEMENTS if e.scope == "course" and e.patterns]
    for element in named:
        patterns = rules.patterns(element)
        hits = [
            i
            for i, m in enumerate(modules)
            if m["modname"] in element.types and _matches(patterns, m["name"])
        ]
        claimed.update(hits)
        findings[element.code] = _finding("present" if hits else "missing", _names(modules, hits))

    # 1: the course summary
    text = plain_text(course.get("summary"))
    if not text:
        findings["1"] = _finding("missing", "описание курса пусто")
    elif len(text) > rules.annotation_max_chars:
        findings["1"] = _finding(
            "malformed", f"{len(text)} знаков, допустимо не более {rules.annotation_max_chars}"
        )
    else:
        findings["1"] = _finding("present", f"{len(text)} знаков")

    # 7: one glossary with enough teacher entries; 10: one materials folder
    def glossary(found: dict) -> dict:
        entries = int(found.get("glossary_entries") or 0)
        status = "present" if entries >= rules.glossary_min_entries else "malformed"
        minimum = rules.glossary_min_entries
        return _finding(status, f"«{found['name']}»: {entries} терминов (минимум {minimum})")

    findings["7"] = _single(modules, "glossary", "{n} глоссария, должен быть один", glossary)
    findings["10"] = _single(
        modules,
        "folder",
        "{n} папки, хранилище должно быть одно",
        lambda found: _finding("present", f"«{found['name']}»"),
    )
    claimed.update(i for i, m in enumerate(modules) if m["modname"] in ("glossary", "folder"))

    # 15–20: required only when the course has the topic (working program)
    for element in (e for e in ELEMENTS if e.scope.startswith("control")):
        patterns = rules.patterns(element)
        in_program = any(_matches(patterns, m["name"], m.get("section_name", "")) for m in modules)
        if not in_program:
            findings[element.code] = _finding("not_applicable", "нет в структуре курса")
            continue
        hits = [
            i
            for i, m in enumerate(modules)
            if m["modname"] in element.types
            and _matches(patterns, m["name"], m.get("section_name", ""))
        ]
        claimed.update(hits)
        findings[element.code] = _finding("present" if hits else "missing", _names(modules, hits))

    # 11, 12: in every teaching module, i.e. a section (number >= 1) holding an activity
    # that is none of the elements above (an information block or a literature section is not)
    sections = sorted(
        {
            int(m["section"])
            for i, m in enumerate(modules)
            if int(m["section"]) >= 1 and i not in claimed
        }
    )
    for code in ("11", "12"):
        element = ELEMENTS_BY_CODE[code]
        patterns = rules.patterns(element)
        lacking = []
        for number in sections:
            in_section = [
                i
                for i, m in enumerate(modules)
                if int(m["section"]) == number and m["modname"] in element.types
            ]
            if patterns:
                ok = any(_matches(patterns, modules[i]["name"]) for i in in_section)
            else:
                ok = any(i not in claimed for i in in_section)
            if ok and patterns:
                claimed.update(i for i in in_section if _matches(patterns, modules[i]["name"]))
            if not ok:
                lacking.append(number)
        if not sections or len(lacking) == len(sections):
            findings[code] = _finding("missing", "ни в одном модуле")
        elif lacking:
            findings[code] = _finding(
                "malformed", "нет в модулях (разделах) " + ", ".join(str(n) for n in lacking)
            )
        else:
            findings[code] = _finding("present", f"во всех модулях ({len(sections)})")

    ordered = []
    for element in ELEMENTS:
        finding = findings[element.code]
        is_required = element.code in required and finding["status"] != "not_applicable"
        ordered.append(
            {"code": element.code, "title": element.title, "required": is_required, **finding}
        )
    due = [f for f in ordered if f["required"]]
    present = sum(1 for f in due if f["status"] == "present")
    score = round(100 * present / len(due)) if due else 100
    return {
        "course_id": int(course["id"]),
        "shortname": str(course["shortname"]),
        "fullname": str(course["fullname"]),
        "category_id": int(course["category"]),
        "delivery_model": model,
        "score": score,
        "passed": score >= rules.pass_score,
        "missing": [f["code"] for f in due if f["status"] == "missing"],
        "malformed": [f["code"] for f in due if f["status"] == "malformed"],
        "findings": ordered,
    }


def _single(modules: list[dict], modname: str, several: str, judge) -> dict:
    """The finding of an element a course holds exactly once (a glossary, a folder):
    missing, several of them (`several` says how many: `{n}`), or the one `judge`d."""
    found = [m for m in modules if m["modname"] == modname]
    if not found:
        return _finding("missing", "")
    if len(found) > 1:
        return _finding("malformed", several.format(n=len(found)))
    return judge(found[0])


def _finding(status: str, detail: str) -> dict:
    return {"status": status, "detail": detail}


def _names(modules: list[dict], indexes: list[int]) -> str:
    return "; ".join(f"«{modules[i]['name']}»" for i in indexes[:3])


CSV_HEADER = [
    "course_id",
    "shortname",
    "fullname",
    "delivery_model",
    "score",
    "passed",
    "missing",
    "malformed",
    *(f"element_{e.code}" for e in ELEMENTS),
]


def csv_rows(results: list[dict]):
    """One CSV row per course: the summary, then each element's status."""
    for r in results:
        statuses = {f["code"]: f["status"] for f in r["findings"]}
        yield [
            r["course_id"],
            r["shortname"],
            r["fullname"],
            r["delivery_model"],
            r["score"],
            "yes" if r["passed"] else "no",
            " ".join(r["missing"]),
            " ".join(r["malformed"]),
            *(statuses[e.code] for e in ELEMENTS),
        ]
