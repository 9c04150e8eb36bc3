"""Exam archive (`exam_archive`): pure logic over pandas frames, no Airflow, no network.

- `selection`: the local date's window, which quizzes are exams, which attempts count
- `documents`: marks from the last step of each question attempt, grade scaling,
  manual-grading flags, the PDF contexts of an attempt and of a quiz's summary sheet
- `layout`: archive paths and manifest rows
- `gate`: the quality gate over the produced files
"""
