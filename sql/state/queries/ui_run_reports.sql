-- A DAG's run reports, newest first (operations pages); the page's
-- LIMIT/OFFSET is appended by include.operations.paging.paged_sql.
SELECT
    dag_id,
    run_id,
    logical_date,
    status,
    summary,
    counts,
    outputs,
    recorded_at
FROM pipeline_run_report
WHERE dag_id = %(dag_id)s
ORDER BY recorded_at DESC, run_id DESC
