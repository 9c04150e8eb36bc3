"""Kontur.Talk recordings → Moodle courses (DAG `kontur_recordings`).

Pure modules (no Airflow, no network): `routing` (prefix routes, title
normalisation, course matching, placement plan), `placement` (the recordings
section of a course), `gate` (once-a-day publication decision in the university's
time zone), `feed` (the poll's schema), `quality` (row rules of the poll's
data-quality gate), `archive` (the archive page's HTML), `clearing` (what an answer
to a clearing's approval does). The task bodies that wire
the connectors to them are in include/tasks/kontur_recordings.py.
"""
