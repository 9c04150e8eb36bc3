INSERT INTO kontur_watermark (source, watermark, run_id)
VALUES ('recordings', %(watermark)s, %(run_id)s)
ON DUPLICATE KEY UPDATE
    run_id = IF(VALUES (watermark) > watermark, VALUES (run_id), run_id),
    watermark = GREATEST(watermark, VALUES (watermark))
