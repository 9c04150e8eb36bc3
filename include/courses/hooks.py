"""The project's DB hooks for the course steps."""

from __future__ import annotations


def moodle_db():
    from include.connectors.moodle_db import MoodleDbHook

    return MoodleDbHook()


def pipelines_db():
    from include.connectors.pipelines_db import PipelinesDbHook

    return PipelinesDbHook()
