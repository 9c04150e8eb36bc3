-- The statements of include/connectors/moodle_modules.py, the one module that
-- writes Moodle's tables directly: what Moodle's own add_moduleinfo() writes
-- for a URL or a Page activity (shared/moodle/README.md, observed on 4.1.10;
-- the same columns exist in 4.5 LTS). Each statement is named by the
-- `-- name:` line above it; the module runs them in one transaction.

-- name: module_id
SELECT id FROM mdl_modules
WHERE name = %(name)s;

-- name: lock_course
SELECT
    id,
    cacherev
FROM mdl_course
WHERE id = %(course)s
FOR UPDATE;

-- name: find_marked
SELECT
    id,
    instance,
    section
FROM mdl_course_modules
WHERE idnumber = %(idnumber)s AND course = %(course)s AND module = %(module)s
ORDER BY id;

-- name: course_context
SELECT
    id,
    path,
    depth
FROM mdl_context
WHERE contextlevel = 50 AND instanceid = %(course)s;

-- name: find_section
SELECT
    id,
    sequence
FROM mdl_course_sections
WHERE course = %(course)s AND section = %(section)s
FOR UPDATE;

-- name: insert_section
INSERT INTO mdl_course_sections (
    course, section, name, summary, summaryformat, sequence, visible, availability, timemodified
) VALUES (
    %(course)s, %(section)s, %(name)s, '', 1, '', 1, NULL, %(now)s
);

-- name: insert_url
INSERT INTO mdl_url (
    course, name, intro, introformat, externalurl, display, displayoptions, parameters,
    timemodified
) VALUES (
    %(course)s, %(name)s, '', 1, %(externalurl)s, 0, 'a:1:{s:10:"printintro";i:0;}', 'a:0:{}',
    %(now)s
);

-- name: insert_page
INSERT INTO mdl_page (
    course, name, intro, introformat, content, contentformat, legacyfiles, legacyfileslast,
    display, displayoptions, revision, timemodified
) VALUES (
    %(course)s, %(name)s, '', 1, %(content)s, 1, 0, NULL, 5,
    'a:2:{s:10:"printintro";i:0;s:17:"printlastmodified";i:1;}', 1, %(now)s
);

-- name: insert_course_module
INSERT INTO mdl_course_modules (
    course, module, instance, section, idnumber, added, score, indent, visible,
    visibleoncoursepage, visibleold, groupmode, groupingid, completion,
    completiongradeitemnumber, completionview, completionexpected, completionpassgrade,
    showdescription, availability, deletioninprogress, downloadcontent, lang
) VALUES (
    %(course)s, %(module)s, %(instance)s, %(section_id)s, %(idnumber)s, %(now)s, 0, 0, 1,
    1, 1, 0, 0, 0,
    NULL, 0, 0, 0,
    0, NULL, 0, 1, NULL
);

-- name: insert_context
INSERT INTO mdl_context (contextlevel, instanceid, path, depth, locked)
VALUES (70, %(cmid)s, NULL, %(depth)s, 0);

-- name: set_context_path
UPDATE mdl_context SET path = %(path)s
WHERE id = %(id)s;

-- name: set_sequence
UPDATE mdl_course_sections SET sequence = %(sequence)s
WHERE id = %(id)s;

-- name: bump_cacherev
-- Moodle's increment_revision_number(): the clock, or +1 when already at or past it.
UPDATE mdl_course
SET
    cacherev = CASE
        WHEN cacherev IS NULL OR cacherev < %(now)s OR cacherev > %(now)s + 3600 THEN %(now)s
        ELSE cacherev + 1
    END
WHERE id = %(course)s;

-- name: insert_log
INSERT INTO mdl_logstore_standard_log (
    eventname, component, action, target, objecttable, objectid, crud, edulevel, contextid,
    contextlevel, contextinstanceid, userid, courseid, relateduserid, anonymous, other,
    timecreated, origin, ip, realuserid
) VALUES (
    %(eventname)s, 'core', %(action)s, 'course_module', 'course_modules', %(cmid)s, %(crud)s, 1,
    %(contextid)s, 70, %(cmid)s, %(userid)s, %(course)s, NULL, 0, %(other)s,
    %(now)s, 'cli', NULL, NULL
);

-- name: recent_activity_exists
SELECT COUNT(*) AS n
FROM information_schema.tables
WHERE table_schema = DATABASE() AND table_name = %(table_name)s;

-- name: insert_recent_activity
INSERT INTO mdl_block_recent_activity (courseid, cmid, timecreated, userid, action, modname)
VALUES (%(course)s, %(cmid)s, %(now)s, %(userid)s, %(action)s, %(modname)s);

-- name: page_of_module
SELECT
    id,
    name,
    content
FROM mdl_page
WHERE id = %(id)s
FOR UPDATE;

-- name: update_page
UPDATE mdl_page
SET
    name = %(name)s,
    content = %(content)s,
    revision = revision + 1,
    timemodified = %(now)s
WHERE id = %(id)s;

-- name: module_context
SELECT id FROM mdl_context
WHERE contextlevel = 70 AND instanceid = %(cmid)s;
