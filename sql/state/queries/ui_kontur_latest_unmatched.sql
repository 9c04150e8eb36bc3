-- The newest kontur_recordings run that wrote an unmatched-recordings CSV.
SELECT
    run_id,
    logical_date,
    recorded_at,
    JSON_UNQUOTE(JSON_EXTRACT(outputs, '$.unmatched')) AS unmatched_path
FROM pipeline_run_report
WHERE dag_id = 'kontur_recordings' AND JSON_EXTRACT(outputs, '$.unmatched') IS NOT NULL
ORDER BY recorded_at DESC, run_id DESC
LIMIT 1
