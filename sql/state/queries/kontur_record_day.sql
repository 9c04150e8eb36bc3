INSERT INTO kontur_publication_day (local_date, run_id, published, finished_at)
VALUES (%(local_date)s, %(run_id)s, %(published)s, %(finished_at)s)
ON DUPLICATE KEY UPDATE
    published = IF(run_id = VALUES (run_id), VALUES (published), published)
