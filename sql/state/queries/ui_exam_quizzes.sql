-- The quizzes archived for one date with their counts (exam page of a date);
-- the quiz folder is `exams/YYYY/MM/DD/<course>/<quiz id>-<slug>`.
SELECT
    quiz_id,
    SUBSTRING_INDEX(MIN(path), '/', 6) AS quiz_folder,
    SUM(kind = 'attempt') AS attempt_pdfs,
    SUM(kind <> 'attempt') AS summary_pdfs,
    SUM(kind = 'attempt' AND grading_finished = 0) AS not_finished
FROM exam_archive_file
WHERE archive_date = %(archive_date)s
GROUP BY quiz_id
ORDER BY quiz_folder ASC
