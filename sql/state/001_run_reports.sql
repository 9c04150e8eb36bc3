-- The project's own database (pipelines_db), migration 001.
-- One row per DAG run: what the run did, in a few numbers, and where its
-- outputs are. `make demo` prints it; the operations pages list it.
CREATE TABLE pipeline_run_report (
    dag_id VARCHAR(250) NOT NULL,
    run_id VARCHAR(250) NOT NULL,
    logical_date DATETIME NULL,
    status VARCHAR(20) NOT NULL,
    summary TEXT NOT NULL,
    counts JSON NOT NULL,
    outputs JSON NOT NULL,
    recorded_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (dag_id, run_id),
    KEY ix_run_report_recorded (dag_id, recorded_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
