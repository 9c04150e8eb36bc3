-- The latest run report of one DAG (operations pages).
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
LIMIT 1
