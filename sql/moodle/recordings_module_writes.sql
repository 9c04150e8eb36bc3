-- The statements of include/connectors/moodle_modules.py, the one module that
-- writes Moodle's tables directly: what Moodle's own add_moduleinfo() writes
-- for URL and Page activities (shared/moodle/README.md, observed on 4.1.10;
-- checked on a real 4.5.6 with admin/cli/fix_course_sequence.php), set-based:
-- a chunk of activities in one transaction, about 16 statements whatever its size.
-- Each statement is named by the `-- name:` line above it. `IN (%(x)s)` takes a
-- list (the module expands it to one placeholder per value). A multi-row INSERT
-- (executemany) needs its VALUES to open and close with a placeholder.
-- No id is ever computed from another (Galera and auto_increment_increment > 1
-- leave gaps): every inserted row is read back by a marker, a unique key or a join.

-- name: site_facts
-- Once per writer: the module ids (looked up by name, never hard-coded), whether
-- the site has block_recent_activity, and the largest statement the server takes.
SELECT
    (
        SELECT m.id FROM mdl_modules AS m
        WHERE m.name = 'url'
    ) AS url_module,
    (
        SELECT m.id FROM mdl_modules AS m
        WHERE m.name = 'page'
    ) AS page_module,
    (
        SELECT COUNT(*) FROM information_schema.tables AS t
        WHERE t.table_schema = DATABASE() AND t.table_name = %(recent_table)s
    ) AS has_recent_activity,
    @@max_allowed_packet AS max_allowed_packet;

-- name: lock_courses
-- The chunk's courses locked in id order (parallel writers queue, never deadlock),
-- with their context rows.
SELECT
    c.id,
    ctx.id AS context_id,
    ctx.path,
    ctx.depth
FROM mdl_course AS c
LEFT JOIN mdl_context AS ctx ON c.id = ctx.instanceid AND ctx.contextlevel = 50
WHERE c.id IN (%(course_ids)s) -- noqa: RF02
ORDER BY c.id
FOR UPDATE; -- noqa: PRS

-- name: find_marked
-- The course modules of these locked courses by their idnumber markers: before a chunk
-- is written (the markers already there are adopted) and after (the chunk's new course
-- modules read back: none of them was there before).
SELECT
    id,
    course,
    idnumber,
    instance,
    section
FROM mdl_course_modules
WHERE
    module = %(module)s
    AND course IN (%(course_ids)s)
    AND idnumber IN (%(idnumbers)s)
ORDER BY id;

-- name: lock_sections
SELECT
    id,
    course,
    section
FROM mdl_course_sections
WHERE course IN (%(course_ids)s) AND section IN (%(numbers)s)
FOR UPDATE;

-- name: insert_section
INSERT INTO mdl_course_sections (
    course, section, name, summary, summaryformat, sequence, visible, availability, timemodified
) VALUES (
    %(course)s, %(section)s, %(name)s, '', 1, '', 1, NULL, %(now)s
);

-- name: insert_url
-- intro carries the chunk's marker until insert_course_modules has read it.
INSERT INTO mdl_url (
    course, name, intro, introformat, externalurl, display, displayoptions, parameters,
    timemodified
) VALUES (
    %(course)s, %(name)s, %(marker)s, 1, %(body)s, 0, 'a:1:{s:10:"printintro";i:0;}', 'a:0:{}',
    %(now)s
);

-- name: insert_page
INSERT INTO mdl_page (
    course, name, intro, introformat, content, contentformat, legacyfiles, legacyfileslast,
    display, displayoptions, revision, timemodified
) VALUES (
    %(course)s, %(name)s, %(marker)s, 1, %(body)s, 1, 0, NULL, 5,
    'a:2:{s:10:"printintro";i:0;s:17:"printlastmodified";i:1;}', 1, %(now)s
);

-- name: insert_course_modules
-- A course module per url or page instance of the chunk, written whole: its section id
-- and idnumber come from the instance's marker (token, the section id in 20 digits, the
-- idnumber), so no row is written twice. The token is the chunk's own, so only one of
-- the two instance tables holds it.
INSERT INTO mdl_course_modules (
    course, module, instance, section, idnumber, score, indent, visible,
    visibleoncoursepage, visibleold, groupmode, groupingid, completion,
    completiongradeitemnumber, completionview, completionexpected, completionpassgrade,
    showdescription, availability, deletioninprogress, downloadcontent, lang, added
)
SELECT
    i.course,
    %(module)s,
    i.id AS instance,
    CAST(SUBSTRING(i.intro, %(at)s, 20) AS UNSIGNED) AS section,
    SUBSTRING(i.intro, %(at)s + 20) AS idnumber,
    0 AS score,
    0 AS indent,
    1 AS visible,
    1 AS visibleoncoursepage,
    1 AS visibleold,
    0 AS groupmode,
    0 AS groupingid,
    0 AS completion,
    NULL AS completiongradeitemnumber,
    0 AS completionview,
    0 AS completionexpected,
    0 AS completionpassgrade,
    0 AS showdescription,
    NULL AS availability,
    0 AS deletioninprogress,
    1 AS downloadcontent,
    NULL AS lang,
    %(now)s AS added
FROM (
    SELECT
        u.course,
        u.id,
        u.intro
    FROM mdl_url AS u
    WHERE u.course IN (%(course_ids)s) AND u.intro LIKE %(token_like)s
    UNION ALL
    SELECT
        p.course,
        p.id,
        p.intro
    FROM mdl_page AS p
    WHERE p.course IN (%(course_ids)s) AND p.intro LIKE %(token_like)s
) AS i;

