-- The latest run report of every DAG (index page of the operations pages).
-- Uses ix_run_report_recorded (dag_id, recorded_at) for the per-DAG maximum.
WITH latest AS (
    SELECT
        dag_id,
        MAX(recorded_at) AS recorded_at
    FROM pipeline_run_report
    GROUP BY dag_id
)

SELECT
    r.dag_id,
    r.run_id,
    r.logical_date,
    r.status,
    r.summary,
    r.counts,
    r.outputs,
    r.recorded_at
FROM pipeline_run_report AS r
INNER JOIN latest
    ON r.dag_id = latest.dag_id AND r.recorded_at = latest.recorded_at
ORDER BY r.dag_id ASC, r.run_id DESC
