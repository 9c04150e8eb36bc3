-- The publication journal per course: what clearing the journal would delete.
SELECT
    course_id,
    COUNT(*) AS recordings
FROM kontur_publication
GROUP BY course_id
ORDER BY course_id
