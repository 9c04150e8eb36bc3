"""The one module that writes Moodle's tables directly: URL and Page activities.

Moodle's core web services cannot create a URL or Page activity (the quick
create functions accept only modules that declare quick creation), so this
module does, in ONE transaction, what Moodle's own `add_moduleinfo()` leaves
in the database (shared/moodle/README.md, observed on a real 4.1.10):

1. the instance row (`url` / `page`) with Moodle's serialized display options;
2. `course_modules` with `section` = the section's id and our `idnumber` marker;
3. the module's `context` row (level 70, path = course path + '/' + id, depth + 1);
4. the id appended to the section's `sequence`;
5. the course's `cacherev` raised (Moodle rebuilds its course cache);
6. `logstore_standard_log` (`\\core\\event\\course_module_created`), and
   `block_recent_activity` when the site has that table.

The `idnumber` marker makes every write idempotent: an activity whose marker
already exists in the course is returned, never created twice. Removing an
activity is not done here: it goes through `core_course_delete_modules`.
The statements live in `sql/moodle/recordings_module_writes.sql`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

from include.connectors.moodle_db import MoodleDbHook

_NAME = re.compile(r"^-- name: (\w+)\s*$", re.M)


@dataclass(frozen=True)
class WrittenModule:
    cmid: int
    instance: int
    section_id: int
    created: bool  # False: the marker already existed (nothing written)
    updated: bool = False  # a Page whose content changed


class ModuleWriteError(RuntimeError):
    """The course or its context is missing: nothing was written."""


class _CountingCursor:
    """Counts statements (the benchmark reports statements per activity)."""

    def __init__(self, cursor, writer: MoodleModuleWriter) -> None:
        self._cursor = cursor
        self._writer = writer

    def execute(self, sql, params=None):
        self._writer.statements += 1
        return self._cursor.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class MoodleModuleWriter:
    """Adds URL and Page activities to courses as `add_moduleinfo()` does."""

    def __init__(self, hook: MoodleDbHook | None = None, log_userid: int = 2) -> None:
        # log_userid: the events are logged as done by the site admin Moodle's
        # installer creates (id 2), as Moodle's own scheduled tasks are.
        self.hook = hook or MoodleDbHook()
        self.log_userid = log_userid
        self.statements = 0
        self._sql: dict[str, str] | None = None
        self._module_ids: dict[str, int] = {}
        self._recent_activity: bool | None = None

    # --- statements -------------------------------------------------------
    def sql(self, name: str) -> str:
        if self._sql is None:
            text = self.hook.query("recordings_module_writes")
            parts = _NAME.split(text)
            self._sql = {
                parts[i]: parts[i + 1].strip().rstrip(";") for i in range(1, len(parts) - 1, 2)
            }
        return self._sql[name]

    def _one(self, cursor, statement: str, **params):
        cursor.execute(self.sql(statement), params)
        return cursor.fetchone()

    def module_id(self, cursor, modname: str) -> int:
        """The id of `url` / `page` in `modules` (looked up by name, never hard-coded)."""
        if modname not in self._module_ids:
            row = self._one(cursor, "module_id", name=modname)
            if row is None:
                raise ModuleWriteError(f"Moodle has no '{modname}' module installed")
            self._module_ids[modname] = int(row[0])
        return self._module_ids[modname]

    def _has_recent_activity(self, cursor) -> bool:
        if self._recent_activity is None:
            table = f"{self.hook.table_prefix}block_recent_activity"
            self._recent_activity = bool(
                self._one(cursor, "recent_activity_exists", table_name=table)[0]
            )
        return self._recent_activity

    # --- public API -------------------------------------------------------
    def find_marked(self, course_id: int, idnumber: str, modname: str) -> int | None:
        """The course-module id carrying `idnumber` in the course, if any."""
        with self.hook.transaction() as raw:
            cursor = _CountingCursor(raw, self)
            module = self.module_id(cursor, modname)
            row = self._one(
                cursor, "find_marked", course=course_id, idnumber=idnumber, module=module
            )
        return int(row[0]) if row else None

    def add_url(
        self,
        course_id: int,
        section_number: int,
        section_name: str,
        idnumber: str,
        name: str,
        externalurl: str,
        now: int | None = None,
    ) -> WrittenModule:
        """A URL activity in the numbered section (created with `section_name` if
        missing); returns the existing activity when the marker is already there."""
        return self._add(
            "url",
            course_id,
            section_number,
            section_name,
            idnumber,
            {"name": name[:255], "externalurl": externalurl},
            now,
        )

    def put_page(
        self,
        course_id: int,
        section_number: int,
        section_name: str,
        idnumber: str,
        name: str,
        content: str,
        now: int | None = None,
    ) -> WrittenModule:
        """A Page activity, or the existing one (same marker) updated in place when its
        content or name changed (revision + 1, cacherev raised, an update event)."""
        return self._add(
            "page",
            course_id,
            section_number,
            section_name,
            idnumber,
            {"name": name[:255], "content": content},
            now,
        )

    # --- the transaction --------------------------------------------------
    def _add(self, modname, course_id, section_number, section_name, idnumber, fields, now):
        now = int(now or time.time())
        with self.hook.transaction() as raw:
            cursor = _CountingCursor(raw, self)
            if self._one(cursor, "lock_course", course=course_id) is None:
                raise ModuleWriteError(f"course {course_id} does not exist")
            module = self.module_id(cursor, modname)
            marked = self._one(
                cursor, "find_marked", course=course_id, idnumber=idnumber, module=module
            )
            if marked is not None:
                cmid, instance, section_id = (int(x) for x in marked)
                updated = modname == "page" and self._update_page(
                    cursor, course_id, cmid, instance, fields, now
                )
                return WrittenModule(cmid, instance, section_id, False, updated)
            context = self._one(cursor, "course_context", course=course_id)
            if context is None:
                raise ModuleWriteError(f"course {course_id} has no context row")
            course_context_id, course_path, course_depth = context
            section = self._one(cursor, "find_section", course=course_id, section=section_number)
            if section is None:
                cursor.execute(
                    self.sql("insert_section"),
                    {
                        "course": course_id,
                        "section": section_number,
                        "name": section_name,
                        "now": now,
                    },
                )
                section = (cursor.lastrowid, "")
            section_id, sequence = int(section[0]), section[1] or ""
            cursor.execute(
                self.sql(f"insert_{modname}"), {"course": course_id, "now": now, **fields}
            )
            instance = cursor.lastrowid
            cursor.execute(
                self.sql("insert_course_module"),
                {
                    "course": course_id,
                    "module": module,
                    "instance": instance,
                    "section_id": section_id,
                    "idnumber": idnumber,
                    "now": now,
                },
            )
            cmid = cursor.lastrowid
            cursor.execute(
                self.sql("insert_context"), {"cmid": cmid, "depth": int(course_depth) + 1}
            )
            context_id = cursor.lastrowid
            cursor.execute(
                self.sql("set_context_path"),
                {"id": context_id, "path": f"{course_path}/{context_id}"},
            )
            ids = [x for x in sequence.split(",") if x.strip()] + [str(cmid)]
            cursor.execute(self.sql("set_sequence"), {"id": section_id, "sequence": ",".join(ids)})
            cursor.execute(self.sql("bump_cacherev"), {"course": course_id, "now": now})
            self._log(
                cursor, "created", course_id, cmid, context_id, modname, instance, fields, now
            )
            return WrittenModule(cmid, instance, section_id, True)

    def _update_page(self, cursor, course_id, cmid, instance, fields, now) -> bool:
        page = self._one(cursor, "page_of_module", id=instance)
        if page is None or (page[1] == fields["name"] and page[2] == fields["content"]):
            return False
        cursor.execute(self.sql("update_page"), {"id": instance, "now": now, **fields})
        cursor.execute(self.sql("bump_cacherev"), {"course": course_id, "now": now})
        row = self._one(cursor, "module_context", cmid=cmid)
        context_id = int(row[0]) if row else 0
        self._log(cursor, "updated", course_id, cmid, context_id, "page", instance, fields, now)
        return True

    def _log(self, cursor, action, course_id, cmid, context_id, modname, instance, fields, now):
        other = json.dumps(
            {"modulename": modname, "instanceid": instance, "name": fields["name"]},
            ensure_ascii=False,
        )
        cursor.execute(
            self.sql("insert_log"),
            {
                "eventname": f"\\core\\event\\course_module_{action}",
                "action": action,
                "crud": "c" if action == "created" else "u",
                "cmid": cmid,
                "contextid": context_id,
                "userid": self.log_userid,
                "course": course_id,
                "other": other,
                "now": now,
            },
        )
        if self._has_recent_activity(cursor):
            cursor.execute(
                self.sql("insert_recent_activity"),
                {
                    "course": course_id,
                    "cmid": cmid,
                    "now": now,
                    "userid": self.log_userid,
                    "action": 0 if action == "created" else 1,
                    "modname": modname,
                },
            )
