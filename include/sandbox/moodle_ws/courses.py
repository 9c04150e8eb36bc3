"""core_course_* category and course functions (course_archive, course_audit)."""

from __future__ import annotations

from include.sandbox.moodle_ws.registry import MoodleException, invalid_parameter, wsfunction  # noqa: F401
