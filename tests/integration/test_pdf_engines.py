"""Both PDF engines make the same two volume documents: the attempt protocol and the
voucher act (include/render/volumes.py). Each PDF is read back with poppler's
`pdftotext` and its field values compared between the engines and with the data: the
same fields, Cyrillic and Kazakh letters, values holding Typst's markup characters
printed as text (never run as code), PDF/A-3b, byte-identical in a fresh process."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pytest

from include.render.volumes import ENGINES, LAYOUTS, render_attempt_protocol, render_voucher_act
from tests.fresh_process import answer_of

KAZAKH = "ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І"
# every character Typst's markup gives a meaning, inside values a person types
HOSTILE = '#set text(fill: red) #panic("x") $x^2$ *жирный* _курсив_ <метка> @ref \\ ] [ } // `код`'
ATTEMPT_FIELDS = (
    "Факультет / категория", "Курс", "Тест", "Студент", "Идентификатор студента",
    "Группа", "Попытка", "Начало", "Завершение", "Затраченное время", "Оценка",
)  # fmt: skip
ACT_FIELDS = (
    "Отчётный период", "Поставщик услуг", "Модель финансирования", "Эмитент", "Регион",
    "Рабочих дней в месяце", "Правило расчёта",
)  # fmt: skip

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def attempt_document(questions: int = 30, finished: bool = False) -> dict:
    """One attempt of `questions` questions, its values hostile to markup."""
    return {
        "archive_date": "2026-11-23",
        "timezone": "Europe/Moscow",
        "institution": f"Университет ({KAZAKH})",
        "category": "Инженерный факультет / Кафедра #1",
        "course_fullname": f"Курс {HOSTILE}",
        "course_shortname": "C_1*",
        "quiz_name": "Экзамен\x0b по истории $5",  # \x0b: a control character XML forbids
        "quiz_id": 11,
        "attempt_id": 7001,
        "attempt": 2,
        "student_name": "Әлиева Ғалия Құрманқызы",
        "student_idnumber": "S-1#]",
        "user_id": 55,
        "group": "",
        "started": "23.11.2026 09:00:00",
        "finished": "23.11.2026 10:05:09",
        "time_taken": "1 ч 05 мин 09 с",
        "grade_text": "не выставлена (оценивание не завершено), максимум 100,00",
        "grading_finished": finished,
        "pending_count": 0 if finished else 1,
        "questions": [
            {
                "slot": slot,
                "question": f"Вопрос {slot}: год <начала> & конца? {HOSTILE}",
                "response": f"ответ {slot} {KAZAKH}" if slot != 2 else "(нет ответа)",
                "right_answer": f"1914 [{slot}]",
                "mark_text": "1,00 / 1,00" if slot != 4 else "— / 2,00",
                "state_text": "Верно" if slot != 4 else "Требует проверки преподавателем",
                "pending": slot == 4 and not finished,
            }
            for slot in range(1, questions + 1)
        ],
    }


def act_context(children: int = 60, funding_model: str = "voucher") -> dict:
    """A voucher act's PDF context, through the acts domain as the voucher pipeline makes it."""
    from include.vouchers import acts

    act = {
        "act_number": "VA-202604-123456789012", "period": "2026-04", "act_status": "generated",
        "rule_id": "attendance", "working_days": 21, "missing_marks": 0,
        "termination_flag": False, "bin": "123456789012", "name": f"ТОО «Балапан» {HOSTILE}",
        "funding_model": funding_model, "address": "Алматы, ул. Әуезова 1",
        "total_tiyn": 257142840,
    }  # fmt: skip
    lines = [
        {
            "line_no": i + 1, "voucher_id": None if i == 0 else f"V-{i:06d}",
            "iin": f"1901015{i:05d}", "child_name": f"Нұрғалиев Әлихан {i} ({KAZAKH})",
            "contract_days": 21, "attended_days": 19, "payable_days": 20,
            "norm_tiyn": 4500000, "amount_tiyn": 4285714,
        }
        for i in range(children)
    ]  # fmt: skip
    region = {"emitent_bin": "987654321098", "emitent_name": "ГУ «Управление образования»",
              "code": "ALA", "name": "г. Алматы"}  # fmt: skip
    document = acts.act_document(act, lines, region)
    return acts.pdf_context(document, acts.esf_draft(document, date(2026, 4, 30)))


