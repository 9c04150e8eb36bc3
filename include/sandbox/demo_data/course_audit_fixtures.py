"""The audit fixtures of the courses demo: courses built so that each rule of the
regulation's minimum composition is passed by one course and failed by another
(docs/courses.md); include/sandbox/demo_data/courses.py writes them."""

from __future__ import annotations

GOOD_SUMMARY = (
    "<p>Курс знакомит с основами дисциплины: ключевые понятия, методы и инструменты, "
    "результаты обучения и практическая значимость для профессиональной деятельности.</p>"
)
LONG_SUMMARY = "<p>" + "Подробное описание курса с перечислением всех тем и задач. " * 9 + "</p>"

# (module type, name) lists; `glossary:N` carries N teacher entries
INFO_BLOCK = [
    ("forum", "Объявления"),
    ("page", "Информация об авторе и преподавателе"),
    ("forum", "Консультации"),
    ("url", "Рабочая программа дисциплины"),
    ("page", "Инструкция по работе с электронным курсом"),
    ("glossary:12", "Глоссарий"),
    ("quiz", "Входное тестирование"),
    ("feedback", "Обратная связь: отзыв о курсе"),
    ("folder", "Хранилище материалов"),
]


def module_section(topic: int, extra: list | None = None) -> tuple[str, list]:
    """A topic's section: learning outcomes, a lecture, a self-check quiz (and `extra`)."""
    return (
        f"Модуль {topic}. Тема {topic}",
        [
            ("page", f"Результаты обучения по модулю {topic}"),
            ("page", f"Лекция {topic}"),
            ("quiz", f"Самоконтроль по модулю {topic}"),
            *(extra or []),
        ],
    )


def audit_fixtures() -> list[dict]:
    """Courses that pass and fail each audit rule (shortname, model, summary, sections)."""
    literature = ("Список литературы", [("page", "Список литературы")])
    full = [("Общие сведения", INFO_BLOCK), module_section(1), module_section(2), literature]
    minimal = [
        ("Общие сведения", [("page", "Об авторе курса"), ("url", "Рабочая программа")]),
        module_section(1),
        literature,
    ]
    labs = (
        "Лабораторные работы",
        [
            ("page", "Методические указания к лабораторным работам"),
            ("assign", "Отчёт по лабораторной работе"),
        ],
    )
    labs_no_guide = ("Лабораторные работы", [("assign", "Отчёт по лабораторной работе")])
    return [
        {
            "shortname": "AUD-ONLINE-OK",
            "fullname": "Базы данных (онлайн, полный)",
            "model": "online",
            "summary": GOOD_SUMMARY,
            "sections": full,
        },
        {
            "shortname": "AUD-WEB-OK",
            "fullname": "Информатика (веб-поддержка, минимум)",
            "model": "web_support",
            "summary": GOOD_SUMMARY,
            "sections": minimal,
        },
        {
            "shortname": "AUD-LONG-ANNOT",
            "fullname": "Сети ЭВМ (аннотация длиннее 400 знаков)",
            "model": "web_support",
            "summary": LONG_SUMMARY,
            "sections": minimal,
        },
        {
            "shortname": "AUD-SMALL-GLOSS",
            "fullname": "Физика (глоссарий из 7 терминов)",
            "model": "online",
            "summary": GOOD_SUMMARY,
            "sections": [
                (
                    "Общие сведения",
                    [
                        ("glossary:7", "Глоссарий") if m[0].startswith("glossary") else m
                        for m in INFO_BLOCK
                    ],
                ),
                module_section(1),
                literature,
            ],
        },
        {
            "shortname": "AUD-NO-LIT",
            "fullname": "История (нет списка литературы)",
            "model": None,
            "summary": GOOD_SUMMARY,
            "sections": minimal[:2],
        },
        {
            "shortname": "AUD-BLENDED-LABS",
            "fullname": "Электроника (смешанное, лабораторные с указаниями)",
            "model": "blended",
            "summary": GOOD_SUMMARY,
            "sections": [*minimal, labs],
        },
        {
            "shortname": "AUD-BLENDED-NOGUIDE",
            "fullname": "Схемотехника (смешанное, лабораторные без указаний)",
            "model": "blended",
            "summary": GOOD_SUMMARY,
            "sections": [*minimal, labs_no_guide],
        },
        {
            "shortname": "AUD-NO-OUTCOMES",
            "fullname": "Алгебра (нет результатов обучения в модуле 2)",
            "model": "online",
            "summary": "",
            "sections": [
                ("Общие сведения", INFO_BLOCK),
                module_section(1),
                ("Модуль 2. Тема 2", [("page", "Лекция 2"), ("quiz", "Самоконтроль 2")]),
                literature,
            ],
        },
    ]
