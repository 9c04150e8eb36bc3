-- The summary of one run's report, for the failure and approval mails
-- (include/notifications.py).
SELECT summary
FROM pipeline_run_report
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