def text_of(pdf: bytes) -> str:
    """pdftotext in content order, page footers dropped, whitespace collapsed."""
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    text = re.sub(r"стр\. \d+( из \d+)?", " ", done.stdout.decode("utf-8"))
    return re.sub(r"\s+", " ", text).strip()


def fields(text: str, labels: tuple[str, ...], end: str) -> dict[str, str]:
    """The value after each label, up to the next label (the last one up to `end`)."""
    found = {}
    for label, following in zip(labels, (*labels[1:], end), strict=True):
        match = re.search(re.escape(label) + " (.*?) " + re.escape(following), text)
        assert match, f"{label!r} then {following!r} not in {text[:400]!r}"
        found[label] = match.group(1)
    return found


def pdfa_part(pdf: bytes) -> tuple[str, str]:
    from pypdf import PdfReader

    xmp = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_data().decode("utf-8")
    part = re.search(r"pdfaid:part(?:>|=\")(\d)", xmp).group(1)
    return part, re.search(r"pdfaid:conformance(?:>|=\")(\w)", xmp).group(1)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_both_engines_print_the_same_attempt_fields(layout):
    document = attempt_document()
    texts = {e: text_of(render_attempt_protocol(document, e, layout)) for e in ENGINES}
    values = {e: fields(t, ATTEMPT_FIELDS, "Оценивание не завершено") for e, t in texts.items()}
    assert values["typst"] == values["weasyprint"]
    assert values["typst"] == {
        "Факультет / категория": "Инженерный факультет / Кафедра #1",
        "Курс": f"Курс {HOSTILE} (C_1*)",
        "Тест": "Экзамен по истории $5 (id 11)",
        "Студент": "Әлиева Ғалия Құрманқызы",
        "Идентификатор студента": "S-1#] (user id 55)",
        "Группа": "—",
        "Попытка": "№ 2 (id 7001)",
        "Начало": "23.11.2026 09:00:00",
        "Завершение": "23.11.2026 10:05:09",
        "Затраченное время": "1 ч 05 мин 09 с",
        "Оценка": "не выставлена (оценивание не завершено), максимум 100,00",
    }
    for engine, text in texts.items():
        assert text.startswith("Протокол попытки 7001 · Экзамен по истории $5 · 2026-11-23")
        assert f"Университет ({KAZAKH}) Протокол экзамена: Экзамен по истории $5" in text
        assert "Оценивание не завершено: 1 вопрос(а/ов) ожидают ручной проверки." in text
        positions = []
        for q in document["questions"]:
            if layout == "compact":
                row = (
                    f"{q['slot']}. {q['question']} — ответ студента: {q['response']}; "
                    f"правильный ответ: {q['right_answer']}; балл: {q['mark_text']}; "
                    f"{q['state_text']}"
                )
            else:
                row = " ".join(
                    str(q[k])
                    for k in ("slot", "question", "response", "right_answer", "mark_text")
                ) + f" {q['state_text']}"  # fmt: skip
            assert row in text, (engine, q["slot"])
            positions.append(text.index(row))
        assert positions == sorted(positions), engine  # slot order
        assert text.endswith(
            "Сформировано из данных Moodle за 2026-11-23 (Europe/Moscow). Документ архива, не "
            "требует подписи."
        ), engine


def test_a_graded_attempt_has_no_flag_in_either_engine():
    document = attempt_document(questions=3, finished=True)
    for engine in ENGINES:
        text = text_of(render_attempt_protocol(document, engine))
        assert "Оценивание не завершено" not in text and "Әлиева Ғалия Құрманқызы" in text


