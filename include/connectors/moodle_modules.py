"""The one module that writes Moodle's tables directly: URL and Page activities.

Moodle's core web services cannot create a URL or Page activity (the quick
create functions accept only modules that declare quick creation), so this
module does what Moodle's own `add_moduleinfo()` leaves in the database
(shared/moodle/README.md, observed on a real 4.1.10, checked on 4.5.6 with
`admin/cli/fix_course_sequence.php`), for a whole chunk of activities at once:

1. the instance rows (`url` / `page`) with Moodle's serialized display options;
2. `course_modules` with `section` = the section's id and our `idnumber` marker;
3. each module's `context` row (level 70, path = course path + '/' + id, depth + 1);
4. the ids appended to their sections' `sequence`;
5. the courses' `cacherev` raised (Moodle rebuilds its course cache);
6. `logstore_standard_log` (`\\core\\event\\course_module_created`), and
   `block_recent_activity` when the site has that table.

A chunk is ONE transaction of about 16 statements whatever its size, its courses
locked first in id order (`SELECT … FOR UPDATE`) so parallel writers queue (one
that loses a deadlock anyway runs again). No id is computed from another (Galera,
`auto_increment_increment` > 1): each inserted row is read back by a marker (the
`idnumber`, a per-chunk token in the instance's `intro`, a unique key).
The `idnumber` marker makes every write idempotent: an existing one is returned,
never created twice. An activity the server refuses for its own data is set aside
with the server's reason and the rest of its chunk written (the chunk is halved
until it is alone). Removal goes through `core_course_delete_modules`. The
statements: `sql/moodle/recordings_module_writes.sql`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field

from include.connectors.moodle_db import MoodleDbHook, expand_lists
from include.connectors.mysql_base import deadlock_retrying

_NAME = re.compile(r"^-- name: (\w+)\s*$", re.M)
_COMMENT = re.compile(r"^\s*--[^\n]*\n|\s+-- noqa[^\n]*", re.M)
# MariaDB errors about one row's own data (null, duplicate, out of range, bad value,
# too long, foreign key, CHECK constraint): that row is rejected, never the chunk.
ROW_DATA_ERRORS = frozenset({1048, 1062, 1264, 1265, 1292, 1366, 1406, 1452, 3819, 4025})
MODULE_CONTEXT_LEVEL = 70
MAX_IDNUMBER = 100  # course_modules.idnumber is varchar(100)


@dataclass(frozen=True)
class Activity:
    """One URL or Page activity to write: `body` is the URL's address or the Page's HTML."""

    course_id: int
    section_number: int
    section_name: str
    idnumber: str
    name: str
    body: str


@dataclass(frozen=True)
class WrittenModule:
    cmid: int
    instance: int
    section_id: int
    created: bool  # False: the marker already existed (nothing written)
    updated: bool = False  # a Page whose content changed
    course_id: int = 0
    idnumber: str = ""


@dataclass(frozen=True)
class RejectedActivity:
    activity: Activity
    reason: str
    error: BaseException | None = None


@dataclass
class ChunkResult:
    """What a chunk left: every activity is either written (or adopted) or rejected."""

    written: list[WrittenModule] = field(default_factory=list)
    rejected: list[RejectedActivity] = field(default_factory=list)

    def add(self, other: ChunkResult) -> None:
        self.written += other.written
        self.rejected += other.rejected


class ModuleWriteError(RuntimeError):
    """The course or its context is missing, or a row could not be read back."""


def row_data_error(error: BaseException) -> bool:
    import MySQLdb

    return (
        isinstance(error, MySQLdb.Error)
        and error.args[:1] != ()
        and (error.args[0] in ROW_DATA_ERRORS)
    )


def marker_key(course_id, idnumber: str) -> tuple[int, str]:
    """A marker as Moodle's database compares it (its collations ignore case and trailing
    spaces): two that it takes for one are one here too."""
    return int(course_id), idnumber.casefold().rstrip(" ")


class _Statements:
    """The named statements on one cursor, counted (the benchmark and the run report
    show statements per activity; the server's own `Questions` count agrees)."""

    def __init__(self, cursor, writer: MoodleModuleWriter) -> None:
        self.cursor = cursor
        self.writer = writer

    def run(self, name: str, **params):
        sql, flat = expand_lists(self.writer.sql(name), params)
        self.writer.statements += 1
        self.cursor.execute(sql, flat)
        return self.cursor

    def all(self, name: str, **params) -> list[tuple]:
        return list(self.run(name, **params).fetchall())

    def many(self, name: str, rows: list[dict]) -> None:
        """A multi-row INSERT (MySQLdb's executemany: one statement up to the packet size)."""
        if rows:
            self.writer.statements += 1
            self.cursor.executemany(self.writer.sql(name), rows)


class MoodleModuleWriter:
    """Adds URL and Page activities to courses as `add_moduleinfo()` does, by chunks."""

    def __init__(self, hook: MoodleDbHook | None = None, log_userid: int = 2) -> None:
        # log_userid: the events are logged as done by the site admin Moodle's
        # installer creates (id 2), as Moodle's own scheduled tasks are.
        self.hook = hook or MoodleDbHook()
        self.log_userid = log_userid
        self.statements = 0
        self._sql: dict[str, str] | None = None
        self._site: dict | None = None

    # --- statements -------------------------------------------------------
    def sql(self, name: str) -> str:
        if self._sql is None:
            parts = _NAME.split(self.hook.query("recordings_module_writes"))
            self._sql = {
                parts[i]: _COMMENT.sub("", parts[i + 1] + "\n").strip().rstrip(";")
                for i in range(1, len(parts) - 1, 2)
            }
        return self._sql[name]

    def _site_facts(self, cur: _Statements) -> dict:
        if self._site is None:
            table = f"{self.hook.table_prefix}block_recent_activity"
            url, page, recent, packet = cur.all("site_facts", recent_table=table)[0]
            self._site = {"url": url, "page": page, "recent": bool(recent),
                          "packet": int(packet)}  # fmt: skip
        # one multi-row statement as large as the server takes (a margin for its header)
        cur.cursor.max_stmt_length = max(64 * 1024, self._site["packet"] - 64 * 1024)
        return self._site

    def server_questions(self) -> int:
        """The statements this writer's connection has sent, as the server counts them."""
        cursor = self.hook.db.cursor()
        try:
            cursor.execute(self.sql("session_questions"))
            return int(cursor.fetchone()[1])
        finally:
            cursor.close()

    # --- public API -------------------------------------------------------
    def write_urls(self, activities: list[Activity], now: int | None = None) -> ChunkResult:
        """URL activities (`body` = the address), one transaction; existing markers adopted."""
        return self._write("url", activities, now)

    def write_pages(self, activities: list[Activity], now: int | None = None) -> ChunkResult:
        """Page activities (`body` = HTML), one transaction; an existing one (same marker)
        is updated in place when its name or content changed (revision + 1, an update
        event)."""
        return self._write("page", activities, now)

    def add_url(self, course_id, section_number, section_name, idnumber, name, externalurl,
                now=None) -> WrittenModule:  # fmt: skip
        """One URL activity (a chunk of one); raises what kept it from being written."""
        activity = Activity(course_id, section_number, section_name, idnumber, name, externalurl)
        return self._one(self.write_urls([activity], now))

    def put_page(self, course_id, section_number, section_name, idnumber, name, content,
                 now=None) -> WrittenModule:  # fmt: skip
        """One Page activity, created or updated in place; raises what kept it back."""
        activity = Activity(course_id, section_number, section_name, idnumber, name, content)
        return self._one(self.write_pages([activity], now))

    @staticmethod
    def _one(result: ChunkResult) -> WrittenModule:
        if result.rejected:
            rejected = result.rejected[0]
            raise rejected.error or ModuleWriteError(rejected.reason)
        return result.written[0]

    # --- a chunk, halved around a row the server refuses -----------------------
    def _write(self, modname: str, activities: list[Activity], now: int | None) -> ChunkResult:
        now = int(now or time.time())
        result, seen, unique = ChunkResult(), set(), []
        for activity in activities:
            key = marker_key(activity.course_id, activity.idnumber)
            if key in seen:
                result.rejected.append(RejectedActivity(activity, "the same marker twice"))
            elif not activity.idnumber or len(activity.idnumber) > MAX_IDNUMBER:
                reason = f"marker empty or longer than {MAX_IDNUMBER} characters"
                result.rejected.append(RejectedActivity(activity, reason))
            else:
                seen.add(key)
                unique.append(activity)
        self._write_splitting(modname, unique, now, result)
        return result

    def _write_splitting(self, modname, items, now, result: ChunkResult) -> None:
        if not items:
            return
        try:
            for attempt in deadlock_retrying():
                with attempt, self.hook.transaction() as cursor:
                    part = self._chunk(_Statements(cursor, self), modname, items, now)
        except Exception as error:
            if not row_data_error(error):
                raise
            if len(items) == 1:
                result.rejected.append(RejectedActivity(items[0], str(error), error))
                return
            middle = len(items) // 2
            self._write_splitting(modname, items[:middle], now, result)
            self._write_splitting(modname, items[middle:], now, result)
            return
        result.add(part)

    def _chunk(self, cur: _Statements, modname, items: list[Activity], now) -> ChunkResult:
        site = self._site_facts(cur)
        module = site[modname]
        if module is None:
            raise ModuleWriteError(f"Moodle has no '{modname}' module installed")
        result = ChunkResult()
        courses = {
            int(row[0]): row[1:]
            for row in cur.all("lock_courses", course_ids=sorted({a.course_id for a in items}))
        }
        live = []
        for activity in items:
            context = courses.get(activity.course_id)
            if context is None or context[0] is None:
                missing = "does not exist" if context is None else "has no context row"
                reason = f"course {activity.course_id} {missing}"
                result.rejected.append(RejectedActivity(activity, reason))
            else:
                live.append(activity)
        if not live:
            return result
        marked = {}
        for cmid, course, idnumber, instance, section in cur.all(
            "find_marked", module=module, course_ids=sorted({a.course_id for a in live}),
            idnumbers=sorted({a.idnumber for a in live}),
        ):  # fmt: skip
            marked.setdefault(
                marker_key(course, idnumber), (int(cmid), int(instance), int(section))
            )
        old = [a for a in live if marker_key(a.course_id, a.idnumber) in marked]
        new = [a for a in live if marker_key(a.course_id, a.idnumber) not in marked]
        updated = self._update_pages(cur, old, marked, now) if modname == "page" else {}
        written = {}
        for a in old:
            cmid, instance, section_id = marked[marker_key(a.course_id, a.idnumber)]
            written[marker_key(a.course_id, a.idnumber)] = WrittenModule(
                cmid, instance, section_id, False, cmid in updated, a.course_id, a.idnumber
            )
        created = self._create(cur, modname, module, new, now) if new else []
        written |= {marker_key(w.course_id, w.idnumber): w for w in created}
        touched = {w.course_id for w in created} | set(updated.values())
        if touched:
            cur.run("bump_cacherev", course_ids=sorted(touched), now=now)
        self._log(cur, modname, "created", [w.cmid for w in created], now)
        self._log(cur, modname, "updated", sorted(updated), now)
        result.written += [written[marker_key(a.course_id, a.idnumber)] for a in live]
        return result

    def _sections(self, cur: _Statements, items: list[Activity], now) -> dict:
        """{(course, section number): section id}, missing sections created first."""
        wanted = {(a.course_id, a.section_number): a.section_name for a in items}

        def read():
            rows = cur.all(
                "lock_sections", course_ids=sorted({c for c, _ in wanted}),
                numbers=sorted({n for _, n in wanted}),
            )  # fmt: skip
            return {(int(c), int(n)): int(i) for i, c, n in rows if (int(c), int(n)) in wanted}

        found = read()
        missing = [key for key in wanted if key not in found]
        if missing:
            cur.many("insert_section", [
                {"course": c, "section": n, "name": wanted[(c, n)], "now": now}
                for c, n in missing
            ])  # fmt: skip
            found = read()  # re-read by the unique (course, section): ids are never assumed
        return found

    def _create(self, cur: _Statements, modname, module, new: list[Activity], now):
        sections = self._sections(cur, new, now)
        course_ids = sorted({a.course_id for a in new})
        # the instance rows first, each marked (in `intro`, cleared below) with the chunk's
        # token, its section id and idnumber: the course modules are made from them
        token = f"ktalk-chunk:{secrets.token_hex(8)}:"
        cur.many(f"insert_{modname}", [
            {"course": a.course_id, "name": a.name[:255], "body": a.body, "now": now,
             "marker": f"{token}{sections[(a.course_id, a.section_number)]:020d}{a.idnumber}"}
            for a in new
        ])  # fmt: skip
        marker = {"course_ids": course_ids, "token_like": f"{token}%"}
        cur.run("insert_course_modules", module=module, at=len(token) + 1, now=now,
                **marker)  # fmt: skip
        cur.run(f"clear_{modname}_markers", **marker)
        rows = {
            marker_key(course, idnumber): (int(cmid), int(instance), int(section))
            for cmid, course, idnumber, instance, section in cur.all(
                "find_marked",
                module=module,
                course_ids=course_ids,
                idnumbers=sorted({a.idnumber for a in new}),
            )  # fmt: skip
        }
        if len(rows) != len(new):
            raise ModuleWriteError(f"{len(new)} course modules written, {len(rows)} read back")
        ids = sorted(cmid for cmid, _, _ in rows.values())
        cur.run("insert_module_contexts", cmids=ids)
        cur.run("set_module_context_paths", cmids=ids)
        cur.run("append_to_sequences", cmids=ids)
        contexts = {int(cmid) for cmid, _ in cur.all("module_contexts", cmids=ids)}
        written = []
        for a in new:
            cmid, instance, section_id = rows[marker_key(a.course_id, a.idnumber)]
            if section_id != sections[(a.course_id, a.section_number)] or cmid not in contexts:
                raise ModuleWriteError(f"course module {cmid}: section or context not linked")
            written.append(
                WrittenModule(cmid, instance, section_id, True, False, a.course_id, a.idnumber)
            )
        return written

    def _update_pages(self, cur: _Statements, old, marked, now) -> dict:
        """The pages whose name or content changed, rewritten: {cmid: course}."""
        if not old:
            return {}
        instances = sorted({marked[marker_key(a.course_id, a.idnumber)][1] for a in old})
        state = {int(i): (n, h) for i, n, h in cur.all("lock_pages", ids=instances)}
        changed, rows = {}, []
        for a in old:
            cmid, instance, _ = marked[marker_key(a.course_id, a.idnumber)]
            page = state.get(instance)
            digest = hashlib.sha256(a.body.encode("utf-8")).hexdigest()
            if page is None or (page[0], page[1]) == (a.name[:255], digest):
                continue
            changed[cmid] = a.course_id
            rows.append({"id": instance, "course": a.course_id, "name": a.name[:255],
                         "body": a.body, "now": now})  # fmt: skip
        cur.many("update_pages", rows)
        return changed

    def _log(self, cur: _Statements, modname, action: str, cmids: list[int], now) -> None:
        """The `course_module_<action>` event of each module (and its recent-activity row)."""
        if not cmids:
            return
        cur.run("insert_module_logs", eventname=f"\\core\\event\\course_module_{action}",
                modname=modname, action=action, crud="c" if action == "created" else "u",
                userid=self.log_userid, cmids=cmids, now=now)  # fmt: skip
        if self._site_facts(cur)["recent"]:
            cur.run("insert_recent_activity", now=now, userid=self.log_userid, modname=modname,
                    recent_action=0 if action == "created" else 1, cmids=cmids)  # fmt: skip
