-- The exam_archive runs whose report names one archive folder (exam date page):
-- their `outputs.archive` is the date's folder in the store.
SELECT
    run_id,
    status,
    recorded_at
FROM pipeline_run_report
WHERE
    dag_id = 'exam_archive'
    AND JSON_UNQUOTE(JSON_EXTRACT(outputs, '$.archive')) LIKE CONCAT('%%', %(folder)s)
ORDER BY recorded_at DESC
LIMIT 10
