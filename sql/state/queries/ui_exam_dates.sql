-- Archived exam dates, newest first, with their counts (exam page).
-- Grouped on the primary key's first column (archive_date, path).
SELECT
    archive_date,
    COUNT(DISTINCT quiz_id) AS quizzes,
    SUM(kind = 'attempt') AS attempt_pdfs,
    SUM(kind <> 'attempt') AS summary_pdfs,
    SUM(kind = 'attempt' AND grading_finished = 0) AS not_finished,
    SUM(bytes) AS total_bytes
FROM exam_archive_file
GROUP BY archive_date
ORDER BY archive_date DESC
