"""Writing the courses demo into Moodle's tables: categories, courses with their
contexts, sections and activities, the delivery-model custom field's values.

Moodle's module tables the fixture schema lacks (forum, glossary and its entries,
folder, feedback, assign, book, lesson) are created here with the columns of
Moodle 4.5's install.xml that the project reads, if they do not exist yet.
"""

from __future__ import annotations

MODULE_TABLES = {
    "forum": "`type` varchar(20) NOT NULL DEFAULT 'general',",
    "glossary": "`mainglossary` tinyint(2) NOT NULL DEFAULT 0,",
    "folder": "`revision` bigint(10) NOT NULL DEFAULT 0,",
    "feedback": "`anonymous` tinyint(1) NOT NULL DEFAULT 1,",
    "assign": "`duedate` bigint(10) NOT NULL DEFAULT 0,",
    "book": "`numbering` smallint(4) NOT NULL DEFAULT 0,",
    "lesson": "`practice` smallint(3) NOT NULL DEFAULT 0,",
}
GLOSSARY_ENTRIES_DDL = """
CREATE TABLE IF NOT EXISTS `mdl_glossary_entries` (
  `id` bigint(10) NOT NULL AUTO_INCREMENT,
  `glossaryid` bigint(10) NOT NULL DEFAULT 0,
  `userid` bigint(10) NOT NULL DEFAULT 0,
  `concept` varchar(255) NOT NULL DEFAULT '',
  `definition` longtext NOT NULL,
  `definitionformat` tinyint(2) NOT NULL DEFAULT 0,
  `definitiontrust` tinyint(2) NOT NULL DEFAULT 0,
  `attachment` varchar(100) NOT NULL DEFAULT '',
  `timecreated` bigint(10) NOT NULL DEFAULT 0,
  `timemodified` bigint(10) NOT NULL DEFAULT 0,
  `teacherentry` tinyint(2) NOT NULL DEFAULT 0,
  `sourceglossaryid` bigint(10) NOT NULL DEFAULT 0,
  `usedynalink` tinyint(2) NOT NULL DEFAULT 1,
  `casesensitive` tinyint(2) NOT NULL DEFAULT 0,
  `fullmatch` tinyint(2) NOT NULL DEFAULT 1,
  `approved` tinyint(2) NOT NULL DEFAULT 1,
  PRIMARY KEY (`id`),
  KEY `mdl_glosentr_glo_ix` (`glossaryid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=COMPRESSED
"""
MODEL_FIELD_OPTIONS = "Обучение с веб-поддержкой\r\nСмешанное обучение\r\nОнлайн-обучение"
MODEL_INDEX = {"web_support": 1, "blended": 2, "online": 3}


