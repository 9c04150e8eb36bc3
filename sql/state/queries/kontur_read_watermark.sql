SELECT
    watermark,
    run_id
FROM kontur_watermark
WHERE source = 'recordings'
