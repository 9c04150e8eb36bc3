"""core_course_get_contents and core_course_delete_modules (kontur_recordings)."""

from __future__ import annotations

from include.sandbox.moodle_ws.registry import MoodleException, invalid_parameter, wsfunction  # noqa: F401