class CourseBuilder:
    """Adds categories, courses and course modules as Moodle lays them out."""

    def __init__(self, cursor, now: int):
        self.cursor = cursor
        self.now = now
        cursor.execute("SELECT id, name FROM mdl_modules")
        self.module_ids = {name: mid for mid, name in cursor.fetchall()}

    def context(self, level: int, instance: int, parent_path: str, depth: int) -> tuple[str, int]:
        self.cursor.execute(
            "INSERT INTO mdl_context (contextlevel, instanceid, path, depth, locked) VALUES (%s, %s, '', %s, 0)",
            (level, instance, depth),
        )
        cid = self.cursor.lastrowid
        path = f"{parent_path}/{cid}"
        self.cursor.execute("UPDATE mdl_context SET path = %s WHERE id = %s", (path, cid))
        return path, depth

    def category(self, name: str, idnumber: str, parent: int | None) -> int:
        c = self.cursor
        if parent:
            c.execute("SELECT path, depth FROM mdl_course_categories WHERE id = %s", (parent,))
            ppath, pdepth = c.fetchone()
            c.execute(
                "SELECT path, depth FROM mdl_context WHERE contextlevel = 40 AND instanceid = %s",
                (parent,),
            )
            cpath, cdepth = c.fetchone()
        else:
            ppath, pdepth, cpath, cdepth = "", 0, "/1", 1
        c.execute("SELECT COALESCE(MAX(sortorder), 0) FROM mdl_course_categories")
        sortorder = (int(c.fetchone()[0]) // 10000 + 1) * 10000
        c.execute(
            "INSERT INTO mdl_course_categories (name, idnumber, description, descriptionformat, parent,"
            " sortorder, coursecount, visible, visibleold, timemodified, depth, path)"
            " VALUES (%s, %s, '', 1, %s, %s, 0, 1, 1, %s, %s, '')",
            (name, idnumber, parent or 0, sortorder, self.now, pdepth + 1),
        )
        cat = c.lastrowid
        c.execute(
            "UPDATE mdl_course_categories SET path = %s WHERE id = %s", (f"{ppath}/{cat}", cat)
        )
        self.context(40, cat, cpath, cdepth + 1)
        return cat

    def course(
        self,
        category: int,
        shortname: str,
        fullname: str,
        summary: str,
        start: int,
        end: int,
        model: str | None,
        model_field: int,
        sections: list,
        students: list[int],
    ) -> int:
        c = self.cursor
        c.execute("SELECT sortorder FROM mdl_course_categories WHERE id = %s", (category,))
        base = int(c.fetchone()[0])
        c.execute("SELECT COUNT(*) FROM mdl_course WHERE category = %s", (category,))
        sortorder = base + int(c.fetchone()[0]) + 1
        c.execute(
            "INSERT INTO mdl_course (category, sortorder, fullname, shortname, idnumber, summary, summaryformat,"
            " format, startdate, enddate, visible, timecreated, timemodified, cacherev, enablecompletion)"
            " VALUES (%s, %s, %s, %s, '', %s, 1, 'topics', %s, %s, 1, %s, %s, %s, 1)",
            (
                category,
                sortorder,
                fullname,
                shortname,
                summary,
                start,
                end,
                self.now,
                self.now,
                self.now,
            ),
        )
        course = c.lastrowid
        c.execute(
            "UPDATE mdl_course_categories SET coursecount = coursecount + 1 WHERE id = %s",
            (category,),
        )
        c.execute(
            "SELECT path, depth FROM mdl_context WHERE contextlevel = 40 AND instanceid = %s",
            (category,),
        )
        cpath, cdepth = c.fetchone()
        course_ctx, course_depth = self.context(50, course, cpath, cdepth + 1)
        if model:
            c.execute(
                "INSERT INTO mdl_customfield_data (fieldid, instanceid, intvalue, value, valueformat,"
                " timecreated, timemodified, contextid) VALUES (%s, %s, %s, %s, 0, %s, %s, NULL)",
                (
                    model_field,
                    course,
                    MODEL_INDEX[model],
                    str(MODEL_INDEX[model]),
                    self.now,
                    self.now,
                ),
            )
        c.execute(
            "INSERT INTO mdl_enrol (enrol, status, courseid, sortorder, roleid, timecreated, timemodified)"
            " VALUES ('manual', 0, %s, 0, 5, %s, %s)",
            (course, self.now, self.now),
        )
        enrol = c.lastrowid
        for user in students:
            c.execute(
                "INSERT INTO mdl_user_enrolments (status, enrolid, userid, timestart, timecreated, timemodified)"
                " VALUES (0, %s, %s, %s, %s, %s)",
                (enrol, user, start, self.now, self.now),
            )
        for number, (name, modules) in enumerate([("", [])] + list(sections)):
            c.execute(
                "INSERT INTO mdl_course_sections (course, section, name, summary, summaryformat, sequence,"
                " visible, timemodified) VALUES (%s, %s, %s, '', 1, '', 1, %s)",
                (course, number, name or None, self.now),
            )
            section_id = c.lastrowid
            cmids = [
                self.module(course, section_id, kind, title, course_ctx, course_depth)
                for kind, title in modules
            ]
            c.execute(
                "UPDATE mdl_course_sections SET sequence = %s WHERE id = %s",
                (",".join(str(i) for i in cmids), section_id),
            )
        return course

    def module(
        self, course: int, section: int, kind: str, name: str, course_ctx: str, depth: int
    ) -> int:
        c = self.cursor
        kind, _, entries = kind.partition(":")
        table = f"mdl_{kind}"
        if kind in ("page",):
            c.execute(
                f"INSERT INTO {table} (course, name, intro, introformat, content, contentformat, display,"
                " revision, timemodified) VALUES (%s, %s, '', 1, %s, 1, 5, 1, %s)",
                (course, name, f"<p>{name}</p>", self.now),
            )
        elif kind == "url":
            c.execute(
                f"INSERT INTO {table} (course, name, intro, introformat, externalurl, display, parameters,"
                " timemodified) VALUES (%s, %s, '', 1, %s, 0, 'a:0:{}', %s)",
                (course, name, "https://edu.example.org/rpd/" + str(course), self.now),
            )
        elif kind == "quiz":
            c.execute(
                f"INSERT INTO {table} (course, name, intro, introformat, timemodified) VALUES (%s, %s, '', 1, %s)",
                (course, name, self.now),
            )
        else:
            c.execute(
                f"INSERT INTO {table} (course, name, intro, introformat, timemodified) VALUES (%s, %s, '', 1, %s)",
                (course, name, self.now),
            )
        instance = c.lastrowid
        if kind == "glossary":
            for n in range(int(entries or 0)):
                c.execute(
                    "INSERT INTO mdl_glossary_entries (glossaryid, userid, concept, definition, definitionformat,"
                    " timecreated, timemodified, teacherentry, approved) VALUES (%s, 2, %s, %s, 1, %s, %s, 1, 1)",
                    (
                        instance,
                        f"Термин {n + 1}",
                        f"Определение термина {n + 1}",
                        self.now,
                        self.now,
                    ),
                )
            # an entry written by a student does not count (Appendix B, element 7)
            c.execute(
                "INSERT INTO mdl_glossary_entries (glossaryid, userid, concept, definition, definitionformat,"
                " timecreated, timemodified, teacherentry, approved) VALUES (%s, 5, 'Студенческий термин', '', 1,"
                " %s, %s, 0, 1)",
                (instance, self.now, self.now),
            )
        c.execute(
            "INSERT INTO mdl_course_modules (course, module, instance, section, added, visible,"
            " visibleoncoursepage, visibleold, downloadcontent) VALUES (%s, %s, %s, %s, %s, 1, 1, 1, 1)",
            (course, self.module_ids[kind], instance, section, self.now),
        )
        cmid = c.lastrowid
        self.context(70, cmid, course_ctx, depth + 1)
        return cmid


def create_module_tables(cursor) -> None:
    for name, extra in MODULE_TABLES.items():
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS `mdl_{name}` ("
            " `id` bigint(10) NOT NULL AUTO_INCREMENT,"
            " `course` bigint(10) NOT NULL DEFAULT 0,"
            " `name` varchar(255) NOT NULL DEFAULT '',"
            " `intro` longtext NOT NULL,"
            " `introformat` smallint(4) NOT NULL DEFAULT 0,"
            f" {extra}"
            " `timemodified` bigint(10) NOT NULL DEFAULT 0,"
            " PRIMARY KEY (`id`), KEY `mdl_{name}_cou_ix` (`course`)"
            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=COMPRESSED"
        )
    cursor.execute(GLOSSARY_ENTRIES_DDL)
