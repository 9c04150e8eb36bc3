-- Courses that ended before the cutoff (unix seconds); the site course (id 1)
-- and courses without an end date are left out. The category subtree is
-- applied in include/courses/archive.py. Checked against Moodle 4.1 and 4.5.
SELECT
    c.id,
    c.shortname,
    c.fullname,
    c.category,
    c.enddate,
    c.visible
FROM mdl_course AS c
WHERE
    c.id <> 1
    AND c.enddate > 0
    AND c.enddate < %(end_before)s
ORDER BY c.enddate, c.id