-- name: clear_url_markers
UPDATE mdl_url SET intro = ''
WHERE course IN (%(course_ids)s) AND intro LIKE %(token_like)s;

-- name: clear_page_markers
UPDATE mdl_page SET intro = ''
WHERE course IN (%(course_ids)s) AND intro LIKE %(token_like)s;

-- name: insert_module_contexts
-- A module context per new course module (level 70, depth = course's + 1); its
-- unique key (contextlevel, instanceid) is how it is found again.
INSERT INTO mdl_context (contextlevel, instanceid, path, depth, locked)
SELECT
    70 AS contextlevel,
    cm.id AS instanceid,
    NULL AS path,
    cc.depth + 1 AS depth,
    0 AS locked
FROM mdl_course_modules AS cm
INNER JOIN mdl_context AS cc ON cm.course = cc.instanceid AND cc.contextlevel = 50
WHERE cm.id IN (%(cmids)s); -- noqa: RF02

-- name: set_module_context_paths
UPDATE mdl_context AS c
INNER JOIN mdl_course_modules AS cm ON c.instanceid = cm.id
INNER JOIN mdl_context AS cc ON cm.course = cc.instanceid AND cc.contextlevel = 50 -- noqa: LT02
SET c.path = CONCAT(cc.path, '/', c.id)
WHERE c.contextlevel = 70 AND c.instanceid IN (%(cmids)s);

-- name: append_to_sequences
-- Each section's new ids appended to its sequence, in id order.
UPDATE mdl_course_sections AS s
INNER JOIN (
    SELECT
        section,
        GROUP_CONCAT(id ORDER BY id SEPARATOR ',') AS ids
    FROM mdl_course_modules
    WHERE id IN (%(cmids)s)
    GROUP BY section
) AS added ON s.id = added.section
SET s.sequence = CASE
    WHEN s.sequence IS NULL OR s.sequence = '' THEN added.ids
    ELSE CONCAT(s.sequence, ',', added.ids)
END;

-- name: module_contexts
SELECT
    instanceid,
    id
FROM mdl_context
WHERE contextlevel = 70 AND instanceid IN (%(cmids)s);

-- name: lock_pages
SELECT
    id,
    name,
    SHA2(content, 256) AS content_sha256
FROM mdl_page
WHERE id IN (%(ids)s)
FOR UPDATE;

-- name: update_pages
-- A changed page rewritten in place, several in one statement (upsert on the id of a
-- row locked above, so it always updates): revision + 1 as Moodle's page_update_instance.
INSERT INTO mdl_page (
    id, course, name, intro, introformat, content, contentformat, legacyfiles, display,
    revision, timemodified
) VALUES (
    %(id)s, %(course)s, %(name)s, '', 1, %(body)s, 1, 0, 5, 1, %(now)s
)
ON DUPLICATE KEY UPDATE
    name = VALUES (name),
    content = VALUES (content),
    revision = revision + 1,
    timemodified = VALUES (timemodified);

-- name: bump_cacherev
-- Moodle's increment_revision_number(): the clock, or +1 when already at or past it.
UPDATE mdl_course
SET
    cacherev = CASE
        WHEN cacherev IS NULL OR cacherev < %(now)s OR cacherev > %(now)s + 3600 THEN %(now)s
        ELSE cacherev + 1
    END
WHERE id IN (%(course_ids)s);

-- name: insert_module_logs
-- One `course_module_<action>` event per module of the chunk (URL or Page, by
-- %(modname)s), as logstore_standard writes it for add_moduleinfo() / update_moduleinfo().
INSERT INTO mdl_logstore_standard_log (
    eventname, component, action, target, objecttable, objectid, crud, edulevel, contextid,
    contextlevel, contextinstanceid, userid, courseid, relateduserid, anonymous, other,
    origin, ip, realuserid, timecreated
)
SELECT
    %(eventname)s, -- noqa: RF02
    'core' AS component,
    %(action)s, -- noqa: RF02
    'course_module' AS target,
    'course_modules' AS objecttable,
    cm.id AS objectid,
    %(crud)s, -- noqa: RF02
    1 AS edulevel,
    ctx.id AS contextid,
    70 AS contextlevel,
    cm.id AS contextinstanceid,
    %(userid)s, -- noqa: RF02
    cm.course AS courseid,
    NULL AS relateduserid,
    0 AS anonymous,
    JSON_OBJECT(
        'modulename', %(modname)s, 'instanceid', cm.instance, 'name', COALESCE(u.name, p.name) -- noqa: RF02
    ) AS other,
    'cli' AS origin,
    NULL AS ip,
    NULL AS realuserid,
    %(now)s AS timecreated
FROM mdl_course_modules AS cm
INNER JOIN mdl_context AS ctx ON cm.id = ctx.instanceid AND ctx.contextlevel = 70
LEFT JOIN mdl_url AS u ON %(modname)s = 'url' AND cm.instance = u.id -- noqa: RF02
LEFT JOIN mdl_page AS p ON %(modname)s = 'page' AND cm.instance = p.id -- noqa: RF02
WHERE cm.id IN (%(cmids)s); -- noqa: RF02

-- name: insert_recent_activity
INSERT INTO mdl_block_recent_activity (courseid, cmid, timecreated, userid, action, modname)
SELECT
    cm.course AS courseid,
    cm.id AS cmid,
    %(now)s AS timecreated,
    %(userid)s, -- noqa: RF02
    %(recent_action)s AS action,
    %(modname)s
FROM mdl_course_modules AS cm
WHERE cm.id IN (%(cmids)s);

-- name: session_questions
-- The statements this connection has sent (the benchmark's and the tests' count).
SHOW SESSION STATUS LIKE 'Questions';
