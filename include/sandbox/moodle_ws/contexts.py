"""Moodle's context rows, as the core_course_* stand-ins read and add them."""

from __future__ import annotations

CONTEXT_SYSTEM, CONTEXT_USER, CONTEXT_COURSECAT, CONTEXT_COURSE = 10, 30, 40, 50
SYSTEM_CONTEXT = {"path": "/1", "depth": 1}  # the site's context row (id 1), every install's


def context_of(cursor, level: int, instance: int):
    """The mdl_context row (id, path, depth) of an instance at a context level, or None."""
    cursor.execute(
        "SELECT id, path, depth FROM mdl_context WHERE contextlevel = %s AND instanceid = %s",
        (level, instance),
    )
    return cursor.fetchone()


def add_context(cursor, level: int, instance: int, parent: dict) -> int:
    """A context row below `parent` (its path and depth), as Moodle adds one; its id."""
    cursor.execute(
        "INSERT INTO mdl_context (contextlevel, instanceid, path, depth, locked)"
        " VALUES (%s, %s, '', %s, 0)",
        (level, instance, parent["depth"] + 1),
    )
    context_id = cursor.lastrowid
    cursor.execute(
        "UPDATE mdl_context SET path = %s WHERE id = %s",
        (f"{parent['path']}/{context_id}", context_id),
    )
    return context_id
