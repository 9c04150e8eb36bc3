-- Every activity of the courses with its section, module type and name, and for
-- a glossary the number of approved entries written by teachers (the regulation
-- does not count entries filled in by students). The name lives in each
-- module's own table; the modules the audit recognises are joined here.
-- Checked against Moodle 4.1 and 4.5.
SELECT
    cm.course,
    cm.id AS cmid,
    cs.section,
    COALESCE(cs.name, '') AS section_name,
    m.name AS modname,
    COALESCE(
        pg.name, u.name, r.name, lb.name, q.name, f.name, g.name, fo.name, fb.name,
        a.name, b.name, ls.name, ''
    ) AS name,
    cm.visible,
    (
        SELECT COUNT(ge.id)
        FROM mdl_glossary_entries AS ge
        WHERE ge.glossaryid = g.id AND ge.approved = 1 AND ge.teacherentry = 1
    ) AS glossary_entries
FROM mdl_course_modules AS cm
INNER JOIN mdl_modules AS m ON cm.module = m.id
INNER JOIN mdl_course_sections AS cs ON cm.section = cs.id
LEFT JOIN mdl_page AS pg ON m.name = 'page' AND cm.instance = pg.id
LEFT JOIN mdl_url AS u ON m.name = 'url' AND cm.instance = u.id
LEFT JOIN mdl_resource AS r ON m.name = 'resource' AND cm.instance = r.id
LEFT JOIN mdl_label AS lb ON m.name = 'label' AND cm.instance = lb.id
LEFT JOIN mdl_quiz AS q ON m.name = 'quiz' AND cm.instance = q.id
LEFT JOIN mdl_forum AS f ON m.name = 'forum' AND cm.instance = f.id
LEFT JOIN mdl_glossary AS g ON m.name = 'glossary' AND cm.instance = g.id
LEFT JOIN mdl_folder AS fo ON m.name = 'folder' AND cm.instance = fo.id
LEFT JOIN mdl_feedback AS fb ON m.name = 'feedback' AND cm.instance = fb.id
LEFT JOIN mdl_assign AS a ON m.name = 'assign' AND cm.instance = a.id
LEFT JOIN mdl_book AS b ON m.name = 'book' AND cm.instance = b.id
LEFT JOIN mdl_lesson AS ls ON m.name = 'lesson' AND cm.instance = ls.id
WHERE cm.deletioninprogress = 0
ORDER BY cm.course, cs.section, cm.id
