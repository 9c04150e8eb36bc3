"""Kontur.Talk recordings → Moodle courses (DAG `kontur_recordings`).

Pure modules (no Airflow, no network): `routing` (prefix routes, title
normalisation, course matching, placement plan), `gate` (once-a-day
publication decision in the university's time zone), `quality` (row rules of
the poll's data-quality gate), `archive` (the archive page's HTML).
`steps` holds the task bodies: it wires the connectors to the pure functions.
"""