@pytest.mark.parametrize("funding_model", ["voucher", "estimate"])
def test_both_engines_print_the_same_act_fields(funding_model):
    context = act_context(funding_model=funding_model)
    texts = {e: text_of(render_voucher_act(context, e)) for e in ENGINES}
    values = {e: fields(t, ACT_FIELDS, "№ ИИН ребёнка") for e, t in texts.items()}
    assert values["typst"] == values["weasyprint"]
    model = (
        "государственный заказ по бюджетной смете"
        if funding_model == "estimate"
        else "ваучер (оплата за каждого ребёнка)"
    )
    assert values["typst"] == {
        "Отчётный период": "с 01.04.2026 по 30.04.2026 (2026-04)",
        "Поставщик услуг": f"ТОО «Балапан» {HOSTILE}, БИН 123456789012, Алматы, ул. Әуезова 1",
        "Модель финансирования": model,
        "Эмитент": "ГУ «Управление образования», БИН 987654321098",
        "Регион": "г. Алматы (ALA)",
        "Рабочих дней в месяце": "21",
        "Правило расчёта": "attendance",
    }
    act = context["act"]
    for engine, text in texts.items():
        assert text.startswith("АКТ ОКАЗАННЫХ УСЛУГ № VA-202604-123456789012 по дошкольному")
        positions = []
        for line in act["lines"]:
            row = (
                f"{line['line_no']} {line['iin']} {line['child_name']} "
                f"{line['voucher_id'] or '—'} 21 19 20 45 000,00 42 857,14"
            )
            assert row in text, (engine, line["line_no"])
            positions.append(text.index(row))
        assert positions == sorted(positions), engine
        assert "Итого: детей 60 1140 1200 2 571 428,40" in text, engine
        assert "Всего к оплате: 2 571 428,40 тенге (без НДС)." in text, engine
        assert ("распределение по детям приведено справочно" in text) == (
            funding_model == "estimate"
        )
        assert (
            "Черновик ЭСФ: продавец БИН 123456789012, покупатель БИН 987654321098, итого "
            "2 571 428,40 тенге."
        ) in text, engine
        signatures = text[text.rindex("тенге.") :]
        assert signatures.count("______________________ (ЭЦП)") == 2, engine
        assert "Поставщик услуг" in signatures and "Эмитент" in signatures, engine


def test_both_engines_make_pdfa_3b():
    for engine in ENGINES:
        assert pdfa_part(render_attempt_protocol(attempt_document(3), engine)) == ("3", "B")
        assert pdfa_part(render_voucher_act(act_context(3), engine)) == ("3", "B")


FRESH_PROCESS = """
import hashlib, json, sys
from tests.integration.test_pdf_engines import act_context, attempt_document
from include.render.volumes import render_attempt_protocol, render_voucher_act
engine = sys.argv[1]
print(json.dumps([
    hashlib.sha256(render_attempt_protocol(attempt_document(), engine)).hexdigest(),
    hashlib.sha256(render_voucher_act(act_context(), engine)).hexdigest(),
]))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_rerun_in_a_fresh_process_gives_the_same_bytes(engine):
    import hashlib

    here = [
        hashlib.sha256(render_attempt_protocol(attempt_document(), engine)).hexdigest(),
        hashlib.sha256(render_voucher_act(act_context(), engine)).hexdigest(),
    ]
    assert answer_of(FRESH_PROCESS, engine) == here
    other = attempt_document()
    other["attempt_id"] = 7002
    assert render_attempt_protocol(other, engine) != render_attempt_protocol(
        attempt_document(), engine
    )


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="pdf_engine 'chromium'"):
        render_attempt_protocol(attempt_document(1), "chromium")
    with pytest.raises(ValueError, match="pdf_engine 'chromium'"):
        render_voucher_act(act_context(1), "chromium")


def test_typst_in_the_pool_gives_the_inline_bytes_and_the_workers_checks():
    """Typst in spawned pool workers (one compiler per worker) makes the bytes it makes
    inline, and each worker's check of a file names its student."""
    from include.exams.rendering import render_checked_chunk, render_quizzes
    from include.render.worker_pool import isolated_process_pool
    from tests.integration.test_worker_pool import sample_documents

    documents, summary = sample_documents(30)
    with isolated_process_pool(2) as pool:
        done = list(render_quizzes([(1, documents, summary)], pool, 2, "table", "typst"))
    ((key, pairs, (summary_pdf, summary_check)),) = done
    inline = render_checked_chunk(documents, "table", "typst")
    assert key == 1 and pairs == inline and summary_check["pages"] >= 1
    assert all(check["names_student"] and check["pages"] == 1 for _, check in pairs)
    assert not summary_check["names_student"]
