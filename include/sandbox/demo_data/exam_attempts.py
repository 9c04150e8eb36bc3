"""The exam demo's quiz attempts: question usages, question attempts and their steps,
as Moodle's deferred-feedback and manual-graded behaviours write them."""

from __future__ import annotations

from include.sandbox.demo_data.rows import NextIds, insert_rows


class Attempts:
    """Collects attempts (`add`), then writes them in one go (`write`)."""

    def __init__(self, ids: NextIds, rng) -> None:
        self.ids = ids
        self.rng = rng
        self.state = {"qas": [], "steps": [], "usages": [], "attempt_rows": []}

    @property
    def rows(self) -> list[tuple]:
        """The mdl_quiz_attempts rows collected so far."""
        return self.state["attempt_rows"]

    def add(
        self,
        spec,
        user,
        number,
        start,
        finish,
        state_name="finished",
        preview=0,
        essay_graded=None,
    ):
        """One attempt of `user` on the quiz `spec` with a step history per question; its id."""
        attempt_id = self.ids.take("mdl_quiz_attempts")
        usage = self.ids.take("mdl_question_usages")
        self.state["usages"].append((usage, spec["context"], "mod_quiz", "deferredfeedback"))
        total = 0.0
        needs_grading = False
        slots = list(range(1, len(spec["questions"]) + 1))
        self.rng.shuffle(slots)  # rows are not stored in slot order
        for slot in slots:
            kind, text, right, answers = (spec["questions"][slot - 1] + (None, None))[:4]
            maxmark = spec["maxmarks"][slot - 1]
            qa = self.ids.take("mdl_question_attempts")
            if kind == "essay":
                response = f"Ответ студента {user[0]}: 1НФ, 2НФ, 3НФ; транзитивная зависимость."
                right_answer = None
            else:
                response = self.rng.choice(answers)
                right_answer = right
            if state_name != "finished":
                response = None
            self.state["qas"].append(
                (
                    qa,
                    usage,
                    slot,
                    "manualgraded" if kind == "essay" else "deferredfeedback",
                    spec["question_ids"][slot - 1],
                    1,
                    maxmark,
                    0,
                    1,
                    0,
                    text,
                    right_answer,
                    response,
                    finish or start,
                )
            )
            steps = [(qa, 0, "todo", None, start, user[0])]
            if state_name == "finished":
                steps.append((qa, 1, "complete", None, finish - 5, user[0]))
                if kind == "essay":
                    steps.append((qa, 2, "needsgrading", None, finish, user[0]))
                    if essay_graded is None:
                        needs_grading = True
                    else:
                        state_text = "mangrright" if essay_graded == 1 else "mangrpartial"
                        steps.append((qa, 3, state_text, essay_graded, finish + 3600, 2))
                        total += essay_graded * maxmark
                else:
                    fraction = (
                        1.0
                        if response == right
                        else (0.0 if kind != "shortanswer" or response != right.lower() else 0.5)
                    )
                    label = {1.0: "gradedright", 0.0: "gradedwrong"}.get(fraction, "gradedpartial")
                    steps.append((qa, 2, label, fraction, finish, user[0]))
                    total += fraction * maxmark
            self.state["steps"].extend(steps)
        sumgrades = None if (needs_grading or state_name != "finished") else round(total, 5)
        self.state["attempt_rows"].append(
            (
                attempt_id,
                spec["id"],
                user[0],
                number,
                usage,
                "1,0",
                preview,
                state_name,
                start,
                finish,
                finish or start,
                sumgrades,
            )
        )
        return attempt_id

    def write(self, cursor) -> None:
        """Insert every collected usage, attempt, question attempt and step."""
        insert_rows(
            cursor,
            "mdl_question_usages",
            ("id", "contextid", "component", "preferredbehaviour"),
            self.state["usages"],
        )
        insert_rows(
            cursor,
            "mdl_quiz_attempts",
            (
                "id",
                "quiz",
                "userid",
                "attempt",
                "uniqueid",
                "layout",
                "preview",
                "state",
                "timestart",
                "timefinish",
                "timemodified",
                "sumgrades",
            ),
            self.state["attempt_rows"],
        )
        insert_rows(
            cursor,
            "mdl_question_attempts",
            (
                "id",
                "questionusageid",
                "slot",
                "behaviour",
                "questionid",
                "variant",
                "maxmark",
                "minfraction",
                "maxfraction",
                "flagged",
                "questionsummary",
                "rightanswer",
                "responsesummary",
                "timemodified",
            ),
            self.state["qas"],
        )
        first_step = self.ids.take("mdl_question_attempt_steps", len(self.state["steps"]))
        insert_rows(
            cursor,
            "mdl_question_attempt_steps",
            (
                "id",
                "questionattemptid",
                "sequencenumber",
                "state",
                "fraction",
                "timecreated",
                "userid",
            ),
            [(first_step + i, *row) for i, row in enumerate(self.state["steps"])],
        )
