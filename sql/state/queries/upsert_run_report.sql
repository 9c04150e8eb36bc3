INSERT INTO pipeline_run_report (
    dag_id, run_id, logical_date, status, summary, counts, outputs
) VALUES (
    %(dag_id)s,
    %(run_id)s,
    %(logical_date)s,
    %(status)s,
    %(summary)s,
    %(counts)s,
    %(outputs)s
)
ON DUPLICATE KEY UPDATE
    logical_date = %(logical_date)s,
    status = %(status)s,
    summary = %(summary)s,
    counts = %(counts)s,
    outputs = %(outputs)s
