SELECT DISTINCT course_id FROM kontur_publication
ORDER BY course_id
