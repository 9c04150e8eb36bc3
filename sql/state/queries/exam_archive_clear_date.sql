-- exam_archive: forget the files recorded for a date before recording them again.
DELETE FROM exam_archive_file
WHERE archive_date = %(archive_date)s
