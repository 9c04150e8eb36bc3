INSERT INTO eios_watermark (faculty_id, watermark, run_id)
VALUES (%(faculty_id)s, %(watermark)s, %(run_id)s)
ON DUPLICATE KEY UPDATE
    watermark = VALUES (watermark),
    run_id = VALUES (run_id)
