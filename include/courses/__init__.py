"""Pure logic of `course_archive` and `course_audit`: no Airflow, no network.

`archive`: which finished courses to archive, where their backups go, which
backups retention deletes, whether a stored copy is sound. `audit`: the
regulation's minimum composition of a course per delivery model, element
detection, findings and a score.
"""
